#include "gateway/router.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace uptime::gateway {

namespace http = boost::beast::http;

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

absl::Status PercentDecode(absl::string_view in, bool plus_is_space, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return absl::InvalidArgumentError("truncated percent escape");
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return absl::InvalidArgumentError("malformed percent escape");
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return absl::OkStatus();
}

absl::Status Router::Add(http::verb method, absl::string_view pattern, int route) {
  if (pattern.empty() || pattern[0] != '/') {
    return absl::InvalidArgumentError(absl::StrCat("pattern must start with '/': ", pattern));
  }
  Entry entry{method, std::string(pattern), {}, route};
  for (absl::string_view part : absl::StrSplit(pattern.substr(1), '/')) {
    Segment seg;
    if (!part.empty() && part[0] == '{') {
      const size_t close = part.find('}');
      if (close == absl::string_view::npos || close < 2) {
        return absl::InvalidArgumentError(absl::StrCat("unclosed parameter in ", pattern));
      }
      seg.is_param = true;
      seg.param = std::string(part.substr(1, close - 1));
      absl::string_view rest = part.substr(close + 1);
      if (!rest.empty()) {
        if (rest[0] != ':' || rest.size() < 2) {
          return absl::InvalidArgumentError(absl::StrCat("bad custom verb in ", pattern));
        }
        seg.verb = std::string(rest.substr(1));
      }
    } else {
      if (part.empty()) return absl::InvalidArgumentError(absl::StrCat("empty segment in ", pattern));
      seg.literal = std::string(part);
    }
    entry.segments.push_back(std::move(seg));
  }
  for (const Entry& e : entries_) {
    if (e.method == method && e.pattern == entry.pattern) {
      return absl::InvalidArgumentError(absl::StrCat("duplicate route ", pattern));
    }
  }
  entries_.push_back(std::move(entry));
  return absl::OkStatus();
}

bool Router::MatchSegments(const Entry& entry, const std::vector<absl::string_view>& parts,
                           std::vector<std::pair<std::string, std::string>>* params) {
  if (parts.size() != entry.segments.size()) return false;
  params->clear();
  for (size_t i = 0; i < parts.size(); ++i) {
    const Segment& seg = entry.segments[i];
    absl::string_view part = parts[i];
    if (!seg.is_param) {
      if (part != seg.literal) return false;
      continue;
    }
    // A parameter never contains ':' (ids are server-made), so "m1:pause"
    // does not match the plain `{id}` of GET /monitors/{id}.
    const size_t colon = part.find(':');
    if (seg.verb.empty()) {
      if (colon != absl::string_view::npos) return false;
    } else {
      if (colon == absl::string_view::npos || part.substr(colon + 1) != seg.verb) return false;
      part = part.substr(0, colon);
    }
    if (part.empty()) return false;
    std::string value;
    if (!PercentDecode(part, /*plus_is_space=*/false, &value).ok()) return false;
    params->emplace_back(seg.param, std::move(value));
  }
  return true;
}

RouteMatch Router::Match(http::verb method, absl::string_view path) const {
  RouteMatch match;
  if (path.empty() || path[0] != '/') return match;
  std::vector<absl::string_view> parts = absl::StrSplit(path.substr(1), '/');
  std::vector<std::string> allowed;
  std::vector<std::pair<std::string, std::string>> params;
  for (const Entry& entry : entries_) {
    if (!MatchSegments(entry, parts, &params)) continue;
    if (entry.method == method ||
        (method == http::verb::head && entry.method == http::verb::get)) {
      match.result = RouteMatch::Result::kFound;
      match.route = entry.route;
      match.params = std::move(params);
      return match;
    }
    allowed.emplace_back(http::to_string(entry.method));
  }
  if (!allowed.empty()) {
    match.result = RouteMatch::Result::kMethodNotAllowed;
    match.allow = absl::StrJoin(allowed, ", ");
  }
  return match;
}

}  // namespace uptime::gateway
