#include "agents/engine/heap_stats.h"

#include <malloc.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"

// jemalloc's control interface; null unless the binary links jemalloc.
extern "C" int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp,
                       size_t newlen) __attribute__((weak));

namespace uptime::agent {
namespace {

// jemalloc's MALLCTL_ARENAS_ALL: "arena.<this>.purge" purges every arena.
constexpr unsigned kAllArenas = 4096;

bool ReadSize(const char* name, int64_t* out) {
  size_t value = 0;
  size_t len = sizeof(value);
  if (mallctl(name, &value, &len, nullptr, 0) != 0) return false;
  *out = static_cast<int64_t>(value);
  return true;
}

}  // namespace

std::optional<HeapStats> ReadHeapStats() {
  if (mallctl == nullptr) return std::nullopt;
  // jemalloc caches its statistics; writing "epoch" refreshes them.
  uint64_t epoch = 1;
  size_t len = sizeof(epoch);
  if (mallctl("epoch", &epoch, &len, &epoch, len) != 0) return std::nullopt;
  HeapStats s;
  if (!ReadSize("stats.allocated", &s.allocated) || !ReadSize("stats.active", &s.active) ||
      !ReadSize("stats.metadata", &s.metadata) || !ReadSize("stats.resident", &s.resident) ||
      !ReadSize("stats.retained", &s.retained)) {
    return std::nullopt;
  }
  return s;
}

void ReleaseFreeHeap() {
  if (mallctl == nullptr) {
    malloc_trim(0);
    return;
  }
  // Without this, jemalloc purges an arena only as its own allocations tick
  // its decay clock: the arena of the gRPC thread that parsed a big
  // assignment would keep those pages until its next burst of activity.
  static const std::string kPurge = absl::StrCat("arena.", kAllArenas, ".purge");
  mallctl(kPurge.c_str(), nullptr, nullptr, nullptr, 0);
}

}  // namespace uptime::agent
