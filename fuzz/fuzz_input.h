// FuzzInput: splits a fuzzer's bytes into the parts a target needs, the same
// way every time, so a crash file replays exactly.
#ifndef UPTIME_FUZZ_FUZZ_INPUT_H_
#define UPTIME_FUZZ_FUZZ_INPUT_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace uptime::fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size)
      : rest_(reinterpret_cast<const char*>(data), size) {}

  // Up to the next '\n' (not included); the rest when there is none.
  absl::string_view Line() {
    const size_t end = rest_.find('\n');
    absl::string_view line = rest_.substr(0, end);
    rest_.remove_prefix(end == absl::string_view::npos ? rest_.size() : end + 1);
    return line;
  }

  // One byte (0 once the input is used up).
  uint8_t Byte() {
    if (rest_.empty()) return 0;
    const uint8_t b = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }

  // Everything not read yet.
  absl::string_view Rest() const { return rest_; }

 private:
  absl::string_view rest_;
};

}  // namespace uptime::fuzz

#endif  // UPTIME_FUZZ_FUZZ_INPUT_H_
