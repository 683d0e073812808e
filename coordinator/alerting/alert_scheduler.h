// AlertScheduler: the alerts no state change triggers — "still down"
// re-notifications and TLS certificates about to expire.
//
// Every scan it looks at the live statuses:
//   - a DOWN monitor with `renotify_interval` set gets alert n = floor(time
//     down / interval) once n >= 1, kind "renotify:<n>";
//   - a monitor with `tls_expiry_warning_days` set whose last result saw a
//     certificate expiring within that many days gets one "tls_expiring"
//     alert per certificate (subject "tls:<monitor>:<notAfter>").
// Rows go to the outbox (EnqueueAlerts: unique per subject, kind and
// channel, so a restart or a successor leader never sends one twice) and
// the sender is kicked. When PostgreSQL is unreachable they go to the
// sender's memory instead, which writes them once it can.
//
// Monitors in maintenance or paused are not DOWN, so they are skipped.
//
// Thread-safety: thread-safe. Everything passed in must outlive this object.
#ifndef UPTIME_COORDINATOR_ALERTING_ALERT_SCHEDULER_H_
#define UPTIME_COORDINATOR_ALERTING_ALERT_SCHEDULER_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/periodic_runner.h"
#include "coordinator/alerting/alert_sender.h"
#include "coordinator/catalog/catalog.h"
#include "coordinator/health/status_tracker.h"
#include "store/incident_store.h"

namespace uptime::coordinator {

struct AlertSchedulerOptions {
  absl::Duration renotify_scan = absl::Seconds(5);
  absl::Duration tls_scan = absl::Minutes(1);
  std::string dashboard_url = {};
};

class AlertScheduler {
 public:
  AlertScheduler(Clock* clock, const Catalog* catalog, const StatusTracker* tracker,
                 store::IncidentStore* store, AlertSender* sender, AlertSchedulerOptions options);
  ~AlertScheduler();  // Stop()s.

  // Scans at once, then each kind when its scan interval has passed on the
  // clock (a simulated clock's Advance() makes scans due).
  void Start();
  void Stop();

  // One scan of both kinds, now (tests call this with a simulated clock).
  void RunOnce();

 private:
  // One runner pass: the scans that are due at `now`; returns the next due.
  absl::Time Pass(absl::Time now);
  void ScanStillDown(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(scan_mu_);
  void ScanTls(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(scan_mu_);
  // Every status in `state` (UNSPECIFIED: all), page by page.
  template <typename F>
  void ForEachStatus(v1::State state, F&& f) const;
  void Enqueue(const std::string& subject, std::vector<store::OutboxRow> rows);

  Clock* const clock_;
  const Catalog* const catalog_;
  const StatusTracker* const tracker_;
  store::IncidentStore* const store_;
  AlertSender* const sender_;
  const AlertSchedulerOptions options_;

  absl::Mutex scan_mu_;
  // Incident id -> the last re-notification number enqueued.
  std::map<std::string, int64_t> renotified_ ABSL_GUARDED_BY(scan_mu_);
  std::set<std::string> tls_warned_ ABSL_GUARDED_BY(scan_mu_);
  absl::Time next_renotify_scan_ ABSL_GUARDED_BY(scan_mu_) = absl::InfinitePast();
  absl::Time next_tls_scan_ ABSL_GUARDED_BY(scan_mu_) = absl::InfinitePast();

  PeriodicRunner runner_;  // last: stopped before the state above goes
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_ALERTING_ALERT_SCHEDULER_H_
