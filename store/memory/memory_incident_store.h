// IncidentStore in memory, for unit tests and as the reference behaviour the
// PostgreSQL store is tested against.
//
// Thread-safety: thread-safe (one mutex). `clock` must outlive the store.
#ifndef UPTIME_STORE_MEMORY_MEMORY_INCIDENT_STORE_H_
#define UPTIME_STORE_MEMORY_MEMORY_INCIDENT_STORE_H_

#include <map>
#include <string>
#include <tuple>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "store/incident_store.h"

namespace uptime::store {

class MemoryIncidentStore : public IncidentStore {
 public:
  explicit MemoryIncidentStore(Clock* clock) : clock_(clock) {}

  absl::StatusOr<OpenedIncident> OpenIncident(const v1::Incident& incident,
                                              absl::Span<const OutboxRow> outbox) override;
  absl::StatusOr<v1::Incident> CloseIncident(const std::string& id, absl::Time resolved,
                                             absl::Span<const OutboxRow> outbox) override;
  absl::Status EnqueueAlerts(const std::string& subject,
                             absl::Span<const OutboxRow> outbox) override;
  absl::StatusOr<IncidentPage> ListIncidents(const IncidentQuery& query) override;
  absl::Status SaveStates(absl::Span<const v1::MonitorStatus> statuses) override;
  absl::StatusOr<std::vector<v1::MonitorStatus>> LoadStates() override;
  absl::Status DeleteStates(absl::Span<const std::string> monitor_ids) override;
  absl::StatusOr<std::vector<OutboxEntry>> ClaimDue(absl::Time now, int limit,
                                                    absl::Duration lease) override;
  absl::Status MarkSent(int64_t id, absl::Time sent) override;
  absl::Status MarkFailed(int64_t id, const std::string& error, absl::Time next_due) override;
  absl::StatusOr<int64_t> FindOutboxRow(const std::string& subject, const std::string& kind,
                                        const std::string& channel_id) override;

 private:
  struct Row {
    OutboxEntry entry;
    std::optional<absl::Time> sent;
  };

  void EnqueueLocked(const std::string& subject, absl::Span<const OutboxRow> outbox)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Clock* const clock_;
  absl::Mutex mu_;
  std::map<std::string, v1::Incident> incidents_ ABSL_GUARDED_BY(mu_);
  std::map<int64_t, Row> outbox_ ABSL_GUARDED_BY(mu_);
  // (subject, kind, channel) -> row id: the uniqueness PostgreSQL enforces.
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> outbox_keys_
      ABSL_GUARDED_BY(mu_);
  int64_t next_outbox_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<std::string, v1::MonitorStatus> states_ ABSL_GUARDED_BY(mu_);
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_MEMORY_MEMORY_INCIDENT_STORE_H_
