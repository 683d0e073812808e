#include "coordinator/cluster/agent_manager.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "spdlog/spdlog.h"

namespace uptime::coordinator {
namespace {

absl::Status ValidateHello(const v1::Hello& hello) {
  if (hello.agent_id().empty() || hello.agent_id().size() > 128) {
    return absl::InvalidArgumentError("hello.agent_id: must be 1..128 characters");
  }
  if (hello.protocol_version() != v1::PROTOCOL_VERSION_1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "hello.protocol_version: this coordinator speaks version 1, the agent sent ",
        hello.protocol_version()));
  }
  if (hello.capacity() < 0 || hello.capacity() > 1'000'000) {
    return absl::InvalidArgumentError("hello.capacity: must be 0..1000000");
  }
  for (const auto& [k, v] : hello.labels()) {
    if (absl::Status s = ValidateLabel("hello.labels", k, v); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

AgentManager::AgentManager(Clock* clock, AgentManagerOptions options)
    : clock_(clock),
      options_(options),
      results_stale_((options.metrics ? options.metrics : &own_metrics_)
                         ->AddCounter("uptime_coordinator_results_total",
                                      "Check results received from agents, by fate",
                                      {{"fate", "stale"}})),
      agents_presumed_dead_((options.metrics ? options.metrics : &own_metrics_)
                                ->AddCounter("uptime_coordinator_agents_presumed_dead_total",
                                             "Agents removed for missing heartbeats")),
      table_(options.sharding),
      last_rebalance_(clock->Now()),
      generation_(absl::ToUnixSeconds(clock->Now()) & 0x7fffffff),
      next_epoch_((generation_ << 32) + 1) {}

AgentManager::~AgentManager() {
  Clock::TimerId timer;
  {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
    timer = liveness_timer_;
  }
  clock_->Cancel(timer);
}

void AgentManager::Start() {
  absl::MutexLock lock(&mu_);
  liveness_timer_ = clock_->ScheduleAt(clock_->Now() + options_.heartbeat_interval / 2,
                                       [this] { CheckLiveness(); });
}

void AgentManager::CheckLiveness() {
  absl::MutexLock lock(&mu_);
  if (stopped_) return;
  const absl::Time now = clock_->Now();
  const absl::Time deadline = now - options_.heartbeat_interval * options_.missed_heartbeats;
  std::vector<std::string> dead;
  for (const auto& [id, agent] : agents_) {
    if (agent.last_seen < deadline) dead.push_back(id);
  }
  // One batch of deltas per table change: an agent applies an Assignment's
  // removals before its upserts, so a monitor that comes back within a
  // batch would be lost.
  for (const std::string& id : dead) {
    spdlog::warn("agent {} presumed dead: silent for {}", id,
                 absl::FormatDuration(now - agents_[id].last_seen));
    agents_[id].link->Close(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                         "no heartbeat: presumed dead, reconnect"));
    Deltas deltas;
    RemoveAgentLocked(id, /*keep_entry=*/false, &deltas);
    SendLocked(std::move(deltas));
    agents_presumed_dead_->Increment();
  }
  if (table_.drifted() && now - last_rebalance_ >= options_.rebalance_interval) {
    std::vector<PlacementChange> changes;
    table_.Rebalance(&changes);
    Deltas deltas;
    ApplyLocked(changes, ShardTable::kNone, &deltas);
    SendLocked(std::move(deltas));
    last_rebalance_ = now;
  }
  liveness_timer_ = clock_->ScheduleAt(now + options_.heartbeat_interval / 2,
                                       [this] { CheckLiveness(); });
}

uint32_t AgentManager::KeyOfLocked(absl::string_view monitor_id) const {
  auto it = keys_.find(monitor_id);
  return it == keys_.end() ? ShardTable::kNone : it->second;
}

void AgentManager::OnMonitorUpserted(const MonitorPtr& monitor) {
  absl::MutexLock lock(&mu_);
  uint32_t key = KeyOfLocked(monitor->id());
  if (key == ShardTable::kNone) {
    if (free_keys_.empty()) {
      key = static_cast<uint32_t>(records_.size());
      records_.emplace_back();
    } else {
      key = free_keys_.back();
      free_keys_.pop_back();
    }
  } else {
    keys_.erase(monitor->id());  // the view points into the old proto
  }
  records_[key].monitor = monitor;
  keys_.emplace(records_[key].monitor->id(), key);

  std::vector<PlacementChange> changes;
  if (monitor->paused()) {
    table_.RemoveMonitor(key, &changes);
  } else {
    const auto& where = monitor->locations();
    absl::Status placed = table_.SetMonitor(key,
                                            MonitorShape{.id_hash = StableHash64(monitor->id()),
                                                         .selector = where.selector(),
                                                         .location_label = where.location_label(),
                                                         .count = where.count()},
                                            &changes);
    if (!placed.ok()) {
      // Validated before it reached the catalog; should it still fail, the
      // monitor is left unplaced rather than placed on the wrong agents.
      spdlog::error("monitor {} left unplaced: {}", monitor->id(), placed.ToString());
      table_.RemoveMonitor(key, &changes);
    }
  }
  Deltas deltas;
  // A changed definition must reach every assigned agent: a new epoch does it.
  ApplyLocked(changes, key, &deltas);
  SendLocked(std::move(deltas));
}

void AgentManager::OnMonitorRemoved(const std::string& id) {
  absl::MutexLock lock(&mu_);
  const uint32_t key = KeyOfLocked(id);
  if (key == ShardTable::kNone) return;
  std::vector<PlacementChange> changes;
  table_.RemoveMonitor(key, &changes);
  Deltas deltas;
  ApplyLocked(changes, ShardTable::kNone, &deltas);
  keys_.erase(id);
  records_[key] = MonitorRecord();
  free_keys_.push_back(key);
  SendLocked(std::move(deltas));
}

void AgentManager::ApplyLocked(const std::vector<PlacementChange>& changes, uint32_t force_key,
                               Deltas* deltas) {
  bool forced = false;
  for (const PlacementChange& change : changes) {
    MoveLocked(change.monitor, change.before, change.after, deltas);
    forced = forced || change.monitor == force_key;
  }
  if (force_key != ShardTable::kNone && !forced) {
    const AgentIndexes agents = table_.assignment(force_key);
    if (!agents.empty()) MoveLocked(force_key, agents, agents, deltas);
  }
}

void AgentManager::MoveLocked(uint32_t key, const AgentIndexes& before, const AgentIndexes& after,
                              Deltas* deltas) {
  MonitorRecord& record = records_[key];
  const v1::Monitor& m = *record.monitor;
  for (uint32_t slot : before) {
    if (std::find(after.begin(), after.end(), slot) != after.end()) continue;
    // A removed agent's slot is already cleared: nothing to tell it.
    if (slot < slot_agents_.size() && !slot_agents_[slot].empty()) {
      (*deltas)[slot_agents_[slot]].add_removed_ids(m.id());
    }
  }
  if (after.empty()) {
    record.epoch = 0;
    return;
  }
  record.epoch = next_epoch_++;
  for (uint32_t slot : after) {
    v1::AssignedMonitor* assigned = (*deltas)[slot_agents_[slot]].add_upserts();
    *assigned->mutable_monitor() = m;
    assigned->set_epoch(record.epoch);
  }
}

void AgentManager::SendLocked(Deltas deltas) {
  const int heartbeat_ms = static_cast<int>(absl::ToInt64Milliseconds(options_.heartbeat_interval));
  for (auto& [agent_id, assignment] : deltas) {
    auto agent = agents_.find(agent_id);
    if (agent == agents_.end()) continue;
    assignment.set_heartbeat_interval_ms(heartbeat_ms);
    v1::CoordinatorMessage message;
    *message.mutable_assignment() = std::move(assignment);
    agent->second.link->Send(std::move(message));
  }
}

void AgentManager::RemoveAgentLocked(const std::string& agent_id, bool keep_entry, Deltas* deltas) {
  auto it = agents_.find(agent_id);
  if (it == agents_.end()) return;
  const uint32_t slot = it->second.slot;
  if (slot != ShardTable::kNone) {
    // A draining agent is told of its removals; a gone one is not.
    if (!keep_entry) slot_agents_[slot].clear();
    std::vector<PlacementChange> changes;
    table_.RemoveAgent(slot, &changes);
    ApplyLocked(changes, ShardTable::kNone, deltas);
    slot_agents_[slot].clear();
    it->second.slot = ShardTable::kNone;
  }
  if (!keep_entry) agents_.erase(it);
}

absl::Status AgentManager::Register(const v1::Hello& hello, const std::string& peer,
                                    std::shared_ptr<SessionLink> link) {
  if (absl::Status s = ValidateHello(hello); !s.ok()) return s;
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  if (stopped_) return absl::UnavailableError("coordinator is shutting down");
  const std::string& id = hello.agent_id();
  if (auto old = agents_.find(id); old != agents_.end()) {
    spdlog::warn("agent {} reconnected from {}: closing its previous stream", id, peer);
    old->second.link->Close(grpc::Status(grpc::StatusCode::ABORTED, "replaced by a newer stream"));
    // Sent before the newcomer's changes (see CheckLiveness).
    Deltas removed;
    RemoveAgentLocked(id, /*keep_entry=*/false, &removed);
    SendLocked(std::move(removed));
  }
  Deltas deltas;
  AgentEntry& agent = agents_[id];
  agent.view.id = id;
  agent.view.labels = {hello.labels().begin(), hello.labels().end()};
  agent.view.capacity = hello.capacity() == 0 ? 100 : hello.capacity();
  agent.incarnation = hello.incarnation();
  agent.version = hello.version();
  agent.peer = peer;
  agent.link = std::move(link);
  agent.connected_since = now;
  agent.last_seen = now;

  std::vector<PlacementChange> changes;
  agent.slot = table_.AddAgent(agent.view, &changes);
  if (slot_agents_.size() <= agent.slot) slot_agents_.resize(agent.slot + 1);
  slot_agents_[agent.slot] = id;
  ApplyLocked(changes, ShardTable::kNone, &deltas);
  // The newcomer gets its complete set, not a delta.
  deltas.erase(id);
  v1::Assignment& full = deltas[id];
  full.set_full(true);
  const std::vector<uint32_t> keys = table_.MonitorsOf(agent.slot);
  for (uint32_t key : keys) {
    v1::AssignedMonitor* assigned = full.add_upserts();
    *assigned->mutable_monitor() = *records_[key].monitor;
    assigned->set_epoch(records_[key].epoch);
  }
  spdlog::info("agent {} connected from {} (labels {}, capacity {}): {} monitors", id, peer,
               hello.labels_size(), agent.view.capacity, keys.size());
  SendLocked(std::move(deltas));
  return absl::OkStatus();
}

void AgentManager::Unregister(const std::string& agent_id, const SessionLink* link) {
  absl::MutexLock lock(&mu_);
  auto it = agents_.find(agent_id);
  if (it == agents_.end() || it->second.link.get() != link) return;
  spdlog::info("agent {} disconnected", agent_id);
  Deltas deltas;
  RemoveAgentLocked(agent_id, /*keep_entry=*/false, &deltas);
  SendLocked(std::move(deltas));
}

void AgentManager::OnGoodbye(const std::string& agent_id, const SessionLink* link,
                             const std::string& reason) {
  absl::MutexLock lock(&mu_);
  auto it = agents_.find(agent_id);
  if (it == agents_.end() || it->second.link.get() != link) return;
  spdlog::info("agent {} is leaving ({}): moving its {} monitors", agent_id, reason,
               it->second.slot == ShardTable::kNone ? 0 : table_.load(it->second.slot));
  it->second.view.draining = true;
  it->second.last_seen = clock_->Now();
  Deltas deltas;
  RemoveAgentLocked(agent_id, /*keep_entry=*/true, &deltas);
  // The removals reach the leaving agent before Drain, on the same stream:
  // it stops each check only once another agent has it.
  SendLocked(std::move(deltas));
  v1::CoordinatorMessage drain;
  drain.mutable_drain()->set_reason("released: monitors moved to other agents");
  it->second.link->Send(std::move(drain));
}

void AgentManager::OnHeartbeat(const std::string& agent_id, const SessionLink* link,
                               const v1::Heartbeat& hb) {
  absl::MutexLock lock(&mu_);
  auto it = agents_.find(agent_id);
  if (it == agents_.end() || it->second.link.get() != link) return;
  it->second.last_seen = clock_->Now();
  it->second.last_heartbeat = hb;
}

std::optional<AgentManager::Sender> AgentManager::CurrentSender(const std::string& agent_id,
                                                               const SessionLink* link) {
  absl::MutexLock lock(&mu_);
  auto it = agents_.find(agent_id);
  if (it == agents_.end() || it->second.link.get() != link) return std::nullopt;
  it->second.last_seen = clock_->Now();
  return Sender{.incarnation = it->second.incarnation, .link = it->second.link};
}

std::optional<std::vector<v1::CheckResult>> AgentManager::FilterCurrent(
    const std::string& agent_id, const SessionLink* link,
    google::protobuf::RepeatedPtrField<v1::CheckResult>* results) {
  std::vector<v1::CheckResult> counted;
  counted.reserve(results->size());
  uint64_t stale = 0;
  {
    absl::MutexLock lock(&mu_);
    auto it = agents_.find(agent_id);
    if (it == agents_.end() || it->second.link.get() != link) return std::nullopt;
    const AgentEntry& agent = it->second;
    for (v1::CheckResult& r : *results) {
      const uint32_t key = KeyOfLocked(r.monitor_id());
      if (key == ShardTable::kNone) continue;
      const MonitorRecord& record = records_[key];
      const bool assigned_here = agent.slot != ShardTable::kNone && table_.Holds(key, agent.slot);
      // A result from a previous leader's epoch (the agent kept checking
      // while no coordinator ran) counts if the agent still holds the
      // monitor; any other epoch mismatch is stale.
      const bool previous_leader = (r.epoch() >> 32) < generation_ && record.epoch != 0;
      if (!assigned_here || (r.epoch() != record.epoch && !previous_leader)) {
        ++stale;
        continue;  // stale: the monitor moved or changed since the agent ran it
      }
      // Identity comes from the stream, not from what the agent claims.
      r.set_agent_id(agent_id);
      r.set_location(LocationOf(agent.view, record.monitor->locations().location_label()));
      counted.push_back(std::move(r));
    }
  }
  if (stale > 0) results_stale_->Increment(stale);
  return counted;
}

std::vector<v1::AgentInfo> AgentManager::ListAgents() const {
  std::vector<v1::AgentInfo> out;
  absl::MutexLock lock(&mu_);
  for (const auto& [id, agent] : agents_) {
    v1::AgentInfo info;
    info.set_agent_id(id);
    info.mutable_labels()->insert(agent.view.labels.begin(), agent.view.labels.end());
    info.set_version(agent.version);
    info.set_capacity(agent.view.capacity);
    ToProto(agent.connected_since, info.mutable_connected_since());
    ToProto(agent.last_seen, info.mutable_last_heartbeat());
    info.set_monitors_assigned(
        static_cast<int32_t>(agent.slot == ShardTable::kNone ? 0 : table_.load(agent.slot)));
    info.set_checks_per_second(agent.last_heartbeat.checks_per_second());
    info.set_in_flight(agent.last_heartbeat.in_flight());
    info.set_peer(agent.peer);
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<std::string> AgentManager::AgentsOf(const std::string& monitor_id) const {
  absl::MutexLock lock(&mu_);
  const uint32_t key = KeyOfLocked(monitor_id);
  if (key == ShardTable::kNone) return {};
  std::vector<std::string> ids;
  for (uint32_t slot : table_.assignment(key)) ids.push_back(slot_agents_[slot]);
  std::sort(ids.begin(), ids.end());
  return ids;
}

int64_t AgentManager::EpochOf(const std::string& monitor_id) const {
  absl::MutexLock lock(&mu_);
  const uint32_t key = KeyOfLocked(monitor_id);
  return key == ShardTable::kNone ? 0 : records_[key].epoch;
}

size_t AgentManager::agent_count() const {
  absl::MutexLock lock(&mu_);
  return agents_.size();
}

}  // namespace uptime::coordinator
