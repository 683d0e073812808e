#include "coordinator/notifiers/slack.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "coordinator/notifiers/config_util.h"
#include "coordinator/notifiers/http_post.h"
#include "coordinator/notifiers/json_writer.h"

namespace uptime::notifiers {
namespace {

// Block Kit limits (api.slack.com/reference/block-kit): text beyond them
// makes Slack reject the whole message with HTTP 400 and lose the alert.
constexpr size_t kHeaderMax = 150;
constexpr size_t kFieldMax = 2000;
constexpr size_t kSectionMax = 3000;
constexpr size_t kGroupLineMax = 250;

absl::string_view Emoji(AlertKind kind) {
  switch (kind) {
    case AlertKind::kDown:
      return ":red_circle:";
    case AlertKind::kRecovered:
      return ":large_green_circle:";
    case AlertKind::kStillDown:
      return ":rotating_light:";
    case AlertKind::kTlsExpiring:
      return ":warning:";
    case AlertKind::kTest:
      return ":test_tube:";
  }
  return "";
}

// mrkdwn treats &, < and > as control characters (links, mentions); a
// cause such as "<html>" must show literally and never ping @channel.
std::string Escape(absl::string_view s) {
  return absl::StrReplaceAll(SanitizeUtf8(s), {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}});
}

struct Field {
  std::string label;
  std::string value;  // raw; escaped when written
};

std::vector<Field> Fields(const Alert& a) {
  std::vector<Field> fields;
  const bool down = a.kind == AlertKind::kDown || a.kind == AlertKind::kStillDown;
  if (!a.monitor.target.empty()) fields.push_back({"Target", a.monitor.target});
  if (!a.cause.empty()) {
    fields.push_back({a.kind == AlertKind::kTest ? "Note" : "Cause", a.cause});
  }
  if (a.since != absl::InfinitePast()) {
    absl::string_view label = down                               ? "Down since"
                              : a.kind == AlertKind::kRecovered  ? "Up since"
                              : a.kind == AlertKind::kTlsExpiring ? "Checked"
                                                                 : "Sent";
    fields.push_back({std::string(label), FormatUtc(a.since)});
  }
  if (a.duration > absl::ZeroDuration()) {
    fields.push_back({a.kind == AlertKind::kRecovered ? "Was down for" : "Down for",
                      HumanDuration(a.duration)});
  }
  if (!a.locations.empty()) {
    fields.push_back({a.locations.size() == 1 ? "Location" : "Locations",
                      absl::StrJoin(a.locations, ", ")});
  }
  if (a.kind == AlertKind::kTlsExpiring && a.tls_expiry != absl::InfinitePast()) {
    fields.push_back({"Certificate expires", FormatUtc(a.tls_expiry)});
  }
  return fields;
}

// "• *api* — https://api/health — status: HTTP 503" for one group member.
std::string GroupLine(const Alert& member) {
  std::string line = absl::StrCat("• *", Escape(DisplayName(member.monitor)), "*");
  if (!member.monitor.target.empty()) {
    absl::StrAppend(&line, " — ", Escape(member.monitor.target));
  }
  if (!member.cause.empty()) absl::StrAppend(&line, " — ", Escape(member.cause));
  return TruncateUtf8(line, kGroupLineMax);
}

void WriteText(JsonWriter& w, absl::string_view type, absl::string_view text) {
  w.BeginObject().Key("type").String(type).Key("text").String(text);
  if (type == "plain_text") w.Key("emoji").Bool(true);
  w.EndObject();
}

}  // namespace

std::string SlackPayload(const Alert& alert, const SlackOptions& options) {
  const std::string headline = AlertHeadline(alert);
  const std::string link = DashboardLink(alert);
  const bool grouped = !alert.group.empty();

  // The notification text: short, and complete enough on a lock screen.
  std::string text = absl::StrCat(Emoji(alert.kind), " ", Escape(headline));
  std::string section;
  if (grouped) {
    std::vector<std::string> names, lines;
    for (size_t i = 0; i < alert.group.size() && i < options.max_group_lines; ++i) {
      names.push_back(Escape(DisplayName(alert.group[i].monitor)));
      lines.push_back(GroupLine(alert.group[i]));
    }
    absl::StrAppend(&text, ": ", absl::StrJoin(names, ", "));
    section = absl::StrJoin(lines, "\n");
    if (alert.group.size() > names.size()) {
      const size_t more = alert.group.size() - names.size();
      absl::StrAppend(&text, " and ", more, " more");
      absl::StrAppend(&section, "\n…and ", more, " more");
    }
  } else if (!alert.cause.empty() && alert.kind != AlertKind::kTest) {
    absl::StrAppend(&text, ": ", Escape(alert.cause));
  } else if (alert.kind == AlertKind::kRecovered && alert.duration > absl::ZeroDuration()) {
    absl::StrAppend(&text, " after ", HumanDuration(alert.duration));
  }

  JsonWriter w;
  w.BeginObject();
  w.Key("text").String(TruncateUtf8(text, kSectionMax));
  if (!options.channel.empty()) w.Key("channel").String(options.channel);
  if (!options.username.empty()) w.Key("username").String(options.username);
  w.Key("blocks").BeginArray();

  w.BeginObject().Key("type").String("header").Key("text");
  WriteText(w, "plain_text",
            TruncateUtf8(absl::StrCat(Emoji(alert.kind), " ", headline), kHeaderMax));
  w.EndObject();

  if (grouped) {
    w.BeginObject().Key("type").String("section").Key("text");
    WriteText(w, "mrkdwn", TruncateUtf8(section, kSectionMax));
    w.EndObject();
  } else {
    const std::vector<Field> fields = Fields(alert);
    if (!fields.empty()) {
      w.BeginObject().Key("type").String("section").Key("fields").BeginArray();
      for (const Field& f : fields) {
        WriteText(w, "mrkdwn",
                  TruncateUtf8(absl::StrCat("*", f.label, "*\n", Escape(f.value)), kFieldMax));
      }
      w.EndArray().EndObject();
    }
  }

  if (!alert.incident_id.empty()) {
    w.BeginObject().Key("type").String("context").Key("elements").BeginArray();
    WriteText(w, "mrkdwn", TruncateUtf8(absl::StrCat("Incident `", Escape(alert.incident_id),
                                                     "` · Uptime Monitor"),
                                        kFieldMax));
    w.EndArray().EndObject();
  }

  if (!link.empty()) {
    w.BeginObject().Key("type").String("actions").Key("elements").BeginArray();
    w.BeginObject().Key("type").String("button").Key("text");
    WriteText(w, "plain_text", "Open dashboard");
    w.Key("url").String(link).EndObject();
    w.EndArray().EndObject();
  }

  w.EndArray();
  w.EndObject();
  return w.Take();
}

namespace {

class SlackNotifier : public Notifier {
 public:
  SlackNotifier(std::string url, SlackOptions options, const NotifierDeps& deps)
      : url_(std::move(url)), options_(std::move(options)), deps_(deps), poster_(deps.clock) {}

  absl::Status Send(const Alert& alert) override {
    HttpPostRequest request;
    request.url = url_;
    request.what = "slack webhook";
    request.body = SlackPayload(alert, options_);
    request.timeout = deps_.timeout;
    request.ca_file = deps_.ca_file;
    return poster_.PostAndClassify(request);
  }

 private:
  const std::string url_;
  const SlackOptions options_;
  const NotifierDeps deps_;
  HttpPoster poster_;
};

class SlackFactory : public NotifierFactory {
 public:
  std::string name() const override { return "slack"; }

  absl::Status ValidateConfig(const NotifierConfig& config) const override {
    if (absl::Status s = CheckKnownKeys(config, {"webhook_url", "channel", "username"});
        !s.ok()) {
      return s;
    }
    if (absl::Status s =
            ValidateHttpUrl("webhook_url", Get(config, "webhook_url"), UrlRule::kHttpsOrLoopback);
        !s.ok()) {
      return s;
    }
    if (Get(config, "channel").size() > 80) return ConfigError("channel", "at most 80 characters");
    if (Get(config, "username").size() > 80) {
      return ConfigError("username", "at most 80 characters");
    }
    return absl::OkStatus();
  }

  std::vector<std::string> SecretKeys() const override { return {"webhook_url"}; }

  absl::StatusOr<std::unique_ptr<Notifier>> Create(const NotifierConfig& config,
                                                   const NotifierDeps& deps) const override {
    if (absl::Status s = ValidateConfig(config); !s.ok()) return s;
    SlackOptions options;
    options.channel = Get(config, "channel");
    options.username = Get(config, "username");
    return std::make_unique<SlackNotifier>(Get(config, "webhook_url"), std::move(options), deps);
  }
};

}  // namespace

std::unique_ptr<NotifierFactory> MakeSlackFactory() { return std::make_unique<SlackFactory>(); }

}  // namespace uptime::notifiers
