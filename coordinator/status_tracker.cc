#include "coordinator/status_tracker.h"

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"

namespace uptime::coordinator {

StatusTracker::StatusTracker(Clock* clock, EventBus* events) : clock_(clock), events_(events) {}

void StatusTracker::OnMonitorUpserted(const MonitorPtr& monitor) {
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(monitor->id());
  if (it == entries_.end()) {
    entries_.emplace(monitor->id(), Entry{.monitor = monitor,
                                          .policy = HealthPolicy::FromMonitor(*monitor),
                                          .health = MonitorHealth(now, monitor->paused()),
                                          .last_result = {},
                                          .has_result = false,
                                          .open_incident_id = {}});
    return;
  }
  Entry& entry = it->second;
  entry.monitor = monitor;
  entry.policy = HealthPolicy::FromMonitor(*monitor);
  std::optional<Transition> t;
  if (monitor->paused() && entry.health.state() != v1::STATE_PAUSED) {
    t = entry.health.Pause(now);
  } else if (!monitor->paused() && entry.health.state() == v1::STATE_PAUSED) {
    t = entry.health.Resume(now);
  }
  if (t) ApplyTransition(entry, *t);
}

void StatusTracker::OnMonitorRemoved(const std::string& id) {
  absl::MutexLock lock(&mu_);
  entries_.erase(id);
  dirty_.erase(id);
}

void StatusTracker::Restore(absl::Span<const v1::MonitorStatus> statuses) {
  absl::MutexLock lock(&mu_);
  for (const v1::MonitorStatus& s : statuses) {
    auto it = entries_.find(s.monitor_id());
    if (it == entries_.end()) continue;
    Entry& e = it->second;
    // Pausing is the catalog's decision; everything else comes back.
    if (e.health.state() == v1::STATE_PAUSED || s.state() == v1::STATE_PAUSED) continue;
    e.health.Restore(s.state(), FromProto(s.since()));
    e.open_incident_id = s.state() == v1::STATE_DOWN ? s.open_incident_id() : "";
    if (s.has_last_result()) {
      e.last_result = s.last_result();
      e.has_result = true;
    }
  }
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
  if (t.to == v1::STATE_DOWN) {
    entry.open_incident_id = NewId("inc");
    if (incident_sink_ != nullptr) {
      v1::Incident incident;
      incident.set_id(entry.open_incident_id);
      incident.set_monitor_id(entry.monitor->id());
      ToProto(t.at, incident.mutable_started());
      incident.set_cause(t.cause);
      incident_sink_->IncidentOpened(incident, *entry.monitor);
    }
  } else if (t.from == v1::STATE_DOWN && !entry.open_incident_id.empty() &&
             incident_sink_ != nullptr) {
    v1::Incident incident;
    incident.set_id(entry.open_incident_id);
    incident.set_monitor_id(entry.monitor->id());
    ToProto(t.at, incident.mutable_resolved());
    incident.set_cause(t.cause);
    incident_sink_->IncidentResolved(incident, *entry.monitor);
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
  if (t.from == v1::STATE_DOWN) entry.open_incident_id.clear();
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
      default: ++c.pending; break;
    }
  }
  return c;
}

}  // namespace uptime::coordinator
