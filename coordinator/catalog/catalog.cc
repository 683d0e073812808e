#include "coordinator/catalog/catalog.h"

#include <random>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/proto_time.h"
#include "coordinator/catalog/audit_record.h"

namespace uptime::coordinator {
std::string NewId(absl::string_view prefix) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return absl::StrFormat("%s-%016x", prefix, rng());
}

std::string EncodePageToken(const std::string& last_key) {
  return absl::WebSafeBase64Escape(absl::StrCat("after:", last_key));
}

absl::StatusOr<std::string> DecodePageToken(const std::string& token) {
  if (token.empty()) return std::string();
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) || !absl::StartsWith(raw, "after:")) {
    return absl::InvalidArgumentError("page_token: malformed page token");
  }
  return raw.substr(6);
}

absl::StatusOr<int> NormalizePageSize(const std::string& field, int page_size, int default_size,
                                      int max_size) {
  if (page_size == 0) return default_size;
  if (page_size < 0 || page_size > max_size) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must be 0..", max_size));
  }
  return page_size;
}

Catalog::Catalog(Clock* clock, store::CatalogStore* store) : clock_(clock), store_(store) {}

absl::Status Catalog::Load() {
  absl::StatusOr<std::vector<v1::Monitor>> loaded = store_->LoadMonitors();
  if (!loaded.ok()) return loaded.status();
  absl::MutexLock lock(&mu_);
  for (const auto& [id, m] : monitors_) {
    for (CatalogListener* l : listeners_) l->OnMonitorRemoved(std::string(id));
  }
  id_by_name_.clear();
  monitors_.clear();
  for (v1::Monitor& m : *loaded) (void)StoreLocked(std::move(m));
  return absl::OkStatus();
}

void Catalog::AddListener(CatalogListener* listener) { listeners_.push_back(listener); }

absl::StatusOr<MonitorPtr> Catalog::StoreLocked(v1::Monitor monitor) {
  auto ptr = std::make_shared<const v1::Monitor>(std::move(monitor));
  // The keys view the old proto: its entries go before it does.
  if (auto it = monitors_.find(ptr->id()); it != monitors_.end()) {
    if (auto name = id_by_name_.find(it->second->name()); name != id_by_name_.end() && name->second == ptr->id()) {
      id_by_name_.erase(name);
    }
    monitors_.erase(it);
  }
  monitors_.emplace(ptr->id(), ptr);
  id_by_name_[ptr->name()] = ptr->id();
  for (CatalogListener* l : listeners_) l->OnMonitorUpserted(ptr);
  return ptr;
}

absl::StatusOr<MonitorPtr> Catalog::Create(v1::Monitor monitor, const v1::AuditEvent& who) {
  absl::MutexLock lock(&mu_);
  if (id_by_name_.contains(monitor.name())) {
    return absl::AlreadyExistsError(
        absl::StrCat("monitor.name: a monitor named '", monitor.name(), "' already exists"));
  }
  std::string id;
  do {
    id = NewId("mon");
  } while (monitors_.contains(id));
  monitor.set_id(id);
  const absl::Time now = clock_->Now();
  ToProto(now, monitor.mutable_create_time());
  ToProto(now, monitor.mutable_update_time());
  v1::AuditEvent audit = AuditRecord(who, "monitor.create", "monitor", id);
  audit.set_after_json(AuditJson(monitor));
  if (absl::Status s = store_->InsertMonitor(monitor, audit); !s.ok()) return s;
  return StoreLocked(std::move(monitor));
}

absl::StatusOr<MonitorPtr> Catalog::Replace(v1::Monitor monitor, const v1::AuditEvent& who) {
  absl::MutexLock lock(&mu_);
  auto it = monitors_.find(monitor.id());
  if (it == monitors_.end()) return absl::NotFoundError(absl::StrCat("monitor '", monitor.id(), "' not found"));
  auto name_it = id_by_name_.find(monitor.name());
  if (name_it != id_by_name_.end() && name_it->second != monitor.id()) {
    return absl::AlreadyExistsError(
        absl::StrCat("monitor.name: a monitor named '", monitor.name(), "' already exists"));
  }
  *monitor.mutable_create_time() = it->second->create_time();
  ToProto(clock_->Now(), monitor.mutable_update_time());
  v1::AuditEvent audit = AuditRecord(who, "monitor.update", "monitor", monitor.id());
  audit.set_before_json(AuditJson(*it->second));
  audit.set_after_json(AuditJson(monitor));
  if (absl::Status s = store_->UpdateMonitor(monitor, audit); !s.ok()) return s;
  if (it->second->name() != monitor.name()) id_by_name_.erase(it->second->name());
  return StoreLocked(std::move(monitor));
}

absl::StatusOr<MonitorPtr> Catalog::Get(const std::string& id) const {
  absl::MutexLock lock(&mu_);
  auto it = monitors_.find(id);
  if (it == monitors_.end()) return absl::NotFoundError(absl::StrCat("monitor '", id, "' not found"));
  return it->second;
}

absl::Status Catalog::Delete(const std::string& id, const v1::AuditEvent& who) {
  absl::MutexLock lock(&mu_);
  auto it = monitors_.find(id);
  if (it == monitors_.end()) return absl::NotFoundError(absl::StrCat("monitor '", id, "' not found"));
  v1::AuditEvent audit = AuditRecord(who, "monitor.delete", "monitor", id);
  audit.set_before_json(AuditJson(*it->second));
  if (absl::Status s = store_->DeleteMonitor(id, audit); !s.ok() && !absl::IsNotFound(s)) return s;
  id_by_name_.erase(it->second->name());
  monitors_.erase(it);  // `id` is the caller's string, not a view into the erased proto
  for (CatalogListener* l : listeners_) l->OnMonitorRemoved(id);
  return absl::OkStatus();
}

absl::StatusOr<MonitorPtr> Catalog::SetPaused(const std::string& id, bool paused,
                                              const v1::AuditEvent& who) {
  absl::MutexLock lock(&mu_);
  auto it = monitors_.find(id);
  if (it == monitors_.end()) return absl::NotFoundError(absl::StrCat("monitor '", id, "' not found"));
  if (it->second->paused() == paused) return it->second;
  v1::Monitor copy = *it->second;
  copy.set_paused(paused);
  ToProto(clock_->Now(), copy.mutable_update_time());
  v1::AuditEvent audit =
      AuditRecord(who, paused ? "monitor.pause" : "monitor.resume", "monitor", id);
  audit.set_before_json(AuditJson(*it->second));
  audit.set_after_json(AuditJson(copy));
  if (absl::Status s = store_->UpdateMonitor(copy, audit); !s.ok()) return s;
  return StoreLocked(std::move(copy));
}

absl::StatusOr<MonitorPage> Catalog::List(const LabelSelector& selector, int page_size,
                                          const std::string& page_token) const {
  auto after = DecodePageToken(page_token);
  if (!after.ok()) return after.status();
  MonitorPage page;
  absl::MutexLock lock(&mu_);
  auto it = after->empty() ? monitors_.begin() : monitors_.upper_bound(*after);
  for (; it != monitors_.end(); ++it) {
    if (!selector.Matches(it->second->labels())) continue;
    if (static_cast<int>(page.monitors.size()) == page_size) {
      page.next_page_token = EncodePageToken(page.monitors.back()->id());
      break;
    }
    page.monitors.push_back(it->second);
  }
  return page;
}

size_t Catalog::size() const {
  absl::MutexLock lock(&mu_);
  return monitors_.size();
}

}  // namespace uptime::coordinator
