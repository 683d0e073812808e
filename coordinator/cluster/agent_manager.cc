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
  if (!dead.empty()) {
    for (const std::string& id : dead) {
      spdlog::warn("agent {} presumed dead: silent for {}", id,
                   absl::FormatDuration(now - agents_[id].last_seen));
      agents_[id].link->Close(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                           "no heartbeat: presumed dead, reconnect"));
      RemoveAgentLocked(id);
      agents_presumed_dead_->Increment();
    }
    Deltas deltas;
    RebalanceLocked(&deltas);
    SendLocked(std::move(deltas));
  }
  liveness_timer_ = clock_->ScheduleAt(now + options_.heartbeat_interval / 2,
                                       [this] { CheckLiveness(); });
}

void AgentManager::OnMonitorUpserted(const MonitorPtr& monitor) {
  absl::MutexLock lock(&mu_);
  MonitorSlot& slot = monitors_[monitor->id()];
  slot.monitor = monitor;
  slot.id_hash = StableHash64(monitor->id());
  // Validated before it reached the catalog, so this parse cannot fail.
  slot.selector = LabelSelector::Parse("locations.selector", monitor->locations().selector())
                      .value_or(LabelSelector());
  Deltas deltas;
  PlaceOneLocked(slot, &deltas);
  SendLocked(std::move(deltas));
}

void AgentManager::OnMonitorRemoved(const std::string& id) {
  absl::MutexLock lock(&mu_);
  auto it = monitors_.find(id);
  if (it == monitors_.end()) return;
  Deltas deltas;
  ApplyPlacementLocked(it->second, {}, /*force_new_epoch=*/false, &deltas);
  monitors_.erase(it);
  SendLocked(std::move(deltas));
}

std::vector<AgentView> AgentManager::AgentViewsLocked() const {
  std::vector<AgentView> views;
  views.reserve(agents_.size());
  for (const auto& [id, agent] : agents_) views.push_back(agent.view);
  return views;
}

ShardMonitor AgentManager::ShardInput(const MonitorSlot& slot) {
  return ShardMonitor{.id_hash = slot.id_hash,
                      .selector = &slot.selector,
                      .location_label = &slot.monitor->locations().location_label(),
                      .count = slot.monitor->locations().count()};
}

void AgentManager::PlaceOneLocked(MonitorSlot& slot, Deltas* deltas) {
  std::vector<std::string> desired;
  if (!slot.monitor->paused() && !agents_.empty()) {
    std::vector<AgentView> views = AgentViewsLocked();
    uint64_t placed_slots = 0;
    for (const auto& [id, agent] : agents_) placed_slots += agent.monitors.size();
    Planner planner(views, placed_slots + std::max(1, slot.monitor->locations().count()));
    uint32_t index = 0;
    for (const auto& [id, agent] : agents_) {
      // A changed monitor must not count against its own current agents.
      const bool holds = agent.monitors.contains(slot.monitor->id());
      planner.SetLoad(index++, static_cast<uint32_t>(agent.monitors.size() - (holds ? 1 : 0)));
    }
    for (uint32_t a : planner.Place(ShardInput(slot))) desired.push_back(views[a].id);
  }
  // A changed definition must reach every assigned agent: a new epoch does it.
  ApplyPlacementLocked(slot, std::move(desired), /*force_new_epoch=*/true, deltas);
}

void AgentManager::ApplyPlacementLocked(MonitorSlot& slot, std::vector<std::string> desired,
                                        bool force_new_epoch, Deltas* deltas) {
  std::sort(desired.begin(), desired.end());
  const v1::Monitor& m = *slot.monitor;
  if (desired == slot.placement.agents && !force_new_epoch) return;
  for (const std::string& old_agent : slot.placement.agents) {
    if (std::binary_search(desired.begin(), desired.end(), old_agent)) continue;
    auto agent = agents_.find(old_agent);
    if (agent == agents_.end()) continue;
    agent->second.monitors.erase(m.id());
    (*deltas)[old_agent].add_removed_ids(m.id());
  }
  slot.placement.agents = std::move(desired);
  if (slot.placement.agents.empty()) {
    slot.placement.epoch = 0;
    return;
  }
  slot.placement.epoch = next_epoch_++;
  for (const std::string& agent_id : slot.placement.agents) {
    agents_[agent_id].monitors.insert(m.id());
    v1::AssignedMonitor* assigned = (*deltas)[agent_id].add_upserts();
    *assigned->mutable_monitor() = m;
    assigned->set_epoch(slot.placement.epoch);
  }
}

void AgentManager::RebalanceLocked(Deltas* deltas) {
  std::vector<AgentView> views = AgentViewsLocked();
  std::vector<ShardMonitor> inputs;
  std::vector<MonitorSlot*> slots;
  inputs.reserve(monitors_.size());
  slots.reserve(monitors_.size());
  for (auto& [id, slot] : monitors_) {
    if (slot.monitor->paused()) continue;
    inputs.push_back(ShardInput(slot));
    slots.push_back(&slot);
  }
  ShardPlan plan = ComputePlan(inputs, views);
  for (size_t i = 0; i < slots.size(); ++i) {
    std::vector<std::string> desired;
    for (uint32_t a : plan.assignments[i]) desired.push_back(views[a].id);
    ApplyPlacementLocked(*slots[i], std::move(desired), /*force_new_epoch=*/false, deltas);
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

void AgentManager::RemoveAgentLocked(const std::string& agent_id) {
  auto it = agents_.find(agent_id);
  if (it == agents_.end()) return;
  for (const std::string& monitor_id : it->second.monitors) {
    auto slot = monitors_.find(monitor_id);
    if (slot == monitors_.end()) continue;
    auto& agents = slot->second.placement.agents;
    agents.erase(std::remove(agents.begin(), agents.end(), agent_id), agents.end());
  }
  agents_.erase(it);
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
    RemoveAgentLocked(id);
  }
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

  Deltas deltas;
  RebalanceLocked(&deltas);
  // The newcomer gets its complete set, not a delta.
  deltas.erase(id);
  v1::Assignment& full = deltas[id];
  full.set_full(true);
  for (const std::string& monitor_id : agent.monitors) {
    const MonitorSlot& slot = monitors_[monitor_id];
    v1::AssignedMonitor* assigned = full.add_upserts();
    *assigned->mutable_monitor() = *slot.monitor;
    assigned->set_epoch(slot.placement.epoch);
  }
  spdlog::info("agent {} connected from {} (labels {}, capacity {}): {} monitors", id, peer,
               hello.labels_size(), agent.view.capacity, agent.monitors.size());
  SendLocked(std::move(deltas));
  return absl::OkStatus();
}

void AgentManager::Unregister(const std::string& agent_id, const SessionLink* link) {
  absl::MutexLock lock(&mu_);
  auto it = agents_.find(agent_id);
  if (it == agents_.end() || it->second.link.get() != link) return;
  spdlog::info("agent {} disconnected", agent_id);
  RemoveAgentLocked(agent_id);
  Deltas deltas;
  RebalanceLocked(&deltas);
  SendLocked(std::move(deltas));
}

void AgentManager::OnGoodbye(const std::string& agent_id, const SessionLink* link,
                             const std::string& reason) {
  absl::MutexLock lock(&mu_);
  auto it = agents_.find(agent_id);
  if (it == agents_.end() || it->second.link.get() != link) return;
  spdlog::info("agent {} is leaving ({}): moving its {} monitors", agent_id, reason,
               it->second.monitors.size());
  it->second.view.draining = true;
  it->second.last_seen = clock_->Now();
  Deltas deltas;
  RebalanceLocked(&deltas);
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
      auto slot = monitors_.find(r.monitor_id());
      if (slot == monitors_.end()) continue;
      const Placement& p = slot->second.placement;
      const bool assigned_here =
          std::find(p.agents.begin(), p.agents.end(), agent_id) != p.agents.end();
      // A result from a previous leader's epoch (the agent kept checking
      // while no coordinator ran) counts if the agent still holds the
      // monitor; any other epoch mismatch is stale.
      const bool previous_leader = (r.epoch() >> 32) < generation_ && p.epoch != 0;
      if (!assigned_here || (r.epoch() != p.epoch && !previous_leader)) {
        ++stale;
        continue;  // stale: the monitor moved or changed since the agent ran it
      }
      // Identity comes from the stream, not from what the agent claims.
      r.set_agent_id(agent_id);
      r.set_location(LocationOf(agent.view, slot->second.monitor->locations().location_label()));
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
    info.set_monitors_assigned(static_cast<int32_t>(agent.monitors.size()));
    info.set_checks_per_second(agent.last_heartbeat.checks_per_second());
    info.set_in_flight(agent.last_heartbeat.in_flight());
    info.set_peer(agent.peer);
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<std::string> AgentManager::AgentsOf(const std::string& monitor_id) const {
  absl::MutexLock lock(&mu_);
  auto it = monitors_.find(monitor_id);
  if (it == monitors_.end()) return {};
  return it->second.placement.agents;
}

int64_t AgentManager::EpochOf(const std::string& monitor_id) const {
  absl::MutexLock lock(&mu_);
  auto it = monitors_.find(monitor_id);
  return it == monitors_.end() ? 0 : it->second.placement.epoch;
}

size_t AgentManager::agent_count() const {
  absl::MutexLock lock(&mu_);
  return agents_.size();
}

}  // namespace uptime::coordinator
