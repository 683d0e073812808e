// What API callers send to create monitors, channels, maintenance windows
// and status pages: protobuf JSON (as the REST mirror receives it) checked by
// the coordinator's validation. Any input is accepted or refused with an
// INVALID_ARGUMENT that names a field; validation never crashes, and a value
// it accepted passes again after a serialisation round trip.
#include <cstdint>
#include <string>

#include "coordinator/catalog/channel_validation.h"
#include "coordinator/catalog/maintenance_validation.h"
#include "coordinator/catalog/monitor_validation.h"
#include "coordinator/catalog/status_page_validation.h"
#include "coordinator/notifiers/notifier.h"
#include "fuzz/fuzz_input.h"
#include "google/protobuf/util/json_util.h"

namespace {

namespace v1 = uptime::v1;

bool Known(const std::string& id) { return id == "m1" || id == "m2" || id == "c1"; }

// Refusals must be INVALID_ARGUMENT with a field path before the ':'.
void CheckRefusal(const absl::Status& status) {
  if (status.ok()) return;
  if (status.code() != absl::StatusCode::kInvalidArgument) __builtin_trap();
  if (status.message().find(':') == absl::string_view::npos) __builtin_trap();
}

template <typename Message, typename Validate>
void Run(absl::string_view json, Validate validate) {
  Message message;
  google::protobuf::util::JsonParseOptions options;
  if (!google::protobuf::util::JsonStringToMessage(std::string(json), &message, options).ok()) return;
  const absl::Status first = validate(message);
  CheckRefusal(first);
  if (first.ok()) {
    Message again;
    if (!again.ParseFromString(message.SerializeAsString())) __builtin_trap();
    if (!validate(again).ok()) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 256 * 1024) return 0;
  static const uptime::notifiers::NotifierRegistry* const notifiers = [] {
    auto* registry = new uptime::notifiers::NotifierRegistry();
    if (!uptime::notifiers::RegisterBuiltinNotifiers(registry).ok()) __builtin_trap();
    return registry;
  }();
  uptime::fuzz::FuzzInput in(data, size);
  const absl::string_view kind = in.Line();
  const absl::string_view json = in.Rest();
  if (kind == "monitor") {
    Run<v1::Monitor>(json, [](const v1::Monitor& m) {
      v1::Monitor with_defaults = m;
      uptime::coordinator::ApplyMonitorDefaults(&with_defaults);
      return uptime::coordinator::ValidateMonitor(with_defaults, "monitor", Known);
    });
  } else if (kind == "channel") {
    Run<v1::Channel>(json, [](const v1::Channel& c) {
      return uptime::coordinator::ValidateChannel(c, *notifiers);
    });
  } else if (kind == "window") {
    Run<v1::MaintenanceWindow>(json, [](const v1::MaintenanceWindow& w) {
      return uptime::coordinator::ValidateMaintenanceWindow(w, Known);
    });
  } else if (kind == "page") {
    Run<v1::StatusPage>(json, [](const v1::StatusPage& p) {
      return uptime::coordinator::ValidateStatusPage(p, Known);
    });
  }
  return 0;
}
