// Process-wide logging setup (spdlog): text for people, JSON lines for log
// pipelines. Libraries log through spdlog's default logger.
#ifndef UPTIME_COMMON_LOGGING_H_
#define UPTIME_COMMON_LOGGING_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "spdlog/fmt/fmt.h"

// Declared, not included: CLI11 is costly to compile (see common/flags.h).
namespace CLI {
class App;
}  // namespace CLI

namespace uptime {

struct LogOptions {
  std::string level = "info";   // trace, debug, info, warn, error, critical, off
  std::string format = "text";  // text or json
};

// Adds --log-level and --log-format (with UPTIME_* env fallbacks).
void AddLogFlags(CLI::App& app, LogOptions& options);

// Installs the default logger, writing to stderr. INVALID_ARGUMENT naming the
// flag for an unknown level or format.
absl::Status InitLogging(const LogOptions& options, const std::string& component);

}  // namespace uptime

// Lets spdlog format absl::string_view (Abseil 20220623's own type, which fmt
// does not know), e.g. spdlog::info("{}", status.message()).
template <>
struct fmt::formatter<absl::string_view> : fmt::formatter<fmt::string_view> {
  template <typename FormatContext>
  auto format(absl::string_view s, FormatContext& ctx) const {
    return fmt::formatter<fmt::string_view>::format(fmt::string_view(s.data(), s.size()), ctx);
  }
};

#endif  // UPTIME_COMMON_LOGGING_H_
