#include "bench/agent/table_memory.h"

#include <malloc.h>

#include <memory>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/time/clock.h"
#include "agents/checkers/check_spec.h"
#include "agents/engine/check_engine_group.h"
#include "agents/scheduling/scheduler.h"

namespace uptime::bench {
namespace {

size_t InUse() { return mallinfo2().uordblks; }

// The engine loop's monitor set: specs hashed by id (CheckEngine::Loop).
struct SpecById {
  using is_transparent = void;
  size_t operator()(const agent::CheckSpecPtr& s) const {
    return absl::Hash<absl::string_view>{}(s->id);
  }
  bool operator()(const agent::CheckSpecPtr& a, const agent::CheckSpecPtr& b) const {
    return a->id == b->id;
  }
};

}  // namespace

std::vector<std::pair<std::string, double>> MeasureTableMemory(
    const std::vector<v1::AssignedMonitor>& monitors, int loops) {
  const double n = static_cast<double>(monitors.size());
  std::vector<std::pair<std::string, double>> out;
  auto measure = [&](const std::string& what, auto&& build) {
    const size_t before = InUse();
    build();
    out.emplace_back(what, static_cast<double>(InUse() - before) / n);
  };
  std::vector<v1::AssignedMonitor> copy;
  measure("assignment protos (transient)", [&] { copy = monitors; });
  const agent::AgentIdentity identity{.agent_id = "bench-agent", .labels = {}};
  std::vector<std::vector<agent::CheckSpecPtr>> specs(static_cast<size_t>(loops));
  measure("CheckSpec (with its strings)", [&] {
    for (const v1::AssignedMonitor& m : monitors) {
      specs[agent::CheckEngineGroup::LoopOf(m.monitor().id(), static_cast<size_t>(loops))]
          .push_back(agent::MakeCheckSpec(m, identity));
    }
  });
  copy.clear();
  copy.shrink_to_fit();
  std::vector<absl::flat_hash_set<agent::CheckSpecPtr, SpecById, SpecById>> sets(specs.size());
  measure("spec set (id -> spec)", [&] {
    for (size_t i = 0; i < specs.size(); ++i) sets[i].insert(specs[i].begin(), specs[i].end());
  });
  std::vector<std::unique_ptr<agent::Scheduler>> schedulers;
  const absl::Time now = absl::Now();
  measure("Scheduler (entry, id copy, index, heap)", [&] {
    for (size_t i = 0; i < specs.size(); ++i) {
      schedulers.push_back(std::make_unique<agent::Scheduler>(absl::Seconds(1), 0.1));
      for (const agent::CheckSpecPtr& s : specs[i]) schedulers[i]->Upsert(s->id, s->interval(), now);
    }
  });
  return out;
}

}  // namespace uptime::bench
