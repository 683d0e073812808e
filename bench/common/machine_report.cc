#include "bench/common/machine_report.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"

namespace uptime::bench {
namespace {

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (!absl::StartsWith(line, "model name")) continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) break;
    return std::string(absl::StripAsciiWhitespace(absl::string_view(line).substr(colon + 1)));
  }
  return "unknown";
}

double Load1() {
  std::ifstream in("/proc/loadavg");
  std::string first;
  double load = -1;
  if (in >> first && absl::SimpleAtod(first, &load)) return load;
  return -1;
}

}  // namespace

MachineReport StartMachineReport() {
  return MachineReport{
      .cpu_model = CpuModel(),
      .cores = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)),
      .load1_before = Load1(),
  };
}

bool IsBusy(double load1, int cores) { return cores > 0 && load1 > 0.5 * cores; }

void PrintMachineReport(std::ostream& out, const MachineReport& report) {
  const double after = Load1();
  out << absl::StrFormat("machine: %s, %d cores; load1 %.2f before, %.2f after\n",
                         report.cpu_model, report.cores, report.load1_before, after);
  // Only the load before counts: the load after includes the bench itself.
  if (IsBusy(report.load1_before, report.cores)) {
    out << absl::StrFormat(
        "WARNING: busy machine (load1 above %.1f at the start): these figures are not comparable "
        "with a quiet run\n",
        0.5 * report.cores);
  }
}

std::string MedianAndSpread(std::vector<double> values, int precision) {
  if (values.empty()) return "-";
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  const double median = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  if (n == 1) return absl::StrFormat("%.*f", precision, median);
  return absl::StrFormat("%.*f (%.*f..%.*f)", precision, median, precision, values.front(),
                         precision, values.back());
}

}  // namespace uptime::bench
