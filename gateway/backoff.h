// Backoff: delays between reconnect attempts, doubling from `initial` up to
// `max`, each scaled by a random factor in [0.5, 1) so many gateways that
// lost the same coordinator do not reconnect in lockstep.
//
// Not thread-safe (one per reconnect loop).
#ifndef UPTIME_GATEWAY_BACKOFF_H_
#define UPTIME_GATEWAY_BACKOFF_H_

#include <functional>

#include "absl/time/time.h"

namespace uptime::gateway {

class Backoff {
 public:
  // `uniform01` returns numbers in [0, 1); injected so tests are exact.
  Backoff(absl::Duration initial, absl::Duration max, std::function<double()> uniform01);

  absl::Duration Next();
  void Reset() { attempt_ = 0; }

 private:
  const absl::Duration initial_;
  const absl::Duration max_;
  const std::function<double()> uniform01_;
  int attempt_ = 0;
};

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_BACKOFF_H_
