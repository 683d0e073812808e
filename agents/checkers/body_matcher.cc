#include "agents/checkers/body_matcher.h"

#include <string.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/escaping.h"

namespace uptime::agent {
namespace {

bool Contains(std::string_view hay, std::string_view needle) {
  // memmem is glibc's two-way search: linear, fast on 1 MiB bodies.
  return memmem(hay.data(), hay.size(), needle.data(), needle.size()) != nullptr;
}

// Keywords in messages are cut so a huge keyword cannot bloat a result.
std::string Quote(std::string_view s) {
  constexpr size_t kMax = 100;
  const absl::string_view cut(s.data(), std::min(s.size(), kMax));
  return absl::StrCat("\"", absl::CHexEscape(cut), s.size() > kMax ? "\"..." : "\"");
}

}  // namespace

BodyMatcher::BodyMatcher(std::string_view keyword, std::string_view keyword_absent, size_t cap)
    : cap_(cap) {
  present_.needle = std::string(keyword);
  absent_.needle = std::string(keyword_absent);
}

void BodyMatcher::Scan::Feed(std::string_view chunk) {
  if (needle.empty() || found) return;
  const size_t keep = needle.size() - 1;
  // The seam: the carried tail plus the start of the new chunk.
  if (!carry.empty()) {
    std::string seam = carry;
    seam.append(chunk.substr(0, std::min(chunk.size(), keep)));
    if (Contains(seam, needle)) {
      found = true;
      return;
    }
  }
  if (Contains(chunk, needle)) {
    found = true;
    return;
  }
  if (chunk.size() >= keep) {
    carry.assign(chunk.substr(chunk.size() - keep));
  } else {
    carry.append(chunk);
    if (carry.size() > keep) carry.erase(0, carry.size() - keep);
  }
}

bool BodyMatcher::Feed(std::string_view chunk) {
  if (done()) return false;
  chunk = chunk.substr(0, cap_ - bytes_);
  bytes_ += chunk.size();
  present_.Feed(chunk);
  absent_.Feed(chunk);
  return !done();
}

bool BodyMatcher::done() const {
  if (bytes_ >= cap_) return true;
  if (!absent_.needle.empty()) return absent_.found;  // must read on to be sure
  return !present_.needle.empty() && present_.found;
}

std::optional<std::string> BodyMatcher::Failure() const {
  if (!absent_.needle.empty() && absent_.found) {
    return absl::StrCat("forbidden keyword ", Quote(absent_.needle), " found in the body");
  }
  if (!present_.needle.empty() && !present_.found) {
    return absl::StrCat("keyword ", Quote(present_.needle), " not found in the first ", bytes_,
                        " bytes of the body");
  }
  return std::nullopt;
}

}  // namespace uptime::agent
