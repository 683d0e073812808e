#include "store/testing/faulty_stores.h"

namespace uptime::store {
namespace {

absl::Status Unavailable() { return absl::UnavailableError("server closed the connection"); }

}  // namespace

void StoreFaults::StallReads() {
  absl::MutexLock lock(&mu_);
  stall_ = true;
}

void StoreFaults::ReleaseReads() {
  absl::MutexLock lock(&mu_);
  stall_ = false;
}

int StoreFaults::stalled_reads() const {
  absl::MutexLock lock(&mu_);
  return stalled_;
}

absl::Status StoreFaults::BeforeRead() {
  ++reads_;
  {
    absl::MutexLock lock(&mu_);
    if (stall_) {
      ++stalled_;
      mu_.Await(absl::Condition(this, &StoreFaults::ReadsReleased));
      --stalled_;
    }
  }
  return down_ ? Unavailable() : absl::OkStatus();
}

absl::Status StoreFaults::BeforeWrite() {
  if (down_) return Unavailable();
  if (failing_writes_.fetch_sub(1) > 0) return Unavailable();
  failing_writes_.fetch_add(1);  // not failing: undo the decrement, stay at <= 0
  return absl::OkStatus();
}

// Each wrapper method: the fault first, then the real store.
#define UPTIME_FAULT(check) \
  if (absl::Status fault = faults_->check(); !fault.ok()) return fault

absl::Status FaultyResultStore::WriteBatch(absl::Span<const v1::CheckResult> results,
                                           absl::Span<const AgentSequence> acks) {
  UPTIME_FAULT(BeforeWrite);
  absl::Status s = real_->WriteBatch(results, acks);
  if (s.ok()) rows_ += static_cast<int64_t>(results.size());
  return s;
}
absl::Status FaultyResultStore::SaveAgentSequence(const AgentSequence& ack) {
  UPTIME_FAULT(BeforeWrite);
  return real_->SaveAgentSequence(ack);
}
absl::StatusOr<std::vector<AgentSequence>> FaultyResultStore::LoadAgentSequences() {
  UPTIME_FAULT(BeforeRead);
  return real_->LoadAgentSequences();
}
absl::StatusOr<ResultPage> FaultyResultStore::ListResults(const ResultQuery& query) {
  UPTIME_FAULT(BeforeRead);
  return real_->ListResults(query);
}
absl::StatusOr<v1::GetUptimeResponse> FaultyResultStore::GetUptime(const std::string& monitor_id,
                                                                   absl::Time now) {
  UPTIME_FAULT(BeforeRead);
  return real_->GetUptime(monitor_id, now);
}
absl::StatusOr<std::vector<v1::GetUptimeResponse>> FaultyResultStore::GetUptimes(
    absl::Span<const std::string> monitor_ids, absl::Time now) {
  UPTIME_FAULT(BeforeRead);
  return real_->GetUptimes(monitor_ids, now);
}
absl::StatusOr<std::vector<UptimeTotals>> FaultyResultStore::SumUptime(absl::Time from,
                                                                       absl::Time to) {
  UPTIME_FAULT(BeforeRead);
  return real_->SumUptime(from, to);
}
absl::Status FaultyResultStore::RollUpHours(absl::Time now) {
  UPTIME_FAULT(BeforeWrite);
  return real_->RollUpHours(now);
}
absl::Status FaultyResultStore::ApplyRetention(absl::Time now, int raw_days, int minute_days) {
  UPTIME_FAULT(BeforeWrite);
  return real_->ApplyRetention(now, raw_days, minute_days);
}

absl::StatusOr<OpenedIncident> FaultyIncidentStore::OpenIncident(
    const v1::Incident& incident, absl::Span<const OutboxRow> outbox) {
  UPTIME_FAULT(BeforeWrite);
  return real_->OpenIncident(incident, outbox);
}
absl::StatusOr<v1::Incident> FaultyIncidentStore::CloseIncident(
    const std::string& id, absl::Time resolved, absl::Span<const OutboxRow> outbox) {
  UPTIME_FAULT(BeforeWrite);
  return real_->CloseIncident(id, resolved, outbox);
}
absl::Status FaultyIncidentStore::EnqueueAlerts(const std::string& subject,
                                                absl::Span<const OutboxRow> outbox) {
  UPTIME_FAULT(BeforeWrite);
  return real_->EnqueueAlerts(subject, outbox);
}
absl::StatusOr<IncidentPage> FaultyIncidentStore::ListIncidents(const IncidentQuery& query) {
  UPTIME_FAULT(BeforeRead);
  return real_->ListIncidents(query);
}
absl::Status FaultyIncidentStore::SaveStates(absl::Span<const v1::MonitorStatus> statuses) {
  UPTIME_FAULT(BeforeWrite);
  return real_->SaveStates(statuses);
}
absl::StatusOr<std::vector<v1::MonitorStatus>> FaultyIncidentStore::LoadStates() {
  UPTIME_FAULT(BeforeRead);
  return real_->LoadStates();
}
absl::Status FaultyIncidentStore::DeleteStates(absl::Span<const std::string> monitor_ids) {
  UPTIME_FAULT(BeforeWrite);
  return real_->DeleteStates(monitor_ids);
}
absl::StatusOr<std::vector<OutboxEntry>> FaultyIncidentStore::ClaimDue(absl::Time now, int limit,
                                                                       absl::Duration lease) {
  UPTIME_FAULT(BeforeWrite);
  return real_->ClaimDue(now, limit, lease);
}
absl::Status FaultyIncidentStore::MarkSent(int64_t id, absl::Time sent) {
  UPTIME_FAULT(BeforeWrite);
  return real_->MarkSent(id, sent);
}
absl::Status FaultyIncidentStore::MarkFailed(int64_t id, const std::string& error,
                                             absl::Time next_due) {
  UPTIME_FAULT(BeforeWrite);
  return real_->MarkFailed(id, error, next_due);
}
absl::StatusOr<int64_t> FaultyIncidentStore::FindOutboxRow(const std::string& subject,
                                                           const std::string& kind,
                                                           const std::string& channel_id) {
  UPTIME_FAULT(BeforeRead);
  return real_->FindOutboxRow(subject, kind, channel_id);
}

absl::StatusOr<std::vector<v1::MaintenanceWindow>> FaultyMaintenanceStore::LoadWindows() {
  UPTIME_FAULT(BeforeRead);
  return real_->LoadWindows();
}
absl::Status FaultyMaintenanceStore::InsertWindow(const v1::MaintenanceWindow& window,
                                                  const v1::AuditEvent& audit) {
  UPTIME_FAULT(BeforeWrite);
  return real_->InsertWindow(window, audit);
}
absl::Status FaultyMaintenanceStore::UpdateWindow(const v1::MaintenanceWindow& window,
                                                  const v1::AuditEvent& audit) {
  UPTIME_FAULT(BeforeWrite);
  return real_->UpdateWindow(window, audit);
}
absl::Status FaultyMaintenanceStore::DeleteWindow(const std::string& id,
                                                  const v1::AuditEvent& audit) {
  UPTIME_FAULT(BeforeWrite);
  return real_->DeleteWindow(id, audit);
}

#undef UPTIME_FAULT

}  // namespace uptime::store
