#include "cli/commands.h"

#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace uptime::cli {
namespace {

// A payload rather than a distinct code: local checks and the server report
// the same INVALID_ARGUMENT, only the exit code differs.
constexpr absl::string_view kUsagePayload = "type.uptime.dev/uptimectl.UsageError";

}  // namespace

void CommandTable::Add(const CLI::App* command, Action action, bool needs_api) {
  entries_[command] = Entry{std::move(action), needs_api};
}

const CommandTable::Entry* CommandTable::Find(const CLI::App* command) const {
  auto it = entries_.find(command);
  return it == entries_.end() ? nullptr : &it->second;
}

absl::Status UsageError(absl::Status status) {
  if (!status.ok()) status.SetPayload(kUsagePayload, absl::Cord("1"));
  return status;
}

bool IsUsageError(const absl::Status& status) {
  return status.GetPayload(kUsagePayload).has_value();
}

std::string FormatError(const absl::Status& status) {
  if (IsUsageError(status)) return absl::StrCat("error: ", status.message());
  return absl::StrCat("error: ", absl::StatusCodeToString(status.code()), ": ", status.message());
}

CLI::Option* Repeatable(CLI::Option* option) { return option->allow_extra_args(false); }

}  // namespace uptime::cli
