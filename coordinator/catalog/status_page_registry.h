// StatusPageRegistry: every public status page, in memory, written through
// to the StatusPageStore (PostgreSQL) first.
//
// The single writer of status pages inside the coordinator. It validates a
// page completely before storing anything, and a change the store refuses
// changes nothing in memory either. Slugs are unique (a page's address is
// /status/{slug}).
//
// Pages it returns carry the output-only `resolved_monitor_ids` of each
// group, worked out from the live catalog at the time of the call: the
// group's listed ids that still exist (in order), then the other monitors
// its label selector matches, by name then id, at most 1000 per group. Those
// are never stored, so a monitor created, relabelled or deleted later shows
// up (or disappears) on the next read.
//
// Every change takes `who` (an audit event with actor, credential, client
// address and time filled in, see AuditTemplate) and completes it: action
// ("status_page.create", ".update", ".delete"), resource and the page as
// stored, as JSON before and after. The store writes it with the change.
//
// Example:
//   StatusPageRegistry registry(clock, store, &catalog);
//   RETURN_IF_ERROR(registry.Load());
//   ASSIGN_OR_RETURN(v1::StatusPage created, registry.Create(page, who));
//   ASSIGN_OR_RETURN(v1::StatusPage shown, registry.GetBySlug("acme"));
//
// Thread-safety: thread-safe (one mutex). The catalog is read while that
// mutex is held (to check monitor ids), never the other way round, and
// resolution happens after it is released. Clock, store and catalog are not
// owned and must outlive this object.
#ifndef UPTIME_COORDINATOR_CATALOG_STATUS_PAGE_REGISTRY_H_
#define UPTIME_COORDINATOR_CATALOG_STATUS_PAGE_REGISTRY_H_

#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/labels.h"
#include "coordinator/catalog/catalog.h"
#include "coordinator/catalog/status_page_validation.h"
#include "google/protobuf/field_mask.pb.h"
#include "store/status_page_store.h"
#include "uptime/v1/audit.pb.h"
#include "uptime/v1/status_page.pb.h"

namespace uptime::coordinator {

struct StatusPageList {
  std::vector<v1::StatusPage> pages;  // ordered by slug
  std::string next_page_token;
};

// Limit from the contract (status_page.proto); the others are in
// status_page_validation.h.
inline constexpr int kMaxResolvedMonitorsPerGroup = 1000;

class StatusPageRegistry {
 public:
  StatusPageRegistry(Clock* clock, store::StatusPageStore* store, const Catalog* catalog);
  StatusPageRegistry(const StatusPageRegistry&) = delete;
  StatusPageRegistry& operator=(const StatusPageRegistry&) = delete;

  // Replaces the in-memory pages with the store's (on becoming leader; after
  // the catalog has loaded).
  absl::Status Load();

  // Validates `page` (id, times and resolved_monitor_ids are ignored),
  // assigns "sp-<16 hex>" and create/update times, stores it.
  // INVALID_ARGUMENT naming the field ("status_page.title: ...",
  // "status_page.groups[1].monitor_ids[3]: unknown monitor ..."),
  // ALREADY_EXISTS for a taken slug, the store's error (e.g. UNAVAILABLE)
  // otherwise.
  absl::StatusOr<v1::StatusPage> Create(v1::StatusPage page, const v1::AuditEvent& who);

  // NOT_FOUND naming the id / slug.
  absl::StatusOr<v1::StatusPage> Get(const std::string& id) const;
  absl::StatusOr<v1::StatusPage> GetBySlug(const std::string& slug) const;

  // Up to `page_size` (> 0) pages matching `selector`, in slug order after
  // `page_token`. INVALID_ARGUMENT for a malformed token.
  absl::StatusOr<StatusPageList> List(const LabelSelector& selector, int page_size,
                                      const std::string& page_token) const;

  // Applies `update` (its id selects the page) under `mask` (top-level
  // writable fields of StatusPage; empty: all of them) and validates the
  // result like Create, except that monitor ids the page already showed are
  // kept even if those monitors were deleted since (so the page stays
  // editable). INVALID_ARGUMENT naming "update_mask" for any other path.
  absl::StatusOr<v1::StatusPage> Update(const v1::StatusPage& update,
                                        const google::protobuf::FieldMask& mask,
                                        const v1::AuditEvent& who);

  // NOT_FOUND for an unknown id.
  absl::Status Delete(const std::string& id, const v1::AuditEvent& who);

  size_t size() const;

 private:
  // Checks every field of `page`; `current` is the page being updated (null
  // when creating).
  absl::Status ValidateLocked(const v1::StatusPage& page, const v1::StatusPage* current) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Fills resolved_monitor_ids from the catalog. Called without mu_.
  void Resolve(std::vector<v1::StatusPage>& pages) const ABSL_LOCKS_EXCLUDED(mu_);
  v1::StatusPage Resolved(v1::StatusPage page) const ABSL_LOCKS_EXCLUDED(mu_);

  Clock* const clock_;
  store::StatusPageStore* const store_;
  const Catalog* const catalog_;

  mutable absl::Mutex mu_;
  std::map<std::string, v1::StatusPage> by_slug_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::string> slug_by_id_ ABSL_GUARDED_BY(mu_);
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_CATALOG_STATUS_PAGE_REGISTRY_H_
