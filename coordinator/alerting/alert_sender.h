// AlertSender: delivers alerts, once, fast, and even while PostgreSQL is
// down.
//
// Alerts reach the sender two ways, and both feed one in-memory pipeline
// keyed by (subject, kind, channel), the outbox's unique key:
//
//   Deliver()   straight from the incident path, at the moment a monitor
//               changes state. Sent at once (no database round trip on the
//               way), while the same rows are written to the outbox by
//               Persistence in the incident's transaction.
//   the outbox  claimed every `poll_interval` (IncidentStore::ClaimDue,
//               leased): rows left by a previous leader or a crash, and rows
//               enqueued by others (AlertScheduler). A claimed row already
//               in the pipeline is not sent twice.
//
// Outcomes, recorded on the outbox row once it exists (by id, or found by
// key when the alert came from memory before its row was written):
//
//   delivered              MarkSent
//   retryable error        retried from memory at now + max(Retry-After,
//                          initial_backoff * 2^(attempts-1), capped at
//                          max_backoff); MarkFailed records the next try so a
//                          successor leader resumes it
//   permanent error        MarkFailed, due `permanent_delay` from now (never,
//                          in practice); a warning is logged
//   channel deleted        as permanent, with the reason
//   malformed payload      as permanent
//
// A delivered alert whose row is not written yet (PostgreSQL unreachable) is
// remembered and recorded when the row appears, so it is not sent again; a
// crash in that window can repeat it, never lose it.
//
// Storms: a channel gets at most `storm_threshold` messages per
// `storm_window`; past that, alerts wait until the window ends and go out as
// ONE message per kind whose `group` holds the members. A quiet channel's
// alert is never delayed. storm_threshold 0 makes every alert wait a window
// (pure batching).
//
// Channels are sent to in parallel (one thread per channel, at most
// `max_parallel_channels` at once); a channel's alerts go out in arrival
// order. Logs name rows, channels and kinds, never configs; notifier errors
// carry no secrets (notifier.h contract).
//
// Example:
//   AlertSender sender(clock, incidents, &channels, &metrics, {});
//   sender.Start();
//   sender.Deliver(incident.id(), BuildIncidentOutbox(incident, monitor, false, now, url));
//   sender.Stop();
//
// Thread-safety: thread-safe. Clock, store, channels and metrics are not
// owned and must outlive the sender.
#ifndef UPTIME_COORDINATOR_ALERTING_ALERT_SENDER_H_
#define UPTIME_COORDINATOR_ALERTING_ALERT_SENDER_H_

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "common/periodic_runner.h"
#include "coordinator/alerting/alert_payload.h"
#include "coordinator/catalog/channel_registry.h"
#include "coordinator/notifiers/alert.h"
#include "store/incident_store.h"

namespace uptime::coordinator {

struct AlertSenderOptions {
  // How often the outbox is claimed (and failed records retried).
  absl::Duration poll_interval = absl::Milliseconds(200);
  int claim_limit = 100;
  absl::Duration lease = absl::Seconds(60);
  absl::Duration initial_backoff = absl::Seconds(1);
  absl::Duration max_backoff = absl::Minutes(5);
  // At most this many messages per channel per window; the rest are grouped.
  int storm_threshold = 3;
  absl::Duration storm_window = absl::Seconds(10);
  absl::Duration permanent_delay = absl::Hours(24 * 365 * 100);
  int max_parallel_channels = 8;
  // Alerts held in memory at most (waiting, retrying, or delivered but not
  // yet recorded); past it Deliver() leaves new alerts to the outbox.
  size_t max_pending = 100'000;
  // A delivered alert whose outbox row never appears is forgotten after this.
  absl::Duration record_ttl = absl::Hours(24);
};

class AlertSender {
 public:
  // `metrics` may be null (then counters are kept privately).
  AlertSender(Clock* clock, store::IncidentStore* store, ChannelRegistry* channels,
              MetricsRegistry* metrics, AlertSenderOptions options = {});
  ~AlertSender();  // Stop()s.
  AlertSender(const AlertSender&) = delete;
  AlertSender& operator=(const AlertSender&) = delete;

  // Starts the delivery thread (a PeriodicRunner on the injected clock); no-op
  // when running.
  void Start();
  // Stops it after the pass in progress; no-op when stopped.
  void Stop();
  // Wakes the thread for a pass now (e.g. right after enqueuing alerts).
  void Kick();

  // Queues `rows` (of `subject`: an incident id or another dedup key) for
  // delivery now and kicks the thread. Only queues: safe under other locks.
  // `write_rows`: nobody else writes these rows to the outbox, so the sender
  // inserts them itself (already sent, or with the next try's time).
  void Deliver(const std::string& subject, std::vector<store::OutboxRow> rows,
               bool write_rows = false);

  // One pass on the caller's thread: takes delivered rows, claims due outbox
  // rows, sends what is due, records outcomes. Returns how many alerts it
  // sent or tried, or the store's error from ClaimDue when nothing else
  // happened. Passes never overlap. The thread calls this; tests driving a
  // SimulatedClock call it directly.
  absl::StatusOr<int> RunOnce();

  // Counters, by alert kind name ("down", "recovered", ...).
  uint64_t sent(absl::string_view kind) const;
  uint64_t failed(absl::string_view kind) const;
  // Alerts held in memory (waiting, in a storm window, retrying, or
  // delivered but not yet recorded in the outbox).
  size_t pending() const;

 private:
  using Key = std::tuple<std::string, std::string, std::string>;  // subject, kind, channel
  struct Item;
  struct ChannelState;
  struct Message;
  struct KindCounters {
    Counter* sent = nullptr;
    Counter* retryable = nullptr;
    Counter* permanent = nullptr;
  };

  // One runner pass (RunOnce); returns when the next is due.
  absl::Time Pass(absl::Time now);
  // Pass steps; all run under pass_mu_.
  void TakeIncoming(absl::Time now);
  absl::Status ClaimOutbox(absl::Time now);
  void RecordOutcomes(absl::Time now);
  std::vector<Message> Plan(absl::Time now);
  void Send(Message& message);
  void Outcome(Item& item, const absl::Status& status, absl::Time now);
  absl::Status RecordOne(Item& item);
  absl::Time NextWake(absl::Time now) const;
  const KindCounters& CountersFor(absl::string_view kind) const;

  Clock* const clock_;
  store::IncidentStore* const store_;
  ChannelRegistry* const channels_;
  const AlertSenderOptions options_;
  std::unique_ptr<MetricsRegistry> own_metrics_;
  std::map<std::string, KindCounters, std::less<>> counters_;  // fixed after construction
  Counter* dropped_ = nullptr;

  // The pipeline: owned by whoever holds pass_mu_.
  absl::Mutex pass_mu_;
  std::map<Key, std::unique_ptr<Item>> items_ ABSL_GUARDED_BY(pass_mu_);
  std::map<std::string, ChannelState> channel_states_ ABSL_GUARDED_BY(pass_mu_);
  uint64_t next_seq_ ABSL_GUARDED_BY(pass_mu_) = 0;
  absl::Time next_claim_ ABSL_GUARDED_BY(pass_mu_) = absl::InfinitePast();
  std::atomic<size_t> pending_{0};

  mutable absl::Mutex mu_;
  struct Incoming {
    std::string subject;
    store::OutboxRow row;
    bool write_row = false;
  };
  std::vector<Incoming> incoming_ ABSL_GUARDED_BY(mu_);
  absl::Time wake_at_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();

  // Runs Pass(): when kicked, when wake_at_ comes, and every poll_interval
  // of the clock. Last member: stopped before the state above goes.
  PeriodicRunner runner_;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_ALERTING_ALERT_SENDER_H_
