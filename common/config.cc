#include "common/config.h"

#include <unistd.h>

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/labels.h"

namespace uptime {

absl::StatusOr<HostPort> ParseHostPort(absl::string_view field, absl::string_view value,
                                       bool allow_port_zero) {
  HostPort hp;
  absl::string_view port_part;
  if (absl::StartsWith(value, "[")) {
    size_t close = value.find(']');
    if (close == absl::string_view::npos || close + 1 >= value.size() || value[close + 1] != ':') {
      return absl::InvalidArgumentError(absl::StrCat(field, ": expected [IPV6]:PORT, got '", value, "'"));
    }
    hp.host = std::string(value.substr(1, close - 1));
    port_part = value.substr(close + 2);
  } else {
    size_t colon = value.rfind(':');
    if (colon == absl::string_view::npos || colon == 0) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": expected HOST:PORT, got '", value, "'"));
    }
    hp.host = std::string(value.substr(0, colon));
    port_part = value.substr(colon + 1);
  }
  if (!absl::SimpleAtoi(port_part, &hp.port) || hp.port < (allow_port_zero ? 0 : 1) ||
      hp.port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": port must be 1..65535, got '", port_part, "'"));
  }
  return hp;
}

absl::StatusOr<std::map<std::string, std::string>> ParseLabels(absl::string_view field,
                                                               absl::string_view value) {
  std::map<std::string, std::string> labels;
  for (absl::string_view term : absl::StrSplit(value, ',', absl::SkipWhitespace())) {
    term = absl::StripAsciiWhitespace(term);
    size_t eq = term.find('=');
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": expected key=value, got '", term, "'"));
    }
    std::string key(absl::StripAsciiWhitespace(term.substr(0, eq)));
    std::string val(absl::StripAsciiWhitespace(term.substr(eq + 1)));
    if (absl::Status s = ValidateLabel(field, key, val); !s.ok()) return s;
    labels[key] = val;
  }
  return labels;
}

const char* Version() {
#ifdef UPTIME_VERSION
  return UPTIME_VERSION;
#else
  return "dev";
#endif
}

std::string HostName(absl::string_view fallback) {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return std::string(fallback);
  return name;
}

}  // namespace uptime
