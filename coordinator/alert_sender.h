// AlertSender: delivers the alert outbox (DESIGN.md §5 "Alerting").
//
// A background thread wakes every `poll_interval` (or at once on Kick()),
// claims due outbox rows (IncidentStore::ClaimDue, leased so a crashed
// sender's rows come back), turns each row's payload into a
// notifiers::Alert, and sends it through the row's channel:
//
//   delivered              MarkSent
//   retryable error        MarkFailed, due again at now + max(Retry-After,
//                          initial_backoff * 2^(attempts-1), capped at
//                          max_backoff)
//   permanent error        MarkFailed, due `permanent_delay` from now (never,
//                          in practice); a warning is logged
//   channel deleted        dropped: MarkFailed as permanent with the reason
//   malformed payload      as permanent
//
// Storm grouping: when one pass claims more than `group_threshold` rows for
// the same channel and alert kind, they go out as ONE Alert whose `group`
// holds the members, and share one outcome.
//
// The outbox payload format is AlertToPayload's (below); whoever enqueues
// rows (the status tracker) builds payload_json with it.
//
// Channels are sent to in parallel (one thread per channel, at most
// `max_parallel_channels` at once); a channel's rows go out in claim order.
// Rows whose lease ran out before their turn are skipped (left for the next
// claim) rather than risk a duplicate with another sender.
//
// Logs name rows, channels and kinds, never configs; notifier errors carry
// no secrets (notifier.h contract).
//
// Example:
//   AlertSender sender(clock, incidents, &channels, &metrics, {});
//   sender.Start();
//   ... incidents->OpenIncident(incident, {{"down", ch, AlertToPayload(alert), now}});
//   sender.Kick();  // deliver now rather than within poll_interval
//   sender.Stop();
//
// Thread-safety: thread-safe. Clock, store, channels and metrics are not
// owned and must outlive the sender.
#ifndef UPTIME_COORDINATOR_ALERT_SENDER_H_
#define UPTIME_COORDINATOR_ALERT_SENDER_H_

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "coordinator/channels.h"
#include "coordinator/notifiers/alert.h"
#include "store/incident_store.h"

namespace uptime::coordinator {

// The outbox payload, version 1: a JSON object (protobuf JSON of a
// google.protobuf.Struct), every key optional except "v" and "kind":
//   {"v": 1,
//    "kind": "down" | "recovered" | "still_down" | "tls_expiring" | "test",
//    "monitor": {"id": "mon-1", "name": "api", "target": "https://...",
//                "labels": {"team": "core"}},
//    "incident_id": "inc-42", "dedup_key": "inc-42",
//    "state": "STATE_DOWN",                     // uptime.v1.State enum name
//    "cause": "status: HTTP 503 from eu-west",
//    "since": "2023-11-14T22:13:20.5Z",         // RFC 3339; absent: unknown
//    "duration_ms": 200000,
//    "locations": ["eu-west"],
//    "dashboard_base_url": "https://uptime.example.com",
//    "tls_expiry": "2024-01-01T00:00:00Z"}      // absent: unknown
// Groups are never stored: the sender forms them. Times keep sub-second
// precision. Readers ignore unknown keys, so fields may be added.
std::string AlertToPayload(const notifiers::Alert& alert);
// INVALID_ARGUMENT "payload: ..." for malformed JSON, a missing or unknown
// kind or "v", or a bad time.
absl::StatusOr<notifiers::Alert> PayloadToAlert(absl::string_view payload_json);

// The outbox rows for an incident opening (`recovered` false: kind "down") or
// closing ("recovered"): one per channel id of `monitor`, due at `now`, with
// an AlertToPayload payload. Fits Persistence's OutboxBuilder:
//   persistence.SetOutboxBuilder([&](const v1::Incident& i, const v1::Monitor& m, bool r) {
//     return BuildIncidentOutbox(i, m, r, clock->Now(), dashboard_base_url);
//   });
std::vector<store::OutboxRow> BuildIncidentOutbox(const v1::Incident& incident,
                                                  const v1::Monitor& monitor, bool recovered,
                                                  absl::Time now,
                                                  const std::string& dashboard_base_url);

struct AlertSenderOptions {
  absl::Duration poll_interval = absl::Milliseconds(50);
  int claim_limit = 100;
  absl::Duration lease = absl::Seconds(60);
  absl::Duration initial_backoff = absl::Seconds(1);
  absl::Duration max_backoff = absl::Minutes(5);
  // More than this many rows of one channel and kind in a pass are grouped.
  int group_threshold = 5;
  absl::Duration permanent_delay = absl::Hours(24 * 365 * 100);
  int max_parallel_channels = 8;
};

class AlertSender {
 public:
  // `metrics` may be null (then counters are kept privately).
  AlertSender(Clock* clock, store::IncidentStore* store, ChannelRegistry* channels,
              MetricsRegistry* metrics, AlertSenderOptions options = {});
  ~AlertSender();  // Stop()s.
  AlertSender(const AlertSender&) = delete;
  AlertSender& operator=(const AlertSender&) = delete;

  // Starts the delivery thread; no-op when running.
  void Start();
  // Stops it after the pass in progress; no-op when stopped.
  void Stop();
  // Wakes the thread for a pass now (e.g. right after enqueuing alerts).
  void Kick();

  // One pass on the caller's thread: claims due rows, delivers, marks them.
  // Returns how many rows it claimed, or the store's error from ClaimDue.
  // Passes never overlap (a second caller waits). The thread calls this;
  // tests driving a SimulatedClock call it directly.
  absl::StatusOr<int> RunOnce();

  // Counters, by alert kind name ("down", "recovered", ...).
  uint64_t sent(absl::string_view kind) const;
  uint64_t failed(absl::string_view kind) const;

 private:
  struct Claimed;
  struct KindCounters {
    Counter* sent = nullptr;
    Counter* retryable = nullptr;
    Counter* permanent = nullptr;
  };

  void Loop();
  bool WakeLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Delivers one channel's claimed rows (in claim order, grouped by kind).
  void DeliverChannel(const std::string& channel_id, std::vector<Claimed>& rows,
                      absl::Time claimed_at);
  // Records `status` (the outcome of sending `rows` as one alert).
  void Record(const std::vector<const Claimed*>& rows, const absl::Status& status,
              absl::string_view kind);
  void Fail(const Claimed& row, const std::string& error, absl::Time next_due);
  const KindCounters& CountersFor(absl::string_view kind) const;

  Clock* const clock_;
  store::IncidentStore* const store_;
  ChannelRegistry* const channels_;
  const AlertSenderOptions options_;
  std::unique_ptr<MetricsRegistry> own_metrics_;
  std::map<std::string, KindCounters, std::less<>> counters_;  // fixed after construction

  absl::Mutex pass_mu_;  // serializes RunOnce

  mutable absl::Mutex mu_;
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool kicked_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // touched only by Start/Stop, under start_mu_
  absl::Mutex start_mu_;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_ALERT_SENDER_H_
