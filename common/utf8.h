// UTF-8 validation shared by everything that must emit valid UTF-8: protobuf
// strings (which fail to parse otherwise), JSON payloads and PostgreSQL text.
#ifndef UPTIME_COMMON_UTF8_H_
#define UPTIME_COMMON_UTF8_H_

#include <cstddef>

#include "absl/strings/string_view.h"

namespace uptime {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not
// valid. Rejects overlong forms, surrogates and code points above U+10FFFF,
// as protobuf and PostgreSQL do.
size_t Utf8SequenceLength(absl::string_view s, size_t i);

}  // namespace uptime

#endif  // UPTIME_COMMON_UTF8_H_
