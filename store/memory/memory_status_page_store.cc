#include "store/memory/memory_status_page_store.h"

#include "absl/strings/str_cat.h"

namespace uptime::store {
namespace {

absl::Status PageNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("status page '", id, "' not found"));
}

}  // namespace

absl::Status MemoryStatusPageStore::RecordLocked(const v1::AuditEvent& audit) {
  if (audit_log_ == nullptr) return absl::OkStatus();
  return audit_log_->AppendAudit(audit);
}

absl::Status MemoryStatusPageStore::CheckSlugFreeLocked(const std::string& slug,
                                                        const std::string& id) const {
  // A linear scan: pages number in the tens, and a second index would be one
  // more thing to keep consistent.
  for (const auto& [other_id, page] : pages_) {
    if (other_id != id && page.slug() == slug) {
      return absl::AlreadyExistsError(absl::StrCat("status page slug '", slug, "' is taken"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::StatusPage>> MemoryStatusPageStore::LoadPages() {
  absl::MutexLock lock(&mu_);
  std::vector<v1::StatusPage> out;
  out.reserve(pages_.size());
  for (const auto& [id, page] : pages_) out.push_back(page);
  return out;
}

absl::Status MemoryStatusPageStore::InsertPage(const v1::StatusPage& page,
                                               const v1::AuditEvent& audit) {
  absl::MutexLock lock(&mu_);
  if (pages_.contains(page.id())) {
    return absl::AlreadyExistsError(
        absl::StrCat("status page id '", page.id(), "' already exists"));
  }
  if (absl::Status s = CheckSlugFreeLocked(page.slug(), page.id()); !s.ok()) return s;
  pages_.emplace(page.id(), page);
  return RecordLocked(audit);
}

absl::Status MemoryStatusPageStore::UpdatePage(const v1::StatusPage& page,
                                               const v1::AuditEvent& audit) {
  absl::MutexLock lock(&mu_);
  auto it = pages_.find(page.id());
  if (it == pages_.end()) return PageNotFound(page.id());
  if (absl::Status s = CheckSlugFreeLocked(page.slug(), page.id()); !s.ok()) return s;
  it->second = page;
  return RecordLocked(audit);
}

absl::Status MemoryStatusPageStore::DeletePage(const std::string& id, const v1::AuditEvent& audit) {
  absl::MutexLock lock(&mu_);
  if (pages_.erase(id) == 0) return PageNotFound(id);
  return RecordLocked(audit);
}

}  // namespace uptime::store
