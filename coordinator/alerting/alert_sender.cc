#include "coordinator/alerting/alert_sender.h"

#include <algorithm>
#include <deque>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "coordinator/notifiers/notifier.h"
#include "coordinator/alerting/alert_payload.h"
#include "spdlog/spdlog.h"

namespace uptime::coordinator {
namespace {

using notifiers::Alert;
using notifiers::AlertKind;

constexpr size_t kMaxErrorChars = 500;

std::string ErrorText(const absl::Status& s) {
  std::string text = absl::StrCat(absl::StatusCodeToString(s.code()), ": ", s.message());
  if (text.size() > kMaxErrorChars) text.resize(kMaxErrorChars);
  return text;
}

}  // namespace

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
    : clock_(clock),
      store_(store),
      channels_(channels),
      options_(std::move(options)),
      runner_(clock, "alert-sender", [this](absl::Time now) { return Pass(now); }) {
  if (metrics == nullptr) {
    own_metrics_ = std::make_unique<MetricsRegistry>();
    metrics = own_metrics_.get();
  }
  std::vector<std::string> kinds;
  for (AlertKind kind : notifiers::kAllAlertKinds) kinds.emplace_back(notifiers::AlertKindName(kind));
  kinds.push_back("unknown");  // a payload no longer understood
  for (const std::string& k : kinds) {
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

void AlertSender::Start() { runner_.Start(); }

void AlertSender::Stop() { runner_.Stop(); }

void AlertSender::Kick() { runner_.Kick(); }

void AlertSender::Deliver(const std::string& subject, std::vector<store::OutboxRow> rows,
                          bool write_rows) {
  if (rows.empty()) return;
  {
    absl::MutexLock lock(&mu_);
    for (store::OutboxRow& row : rows) incoming_.push_back({subject, std::move(row), write_rows});
  }
  runner_.Kick();
}

absl::Time AlertSender::Pass(absl::Time now) {
  absl::StatusOr<int> n = RunOnce();
  if (!n.ok()) {
    spdlog::warn("alert sender: claiming due alerts failed: {}", n.status().message());
  }
  absl::MutexLock lock(&mu_);
  // Poll the outbox at least every poll_interval (rows others enqueued).
  return std::min(wake_at_, now + options_.poll_interval);
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
      if (it->second->finished) {
        it->second->record_due = now;
      } else {
        // The claim moved the row's due to the end of its lease; memory
        // owns the retry, so write back when it really is due. Otherwise a
        // crash now would hold the alert back for a whole lease.
        it->second->failure_unrecorded = true;
      }
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
