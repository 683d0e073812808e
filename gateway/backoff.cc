#include "gateway/backoff.h"

#include <algorithm>

namespace uptime::gateway {

Backoff::Backoff(absl::Duration initial, absl::Duration max, std::function<double()> uniform01)
    : initial_(initial), max_(std::max(max, initial)), uniform01_(std::move(uniform01)) {}

absl::Duration Backoff::Next() {
  absl::Duration base = initial_;
  for (int i = 0; i < attempt_ && base < max_; ++i) base *= 2;
  base = std::min(base, max_);
  if (attempt_ < 62) ++attempt_;
  const double u = std::clamp(uniform01_(), 0.0, 1.0);
  return base * (0.5 + 0.5 * u);
}

}  // namespace uptime::gateway
