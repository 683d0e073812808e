#include "common/logging.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/config.h"
#include "common/flags.h"
#include "spdlog/pattern_formatter.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace uptime {
namespace {

// Writes the message payload as a JSON string body (without quotes), so a
// message with quotes or newlines still yields one valid JSON line.
class JsonEscapedPayload : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    static constexpr char kHex[] = "0123456789abcdef";
    for (char c : std::string_view(msg.payload.data(), msg.payload.size())) {
      switch (c) {
        case '"': dest.append(std::string_view("\\\"")); break;
        case '\\': dest.append(std::string_view("\\\\")); break;
        case '\n': dest.append(std::string_view("\\n")); break;
        case '\r': dest.append(std::string_view("\\r")); break;
        case '\t': dest.append(std::string_view("\\t")); break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            const char esc[] = {'\\', 'u', '0', '0', kHex[(c >> 4) & 0xf], kHex[c & 0xf]};
            dest.append(std::string_view(esc, sizeof(esc)));
          } else {
            dest.push_back(c);
          }
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonEscapedPayload>();
  }
};

}  // namespace

void AddLogFlags(CLI::App& app, LogOptions& options) {
  AddFlag(app, "log-level", options.level, "trace|debug|info|warn|error|critical|off");
  AddFlag(app, "log-format", options.format, "text|json");
}

absl::Status InitLogging(const LogOptions& options, const std::string& component) {
  spdlog::level::level_enum level = spdlog::level::from_str(options.level);
  if (level == spdlog::level::off && options.level != "off") {
    return absl::InvalidArgumentError(
        absl::StrCat("--log-level: unknown level '", options.level, "'"));
  }
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  if (options.format == "json") {
    formatter->add_flag<JsonEscapedPayload>('*').set_pattern(
        absl::StrCat(R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","component":")", component,
                     R"(","thread":%t,"msg":"%*"})"));
  } else if (options.format == "text") {
    formatter->set_pattern(absl::StrCat("%Y-%m-%dT%H:%M:%S.%f %^%L%$ ", component, " %t] %v"));
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--log-format: must be text or json, got '", options.format, "'"));
  }
  auto logger = std::make_shared<spdlog::logger>(
      component, std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_formatter(std::move(formatter));
  logger->set_level(level);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
  return absl::OkStatus();
}

}  // namespace uptime
