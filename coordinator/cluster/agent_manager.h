// AgentManager: the connected agents and which monitors each one checks.
//
// Keeps one descriptor per connected agent (Kudu's TSDescriptor shape) and one
// epoch per monitor; placement itself lives in a ShardTable (shard_table.h),
// kept current incrementally: an agent joining or leaving re-ranks only the
// monitors it can win or held. A monitor whose agents change gets a new
// epoch, and the affected agents get Assignment deltas. FilterCurrent() keeps
// only results that carry the current epoch and come from a currently
// assigned agent, so late results of a reassigned or hung agent are dropped
// (ingest/ calls it for every batch). Thread-safe.
//
// Memory: per monitor, the catalog's shared proto (not copied), an epoch, a
// dense key found by an index of views into the proto's id, and the table's
// 16 bytes. No per-monitor string is copied.
#ifndef UPTIME_COORDINATOR_CLUSTER_AGENT_MANAGER_H_
#define UPTIME_COORDINATOR_CLUSTER_AGENT_MANAGER_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "coordinator/catalog/catalog.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "coordinator/cluster/session_link.h"
#include "coordinator/cluster/planner.h"
#include "coordinator/cluster/shard_table.h"
#include "uptime/v1/agent.pb.h"
#include "uptime/v1/cluster.pb.h"

namespace uptime::coordinator {

struct AgentManagerOptions {
  absl::Duration heartbeat_interval = absl::Seconds(1);
  // An agent silent for this many heartbeat periods is presumed dead.
  int missed_heartbeats = 3;
  // Where to count results and agent events; may be null.
  MetricsRegistry* metrics = nullptr;
  // While the plan is capped and monitor changes were placed against the
  // loads (ShardTable::drifted), a full plan is recomputed this often.
  absl::Duration rebalance_interval = absl::Seconds(30);
  ShardOptions sharding = {};
};

class AgentManager : public CatalogListener {
 public:
  AgentManager(Clock* clock, AgentManagerOptions options);
  ~AgentManager() override;

  // Starts the liveness check timer.
  void Start();

  void OnMonitorUpserted(const MonitorPtr& monitor) override;
  void OnMonitorRemoved(const std::string& id) override;

  // Registers a connected agent and sends it its full assignment. An agent
  // with the same id that is still connected is disconnected first (the new
  // stream wins: the old one is likely half-dead). INVALID_ARGUMENT on a bad
  // Hello.
  absl::Status Register(const v1::Hello& hello, const std::string& peer,
                        std::shared_ptr<SessionLink> link);

  // Removes the agent if `link` is still its current stream.
  void Unregister(const std::string& agent_id, const SessionLink* link);

  void OnHeartbeat(const std::string& agent_id, const SessionLink* link, const v1::Heartbeat& hb);

  // The agent is leaving: its monitors move to others now, then it gets Drain.
  void OnGoodbye(const std::string& agent_id, const SessionLink* link, const std::string& reason);

  // The sender of a result batch, when `link` is still `agent_id`'s
  // current stream (which also counts as a sign of life).
  struct Sender {
    std::string incarnation;
    std::shared_ptr<SessionLink> link;  // for the Ack once the batch is durable
  };
  std::optional<Sender> CurrentSender(const std::string& agent_id, const SessionLink* link);

  // Moves out of `results` those that count: the agent holds the monitor
  // and the result carries its current epoch (or one of a previous leader's).
  // Each kept result is stamped with the agent's id and location; the others
  // are counted as stale. nullopt when `link` is no longer the agent's stream.
  std::optional<std::vector<v1::CheckResult>> FilterCurrent(
      const std::string& agent_id, const SessionLink* link,
      google::protobuf::RepeatedPtrField<v1::CheckResult>* results);

  std::vector<v1::AgentInfo> ListAgents() const;
  std::vector<std::string> AgentsOf(const std::string& monitor_id) const;
  // The monitor's current assignment epoch (0 when unassigned).
  int64_t EpochOf(const std::string& monitor_id) const;
  size_t agent_count() const;

 private:
  struct MonitorRecord {
    MonitorPtr monitor;  // null: a free key
    int64_t epoch = 0;   // 0 while unassigned
  };
  struct AgentEntry {
    AgentView view;
    std::string incarnation;
    std::string version;
    std::string peer;
    std::shared_ptr<SessionLink> link;
    absl::Time connected_since;
    absl::Time last_seen;
    v1::Heartbeat last_heartbeat;
    // Its slot in the table; kNone once it is draining.
    uint32_t slot = ShardTable::kNone;
  };
  using Deltas = std::map<std::string, v1::Assignment>;

  // Sends the agents of the changed monitors their deltas and bumps those
  // monitors' epochs. `deltas` must hold one table change only: an agent
  // applies removals before upserts. `force_key` (a changed definition) gets a new epoch
  // even when its agents stay.
  void ApplyLocked(const std::vector<PlacementChange>& changes, uint32_t force_key, Deltas* deltas)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void MoveLocked(uint32_t key, const AgentIndexes& before, const AgentIndexes& after, Deltas* deltas)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SendLocked(Deltas deltas) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Takes the agent out of the table (its monitors move, in `deltas`), and
  // out of the agent list unless `keep_entry` (a draining agent stays
  // connected until it hangs up).
  void RemoveAgentLocked(const std::string& agent_id, bool keep_entry, Deltas* deltas)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The key of a monitor id, or ShardTable::kNone.
  uint32_t KeyOfLocked(absl::string_view monitor_id) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  void CheckLiveness();

  Clock* const clock_;
  const AgentManagerOptions options_;
  // Counters (owned by the registry, or by `own_metrics_` when none is given).
  MetricsRegistry own_metrics_;
  Counter* const results_stale_;
  Counter* const agents_presumed_dead_;

  mutable absl::Mutex mu_;
  // Monitors by dense key; `keys_` views the ids inside the records' protos.
  std::vector<MonitorRecord> records_ ABSL_GUARDED_BY(mu_);
  std::vector<uint32_t> free_keys_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<absl::string_view, uint32_t> keys_ ABSL_GUARDED_BY(mu_);
  ShardTable table_ ABSL_GUARDED_BY(mu_);
  // Agent id by table slot; empty for a free slot.
  std::vector<std::string> slot_agents_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, AgentEntry> agents_ ABSL_GUARDED_BY(mu_);
  absl::Time last_rebalance_ ABSL_GUARDED_BY(mu_);
  // Epochs are (generation << 32) + counter, the generation being the
  // leader's start time in seconds: a new leader's epochs are all newer than
  // its predecessor's, and a result from a predecessor's epoch can be told
  // apart from a stale one of this leader.
  const int64_t generation_;
  int64_t next_epoch_ ABSL_GUARDED_BY(mu_);
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  Clock::TimerId liveness_timer_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_CLUSTER_AGENT_MANAGER_H_
