#include "coordinator/alerting/alert_scheduler.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/labels.h"
#include "common/logging.h"
#include "common/proto_time.h"
#include "coordinator/notifiers/alert.h"
#include "spdlog/spdlog.h"

namespace uptime::coordinator {
namespace {

using notifiers::Alert;
using notifiers::AlertKind;

std::vector<store::OutboxRow> RowsFor(const v1::Monitor& monitor, const std::string& kind,
                                      const Alert& alert, absl::Time now) {
  const std::string payload = AlertToPayload(alert);
  std::vector<store::OutboxRow> rows;
  for (const std::string& channel : monitor.channel_ids()) {
    store::OutboxRow row;
    row.kind = kind;
    row.channel_id = channel;
    row.payload_json = payload;
    row.due = now;
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

AlertScheduler::AlertScheduler(Clock* clock, const Catalog* catalog, const StatusTracker* tracker,
                               store::IncidentStore* store, AlertSender* sender,
                               AlertSchedulerOptions options)
    : clock_(clock),
      catalog_(catalog),
      tracker_(tracker),
      store_(store),
      sender_(sender),
      options_(std::move(options)),
      runner_(clock, "alert-scheduler", [this](absl::Time now) { return Pass(now); }) {}

AlertScheduler::~AlertScheduler() { Stop(); }

void AlertScheduler::Start() { runner_.Start(); }

void AlertScheduler::Stop() { runner_.Stop(); }

absl::Time AlertScheduler::Pass(absl::Time now) {
  absl::MutexLock scan(&scan_mu_);
  if (now >= next_renotify_scan_) {
    ScanStillDown(now);
    next_renotify_scan_ = now + options_.renotify_scan;
  }
  if (now >= next_tls_scan_) {
    ScanTls(now);
    next_tls_scan_ = now + options_.tls_scan;
  }
  return std::min(next_renotify_scan_, next_tls_scan_);
}

void AlertScheduler::RunOnce() {
  absl::MutexLock scan(&scan_mu_);
  const absl::Time now = clock_->Now();
  ScanStillDown(now);
  ScanTls(now);
}

template <typename F>
void AlertScheduler::ForEachStatus(v1::State state, F&& f) const {
  std::string token;
  do {
    absl::StatusOr<StatusPage> page = tracker_->List(LabelSelector(), state, 1000, token);
    if (!page.ok()) {
      spdlog::warn("alert scheduler: listing statuses failed: {}", page.status().message());
      return;
    }
    for (const v1::MonitorStatus& s : page->statuses) f(s);
    token = page->next_page_token;
  } while (!token.empty());
}

void AlertScheduler::ScanStillDown(absl::Time now) {
  std::map<std::string, int64_t> still_open;
  ForEachStatus(v1::STATE_DOWN, [&](const v1::MonitorStatus& status) {
    const std::string& incident = status.open_incident_id();
    if (incident.empty()) return;
    absl::StatusOr<MonitorPtr> monitor = catalog_->Get(status.monitor_id());
    if (!monitor.ok() || (*monitor)->channel_ids().empty()) return;
    const absl::Duration every = FromProto((*monitor)->renotify_interval());
    if (every <= absl::ZeroDuration()) return;
    const absl::Time since = FromProto(status.since());
    absl::Duration rest;
    const int64_t n = absl::IDivDuration(now - since, every, &rest);
    auto it = renotified_.find(incident);
    const int64_t done = it == renotified_.end() ? 0 : it->second;
    still_open[incident] = std::max(n, done);
    if (n < 1 || n <= done) return;
    Alert a;
    a.kind = AlertKind::kStillDown;
    a.monitor = notifiers::AlertMonitorFromProto(**monitor);
    a.incident_id = a.dedup_key = incident;
    a.new_state = v1::STATE_DOWN;
    a.cause = status.last_result().error_message();
    a.since = since;
    a.duration = now - since;
    if (!status.last_result().location().empty()) a.locations.push_back(status.last_result().location());
    a.dashboard_base_url = options_.dashboard_url;
    Enqueue(incident, RowsFor(**monitor, absl::StrCat("renotify:", n), a, now));
  });
  renotified_ = std::move(still_open);
}

void AlertScheduler::ScanTls(absl::Time now) {
  std::set<std::string> current;
  ForEachStatus(v1::STATE_UNSPECIFIED, [&](const v1::MonitorStatus& status) {
    if (status.state() == v1::STATE_PAUSED || status.state() == v1::STATE_MAINTENANCE) return;
    const int64_t expiry_unix = status.last_result().tls_cert_expiry_unix();
    if (expiry_unix <= 0) return;
    absl::StatusOr<MonitorPtr> monitor = catalog_->Get(status.monitor_id());
    if (!monitor.ok() || (*monitor)->channel_ids().empty()) return;
    const int days = (*monitor)->tls_expiry_warning_days();
    if (days <= 0) return;
    const absl::Time expiry = absl::FromUnixSeconds(expiry_unix);
    if (expiry - now > absl::Hours(24) * days) return;
    const std::string subject = absl::StrCat("tls:", status.monitor_id(), ":", expiry_unix);
    current.insert(subject);
    if (tls_warned_.contains(subject)) return;
    Alert a;
    a.kind = AlertKind::kTlsExpiring;
    a.monitor = notifiers::AlertMonitorFromProto(**monitor);
    a.dedup_key = subject;
    a.new_state = status.state();
    const int64_t left = absl::ToInt64Hours(expiry - now) / 24;
    a.cause = expiry <= now ? std::string("the TLS certificate has expired")
                            : absl::StrCat("the TLS certificate expires in ", left,
                                           left == 1 ? " day" : " days");
    a.since = now;
    a.tls_expiry = expiry;
    if (!status.last_result().location().empty()) a.locations.push_back(status.last_result().location());
    a.dashboard_base_url = options_.dashboard_url;
    Enqueue(subject, RowsFor(**monitor, "tls_expiring", a, now));
  });
  tls_warned_ = std::move(current);
}

void AlertScheduler::Enqueue(const std::string& subject, std::vector<store::OutboxRow> rows) {
  if (rows.empty()) return;
  if (absl::Status s = store_->EnqueueAlerts(subject, rows); s.ok()) {
    sender_->Kick();
    return;
  } else {
    spdlog::warn("alert scheduler: writing {} alert(s) for {} failed, delivering from memory: {}",
                 rows.size(), subject, s.message());
  }
  sender_->Deliver(subject, std::move(rows), /*write_rows=*/true);
}

}  // namespace uptime::coordinator
