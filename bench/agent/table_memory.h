// bench/agent: bytes per monitor of each structure of the agent's monitor
// table, measured in this process (glibc malloc: mallinfo2's bytes in use,
// which include its 8-byte chunk headers and 16-byte rounding, close to
// jemalloc's size classes), to say where the agent's per-monitor heap goes.
#ifndef UPTIME_BENCH_AGENT_TABLE_MEMORY_H_
#define UPTIME_BENCH_AGENT_TABLE_MEMORY_H_

#include <string>
#include <utility>
#include <vector>

#include "uptime/v1/agent.pb.h"

namespace uptime::bench {

// (structure, bytes per monitor) for `monitors` split over `loops` loops as
// the agent does: CheckSpecs, each loop's spec set and Scheduler; also the
// monitors' protos as they arrive (transient: freed once applied).
std::vector<std::pair<std::string, double>> MeasureTableMemory(
    const std::vector<v1::AssignedMonitor>& monitors, int loops);

}  // namespace uptime::bench

#endif  // UPTIME_BENCH_AGENT_TABLE_MEMORY_H_
