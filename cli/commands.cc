#include "cli/commands.h"

#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "google/protobuf/struct.pb.h"

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

absl::Status DeleteEach(CommandEnv& env, const std::vector<std::string>& names,
                        absl::FunctionRef<absl::Status(const std::string&)> delete_one) {
  google::protobuf::Struct deleted_doc;
  google::protobuf::ListValue* deleted =
      (*deleted_doc.mutable_fields())["deleted"].mutable_list_value();
  absl::Status last_error;
  for (const std::string& name : names) {
    absl::Status status = delete_one(name);
    if (status.ok()) {
      deleted->add_values()->set_string_value(name);
      if (env.printer->format() == OutputFormat::kTable) {
        env.printer->out() << "deleted " << name << "\n";
      }
      continue;
    }
    if (!last_error.ok()) *env.err << FormatError(last_error) << "\n";
    last_error = status;
    if (status.code() != absl::StatusCode::kNotFound) break;
  }
  if (env.printer->format() != OutputFormat::kTable) {
    RETURN_IF_ERROR(env.printer->Print(deleted_doc, [] { return Table({}); }));
  }
  return last_error;
}

absl::Status PrintList(CommandEnv& env, const google::protobuf::Message& merged, int items,
                       const std::string& next_page_token, absl::string_view noun,
                       absl::FunctionRef<Table()> make_table) {
  const bool table = env.printer->format() == OutputFormat::kTable;
  if (table && items == 0) {
    *env.err << "no " << noun << " found\n";
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(env.printer->Print(merged, make_table));
  if (table && !next_page_token.empty()) {
    *env.err << "more " << noun << ": add --all, or --page-token " << next_page_token << "\n";
  }
  return absl::OkStatus();
}

CLI::Option* Repeatable(CLI::Option* option) { return option->allow_extra_args(false); }

}  // namespace uptime::cli
