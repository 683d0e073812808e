// Output of uptimectl: aligned tables for people, the protobuf JSON mapping
// for scripts, and YAML converted from that same JSON.
//
// JSON and YAML show exactly the API's messages (lowerCamelCase names, as the
// gateway's REST mirror), so `uptimectl monitors get ID -o yaml` is also the
// document format a later `uptimectl apply -f` can read back.
//
// Example:
//   Printer printer(OutputFormat::kTable, std::cout, absl::Now());
//   RETURN_IF_ERROR(printer.Print(monitor, [&] { return MonitorsTable({monitor}); }));
#ifndef UPTIME_CLI_OUTPUT_H_
#define UPTIME_CLI_OUTPUT_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"

namespace uptime::cli {

enum class OutputFormat { kTable, kJson, kYaml };

// "table", "json" or "yaml"; INVALID_ARGUMENT naming --output otherwise.
// "wide" is a table too, with the extra columns some commands have
// (Printer::wide()).
absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view text);

// Rows of text cells printed in columns padded to the widest cell, two spaces
// apart, without trailing spaces. Width counts UTF-8 code points, not bytes,
// so names with accents stay aligned.
class Table {
 public:
  // No header line when `headers` is empty (key/value listings).
  explicit Table(std::vector<std::string> headers);

  // Missing cells print empty; extra cells are kept.
  void AddRow(std::vector<std::string> cells);

  size_t rows() const { return rows_.size(); }
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// Protobuf JSON mapping of `message`: pretty-printed, or on one line
// without `pretty` (newline-delimited JSON streams, `watch -o json`).
absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message, bool pretty = true);

// Converts JSON text to block-style YAML, keeping key order. Strings that
// YAML would read back as something else ("123", "true", "null", "") are
// quoted, so the YAML parses to the same JSON again.
absl::StatusOr<std::string> JsonToYaml(absl::string_view json);

// Writes command results in the chosen format. Not thread-safe; one per run.
class Printer {
 public:
  Printer(OutputFormat format, std::ostream& out, absl::Time now)
      : format_(format), out_(out), now_(now) {}

  OutputFormat format() const { return format_; }
  // The time "5m ago" columns are relative to (injected: tests pin it).
  absl::Time now() const { return now_; }
  std::ostream& out() { return out_; }
  // -o wide: tables may add columns; commands without extra ones ignore it.
  bool wide() const { return wide_; }
  void set_wide(bool wide) { wide_ = wide; }

  // Prints `message` as JSON/YAML, or the table `make_table` builds.
  absl::Status Print(const google::protobuf::Message& message,
                     absl::FunctionRef<Table()> make_table);

 private:
  const OutputFormat format_;
  std::ostream& out_;
  const absl::Time now_;
  bool wide_ = false;
};

}  // namespace uptime::cli

#endif  // UPTIME_CLI_OUTPUT_H_
