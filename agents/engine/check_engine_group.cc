#include "agents/engine/check_engine_group.h"

#include <sched.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agents/scheduling/scheduler.h"

namespace uptime::agent {
namespace {

// The CPU limit of our cgroup in cores (a container's `limits.cpu`), rounded
// up; nullopt when unlimited or unknown. cgroup v2, then v1.
std::optional<int> CgroupCpuLimit() {
  double quota = 0, period = 0;
  if (std::ifstream v2("/sys/fs/cgroup/cpu.max"); v2) {
    std::string max;
    if (!(v2 >> max >> period) || max == "max") return std::nullopt;
    quota = std::atof(max.c_str());
  } else {
    std::ifstream q("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"), p("/sys/fs/cgroup/cpu/cpu.cfs_period_us");
    if (!(q >> quota) || !(p >> period)) return std::nullopt;
  }
  if (quota <= 0 || period <= 0) return std::nullopt;
  return std::max(1, static_cast<int>(std::ceil(quota / period)));
}

}  // namespace

int CheckEngineGroup::DefaultLoops() {
  // The cores we may use (a container's cpuset), not the machine's...
  int cores = static_cast<int>(std::thread::hardware_concurrency());
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) cores = CPU_COUNT(&set);
  // ... nor more than its CPU limit: a pod limited to 2 CPUs on a 32-core
  // node gains nothing from 32 loops but threads and memory.
  if (std::optional<int> limit = CgroupCpuLimit()) cores = std::min(cores, *limit);
  return std::max(1, cores);
}

size_t CheckEngineGroup::LoopOf(absl::string_view id, size_t loops) {
  if (loops <= 1) return 0;
  // StableIdHash also places the monitor's slots (hash mod interval): mix
  // it (murmur3's finalizer) and take the high bits, so a loop's monitors
  // are not bunched at some phases of the interval.
  uint64_t h = StableIdHash(id);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return static_cast<size_t>((static_cast<unsigned __int128>(h) * loops) >> 64);
}

absl::StatusOr<std::unique_ptr<CheckEngineGroup>> CheckEngineGroup::Create(
    CheckEngineOptions options, int loops, CheckEngine::ResultCallback on_results) {
  if (loops < 0 || loops > kMaxLoops) {
    return absl::InvalidArgumentError(
        absl::StrCat("--loops: must be 0 (one per core) .. ", kMaxLoops, ", got ", loops));
  }
  if (options.max_concurrency < 1) {
    return absl::InvalidArgumentError("--max-concurrency: must be at least 1");
  }
  if (loops == 0) loops = DefaultLoops();
  // More loops than checks allowed at once would leave loops that can never
  // start one.
  loops = std::min(loops, options.max_concurrency);
  options.max_concurrency = (options.max_concurrency + loops - 1) / loops;
  options.max_idle_handles = std::max<size_t>(16, options.max_idle_handles / static_cast<size_t>(loops));
  std::unique_ptr<CheckEngineGroup> group(new CheckEngineGroup());
  for (int i = 0; i < loops; ++i) {
    absl::StatusOr<std::unique_ptr<CheckEngine>> engine = CheckEngine::Create(options, on_results);
    if (!engine.ok()) return engine.status();
    group->engines_.push_back(*std::move(engine));
  }
  return group;
}

CheckEngineGroup::~CheckEngineGroup() { Stop(); }

void CheckEngineGroup::Start() {
  for (auto& engine : engines_) engine->Start();
}

void CheckEngineGroup::Stop() {
  for (auto& engine : engines_) engine->Stop();
}

absl::Status CheckEngineGroup::ReplaceAll(std::vector<v1::AssignedMonitor> monitors) {
  if (engines_.size() == 1) return engines_[0]->ReplaceAll(std::move(monitors));
  std::vector<std::vector<v1::AssignedMonitor>> parts(engines_.size());
  for (v1::AssignedMonitor& m : monitors) {
    parts[LoopOf(m.monitor().id(), engines_.size())].push_back(std::move(m));
  }
  absl::Status status;
  for (size_t i = 0; i < engines_.size(); ++i) {
    status.Update(engines_[i]->ReplaceAll(std::move(parts[i])));
  }
  return status;
}

absl::Status CheckEngineGroup::Apply(std::vector<v1::AssignedMonitor> upserts,
                                     std::vector<std::string> removed_ids) {
  if (engines_.size() == 1) return engines_[0]->Apply(std::move(upserts), std::move(removed_ids));
  std::vector<std::vector<v1::AssignedMonitor>> up(engines_.size());
  std::vector<std::vector<std::string>> gone(engines_.size());
  for (v1::AssignedMonitor& m : upserts) {
    up[LoopOf(m.monitor().id(), engines_.size())].push_back(std::move(m));
  }
  for (std::string& id : removed_ids) {
    gone[LoopOf(id, engines_.size())].push_back(std::move(id));
  }
  absl::Status status;
  for (size_t i = 0; i < engines_.size(); ++i) {
    // A loop with nothing to do is not woken.
    if (up[i].empty() && gone[i].empty()) continue;
    status.Update(engines_[i]->Apply(std::move(up[i]), std::move(gone[i])));
  }
  return status;
}

absl::Status CheckEngineGroup::RunOnce(v1::AssignedMonitor monitor) {
  const size_t loop = LoopOf(monitor.monitor().id(), engines_.size());
  return engines_[loop]->RunOnce(std::move(monitor));
}

bool CheckEngineGroup::WaitIdle(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  for (auto& engine : engines_) {
    if (!engine->WaitIdle(std::max(absl::ZeroDuration(), deadline - absl::Now()))) return false;
  }
  return true;
}

CheckRunnerStats CheckEngineGroup::stats() const {
  CheckRunnerStats sum;
  for (const auto& engine : engines_) {
    const CheckRunnerStats s = engine->stats();
    sum.monitors += s.monitors;
    sum.in_flight += s.in_flight;
    sum.started += s.started;
    sum.completed += s.completed;
    sum.overruns += s.overruns;
    sum.skipped += s.skipped;
  }
  return sum;
}

}  // namespace uptime::agent
