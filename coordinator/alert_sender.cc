#include "coordinator/alert_sender.h"

#include <algorithm>
#include <deque>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
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

struct AlertSender::Item {
  Key key;
  Alert alert;
  std::string payload;
  std::optional<int64_t> row_id;  // once known
  bool write_row = false;         // the sender inserts the outbox row itself
  uint64_t seq = 0;               // arrival order
  int attempts = 0;               // deliveries tried
  absl::Time due;                 // next delivery try
  bool held = false;              // waiting for its channel's storm window
  std::string error;              // of the last failed try
  bool failure_unrecorded = false;
  // Finished: delivered (`sent_at`) or given up (`give_up_due`); kept until
  // the outcome is on the outbox row.
  bool finished = false;
  std::optional<absl::Time> sent_at;
  absl::Time give_up_due;
  absl::Time finished_at;
  absl::Time record_due;

  const std::string& subject() const { return std::get<0>(key); }
  const std::string& kind() const { return std::get<1>(key); }
  const std::string& channel() const { return std::get<2>(key); }
};

struct AlertSender::ChannelState {
  std::deque<absl::Time> sent;  // messages within the storm window
  std::vector<Item*> held;
  absl::Time hold_until = absl::InfiniteFuture();
};

struct AlertSender::Message {
  std::string channel;
  std::vector<Item*> items;  // one alert, or a group of one kind
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
  dropped_ = metrics->AddCounter("uptime_alerts_memory_dropped_total",
                                 "Alerts not held in memory because the pipeline was full (the "
                                 "outbox still delivers them)");
  metrics->AddCallbackGauge("uptime_alerts_pending", "Alerts held in memory by the sender",
                            [this] { return static_cast<double>(pending_.load()); });
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

size_t AlertSender::pending() const { return pending_.load(); }

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

void AlertSender::Deliver(const std::string& subject, std::vector<store::OutboxRow> rows,
                          bool write_rows) {
  if (rows.empty()) return;
  absl::MutexLock lock(&mu_);
  for (store::OutboxRow& row : rows) incoming_.push_back({subject, std::move(row), write_rows});
  kicked_ = true;
}

bool AlertSender::WakeLocked() const { return stop_ || kicked_; }

void AlertSender::Loop() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      // Waiting is in real time, bounded by poll_interval; what is due is
      // decided by the injected clock.
      const absl::Duration wait =
          std::clamp(wake_at_ - clock_->Now(), absl::ZeroDuration(), options_.poll_interval);
      mu_.AwaitWithTimeout(absl::Condition(this, &AlertSender::WakeLocked), wait);
      if (stop_) return;
      kicked_ = false;
    }
    absl::StatusOr<int> n = RunOnce();
    if (!n.ok()) {
      spdlog::warn("alert sender: claiming due alerts failed: {}", n.status().message());
    }
  }
}

absl::StatusOr<int> AlertSender::RunOnce() {
  absl::MutexLock pass(&pass_mu_);
  int tried = 0;
  auto send_due = [&] {
    std::vector<Message> messages = Plan(clock_->Now());
    for (const Message& m : messages) tried += static_cast<int>(m.items.size());
    // Channels in parallel, a channel's messages in order.
    std::map<std::string, std::vector<Message*>> by_channel;
    for (Message& m : messages) by_channel[m.channel].push_back(&m);
    std::vector<std::vector<Message*>*> work;
    for (auto& kv : by_channel) work.push_back(&kv.second);
    const size_t parallel = static_cast<size_t>(std::max(1, options_.max_parallel_channels));
    for (size_t i = 0; i < work.size(); i += parallel) {
      const size_t end = std::min(work.size(), i + parallel);
      if (end - i == 1) {
        for (Message* m : *work[i]) Send(*m);
        continue;
      }
      std::vector<std::thread> threads;
      for (size_t j = i; j < end; ++j) {
        threads.emplace_back([this, w = work[j]] {
          for (Message* m : *w) Send(*m);
        });
      }
      for (std::thread& t : threads) t.join();
    }
  };

  // What arrived from memory goes out before any database round trip.
  TakeIncoming(clock_->Now());
  send_due();
  absl::Status claimed = absl::OkStatus();
  if (clock_->Now() >= next_claim_) {
    claimed = ClaimOutbox(clock_->Now());
    send_due();
  }
  RecordOutcomes(clock_->Now());
  pending_ = items_.size();
  const absl::Time wake = NextWake(clock_->Now());
  {
    absl::MutexLock lock(&mu_);
    wake_at_ = wake;
  }
  if (!claimed.ok() && tried == 0) return claimed;
  return tried;
}

void AlertSender::TakeIncoming(absl::Time now) {
  std::vector<Incoming> incoming;
  {
    absl::MutexLock lock(&mu_);
    incoming.swap(incoming_);
  }
  for (Incoming& in : incoming) {
    Key key{in.subject, in.row.kind, in.row.channel_id};
    if (items_.contains(key)) continue;
    if (items_.size() >= options_.max_pending) {
      dropped_->Increment();
      spdlog::warn("alert sender: {} alerts pending in memory; {} alert {} to channel {} is left "
                   "to the outbox",
                   items_.size(), in.row.kind, in.subject, in.row.channel_id);
      continue;
    }
    absl::StatusOr<Alert> alert = PayloadToAlert(in.row.payload_json);
    if (!alert.ok()) {
      spdlog::warn("alert sender: {} alert {} has a bad payload, dropped: {}", in.row.kind,
                   in.subject, alert.status().message());
      continue;
    }
    auto item = std::make_unique<Item>();
    item->key = std::move(key);
    item->alert = *std::move(alert);
    item->payload = std::move(in.row.payload_json);
    item->write_row = in.write_row;
    item->seq = next_seq_++;
    item->due = std::min(in.row.due, now);
    items_.emplace(item->key, std::move(item));
  }
}

absl::Status AlertSender::ClaimOutbox(absl::Time now) {
  absl::StatusOr<std::vector<store::OutboxEntry>> due =
      store_->ClaimDue(now, options_.claim_limit, options_.lease);
  if (!due.ok()) {
    // PostgreSQL may be down: alerts in memory go on; look again later.
    next_claim_ = now + std::max(options_.poll_interval, absl::Seconds(1));
    return due.status();
  }
  next_claim_ = now;
  for (store::OutboxEntry& entry : *due) {
    Key key{entry.incident_id, entry.kind, entry.channel_id};
    if (auto it = items_.find(key); it != items_.end()) {
      // Already ours (from memory): the claim only tells us its row id.
      it->second->row_id = entry.id;
      if (it->second->finished) it->second->record_due = now;
      continue;
    }
    absl::StatusOr<Alert> alert = PayloadToAlert(entry.payload_json);
    if (!alert.ok()) {
      spdlog::warn("alert sender: outbox row {} ({}) has a bad payload, dropped: {}", entry.id,
                   entry.kind, alert.status().message());
      CountersFor("unknown").permanent->Increment();
      if (absl::Status s = store_->MarkFailed(entry.id, std::string(alert.status().message()),
                                              now + options_.permanent_delay);
          !s.ok()) {
        spdlog::warn("alert sender: recording outbox row {} as failed failed: {}", entry.id,
                     s.message());
      }
      continue;
    }
    auto item = std::make_unique<Item>();
    item->key = std::move(key);
    item->alert = *std::move(alert);
    item->payload = std::move(entry.payload_json);
    item->row_id = entry.id;
    item->seq = next_seq_++;
    // The claim counts as an attempt; earlier claims were earlier tries.
    item->attempts = std::max(0, entry.attempts - 1);
    item->due = now;
    items_.emplace(item->key, std::move(item));
  }
  return absl::OkStatus();
}

std::vector<AlertSender::Message> AlertSender::Plan(absl::Time now) {
  std::map<std::string, std::vector<Item*>> ready;
  for (auto& [key, item] : items_) {
    if (!item->finished && !item->held && item->due <= now) ready[item->channel()].push_back(item.get());
  }
  for (auto& [channel, state] : channel_states_) {
    if (!state.held.empty() && state.hold_until <= now) ready[channel];  // flush below
  }
  std::vector<Message> messages;
  for (auto& [channel, items] : ready) {
    std::sort(items.begin(), items.end(), [](const Item* a, const Item* b) { return a->seq < b->seq; });
    ChannelState& state = channel_states_[channel];
    while (!state.sent.empty() && state.sent.front() <= now - options_.storm_window) {
      state.sent.pop_front();
    }
    for (Item* item : items) {
      if (state.held.empty() &&
          static_cast<int>(state.sent.size()) < options_.storm_threshold) {
        messages.push_back({channel, {item}});
        state.sent.push_back(now);
        continue;
      }
      item->held = true;
      state.held.push_back(item);
      if (state.hold_until == absl::InfiniteFuture()) state.hold_until = now + options_.storm_window;
    }
    if (state.held.empty() || state.hold_until > now) continue;
    // The window is over: one message per kind, in order of first arrival.
    std::vector<Message> groups;
    for (Item* item : state.held) {
      item->held = false;
      auto it = std::find_if(groups.begin(), groups.end(), [&](const Message& m) {
        return m.items.front()->alert.kind == item->alert.kind;
      });
      if (it == groups.end()) {
        groups.push_back({channel, {item}});
      } else {
        it->items.push_back(item);
      }
    }
    for (Message& m : groups) {
      messages.push_back(std::move(m));
      state.sent.push_back(now);
    }
    state.held.clear();
    state.hold_until = absl::InfiniteFuture();
  }
  // Channels with nothing left to remember.
  for (auto it = channel_states_.begin(); it != channel_states_.end();) {
    if (it->second.held.empty() && it->second.sent.empty()) {
      it = channel_states_.erase(it);
    } else {
      ++it;
    }
  }
  return messages;
}

void AlertSender::Send(Message& message) {
  for (Item* item : message.items) ++item->attempts;
  absl::StatusOr<std::shared_ptr<notifiers::Notifier>> notifier =
      channels_->NotifierFor(message.channel);
  if (!notifier.ok()) {
    const bool deleted = absl::IsNotFound(notifier.status());
    spdlog::warn("alert sender: channel {} {}; dropping {} alert(s)", message.channel,
                 deleted ? "no longer exists" : "cannot be used", message.items.size());
    const absl::Status dropped =
        deleted ? absl::FailedPreconditionError("dropped: channel deleted")
                : absl::FailedPreconditionError(ErrorText(notifier.status()));
    for (Item* item : message.items) Outcome(*item, dropped, clock_->Now());
    return;
  }
  absl::Status status;
  if (message.items.size() == 1) {
    status = (*notifier)->Send(message.items.front()->alert);
  } else {
    const Item& first_item = *message.items.front();
    const Alert& first = first_item.alert;
    Alert group;
    group.kind = first.kind;
    group.new_state = first.new_state;
    group.dashboard_base_url = first.dashboard_base_url;
    group.since = first.since;
    group.dedup_key = absl::StrCat("group:", first_item.kind(), ":", first_item.subject());
    for (const Item* m : message.items) {
      group.since = std::min(group.since, m->alert.since);
      group.group.push_back(m->alert);
      group.group.back().group.clear();
    }
    status = (*notifier)->Send(group);
  }
  const absl::Time now = clock_->Now();
  for (Item* item : message.items) Outcome(*item, status, now);
  const std::string kind(notifiers::AlertKindName(message.items.front()->alert.kind));
  if (status.ok()) return;
  if (notifiers::IsRetryable(status)) {
    spdlog::info("alert sender: {} {} alert(s) to channel {} failed (attempt {}), retry in {}: {}",
                 message.items.size(), kind, message.channel, message.items.front()->attempts,
                 absl::FormatDuration(message.items.front()->due - now), ErrorText(status));
  } else {
    spdlog::warn("alert sender: {} {} alert(s) to channel {} failed permanently, not retried: {}",
                 message.items.size(), kind, message.channel, ErrorText(status));
  }
}

void AlertSender::Outcome(Item& item, const absl::Status& status, absl::Time now) {
  const KindCounters& counters = CountersFor(notifiers::AlertKindName(item.alert.kind));
  if (status.ok()) {
    item.finished = true;
    item.sent_at = now;
    item.finished_at = item.record_due = now;
    counters.sent->Increment();
    return;
  }
  item.error = ErrorText(status);
  if (notifiers::IsRetryable(status)) {
    absl::Duration backoff = options_.initial_backoff;
    for (int i = 1; i < item.attempts && backoff < options_.max_backoff; ++i) backoff *= 2;
    backoff = std::min(backoff, options_.max_backoff);
    item.due = now + std::max(backoff, notifiers::RetryAfter(status).value_or(absl::ZeroDuration()));
    item.failure_unrecorded = true;
    counters.retryable->Increment();
    return;
  }
  item.finished = true;
  item.give_up_due = now + options_.permanent_delay;
  item.finished_at = item.record_due = now;
  counters.permanent->Increment();
}

absl::Status AlertSender::RecordOne(Item& item) {
  if (!item.row_id.has_value()) {
    absl::StatusOr<int64_t> id = store_->FindOutboxRow(item.subject(), item.kind(), item.channel());
    if (absl::IsNotFound(id.status()) && item.write_row) {
      store::OutboxRow row;
      row.kind = item.kind();
      row.channel_id = item.channel();
      row.payload_json = item.payload;
      row.due = item.finished ? (item.sent_at ? *item.sent_at : item.give_up_due) : item.due;
      row.sent = item.sent_at;
      RETURN_IF_ERROR(store_->EnqueueAlerts(item.subject(), {row}));
      id = store_->FindOutboxRow(item.subject(), item.kind(), item.channel());
    }
    if (!id.ok()) return id.status();
    item.row_id = *id;
  }
  if (item.finished && item.sent_at) return store_->MarkSent(*item.row_id, *item.sent_at);
  if (item.finished) return store_->MarkFailed(*item.row_id, item.error, item.give_up_due);
  return store_->MarkFailed(*item.row_id, item.error, item.due);
}

void AlertSender::RecordOutcomes(absl::Time now) {
  // Bounded per pass, and stopped at the first sign that PostgreSQL is down,
  // so a sick database never holds up delivery for long.
  int budget = 500;
  for (auto it = items_.begin(); it != items_.end() && budget > 0;) {
    Item& item = *it->second;
    const bool record = (item.finished && item.record_due <= now) || item.failure_unrecorded;
    if (!record) {
      ++it;
      continue;
    }
    --budget;
    const absl::Status s = RecordOne(item);
    if (!item.finished) {
      // A retry's due time is only a hint for a successor: once is enough.
      item.failure_unrecorded = false;
      ++it;
      if (absl::IsUnavailable(s)) break;
      continue;
    }
    if (s.ok()) {
      it = items_.erase(it);
      continue;
    }
    if (now - item.finished_at > options_.record_ttl) {
      spdlog::warn("alert sender: {} alert {} to channel {} was {} but its outbox row never "
                   "appeared; forgetting it: {}",
                   item.kind(), item.subject(), item.channel(),
                   item.sent_at ? "delivered" : "given up", s.message());
      it = items_.erase(it);
      continue;
    }
    item.record_due = now + std::max(options_.poll_interval, absl::Seconds(1));
    ++it;
    if (absl::IsUnavailable(s)) break;
  }
}

absl::Time AlertSender::NextWake(absl::Time now) const {
  absl::Time wake = std::max(next_claim_, now + options_.poll_interval);
  for (const auto& [key, item] : items_) {
    if (item->finished) {
      wake = std::min(wake, item->record_due);
    } else if (!item->held) {
      wake = std::min(wake, item->due);
    }
  }
  for (const auto& [channel, state] : channel_states_) {
    if (!state.held.empty()) wake = std::min(wake, state.hold_until);
  }
  return wake;
}

}  // namespace uptime::coordinator
