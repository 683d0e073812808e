// Fault-injecting wrappers around the stores, for tests: PostgreSQL going
// away, writes failing, a query hanging. Each wraps a real store (usually an
// in-memory one) and consults one shared StoreFaults switchboard, which a
// test flips while the code under test runs (LevelDB's SpecialEnv shape).
//
// Example:
//   store::MemoryResultStore memory;
//   store::StoreFaults faults;
//   store::FaultyResultStore results(&memory, &faults);
//   faults.StallReads();       // ListResults / GetUptime(s) now block ...
//   ... call the API; other calls must still answer ...
//   faults.ReleaseReads();
#ifndef UPTIME_STORE_TESTING_FAULTY_STORES_H_
#define UPTIME_STORE_TESTING_FAULTY_STORES_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "store/incident_store.h"
#include "store/maintenance_store.h"
#include "store/result_store.h"

namespace uptime::store {

// What goes wrong, shared by the wrappers. Thread-safe.
class StoreFaults {
 public:
  // Every call fails UNAVAILABLE while down, like a database that is gone.
  void set_down(bool down) { down_ = down; }
  bool down() const { return down_; }
  // The next `n` writes fail UNAVAILABLE (then writes succeed again).
  void FailNextWrites(int n) { failing_writes_ = n; }
  // Reads block from now until ReleaseReads(), like a query that hangs.
  void StallReads();
  void ReleaseReads();
  // Reads blocked right now.
  int stalled_reads() const;
  // Reads started through the wrappers so far (a query's worth each).
  int64_t reads() const { return reads_.load(); }

  // For the wrappers: the status a read or write gets now (blocking first,
  // for a read, while reads are stalled).
  absl::Status BeforeRead();
  absl::Status BeforeWrite();

 private:
  bool ReadsReleased() const ABSL_SHARED_LOCKS_REQUIRED(mu_) { return !stall_; }

  std::atomic<bool> down_{false};
  std::atomic<int> failing_writes_{0};
  std::atomic<int64_t> reads_{0};
  mutable absl::Mutex mu_;
  bool stall_ ABSL_GUARDED_BY(mu_) = false;
  int stalled_ ABSL_GUARDED_BY(mu_) = 0;
};

class FaultyResultStore : public ResultStore {
 public:
  FaultyResultStore(ResultStore* real, StoreFaults* faults) : real_(real), faults_(faults) {}

  absl::Status WriteBatch(absl::Span<const v1::CheckResult> results,
                          absl::Span<const AgentSequence> acks) override;
  absl::Status SaveAgentSequence(const AgentSequence& ack) override;
  absl::StatusOr<std::vector<AgentSequence>> LoadAgentSequences() override;
  absl::StatusOr<ResultPage> ListResults(const ResultQuery& query) override;
  absl::StatusOr<v1::GetUptimeResponse> GetUptime(const std::string& monitor_id,
                                                  absl::Time now) override;
  absl::StatusOr<std::vector<v1::GetUptimeResponse>> GetUptimes(
      absl::Span<const std::string> monitor_ids, absl::Time now) override;
  absl::StatusOr<std::vector<UptimeTotals>> SumUptime(absl::Time from, absl::Time to) override;
  absl::Status RollUpHours(absl::Time now) override;
  absl::Status ApplyRetention(absl::Time now, int raw_days, int minute_days) override;

  // Results written successfully through this wrapper.
  int64_t rows() const { return rows_.load(); }

 private:
  ResultStore* const real_;
  StoreFaults* const faults_;
  std::atomic<int64_t> rows_{0};
};

class FaultyIncidentStore : public IncidentStore {
 public:
  FaultyIncidentStore(IncidentStore* real, StoreFaults* faults) : real_(real), faults_(faults) {}

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
  IncidentStore* const real_;
  StoreFaults* const faults_;
};

class FaultyMaintenanceStore : public MaintenanceStore {
 public:
  FaultyMaintenanceStore(MaintenanceStore* real, StoreFaults* faults)
      : real_(real), faults_(faults) {}

  absl::StatusOr<std::vector<v1::MaintenanceWindow>> LoadWindows() override;
  absl::Status InsertWindow(const v1::MaintenanceWindow& window,
                            const v1::AuditEvent& audit) override;
  absl::Status UpdateWindow(const v1::MaintenanceWindow& window,
                            const v1::AuditEvent& audit) override;
  absl::Status DeleteWindow(const std::string& id, const v1::AuditEvent& audit) override;

 private:
  MaintenanceStore* const real_;
  StoreFaults* const faults_;
};

}  // namespace uptime::store

#endif  // UPTIME_STORE_TESTING_FAULTY_STORES_H_
