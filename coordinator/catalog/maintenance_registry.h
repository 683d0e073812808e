// MaintenanceRegistry: every maintenance window, in memory, written through
// to the MaintenanceStore (PostgreSQL) first.
//
// The single writer of maintenance windows inside the coordinator. It
// validates a window completely before storing anything, and a change the
// store refuses changes nothing in memory either. After every change (and
// every Load) it builds a new MaintenanceCalendar and hands it to the
// `on_change` callback, which the coordinator points at the StatusTracker.
//
// Windows it returns carry the output-only fields `active` and
// `next_occurrence` as of the clock's now; those are never stored.
//
// Every change takes `who` (an audit event with actor, credential, client
// address and time filled in, see AuditTemplate) and completes it: action
// ("maintenance_window.create", ".update", ".delete"), resource and the
// window as stored, as JSON before and after. The store writes it with the
// change.
//
// Example:
//   MaintenanceRegistry registry(clock, store, monitor_exists,
//                                [&](auto calendar) { tracker.SetMaintenanceCalendar(calendar); });
//   RETURN_IF_ERROR(registry.Load());
//   ASSIGN_OR_RETURN(v1::MaintenanceWindow created, registry.Create(window, who));
//
// Thread-safety: thread-safe (one mutex). `monitor_exists` and `on_change`
// are called with that mutex held (so calendars arrive in the order of the
// changes): they must not call back into the registry. Clock and store are
// not owned and must outlive this object.
#ifndef UPTIME_COORDINATOR_CATALOG_MAINTENANCE_REGISTRY_H_
#define UPTIME_COORDINATOR_CATALOG_MAINTENANCE_REGISTRY_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/labels.h"
#include "coordinator/catalog/maintenance_calendar.h"
#include "coordinator/catalog/maintenance_validation.h"
#include "google/protobuf/field_mask.pb.h"
#include "store/maintenance_store.h"
#include "uptime/v1/audit.pb.h"
#include "uptime/v1/maintenance.pb.h"

namespace uptime::coordinator {

struct MaintenancePage {
  std::vector<v1::MaintenanceWindow> windows;  // ordered by id
  std::string next_page_token;
};

class MaintenanceRegistry {
 public:
  using MonitorExistsFn = std::function<bool(const std::string& monitor_id)>;
  using CalendarFn = std::function<void(std::shared_ptr<const MaintenanceCalendar>)>;

  MaintenanceRegistry(Clock* clock, store::MaintenanceStore* store, MonitorExistsFn monitor_exists,
                      CalendarFn on_change);
  MaintenanceRegistry(const MaintenanceRegistry&) = delete;
  MaintenanceRegistry& operator=(const MaintenanceRegistry&) = delete;

  // Replaces the in-memory windows with the store's (on becoming leader) and
  // publishes their calendar.
  absl::Status Load();

  // Validates `window` (id, times and output-only fields are ignored; an
  // empty time zone becomes "UTC"), assigns "mw-<16 hex>" and create/update
  // times, stores it. INVALID_ARGUMENT naming the field ("window.name: ...",
  // "window.monitor_ids[2]: unknown monitor ...", "window.end_time: ...");
  // the store's error (e.g. UNAVAILABLE) otherwise.
  absl::StatusOr<v1::MaintenanceWindow> Create(v1::MaintenanceWindow window,
                                               const v1::AuditEvent& who);

  // NOT_FOUND for an unknown id.
  absl::StatusOr<v1::MaintenanceWindow> Get(const std::string& id) const;

  // Up to `page_size` (> 0) windows matching `selector` after `page_token`;
  // with `active_only`, only those in effect now. INVALID_ARGUMENT for a
  // malformed token.
  absl::StatusOr<MaintenancePage> List(const LabelSelector& selector, int page_size,
                                       const std::string& page_token, bool active_only) const;

  // Applies `update` (its id selects the window) under `mask` (paths of
  // MaintenanceWindow; empty: every writable field) and validates the result
  // like Create, except that a window may end in the past (that is how one is
  // ended early). INVALID_ARGUMENT naming "update_mask" for a path that is
  // unknown or not writable.
  absl::StatusOr<v1::MaintenanceWindow> Update(const v1::MaintenanceWindow& update,
                                               const google::protobuf::FieldMask& mask,
                                               const v1::AuditEvent& who);

  // NOT_FOUND for an unknown id. Monitors it covered leave maintenance now.
  absl::Status Delete(const std::string& id, const v1::AuditEvent& who);

  size_t size() const;

 private:
  // Checks every field of `window`. `current` is the window being updated
  // (null when creating): monitor ids it already had are accepted even if
  // those monitors were deleted since, so the window stays editable. A new
  // window must also be in effect at least once more.
  absl::Status ValidateLocked(const v1::MaintenanceWindow& window,
                              const v1::MaintenanceWindow* current) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // The stored window plus its output-only fields as of now.
  v1::MaintenanceWindow Decorated(const v1::MaintenanceWindow& window, absl::Time now) const;
  void PublishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Clock* const clock_;
  store::MaintenanceStore* const store_;
  const MonitorExistsFn monitor_exists_;
  const CalendarFn on_change_;

  mutable absl::Mutex mu_;
  std::map<std::string, v1::MaintenanceWindow> windows_ ABSL_GUARDED_BY(mu_);
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_CATALOG_MAINTENANCE_REGISTRY_H_
