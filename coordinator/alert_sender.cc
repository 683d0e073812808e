#include "coordinator/alert_sender.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "common/proto_time.h"
#include "coordinator/notifiers/notifier.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "spdlog/spdlog.h"

namespace uptime::coordinator {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;
using notifiers::Alert;
using notifiers::AlertKind;

constexpr int kPayloadVersion = 1;
constexpr size_t kMaxErrorChars = 500;
constexpr absl::string_view kKindNames[] = {"down", "recovered", "still_down",
                                            "tls_expiring", "test", "unknown"};

std::optional<AlertKind> KindFromName(absl::string_view name) {
  for (AlertKind k : {AlertKind::kDown, AlertKind::kRecovered, AlertKind::kStillDown,
                      AlertKind::kTlsExpiring, AlertKind::kTest}) {
    if (notifiers::AlertKindName(k) == name) return k;
  }
  return std::nullopt;
}

void PutTime(Struct& s, const char* key, absl::Time t) {
  if (t == absl::InfinitePast() || t == absl::InfiniteFuture()) return;
  (*s.mutable_fields())[key].set_string_value(
      absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone()));
}

void PutString(Struct& s, const char* key, const std::string& v) {
  if (!v.empty()) (*s.mutable_fields())[key].set_string_value(v);
}

std::string GetString(const Struct& s, const char* key) {
  auto it = s.fields().find(key);
  return it == s.fields().end() ? std::string() : it->second.string_value();
}

absl::StatusOr<absl::Time> GetTime(const Struct& s, const char* key) {
  auto it = s.fields().find(key);
  if (it == s.fields().end() || it->second.has_null_value()) return absl::InfinitePast();
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, it->second.string_value(), &t, &err)) {
    return absl::InvalidArgumentError(absl::StrCat("payload: ", key, ": bad time"));
  }
  return t;
}

std::string ErrorText(const absl::Status& s) {
  std::string text = absl::StrCat(absl::StatusCodeToString(s.code()), ": ", s.message());
  if (text.size() > kMaxErrorChars) text.resize(kMaxErrorChars);
  return text;
}

}  // namespace

std::string AlertToPayload(const Alert& alert) {
  Struct s;
  auto& f = *s.mutable_fields();
  f["v"].set_number_value(kPayloadVersion);
  f["kind"].set_string_value(std::string(notifiers::AlertKindName(alert.kind)));
  Struct& m = *f["monitor"].mutable_struct_value();
  PutString(m, "id", alert.monitor.id);
  PutString(m, "name", alert.monitor.name);
  PutString(m, "target", alert.monitor.target);
  Struct& labels = *(*m.mutable_fields())["labels"].mutable_struct_value();
  for (const auto& [k, v] : alert.monitor.labels) (*labels.mutable_fields())[k].set_string_value(v);
  PutString(s, "incident_id", alert.incident_id);
  PutString(s, "dedup_key", alert.dedup_key);
  f["state"].set_string_value(v1::State_Name(alert.new_state));
  PutString(s, "cause", alert.cause);
  PutTime(s, "since", alert.since);
  f["duration_ms"].set_number_value(
      static_cast<double>(absl::ToInt64Milliseconds(alert.duration)));
  auto& locations = *f["locations"].mutable_list_value();
  for (const std::string& l : alert.locations) locations.add_values()->set_string_value(l);
  PutString(s, "dashboard_base_url", alert.dashboard_base_url);
  PutTime(s, "tls_expiry", alert.tls_expiry);
  std::string json;
  // Serializing a Struct cannot fail.
  (void)google::protobuf::util::MessageToJsonString(s, &json);
  return json;
}

absl::StatusOr<Alert> PayloadToAlert(absl::string_view payload_json) {
  Struct s;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(
           std::string(payload_json.data(), payload_json.size()), &s, options)
           .ok()) {
    return absl::InvalidArgumentError("payload: not a JSON object");
  }
  const auto& f = s.fields();
  auto v = f.find("v");
  if (v == f.end() || v->second.number_value() != kPayloadVersion) {
    return absl::InvalidArgumentError("payload: v: unsupported version");
  }
  Alert a;
  const std::string kind = GetString(s, "kind");
  std::optional<AlertKind> k = KindFromName(kind);
  if (!k) return absl::InvalidArgumentError(absl::StrCat("payload: kind: unknown '", kind.substr(0, 32), "'"));
  a.kind = *k;
  if (auto m = f.find("monitor"); m != f.end()) {
    const Struct& ms = m->second.struct_value();
    a.monitor.id = GetString(ms, "id");
    a.monitor.name = GetString(ms, "name");
    a.monitor.target = GetString(ms, "target");
    if (auto l = ms.fields().find("labels"); l != ms.fields().end()) {
      for (const auto& [lk, lv] : l->second.struct_value().fields()) {
        a.monitor.labels[lk] = lv.string_value();
      }
    }
  }
  a.incident_id = GetString(s, "incident_id");
  a.dedup_key = GetString(s, "dedup_key");
  v1::State state = v1::STATE_UNSPECIFIED;
  if (const std::string name = GetString(s, "state"); !name.empty() && !v1::State_Parse(name, &state)) {
    return absl::InvalidArgumentError("payload: state: unknown");
  }
  a.new_state = state;
  a.cause = GetString(s, "cause");
  absl::StatusOr<absl::Time> since = GetTime(s, "since");
  if (!since.ok()) return since.status();
  a.since = *since;
  if (auto d = f.find("duration_ms"); d != f.end()) {
    a.duration = absl::Milliseconds(static_cast<int64_t>(d->second.number_value()));
  }
  if (auto l = f.find("locations"); l != f.end()) {
    for (const Value& loc : l->second.list_value().values()) a.locations.push_back(loc.string_value());
  }
  a.dashboard_base_url = GetString(s, "dashboard_base_url");
  absl::StatusOr<absl::Time> expiry = GetTime(s, "tls_expiry");
  if (!expiry.ok()) return expiry.status();
  a.tls_expiry = *expiry;
  return a;
}

std::vector<store::OutboxRow> BuildIncidentOutbox(const v1::Incident& incident,
                                                  const v1::Monitor& monitor, bool recovered,
                                                  absl::Time now,
                                                  const std::string& dashboard_base_url) {
  Alert a;
  a.kind = recovered ? AlertKind::kRecovered : AlertKind::kDown;
  a.monitor = notifiers::AlertMonitorFromProto(monitor);
  a.incident_id = a.dedup_key = incident.id();
  a.new_state = recovered ? v1::STATE_UP : v1::STATE_DOWN;
  a.cause = incident.cause();
  const absl::Time started = FromProto(incident.started());
  if (recovered) {
    a.since = incident.has_resolved() ? FromProto(incident.resolved()) : now;
    a.duration = a.since - started;
  } else {
    a.since = started;
  }
  a.dashboard_base_url = dashboard_base_url;
  const std::string payload = AlertToPayload(a);
  std::vector<store::OutboxRow> rows;
  for (const std::string& channel : monitor.channel_ids()) {
    store::OutboxRow row;
    row.kind = std::string(notifiers::AlertKindName(a.kind));
    row.channel_id = channel;
    row.payload_json = payload;
    row.due = now;
    rows.push_back(std::move(row));
  }
  return rows;
}

struct AlertSender::Claimed {
  store::OutboxEntry entry;
  Alert alert;
};

AlertSender::AlertSender(Clock* clock, store::IncidentStore* store, ChannelRegistry* channels,
                         MetricsRegistry* metrics, AlertSenderOptions options)
    : clock_(clock), store_(store), channels_(channels), options_(std::move(options)) {
  if (metrics == nullptr) {
    own_metrics_ = std::make_unique<MetricsRegistry>();
    metrics = own_metrics_.get();
  }
  for (absl::string_view kind : kKindNames) {
    const std::string k(kind);
    KindCounters& c = counters_[k];
    c.sent = metrics->AddCounter("uptime_alerts_sent_total", "Alerts delivered", {{"kind", k}});
    c.retryable = metrics->AddCounter("uptime_alerts_failed_total",
                                      "Alert deliveries that failed",
                                      {{"kind", k}, {"reason", "retryable"}});
    c.permanent = metrics->AddCounter("uptime_alerts_failed_total",
                                      "Alert deliveries that failed",
                                      {{"kind", k}, {"reason", "permanent"}});
  }
}

AlertSender::~AlertSender() { Stop(); }

const AlertSender::KindCounters& AlertSender::CountersFor(absl::string_view kind) const {
  auto it = counters_.find(kind);
  return it != counters_.end() ? it->second : counters_.find("unknown")->second;
}

uint64_t AlertSender::sent(absl::string_view kind) const { return CountersFor(kind).sent->value(); }

uint64_t AlertSender::failed(absl::string_view kind) const {
  const KindCounters& c = CountersFor(kind);
  return c.retryable->value() + c.permanent->value();
}

void AlertSender::Start() {
  absl::MutexLock start(&start_mu_);
  {
    absl::MutexLock lock(&mu_);
    if (running_) return;
    running_ = true;
    stop_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void AlertSender::Stop() {
  absl::MutexLock start(&start_mu_);
  {
    absl::MutexLock lock(&mu_);
    if (!running_) return;
    stop_ = true;
  }
  thread_.join();
  absl::MutexLock lock(&mu_);
  running_ = false;
}

void AlertSender::Kick() {
  absl::MutexLock lock(&mu_);
  kicked_ = true;
}

bool AlertSender::WakeLocked() const { return stop_ || kicked_; }

void AlertSender::Loop() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      // Real time, not the injected clock: this is only how often we look;
      // what is due is decided by the clock.
      mu_.AwaitWithTimeout(absl::Condition(this, &AlertSender::WakeLocked),
                           options_.poll_interval);
      if (stop_) return;
      kicked_ = false;
    }
    absl::StatusOr<int> claimed = RunOnce();
    if (!claimed.ok()) {
      spdlog::warn("alert sender: claiming due alerts failed: {}", claimed.status().message());
    }
  }
}

absl::StatusOr<int> AlertSender::RunOnce() {
  absl::MutexLock pass(&pass_mu_);
  const absl::Time claimed_at = clock_->Now();
  absl::StatusOr<std::vector<store::OutboxEntry>> due =
      store_->ClaimDue(claimed_at, options_.claim_limit, options_.lease);
  if (!due.ok()) return due.status();

  // Per channel, in claim order (oldest due first).
  std::map<std::string, std::vector<Claimed>> by_channel;
  for (store::OutboxEntry& entry : *due) {
    absl::StatusOr<Alert> alert = PayloadToAlert(entry.payload_json);
    if (!alert.ok()) {
      spdlog::warn("alert sender: outbox row {} ({}) has a bad payload, dropped: {}", entry.id,
                   entry.kind, alert.status().message());
      CountersFor("unknown").permanent->Increment();
      Fail(Claimed{entry, {}}, std::string(alert.status().message()),
           clock_->Now() + options_.permanent_delay);
      continue;
    }
    const std::string channel = entry.channel_id;
    by_channel[channel].push_back(Claimed{std::move(entry), *std::move(alert)});
  }

  std::vector<std::pair<const std::string, std::vector<Claimed>>*> work;
  for (auto& kv : by_channel) work.push_back(&kv);
  const size_t parallel = static_cast<size_t>(std::max(1, options_.max_parallel_channels));
  for (size_t i = 0; i < work.size(); i += parallel) {
    const size_t end = std::min(work.size(), i + parallel);
    if (end - i == 1) {
      DeliverChannel(work[i]->first, work[i]->second, claimed_at);
      continue;
    }
    std::vector<std::thread> threads;
    for (size_t j = i; j < end; ++j) {
      threads.emplace_back([this, w = work[j], claimed_at] {
        DeliverChannel(w->first, w->second, claimed_at);
      });
    }
    for (std::thread& t : threads) t.join();
  }
  return static_cast<int>(due->size());
}

void AlertSender::DeliverChannel(const std::string& channel_id, std::vector<Claimed>& rows,
                                 absl::Time claimed_at) {
  absl::StatusOr<std::shared_ptr<notifiers::Notifier>> notifier =
      channels_->NotifierFor(channel_id);
  if (!notifier.ok()) {
    const bool deleted = absl::IsNotFound(notifier.status());
    spdlog::warn("alert sender: channel {} {}; dropping {} alert(s)", channel_id,
                 deleted ? "no longer exists" : "cannot be used", rows.size());
    const std::string error = deleted ? std::string("dropped: channel deleted")
                                      : ErrorText(notifier.status());
    for (const Claimed& row : rows) {
      CountersFor(notifiers::AlertKindName(row.alert.kind)).permanent->Increment();
      Fail(row, error, clock_->Now() + options_.permanent_delay);
    }
    return;
  }

  // Kinds in order of first appearance, each with its rows.
  std::vector<std::pair<std::string, std::vector<const Claimed*>>> by_kind;
  for (const Claimed& row : rows) {
    const std::string kind(notifiers::AlertKindName(row.alert.kind));
    auto it = std::find_if(by_kind.begin(), by_kind.end(),
                           [&](const auto& kv) { return kv.first == kind; });
    if (it == by_kind.end()) {
      by_kind.push_back({kind, {}});
      it = by_kind.end() - 1;
    }
    it->second.push_back(&row);
  }

  const absl::Time lease_end = claimed_at + options_.lease;
  for (const auto& [kind, members] : by_kind) {
    if (static_cast<int>(members.size()) > options_.group_threshold) {
      if (clock_->Now() >= lease_end) break;  // the next claim takes them
      Alert group;
      const Alert& first = members.front()->alert;
      group.kind = first.kind;
      group.new_state = first.new_state;
      group.dashboard_base_url = first.dashboard_base_url;
      group.since = first.since;
      group.dedup_key = absl::StrCat("group:", kind, ":", members.front()->entry.id);
      for (const Claimed* m : members) {
        group.since = std::min(group.since, m->alert.since);
        group.group.push_back(m->alert);
        group.group.back().group.clear();
      }
      Record(members, (*notifier)->Send(group), kind);
      continue;
    }
    for (const Claimed* row : members) {
      if (clock_->Now() >= lease_end) break;
      Record({row}, (*notifier)->Send(row->alert), kind);
    }
  }
}

void AlertSender::Record(const std::vector<const Claimed*>& rows, const absl::Status& status,
                         absl::string_view kind) {
  const KindCounters& counters = CountersFor(kind);
  const absl::Time now = clock_->Now();
  if (status.ok()) {
    for (const Claimed* row : rows) {
      if (absl::Status s = store_->MarkSent(row->entry.id, now); !s.ok()) {
        // The lease brings it back: a possible duplicate, never a loss.
        spdlog::warn("alert sender: recording outbox row {} as sent failed: {}", row->entry.id,
                     s.message());
      }
    }
    counters.sent->Increment(rows.size());
    return;
  }
  const std::string error = ErrorText(status);
  if (notifiers::IsRetryable(status)) {
    int attempts = 1;
    for (const Claimed* row : rows) attempts = std::max(attempts, row->entry.attempts);
    absl::Duration backoff = options_.initial_backoff;
    for (int i = 1; i < attempts && backoff < options_.max_backoff; ++i) backoff *= 2;
    backoff = std::min(backoff, options_.max_backoff);
    const absl::Duration wait =
        std::max(backoff, notifiers::RetryAfter(status).value_or(absl::ZeroDuration()));
    for (const Claimed* row : rows) Fail(*row, error, now + wait);
    counters.retryable->Increment(rows.size());
    spdlog::info("alert sender: {} {} alert(s) to channel {} failed (attempt {}), retry in {}: {}",
                 rows.size(), kind, rows.front()->entry.channel_id, attempts,
                 absl::FormatDuration(wait), error);
    return;
  }
  for (const Claimed* row : rows) Fail(*row, error, now + options_.permanent_delay);
  counters.permanent->Increment(rows.size());
  spdlog::warn("alert sender: {} {} alert(s) to channel {} failed permanently, not retried: {}",
               rows.size(), kind, rows.front()->entry.channel_id, error);
}

void AlertSender::Fail(const Claimed& row, const std::string& error, absl::Time next_due) {
  if (absl::Status s = store_->MarkFailed(row.entry.id, error, next_due); !s.ok()) {
    spdlog::warn("alert sender: recording outbox row {} as failed failed: {}", row.entry.id,
                 s.message());
  }
}

}  // namespace uptime::coordinator
