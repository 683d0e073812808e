// What a benchmark figure was measured on, printed with the figure.
//
// A number from a 2-core VM with a compile running beside it is not the
// number of a quiet machine: every bench takes a MachineReport before its
// first measurement and prints it after the last, so the table says the CPU
// model, the cores, the load before and after, and flags a run started on a
// busy machine (1-minute load above half the cores before the first
// measurement). The load after is shown but not judged: it includes the
// bench's own work, which on a 2-core machine is most of it.
//
// Example:
//   const MachineReport machine = StartMachineReport();
//   ... measure ...
//   PrintMachineReport(std::cout, machine);
#ifndef UPTIME_BENCH_COMMON_MACHINE_REPORT_H_
#define UPTIME_BENCH_COMMON_MACHINE_REPORT_H_

#include <ostream>
#include <string>
#include <vector>

namespace uptime::bench {

struct MachineReport {
  std::string cpu_model;  // /proc/cpuinfo "model name", or "unknown"
  int cores = 0;          // online CPUs
  double load1_before = -1;  // 1-minute load average; -1 when unreadable
};

// Reads the CPU model, core count and the 1-minute load average now.
MachineReport StartMachineReport();

// Prints the machine lines, reading the load average again:
//   machine: AMD EPYC 7B13, 2 cores; load1 0.12 before, 1.95 after
// followed by a "WARNING: busy machine" line when load1 exceeded half the
// cores at the start, since the figures above it are then not comparable.
void PrintMachineReport(std::ostream& out, const MachineReport& report);

// True when `load1` says other work competed for the cores.
bool IsBusy(double load1, int cores);

// The median and range of repeated measurements, for "--repeat N" tables:
// "412 (398..431)". `values` may be in any order; empty gives "-".
std::string MedianAndSpread(std::vector<double> values, int precision = 0);

}  // namespace uptime::bench

#endif  // UPTIME_BENCH_COMMON_MACHINE_REPORT_H_
