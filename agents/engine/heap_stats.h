// What the allocator says about the agent's memory, and handing freed
// memory back to the system, whichever allocator the process runs on.
//
// The uptime-agent binary links jemalloc; tests and sanitizer builds run on
// glibc's malloc (or the sanitizer's). jemalloc is reached through mallctl(),
// a weak reference here, so nothing requires it: without it ReadHeapStats()
// is empty and ReleaseFreeHeap() trims glibc's arenas instead.
//
// Thread-safe (both allocators' counters and purges are process-wide).
#ifndef UPTIME_AGENTS_ENGINE_HEAP_STATS_H_
#define UPTIME_AGENTS_ENGINE_HEAP_STATS_H_

#include <cstdint>
#include <optional>

namespace uptime::agent {

// jemalloc's stats.* in bytes, refreshed when read.
struct HeapStats {
  int64_t allocated = 0;  // in live allocations (rounded up to size classes)
  int64_t active = 0;     // in pages holding live allocations
  int64_t metadata = 0;   // the allocator's own bookkeeping
  int64_t resident = 0;   // allocator pages in RAM (active, metadata, freed but not yet purged)
  int64_t retained = 0;   // address space kept without RAM (not in RSS)
};

// Nullopt when the process does not run on jemalloc.
std::optional<HeapStats> ReadHeapStats();

// Returns freed pages to the system now (jemalloc: purges every arena's
// dirty pages; glibc: malloc_trim). A few ms; for after a big free (an
// assignment's protos, a burst of checks), not for every loop iteration.
void ReleaseFreeHeap();

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_ENGINE_HEAP_STATS_H_
