#include "store/memory/memory_incident_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "store/paging.h"

namespace uptime::store {

void MemoryIncidentStore::EnqueueLocked(const std::string& subject,
                                        absl::Span<const OutboxRow> outbox) {
  for (const OutboxRow& row : outbox) {
    auto [key, inserted] =
        outbox_keys_.try_emplace({subject, row.kind, row.channel_id}, next_outbox_id_);
    if (!inserted) continue;
    Row& r = outbox_[next_outbox_id_++];
    r.entry = {key->second, subject, row.kind, row.channel_id, row.payload_json,
               clock_->Now(), row.due, 0, ""};
    r.sent = row.sent;
    auto incident = incidents_.find(subject);
    if (row.sent.has_value() && incident != incidents_.end()) {
      incident->second.set_alerts_sent(incident->second.alerts_sent() + 1);
    }
  }
}

absl::StatusOr<OpenedIncident> MemoryIncidentStore::OpenIncident(
    const v1::Incident& incident, absl::Span<const OutboxRow> outbox) {
  absl::MutexLock lock(&mu_);
  OpenedIncident out;
  for (const auto& [id, existing] : incidents_) {
    if (existing.monitor_id() == incident.monitor_id() && !existing.has_resolved()) {
      out.incident = existing;
    }
  }
  if (out.incident.id().empty() && !incident.id().empty() && incidents_.contains(incident.id())) {
    out.incident = incidents_[incident.id()];  // a retried open of an incident since closed
  }
  if (out.incident.id().empty()) {
    v1::Incident created = incident;
    if (created.id().empty()) created.set_id(NewIncidentId());
    created.clear_resolved();
    created.set_alerts_sent(0);
    incidents_[created.id()] = created;
    out.incident = created;
    out.created = true;
  }
  EnqueueLocked(out.incident.id(), outbox);
  out.incident = incidents_[out.incident.id()];
  return out;
}

absl::StatusOr<v1::Incident> MemoryIncidentStore::CloseIncident(
    const std::string& id, absl::Time resolved, absl::Span<const OutboxRow> outbox) {
  absl::MutexLock lock(&mu_);
  auto it = incidents_.find(id);
  if (it == incidents_.end()) return absl::NotFoundError(absl::StrCat("incident '", id, "' not found"));
  if (!it->second.has_resolved()) ToProto(resolved, it->second.mutable_resolved());
  EnqueueLocked(id, outbox);
  return it->second;
}

absl::Status MemoryIncidentStore::EnqueueAlerts(const std::string& subject,
                                                absl::Span<const OutboxRow> outbox) {
  absl::MutexLock lock(&mu_);
  EnqueueLocked(subject, outbox);
  return absl::OkStatus();
}

absl::StatusOr<IncidentPage> MemoryIncidentStore::ListIncidents(const IncidentQuery& query) {
  absl::StatusOr<PageCursor> cursor = DecodePageToken(query.page_token);
  if (!cursor.ok()) return cursor.status();
  const size_t page_size = EffectivePageSize(query.page_size);
  std::vector<v1::Incident> matching;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, incident] : incidents_) {
      if (!query.monitor_id.empty() && incident.monitor_id() != query.monitor_id) continue;
      if (query.open_only && incident.has_resolved()) continue;
      if (!AfterCursor(*cursor, FromProto(incident.started()), id)) continue;
      matching.push_back(incident);
    }
  }
  std::sort(matching.begin(), matching.end(), [](const v1::Incident& a, const v1::Incident& b) {
    const absl::Time ta = FromProto(a.started()), tb = FromProto(b.started());
    return ta != tb ? ta > tb : a.id() > b.id();
  });
  IncidentPage page;
  if (matching.size() > page_size) {
    matching.resize(page_size);
    page.next_page_token =
        EncodePageToken({FromProto(matching.back().started()), matching.back().id()});
  }
  page.incidents = std::move(matching);
  return page;
}

absl::Status MemoryIncidentStore::SaveStates(absl::Span<const v1::MonitorStatus> statuses) {
  absl::MutexLock lock(&mu_);
  for (const v1::MonitorStatus& s : statuses) {
    v1::MonitorStatus& kept = states_[s.monitor_id()];
    kept = s;
    kept.clear_monitor_name();
    kept.clear_agent_ids();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::MonitorStatus>> MemoryIncidentStore::LoadStates() {
  absl::MutexLock lock(&mu_);
  std::vector<v1::MonitorStatus> out;
  for (const auto& [id, s] : states_) out.push_back(s);
  return out;
}

absl::Status MemoryIncidentStore::DeleteStates(absl::Span<const std::string> monitor_ids) {
  absl::MutexLock lock(&mu_);
  for (const std::string& id : monitor_ids) states_.erase(id);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<OutboxEntry>> MemoryIncidentStore::ClaimDue(absl::Time now, int limit,
                                                                       absl::Duration lease) {
  absl::MutexLock lock(&mu_);
  std::vector<Row*> due;
  for (auto& [id, row] : outbox_) {
    if (!row.sent.has_value() && row.entry.due <= now) due.push_back(&row);
  }
  std::sort(due.begin(), due.end(), [](const Row* a, const Row* b) {
    return a->entry.due != b->entry.due ? a->entry.due < b->entry.due : a->entry.id < b->entry.id;
  });
  if (due.size() > static_cast<size_t>(std::max(0, limit))) due.resize(std::max(0, limit));
  std::vector<OutboxEntry> out;
  for (Row* row : due) {
    out.push_back(row->entry);  // reports the due it was claimed at
    ++out.back().attempts;
    row->entry.attempts++;
    row->entry.due = now + lease;
  }
  return out;
}

absl::Status MemoryIncidentStore::MarkSent(int64_t id, absl::Time sent) {
  absl::MutexLock lock(&mu_);
  auto it = outbox_.find(id);
  if (it == outbox_.end()) return absl::NotFoundError(absl::StrCat("outbox row ", id, " not found"));
  if (it->second.sent.has_value()) return absl::OkStatus();
  it->second.sent = sent;
  it->second.entry.last_error.clear();
  auto incident = incidents_.find(it->second.entry.incident_id);
  if (incident != incidents_.end()) {
    incident->second.set_alerts_sent(incident->second.alerts_sent() + 1);
  }
  return absl::OkStatus();
}

absl::Status MemoryIncidentStore::MarkFailed(int64_t id, const std::string& error,
                                             absl::Time next_due) {
  absl::MutexLock lock(&mu_);
  auto it = outbox_.find(id);
  if (it == outbox_.end()) return absl::NotFoundError(absl::StrCat("outbox row ", id, " not found"));
  if (it->second.sent.has_value()) return absl::OkStatus();
  it->second.entry.last_error = error;
  it->second.entry.due = next_due;
  return absl::OkStatus();
}

absl::StatusOr<int64_t> MemoryIncidentStore::FindOutboxRow(const std::string& subject,
                                                           const std::string& kind,
                                                           const std::string& channel_id) {
  absl::MutexLock lock(&mu_);
  auto it = outbox_keys_.find({subject, kind, channel_id});
  if (it == outbox_keys_.end()) {
    return absl::NotFoundError(absl::StrCat("no ", kind, " alert for ", subject, " to channel ",
                                            channel_id));
  }
  return it->second;
}

}  // namespace uptime::store
