// Catalog: every monitor, in memory, ordered by id, written through to the
// CatalogStore (PostgreSQL) first.
//
// The single writer of monitor definitions inside the coordinator. A change
// the store refuses (e.g. PostgreSQL down: UNAVAILABLE) changes nothing in
// memory either. Listeners
// (sharding, status) learn of each change in the order it was made: they are
// called under the catalog's lock, so they must not call back into it.
//
// Every change takes `who` (an audit event with actor, credential, client
// address and time filled in, see AuditTemplate) and completes it: action
// ("monitor.create", ".update", ".delete", ".pause", ".resume"), resource and
// the monitor as JSON before and after. The store writes it with the change.
//
// Memory: one shared proto per monitor; the index and the name map view the
// id and name inside it (no string copies: ids are 20 characters, past the
// inline buffer of a std::string).
// Thread-safe.
#ifndef UPTIME_COORDINATOR_CATALOG_CATALOG_H_
#define UPTIME_COORDINATOR_CATALOG_CATALOG_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/labels.h"
#include "store/catalog_store.h"
#include "uptime/v1/audit.pb.h"
#include "uptime/v1/monitor.pb.h"

namespace uptime::coordinator {

using MonitorPtr = std::shared_ptr<const v1::Monitor>;

class CatalogListener {
 public:
  virtual ~CatalogListener() = default;
  // A monitor was created or changed (including paused/resumed).
  virtual void OnMonitorUpserted(const MonitorPtr& monitor) = 0;
  virtual void OnMonitorRemoved(const std::string& id) = 0;
};

struct MonitorPage {
  std::vector<MonitorPtr> monitors;
  std::string next_page_token;
};

class Catalog {
 public:
  Catalog(Clock* clock, store::CatalogStore* store);

  // Replaces the in-memory catalog with the store's content (at start, or on
  // becoming leader) and notifies listeners of every monitor.
  absl::Status Load();

  // Listeners must outlive the catalog. Not thread-safe with mutations:
  // add all listeners before serving.
  void AddListener(CatalogListener* listener);

  // Stores a validated monitor under a new id. ALREADY_EXISTS if the name is
  // taken.
  absl::StatusOr<MonitorPtr> Create(v1::Monitor monitor, const v1::AuditEvent& who);

  // Replaces a monitor (same id); `update` must be validated. NOT_FOUND /
  // ALREADY_EXISTS (name collision).
  absl::StatusOr<MonitorPtr> Replace(v1::Monitor monitor, const v1::AuditEvent& who);

  absl::StatusOr<MonitorPtr> Get(const std::string& id) const;
  absl::Status Delete(const std::string& id, const v1::AuditEvent& who);
  // A no-op (nothing written, nothing recorded) when already so.
  absl::StatusOr<MonitorPtr> SetPaused(const std::string& id, bool paused,
                                       const v1::AuditEvent& who);

  // A page of monitors after `page_token`, matching `selector`.
  absl::StatusOr<MonitorPage> List(const LabelSelector& selector, int page_size,
                                   const std::string& page_token) const;

  size_t size() const;

 private:
  absl::StatusOr<MonitorPtr> StoreLocked(v1::Monitor monitor) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Clock* const clock_;
  store::CatalogStore* const store_;
  std::vector<CatalogListener*> listeners_;
  mutable absl::Mutex mu_;
  // Keys (and the names' values) view the protos held here: an entry is
  // replaced, never re-pointed, when its proto is.
  std::map<absl::string_view, MonitorPtr> monitors_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<absl::string_view, absl::string_view> id_by_name_ ABSL_GUARDED_BY(mu_);
};

// Page tokens are opaque to clients: base64 of the last id returned.
std::string EncodePageToken(const std::string& last_key);
absl::StatusOr<std::string> DecodePageToken(const std::string& token);

// page_size 0 means `default_size`; INVALID_ARGUMENT naming `field` outside 0..max.
absl::StatusOr<int> NormalizePageSize(const std::string& field, int page_size, int default_size = 100,
                                      int max_size = 1000);

// "mon-" + 16 random hex digits.
std::string NewId(absl::string_view prefix);

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_CATALOG_CATALOG_H_
