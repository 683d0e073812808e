#include "coordinator/persistence/incident_writer.h"

#include <utility>

#include "common/logging.h"
#include "common/proto_time.h"
#include "spdlog/spdlog.h"

namespace uptime::coordinator {

IncidentWriter::IncidentWriter(store::IncidentStore* incidents, StatusTracker* tracker)
    : incidents_(incidents), tracker_(tracker) {}

void IncidentWriter::Record(const v1::Incident& incident, bool resolved,
                            std::vector<store::OutboxRow> outbox) {
  std::optional<absl::Time> resolved_at;
  if (resolved) resolved_at = FromProto(incident.resolved());
  absl::MutexLock lock(&mu_);
  ops_.push_back({incident, resolved_at, std::move(outbox)});
}

bool IncidentWriter::WritePending() {
  while (true) {
    Op op;
    {
      absl::MutexLock lock(&mu_);
      if (ops_.empty()) return true;
      op = ops_.front();
    }
    absl::Status status;
    if (op.resolved) {
      status = incidents_->CloseIncident(op.incident.id(), *op.resolved, op.outbox).status();
      if (absl::IsNotFound(status)) status = absl::OkStatus();  // never persisted: nothing to close
    } else {
      absl::StatusOr<store::OpenedIncident> opened = incidents_->OpenIncident(op.incident, op.outbox);
      status = opened.status();
      if (opened.ok() && !opened->created && opened->incident.id() != op.incident.id()) {
        // Opened before a restart and not closed: keep that one, not a twin.
        tracker_->AdoptIncident(op.incident.monitor_id(), op.incident.id(), opened->incident.id());
      }
    }
    if (!status.ok()) {
      spdlog::warn("incident {} not persisted yet: {}", op.incident.id(), status.message());
      return false;
    }
    absl::MutexLock lock(&mu_);
    ops_.pop_front();
  }
}

}  // namespace uptime::coordinator
