// IncidentStore on PostgreSQL: tables `incidents`, `alert_outbox` and
// `monitor_state` (see migrations_sql.cc). Opening and closing run in one
// transaction with their outbox rows; the partial unique index on open
// incidents makes "one open incident per monitor" hold even against a
// second writer.
//
// Thread-safety: thread-safe; `pool` and `clock` must outlive the store.
#ifndef UPTIME_STORE_POSTGRES_PG_INCIDENT_STORE_H_
#define UPTIME_STORE_POSTGRES_PG_INCIDENT_STORE_H_

#include "common/clock.h"
#include "store/incident_store.h"
#include "store/postgres/pg_pool.h"

namespace uptime::store {

class PgIncidentStore : public IncidentStore {
 public:
  PgIncidentStore(PgPool* pool, Clock* clock) : pool_(pool), clock_(clock) {}

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
  absl::Status Enqueue(PgConn& conn, const std::string& subject,
                       absl::Span<const OutboxRow> outbox);

  PgPool* const pool_;
  Clock* const clock_;
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_POSTGRES_PG_INCIDENT_STORE_H_
