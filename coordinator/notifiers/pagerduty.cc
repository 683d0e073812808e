#include "coordinator/notifiers/pagerduty.h"

#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "coordinator/notifiers/config_util.h"
#include "coordinator/notifiers/http_post.h"
#include "coordinator/notifiers/json_writer.h"

namespace uptime::notifiers {
namespace {

// Events API v2 limits: longer values make PagerDuty reject the event.
constexpr size_t kSummaryMax = 1024;
constexpr size_t kDedupKeyMax = 255;

std::string Summary(const Alert& alert) {
  std::string summary = AlertHeadline(alert);
  if (!alert.cause.empty() && alert.kind != AlertKind::kRecovered &&
      alert.kind != AlertKind::kTest) {
    absl::StrAppend(&summary, ": ", alert.cause);
  }
  return TruncateUtf8(SanitizeUtf8(summary), kSummaryMax);
}

}  // namespace

std::string PagerDutyEvent(const Alert& alert, absl::string_view action,
                           absl::string_view routing_key, absl::string_view severity) {
  const std::string link = DashboardLink(alert);
  JsonWriter w;
  w.BeginObject();
  w.Key("routing_key").String(routing_key);
  w.Key("event_action").String(action);
  w.Key("dedup_key").String(TruncateUtf8(DedupKey(alert), kDedupKeyMax));
  if (action == "trigger") {
    w.Key("payload").BeginObject();
    w.Key("summary").String(Summary(alert));
    const std::string source =
        !alert.monitor.target.empty() ? alert.monitor.target : DisplayName(alert.monitor);
    w.Key("source").String(source.empty() ? "uptime-monitor" : source);
    w.Key("severity").String(severity);
    if (alert.since != absl::InfinitePast()) {
      w.Key("timestamp").String(FormatRfc3339(alert.since));
    }
    if (!alert.monitor.name.empty()) w.Key("component").String(alert.monitor.name);
    if (!alert.monitor.id.empty()) w.Key("group").String(alert.monitor.id);
    w.Key("class").String(AlertKindName(alert.kind));
    w.Key("custom_details").BeginObject();
    w.Key("monitor_id").String(alert.monitor.id);
    w.Key("monitor_name").String(alert.monitor.name);
    w.Key("target").String(alert.monitor.target);
    w.Key("state").String(StateName(alert.new_state));
    w.Key("cause").String(alert.cause);
    w.Key("since").String(FormatUtc(alert.since));
    w.Key("duration").String(HumanDuration(alert.duration));
    w.Key("locations").StringArray(alert.locations);
    w.Key("labels").StringMap(alert.monitor.labels);
    w.Key("incident_id").String(alert.incident_id);
    w.Key("dashboard_url").String(link);
    if (alert.tls_expiry != absl::InfinitePast()) {
      w.Key("tls_expiry").String(FormatUtc(alert.tls_expiry));
    }
    w.EndObject();  // custom_details
    w.EndObject();  // payload
    w.Key("client").String("Uptime Monitor");
    if (!link.empty()) {
      w.Key("client_url").String(link);
      w.Key("links").BeginArray();
      w.BeginObject().Key("href").String(link).Key("text").String("Open in Uptime Monitor");
      w.EndObject().EndArray();
    }
  }
  w.EndObject();
  return w.Take();
}

namespace {

class PagerDutyNotifier : public Notifier {
 public:
  PagerDutyNotifier(std::string url, std::string routing_key, std::string severity,
                    const NotifierDeps& deps)
      : url_(std::move(url)),
        routing_key_(std::move(routing_key)),
        severity_(std::move(severity)),
        deps_(deps),
        poster_(deps.clock) {}

  absl::Status Send(const Alert& alert) override {
    if (alert.group.empty()) return SendOne(alert);
    // Every member is attempted. Triggers and resolves are idempotent per
    // dedup_key, so a retry of the whole group after a partial failure does
    // no harm; a retryable failure wins so that the group is retried.
    absl::Status first_error;
    for (const Alert& member : alert.group) {
      absl::Status s = SendOne(member);
      if (s.ok()) continue;
      if (first_error.ok() || (IsRetryable(s) && !IsRetryable(first_error))) first_error = s;
    }
    return first_error;
  }

 private:
  absl::Status SendOne(const Alert& alert) {
    switch (alert.kind) {
      case AlertKind::kRecovered:
        return Post(PagerDutyEvent(alert, "resolve", routing_key_, severity_));
      case AlertKind::kTlsExpiring:
        return Post(PagerDutyEvent(alert, "trigger", routing_key_, "warning"));
      case AlertKind::kTest: {
        absl::Status s = Post(PagerDutyEvent(alert, "trigger", routing_key_, "info"));
        if (!s.ok()) return s;
        return Post(PagerDutyEvent(alert, "resolve", routing_key_, "info"));
      }
      default:
        return Post(PagerDutyEvent(alert, "trigger", routing_key_, severity_));
    }
  }

  absl::Status Post(std::string body) {
    HttpPostRequest request;
    request.url = url_;
    request.what = "pagerduty";
    request.body = std::move(body);
    request.timeout = deps_.timeout;
    request.ca_file = deps_.ca_file;
    // PagerDuty's 400 bodies quote the event, and so the routing key.
    request.secrets = {routing_key_};
    return poster_.PostAndClassify(request);
  }

  const std::string url_;
  const std::string routing_key_;
  const std::string severity_;
  const NotifierDeps deps_;
  HttpPoster poster_;
};

class PagerDutyFactory : public NotifierFactory {
 public:
  std::string name() const override { return "pagerduty"; }

  absl::Status ValidateConfig(const NotifierConfig& config) const override {
    if (absl::Status s = CheckKnownKeys(config, {"routing_key", "url", "severity"}); !s.ok()) {
      return s;
    }
    const std::string key = Get(config, "routing_key");
    if (key.empty()) return ConfigError("routing_key", "required");
    bool alnum = true;
    for (char c : key) alnum = alnum && absl::ascii_isalnum(static_cast<unsigned char>(c));
    if (key.size() != 32 || !alnum) {
      return ConfigError("routing_key", "must be the 32-character integration key");
    }
    if (config.count("url") > 0) {
      if (absl::Status s =
              ValidateHttpUrl("url", Get(config, "url"), UrlRule::kHttpsOrLoopback);
          !s.ok()) {
        return s;
      }
    }
    const std::string severity = Get(config, "severity");
    if (config.count("severity") > 0 && severity != "critical" && severity != "error" &&
        severity != "warning" && severity != "info") {
      return ConfigError("severity", "must be one of critical, error, warning, info");
    }
    return absl::OkStatus();
  }

  std::vector<std::string> SecretKeys() const override { return {"routing_key"}; }

  absl::StatusOr<std::unique_ptr<Notifier>> Create(const NotifierConfig& config,
                                                   const NotifierDeps& deps) const override {
    if (absl::Status s = ValidateConfig(config); !s.ok()) return s;
    std::string url = Get(config, "url");
    if (url.empty()) url = kPagerDutyDefaultUrl;
    std::string severity = Get(config, "severity");
    if (severity.empty()) severity = "critical";
    return std::make_unique<PagerDutyNotifier>(std::move(url), Get(config, "routing_key"),
                                               std::move(severity), deps);
  }
};

}  // namespace

std::unique_ptr<NotifierFactory> MakePagerDutyFactory() {
  return std::make_unique<PagerDutyFactory>();
}

}  // namespace uptime::notifiers
