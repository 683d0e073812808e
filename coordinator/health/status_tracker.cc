#include "coordinator/health/status_tracker.h"

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"

namespace uptime::coordinator {

StatusTracker::StatusTracker(Clock* clock, EventBus* events, IncidentSink* incidents)
    : clock_(clock),
      events_(events),
      incident_sink_(incidents),
      calendar_(std::make_shared<const MaintenanceCalendar>()) {}

StatusTracker::~StatusTracker() {
  Clock::TimerId timer;
  {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
    timer = maintenance_timer_;
  }
  if (timer != 0) clock_->Cancel(timer);
}

void StatusTracker::OnMonitorUpserted(const MonitorPtr& monitor) {
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(monitor->id());
  if (it == entries_.end()) {
    it = entries_
             .emplace(monitor->id(), Entry{.monitor = monitor,
                                           .policy = HealthPolicy::FromMonitor(*monitor),
                                           .health = MonitorHealth(now, monitor->paused()),
                                           .last_result = {},
                                           .has_result = false,
                                           .open_incident_id = {}})
             .first;
    // Created inside a window: in maintenance from the start.
    SyncMaintenanceLocked(it->second, now);
    return;
  }
  // The key views the old proto's id: point it at the new one's before the
  // old proto can go.
  auto node = entries_.extract(it);
  node.key() = monitor->id();
  node.mapped().monitor = monitor;
  it = entries_.insert(std::move(node)).position;
  Entry& entry = it->second;
  entry.policy = HealthPolicy::FromMonitor(*monitor);
  std::optional<Transition> t;
  if (monitor->paused() && entry.health.state() != v1::STATE_PAUSED) {
    t = entry.health.Pause(now);
  } else if (!monitor->paused() && entry.health.state() == v1::STATE_PAUSED) {
    t = entry.health.Resume(now);
  }
  if (t) ApplyTransition(entry, *t);
  // New labels may move it into or out of a window's selector.
  SyncMaintenanceLocked(entry, now);
}

void StatusTracker::OnMonitorRemoved(const std::string& id) {
  absl::MutexLock lock(&mu_);
  entries_.erase(id);
  dirty_.erase(id);
}

void StatusTracker::Restore(absl::Span<const v1::MonitorStatus> statuses) {
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  for (const v1::MonitorStatus& s : statuses) {
    auto it = entries_.find(s.monitor_id());
    if (it == entries_.end()) continue;
    Entry& e = it->second;
    // Pausing is the catalog's decision; everything else comes back.
    if (e.health.state() == v1::STATE_PAUSED || s.state() == v1::STATE_PAUSED) continue;
    // An incident open in maintenance is still open: it was kept, silently.
    const bool keeps_incident =
        s.state() == v1::STATE_DOWN || s.state() == v1::STATE_MAINTENANCE;
    e.open_incident_id = keeps_incident ? s.open_incident_id() : "";
    e.health.Restore(s.state(), FromProto(s.since()), !e.open_incident_id.empty());
    if (s.has_last_result()) {
      e.last_result = s.last_result();
      e.has_result = true;
    }
    // A window may have begun or ended while no coordinator was leading.
    SyncMaintenanceLocked(e, now);
  }
}

void StatusTracker::SetMaintenanceCalendar(std::shared_ptr<const MaintenanceCalendar> calendar) {
  absl::MutexLock lock(&mu_);
  if (stopped_) return;
  calendar_ = calendar != nullptr ? std::move(calendar)
                                  : std::make_shared<const MaintenanceCalendar>();
  ReevaluateMaintenanceLocked(clock_->Now());
}

void StatusTracker::SyncMaintenanceLocked(Entry& entry, absl::Time now) {
  const bool covered = active_.Covers(*entry.monitor);
  if (covered == entry.health.in_maintenance()) return;
  if (auto t = entry.health.SetMaintenance(covered, now)) {
    ApplyTransition(entry, *t);
  } else {
    dirty_.insert(entry.monitor->id());  // paused: invisible, but saved
  }
}

void StatusTracker::ReevaluateMaintenanceLocked(absl::Time now) {
  active_ = calendar_->ActiveAt(now);
  // A full pass: boundaries are rare (a few a day per window), and testing a
  // monitor is a hash lookup plus the active windows' selectors.
  for (auto& [id, entry] : entries_) SyncMaintenanceLocked(entry, now);
  if (maintenance_timer_ != 0) clock_->Cancel(maintenance_timer_);
  maintenance_timer_ = 0;
  const uint64_t generation = ++timer_generation_;
  const absl::Time next = calendar_->NextChange(now);
  if (next == absl::InfiniteFuture()) return;
  maintenance_timer_ =
      clock_->ScheduleAt(next, [this, generation] { OnMaintenanceBoundary(generation); });
}

void StatusTracker::OnMaintenanceBoundary(uint64_t generation) {
  absl::MutexLock lock(&mu_);
  // A newer calendar rescheduled; this timer raced its cancellation.
  if (stopped_ || generation != timer_generation_) return;
  maintenance_timer_ = 0;
  ReevaluateMaintenanceLocked(clock_->Now());
}

std::vector<v1::MonitorStatus> StatusTracker::TakeDirty() {
  absl::MutexLock lock(&mu_);
  std::vector<v1::MonitorStatus> out;
  out.reserve(dirty_.size());
  for (const std::string& id : dirty_) {
    auto it = entries_.find(id);
    if (it != entries_.end()) out.push_back(ToStatus(it->second));
  }
  dirty_.clear();
  return out;
}

std::vector<v1::MonitorStatus> StatusTracker::All() const {
  absl::MutexLock lock(&mu_);
  std::vector<v1::MonitorStatus> out;
  out.reserve(entries_.size());
  for (const auto& [id, e] : entries_) out.push_back(ToStatus(e));
  return out;
}

void StatusTracker::AdoptIncident(const std::string& monitor_id, const std::string& ours,
                                  const std::string& existing) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(monitor_id);
  if (it == entries_.end() || it->second.open_incident_id != ours) return;
  it->second.open_incident_id = existing;
  dirty_.insert(monitor_id);
}

void StatusTracker::Ingest(absl::Span<const v1::CheckResult> results) {
  const absl::Time now = clock_->Now();
  const bool publish_results = events_->HasResultSubscribers();
  absl::MutexLock lock(&mu_);
  for (const v1::CheckResult& r : results) {
    auto it = entries_.find(r.monitor_id());
    if (it == entries_.end()) continue;  // deleted meanwhile
    Entry& entry = it->second;
    if (entry.health.state() == v1::STATE_PAUSED) continue;
    entry.last_result = r;
    entry.has_result = true;
    dirty_.insert(r.monitor_id());
    if (auto t = entry.health.OnResult(entry.policy, r, now)) ApplyTransition(entry, *t);
    if (publish_results) {
      v1::Event event;
      *event.mutable_result() = r;
      events_->Publish(event, entry.monitor->labels());
    }
  }
}

void StatusTracker::ApplyTransition(Entry& entry, const Transition& t) {
  dirty_.insert(entry.monitor->id());
  // Incidents follow the visible state: MAINTENANCE neither opens nor closes
  // one, DOWN opens one unless the incident from before a maintenance window
  // is still open, and any other state closes an open one.
  bool resolved = false;
  if (t.to == v1::STATE_DOWN && entry.open_incident_id.empty()) {
    entry.open_incident_id = NewId("inc");
    if (incident_sink_ != nullptr) {
      v1::Incident incident;
      incident.set_id(entry.open_incident_id);
      incident.set_monitor_id(entry.monitor->id());
      ToProto(t.at, incident.mutable_started());
      incident.set_cause(t.cause);
      incident_sink_->IncidentOpened(incident, *entry.monitor);
    }
  } else if (t.to != v1::STATE_DOWN && t.to != v1::STATE_MAINTENANCE &&
             !entry.open_incident_id.empty()) {
    resolved = true;
    if (incident_sink_ != nullptr) {
      v1::Incident incident;
      incident.set_id(entry.open_incident_id);
      incident.set_monitor_id(entry.monitor->id());
      ToProto(t.at, incident.mutable_resolved());
      incident.set_cause(t.cause);
      incident_sink_->IncidentResolved(incident, *entry.monitor);
    }
  }
  v1::Event event;
  v1::StateChange* change = event.mutable_state_change();
  change->set_monitor_id(entry.monitor->id());
  change->set_monitor_name(entry.monitor->name());
  change->set_from_state(t.from);
  change->set_to_state(t.to);
  ToProto(t.at, change->mutable_time());
  change->set_cause(t.cause);
  change->set_incident_id(entry.open_incident_id);
  if (resolved) entry.open_incident_id.clear();
  events_->Publish(event, entry.monitor->labels());
}

v1::MonitorStatus StatusTracker::ToStatus(const Entry& entry) const {
  v1::MonitorStatus s;
  s.set_monitor_id(entry.monitor->id());
  s.set_monitor_name(entry.monitor->name());
  s.set_state(entry.health.state());
  ToProto(entry.health.since(), s.mutable_since());
  if (entry.has_result) *s.mutable_last_result() = entry.last_result;
  s.set_consecutive_failures(entry.health.consecutive_failures());
  s.set_consecutive_successes(entry.health.consecutive_successes());
  s.set_open_incident_id(entry.open_incident_id);
  return s;
}

absl::StatusOr<v1::MonitorStatus> StatusTracker::Get(const std::string& monitor_id) const {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(monitor_id);
  if (it == entries_.end()) {
    return absl::NotFoundError(absl::StrCat("monitor '", monitor_id, "' not found"));
  }
  return ToStatus(it->second);
}

absl::StatusOr<StatusPage> StatusTracker::List(const LabelSelector& selector, v1::State state,
                                               int page_size, const std::string& page_token) const {
  auto after = DecodePageToken(page_token);
  if (!after.ok()) return after.status();
  StatusPage page;
  absl::MutexLock lock(&mu_);
  auto it = after->empty() ? entries_.begin() : entries_.upper_bound(*after);
  for (; it != entries_.end(); ++it) {
    const Entry& e = it->second;
    if (state != v1::STATE_UNSPECIFIED && e.health.state() != state) continue;
    if (!selector.Matches(e.monitor->labels())) continue;
    if (static_cast<int>(page.statuses.size()) == page_size) {
      page.next_page_token = EncodePageToken(page.statuses.back().monitor_id());
      break;
    }
    page.statuses.push_back(ToStatus(e));
  }
  return page;
}

StateCounts StatusTracker::Counts() const {
  StateCounts c;
  absl::MutexLock lock(&mu_);
  for (const auto& [id, e] : entries_) {
    switch (e.health.state()) {
      case v1::STATE_UP: ++c.up; break;
      case v1::STATE_DOWN: ++c.down; break;
      case v1::STATE_PAUSED: ++c.paused; break;
      case v1::STATE_MAINTENANCE: ++c.maintenance; break;
      default: ++c.pending; break;
    }
  }
  return c;
}

}  // namespace uptime::coordinator
