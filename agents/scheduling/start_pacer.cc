#include "agents/scheduling/start_pacer.h"

#include <algorithm>
#include <limits>

namespace uptime::agent {

bool StartPacer::CellFor(double planned_rate, Cell* cell) const {
  if (planned_rate <= 0 || factor_ <= 0) return false;
  cell->emission = absl::Seconds(1.0 / (factor_ * planned_rate));
  cell->tolerance = std::max(window_, min_burst_ * cell->emission);
  return true;
}

size_t StartPacer::Allowance(double planned_rate, absl::Time now) const {
  Cell cell;
  if (!CellFor(planned_rate, &cell)) return std::numeric_limits<size_t>::max();
  const absl::Time tat = std::max(tat_, now);
  if (tat > now + cell.tolerance) return 0;
  absl::Duration rest;
  return 1 + static_cast<size_t>(absl::IDivDuration(now + cell.tolerance - tat, cell.emission, &rest));
}

absl::Time StartPacer::Ready(double planned_rate) const {
  Cell cell;
  if (!CellFor(planned_rate, &cell)) return absl::InfinitePast();
  return tat_ - cell.tolerance;
}

void StartPacer::Started(double planned_rate, absl::Time now, size_t n) {
  Cell cell;
  if (n == 0 || !CellFor(planned_rate, &cell)) return;
  tat_ = std::max(tat_, now) + static_cast<int64_t>(n) * cell.emission;
}

}  // namespace uptime::agent
