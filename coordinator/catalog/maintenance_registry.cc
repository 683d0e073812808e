#include "coordinator/catalog/maintenance_registry.h"

#include <utility>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "coordinator/catalog/audit_record.h"
#include "coordinator/catalog/catalog.h"
#include "google/protobuf/util/field_mask_util.h"

namespace uptime::coordinator {
namespace {

absl::Status WindowNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("maintenance window '", id, "' not found"));
}

// Output-only fields are the server's; clients may send back what they read.
void ClearOutputOnly(v1::MaintenanceWindow& w) {
  w.clear_active();
  w.clear_next_occurrence();
}

void DefaultTimeZone(v1::MaintenanceWindow& w) {
  if (w.has_recurrence() && w.recurrence().time_zone().empty()) {
    w.mutable_recurrence()->set_time_zone("UTC");
  }
}

}  // namespace

MaintenanceRegistry::MaintenanceRegistry(Clock* clock, store::MaintenanceStore* store,
                                         MonitorExistsFn monitor_exists, CalendarFn on_change)
    : clock_(clock),
      store_(store),
      monitor_exists_(monitor_exists ? std::move(monitor_exists)
                                     : [](const std::string&) { return true; }),
      on_change_(std::move(on_change)) {}

absl::Status MaintenanceRegistry::Load() {
  absl::StatusOr<std::vector<v1::MaintenanceWindow>> loaded = store_->LoadWindows();
  if (!loaded.ok()) return loaded.status();
  absl::MutexLock lock(&mu_);
  windows_.clear();
  for (v1::MaintenanceWindow& w : *loaded) {
    const std::string id = w.id();
    windows_[id] = std::move(w);
  }
  PublishLocked();
  return absl::OkStatus();
}

void MaintenanceRegistry::PublishLocked() {
  if (!on_change_) return;
  std::vector<v1::MaintenanceWindow> all;
  all.reserve(windows_.size());
  for (const auto& [id, w] : windows_) all.push_back(w);
  on_change_(MaintenanceCalendar::Build(all));
}

absl::Status MaintenanceRegistry::ValidateLocked(const v1::MaintenanceWindow& w,
                                                 const v1::MaintenanceWindow* current) const {
  // Ids the window covered before this update are accepted even when their
  // monitors were deleted since.
  RETURN_IF_ERROR(ValidateMaintenanceWindow(w, [&](const std::string& id) {
    return (current != nullptr && absl::c_linear_search(current->monitor_ids(), id)) ||
           monitor_exists_(id);
  }));
  if (current == nullptr) RETURN_IF_ERROR(ValidateWindowNotOver(w, clock_->Now()));
  return absl::OkStatus();
}

v1::MaintenanceWindow MaintenanceRegistry::Decorated(const v1::MaintenanceWindow& window,
                                                     absl::Time now) const {
  v1::MaintenanceWindow out = window;
  absl::StatusOr<WindowSchedule> schedule = WindowSchedule::Compile(window);
  if (!schedule.ok()) return out;  // stored by another build: shown as is
  if (std::optional<TimeInterval> o = schedule->CurrentOrNext(now)) {
    out.set_active(o->start <= now);
    ToProto(o->start, out.mutable_next_occurrence()->mutable_start_time());
    ToProto(o->end, out.mutable_next_occurrence()->mutable_end_time());
  }
  return out;
}

absl::StatusOr<v1::MaintenanceWindow> MaintenanceRegistry::Create(v1::MaintenanceWindow window,
                                                                  const v1::AuditEvent& who) {
  window.clear_id();
  window.clear_create_time();
  window.clear_update_time();
  ClearOutputOnly(window);
  DefaultTimeZone(window);
  absl::MutexLock lock(&mu_);
  if (absl::Status s = ValidateLocked(window, /*current=*/nullptr); !s.ok()) return s;
  std::string id;
  do {
    id = NewId("mw");
  } while (windows_.contains(id));
  window.set_id(id);
  const absl::Time now = clock_->Now();
  ToProto(now, window.mutable_create_time());
  ToProto(now, window.mutable_update_time());
  v1::AuditEvent audit = AuditRecord(who, "maintenance_window.create", "maintenance_window", id);
  audit.set_after_json(AuditJson(window));
  if (absl::Status s = store_->InsertWindow(window, audit); !s.ok()) return s;
  v1::MaintenanceWindow result = Decorated(window, now);
  windows_[id] = std::move(window);
  PublishLocked();
  return result;
}

absl::StatusOr<v1::MaintenanceWindow> MaintenanceRegistry::Get(const std::string& id) const {
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  auto it = windows_.find(id);
  if (it == windows_.end()) return WindowNotFound(id);
  return Decorated(it->second, now);
}

absl::StatusOr<MaintenancePage> MaintenanceRegistry::List(const LabelSelector& selector,
                                                          int page_size,
                                                          const std::string& page_token,
                                                          bool active_only) const {
  absl::StatusOr<std::string> after = DecodePageToken(page_token);
  if (!after.ok()) return after.status();
  const absl::Time now = clock_->Now();
  MaintenancePage page;
  absl::MutexLock lock(&mu_);
  auto it = after->empty() ? windows_.begin() : windows_.upper_bound(*after);
  for (; it != windows_.end(); ++it) {
    if (!selector.Matches(it->second.labels())) continue;
    v1::MaintenanceWindow w = Decorated(it->second, now);
    if (active_only && !w.active()) continue;
    if (static_cast<int>(page.windows.size()) == page_size) {
      page.next_page_token = EncodePageToken(page.windows.back().id());
      break;
    }
    page.windows.push_back(std::move(w));
  }
  return page;
}

absl::StatusOr<v1::MaintenanceWindow> MaintenanceRegistry::Update(
    const v1::MaintenanceWindow& update, const google::protobuf::FieldMask& mask,
    const v1::AuditEvent& who) {
  using google::protobuf::util::FieldMaskUtil;
  if (update.id().empty()) return absl::InvalidArgumentError("window.id: is required");
  for (const std::string& path : mask.paths()) {
    if (!FieldMaskUtil::GetFieldDescriptors(v1::MaintenanceWindow::descriptor(), path, nullptr)) {
      return absl::InvalidArgumentError(
          absl::StrCat("update_mask: unknown field '", path.substr(0, 64), "'"));
    }
    if (path == "id" || path == "create_time" || path == "update_time" || path == "active" ||
        path.rfind("next_occurrence", 0) == 0) {
      return absl::InvalidArgumentError(absl::StrCat("update_mask: '", path, "' cannot be updated"));
    }
  }
  absl::MutexLock lock(&mu_);
  auto it = windows_.find(update.id());
  if (it == windows_.end()) return WindowNotFound(update.id());
  const v1::MaintenanceWindow& current = it->second;
  v1::MaintenanceWindow updated = current;
  if (mask.paths_size() == 0) {
    updated = update;
    updated.set_id(current.id());
    *updated.mutable_create_time() = current.create_time();
  } else {
    FieldMaskUtil::MergeOptions options;
    options.set_replace_message_fields(true);
    options.set_replace_repeated_fields(true);
    FieldMaskUtil::MergeMessageTo(update, mask, options, &updated);
  }
  ClearOutputOnly(updated);
  DefaultTimeZone(updated);
  if (absl::Status s = ValidateLocked(updated, &current); !s.ok()) return s;
  const absl::Time now = clock_->Now();
  ToProto(now, updated.mutable_update_time());
  v1::AuditEvent audit =
      AuditRecord(who, "maintenance_window.update", "maintenance_window", updated.id());
  audit.set_before_json(AuditJson(current));
  audit.set_after_json(AuditJson(updated));
  if (absl::Status s = store_->UpdateWindow(updated, audit); !s.ok()) return s;
  v1::MaintenanceWindow result = Decorated(updated, now);
  it->second = std::move(updated);
  PublishLocked();
  return result;
}

absl::Status MaintenanceRegistry::Delete(const std::string& id, const v1::AuditEvent& who) {
  absl::MutexLock lock(&mu_);
  auto it = windows_.find(id);
  if (it == windows_.end()) return WindowNotFound(id);
  // NOT_FOUND from the store: already gone there; drop it here too.
  v1::AuditEvent audit = AuditRecord(who, "maintenance_window.delete", "maintenance_window", id);
  audit.set_before_json(AuditJson(it->second));
  if (absl::Status s = store_->DeleteWindow(id, audit); !s.ok() && !absl::IsNotFound(s)) return s;
  windows_.erase(it);
  PublishLocked();
  return absl::OkStatus();
}

size_t MaintenanceRegistry::size() const {
  absl::MutexLock lock(&mu_);
  return windows_.size();
}

}  // namespace uptime::coordinator
