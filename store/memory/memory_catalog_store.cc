#include "store/memory/memory_catalog_store.h"

#include "absl/strings/str_cat.h"

namespace uptime::store {
namespace {

// Monitors and channels share the contract: unique id, unique name. Names
// are indexed (name -> id) so a catalog of a million monitors is not
// quadratic to build.
using Names = std::map<std::string, std::string, std::less<>>;

template <typename T>
absl::Status NameTaken(const Names& names, const T& item, absl::string_view what) {
  auto it = names.find(item.name());
  if (it != names.end() && it->second != item.id()) {
    return absl::AlreadyExistsError(absl::StrCat(what, " name '", item.name(), "' already exists"));
  }
  return absl::OkStatus();
}

template <typename T>
absl::Status Insert(std::map<std::string, T>& items, Names& names, const T& item,
                    absl::string_view what) {
  if (items.contains(item.id())) {
    return absl::AlreadyExistsError(absl::StrCat(what, " id '", item.id(), "' already exists"));
  }
  if (absl::Status s = NameTaken(names, item, what); !s.ok()) return s;
  items.emplace(item.id(), item);
  names[item.name()] = item.id();
  return absl::OkStatus();
}

template <typename T>
absl::Status Update(std::map<std::string, T>& items, Names& names, const T& item,
                    absl::string_view what) {
  auto it = items.find(item.id());
  if (it == items.end()) {
    return absl::NotFoundError(absl::StrCat(what, " '", item.id(), "' not found"));
  }
  if (absl::Status s = NameTaken(names, item, what); !s.ok()) return s;
  names.erase(it->second.name());
  names[item.name()] = item.id();
  it->second = item;
  return absl::OkStatus();
}

template <typename T>
absl::Status Delete(std::map<std::string, T>& items, Names& names, const std::string& id,
                    absl::string_view what) {
  auto it = items.find(id);
  if (it == items.end()) return absl::NotFoundError(absl::StrCat(what, " '", id, "' not found"));
  names.erase(it->second.name());
  items.erase(it);
  return absl::OkStatus();
}

template <typename T>
std::vector<T> Values(const std::map<std::string, T>& items) {
  std::vector<T> out;
  out.reserve(items.size());
  for (const auto& [id, item] : items) out.push_back(item);
  return out;
}

}  // namespace

absl::Status MemoryCatalogStore::RecordLocked(absl::Status status, const v1::AuditEvent& audit) {
  if (!status.ok() || audit_log_ == nullptr) return status;
  return audit_log_->AppendAudit(audit);
}

absl::StatusOr<std::vector<v1::Monitor>> MemoryCatalogStore::LoadMonitors() {
  absl::MutexLock lock(&mu_);
  return Values(monitors_);
}

absl::Status MemoryCatalogStore::InsertMonitor(const v1::Monitor& monitor,
                                               const v1::AuditEvent& audit) {
  absl::MutexLock lock(&mu_);
  return RecordLocked(Insert(monitors_, monitor_names_, monitor, "monitor"), audit);
}

absl::Status MemoryCatalogStore::UpdateMonitor(const v1::Monitor& monitor,
                                               const v1::AuditEvent& audit) {
  absl::MutexLock lock(&mu_);
  return RecordLocked(Update(monitors_, monitor_names_, monitor, "monitor"), audit);
}

absl::Status MemoryCatalogStore::DeleteMonitor(const std::string& id, const v1::AuditEvent& audit) {
  absl::MutexLock lock(&mu_);
  return RecordLocked(Delete(monitors_, monitor_names_, id, "monitor"), audit);
}

absl::StatusOr<std::vector<v1::Channel>> MemoryCatalogStore::LoadChannels() {
  absl::MutexLock lock(&mu_);
  return Values(channels_);
}

absl::Status MemoryCatalogStore::InsertChannel(const v1::Channel& channel,
                                               const v1::AuditEvent& audit) {
  absl::MutexLock lock(&mu_);
  return RecordLocked(Insert(channels_, channel_names_, channel, "channel"), audit);
}

absl::Status MemoryCatalogStore::UpdateChannel(const v1::Channel& channel,
                                               const v1::AuditEvent& audit) {
  absl::MutexLock lock(&mu_);
  return RecordLocked(Update(channels_, channel_names_, channel, "channel"), audit);
}

absl::Status MemoryCatalogStore::DeleteChannel(const std::string& id, const v1::AuditEvent& audit) {
  absl::MutexLock lock(&mu_);
  return RecordLocked(Delete(channels_, channel_names_, id, "channel"), audit);
}

}  // namespace uptime::store
