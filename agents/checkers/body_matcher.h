// BodyMatcher: keyword assertions over a response body that arrives in
// chunks, reading no more than needed.
//
// A keyword that must appear ("keyword") and one that must not
// ("keyword_absent") are searched across chunk boundaries in the first `cap`
// bytes. Feed() returns false as soon as the verdict cannot change any more
// (required keyword found and no forbidden one to look for, forbidden keyword
// found, or cap reached), so the caller stops reading the body.
//
// Thread-safety: not thread-safe; one per check.
//
// Example:
//   BodyMatcher m("healthy", "error", 1 << 20);
//   while (more && m.Feed(chunk)) { ... }
//   if (auto failure = m.Failure()) result.set_error_message(*failure);
#ifndef UPTIME_AGENTS_CHECKERS_BODY_MATCHER_H_
#define UPTIME_AGENTS_CHECKERS_BODY_MATCHER_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace uptime::agent {

class BodyMatcher {
 public:
  static constexpr size_t kDefaultCap = size_t{1} << 20;

  BodyMatcher() : BodyMatcher("", "", kDefaultCap) {}
  BodyMatcher(std::string_view keyword, std::string_view keyword_absent, size_t cap);

  // Consumes the next chunk of body. Returns false when no further byte can
  // change the verdict: the caller should stop reading.
  bool Feed(std::string_view chunk);

  // True when Feed() would return false.
  bool done() const;
  // Body bytes considered so far (at most the cap).
  size_t bytes() const { return bytes_; }

  // nullopt when the assertions hold for the body seen so far (call after
  // the body ended or Feed() returned false); otherwise why they failed.
  std::optional<std::string> Failure() const;

 private:
  // Finds `needle` in a stream, carrying the last needle.size()-1 bytes over
  // from one chunk to the next so a match split between chunks is found.
  struct Scan {
    std::string needle;
    std::string carry;
    bool found = false;
    void Feed(std::string_view chunk);
  };

  Scan present_;
  Scan absent_;
  size_t cap_;
  size_t bytes_ = 0;
};

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_CHECKERS_BODY_MATCHER_H_
