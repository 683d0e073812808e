#include "store/incident_store.h"

#include <random>

#include "absl/strings/str_format.h"

namespace uptime::store {

std::string NewIncidentId() {
  // Per thread: ids are minted on API and writer threads at once.
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return absl::StrFormat("inc-%016x", rng());
}

}  // namespace uptime::store
