// Label selectors arrive from API calls, query strings, status page groups
// and YAML. Parse must reject or accept any text without crashing; an
// accepted selector must match deterministically and survive a round trip
// through a label map built from the same input.
#include <cstdint>
#include <map>
#include <string>

#include "common/labels.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uptime::fuzz::FuzzInput in(data, size);
  const absl::string_view selector_text = in.Line();
  absl::StatusOr<uptime::LabelSelector> selector =
      uptime::LabelSelector::Parse("label_selector", selector_text);
  if (selector.ok() != selector.status().ok()) __builtin_trap();
  // The remaining lines are "key=value" labels, each validated as the API
  // would before a monitor could carry it.
  std::map<std::string, std::string> labels;
  while (!in.Rest().empty()) {
    const absl::string_view line = in.Line();
    const size_t eq = line.find('=');
    const absl::string_view key = line.substr(0, eq);
    const absl::string_view value =
        eq == absl::string_view::npos ? absl::string_view() : line.substr(eq + 1);
    if (uptime::ValidateLabel("labels", key, value).ok()) {
      labels[std::string(key)] = std::string(value);
    }
  }
  if (selector.ok()) {
    const bool first = selector->Matches(labels);
    if (selector->Matches(labels) != first) __builtin_trap();
    // The empty selector matches everything.
    if (selector->empty() && !first) __builtin_trap();
  }
  return 0;
}
