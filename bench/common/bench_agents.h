// Simulated agents for the coordinator benches: streams that discard what
// the coordinator sends, registered straight with the pipeline's cluster
// stage, so a bench measures the coordinator only.
#ifndef UPTIME_BENCH_COMMON_BENCH_AGENTS_H_
#define UPTIME_BENCH_COMMON_BENCH_AGENTS_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "coordinator/cluster/agent_manager.h"
#include "coordinator/cluster/session_link.h"

namespace uptime::bench {

// Discards what the coordinator sends.
class NullStream : public coordinator::AgentStream {
 public:
  void Enqueue(v1::CoordinatorMessage) override {}
  void Close(const grpc::Status&) override {}
};

// Agents connected to `agents` over NullStreams; disconnect on destruction
// is not needed (the benches end with the process).
class SimulatedAgents {
 public:
  explicit SimulatedAgents(coordinator::AgentManager* agents) : agents_(agents) {}

  // Registers agent `id` with `labels`; returns its link (for OnResults).
  std::shared_ptr<coordinator::SessionLink> Connect(
      const std::string& id, const std::map<std::string, std::string>& labels = {});

 private:
  coordinator::AgentManager* const agents_;
  std::vector<std::unique_ptr<NullStream>> streams_;
};

}  // namespace uptime::bench

#endif  // UPTIME_BENCH_COMMON_BENCH_AGENTS_H_
