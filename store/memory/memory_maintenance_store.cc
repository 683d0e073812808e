#include "store/memory/memory_maintenance_store.h"

#include "absl/strings/str_cat.h"

namespace uptime::store {
namespace {

absl::Status WindowNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("maintenance window '", id, "' not found"));
}

}  // namespace

absl::Status MemoryMaintenanceStore::RecordLocked(const v1::AuditEvent& audit) {
  if (audit_log_ == nullptr) return absl::OkStatus();
  return audit_log_->AppendAudit(audit);
}

absl::StatusOr<std::vector<v1::MaintenanceWindow>> MemoryMaintenanceStore::LoadWindows() {
  absl::MutexLock lock(&mu_);
  std::vector<v1::MaintenanceWindow> out;
  out.reserve(windows_.size());
  for (const auto& [id, w] : windows_) out.push_back(w);
  return out;
}

absl::Status MemoryMaintenanceStore::InsertWindow(const v1::MaintenanceWindow& window,
                                                  const v1::AuditEvent& audit) {
  absl::MutexLock lock(&mu_);
  if (!windows_.emplace(window.id(), window).second) {
    return absl::AlreadyExistsError(
        absl::StrCat("maintenance window id '", window.id(), "' already exists"));
  }
  return RecordLocked(audit);
}

absl::Status MemoryMaintenanceStore::UpdateWindow(const v1::MaintenanceWindow& window,
                                                  const v1::AuditEvent& audit) {
  absl::MutexLock lock(&mu_);
  auto it = windows_.find(window.id());
  if (it == windows_.end()) return WindowNotFound(window.id());
  it->second = window;
  return RecordLocked(audit);
}

absl::Status MemoryMaintenanceStore::DeleteWindow(const std::string& id,
                                                  const v1::AuditEvent& audit) {
  absl::MutexLock lock(&mu_);
  if (windows_.erase(id) == 0) return WindowNotFound(id);
  return RecordLocked(audit);
}

}  // namespace uptime::store
