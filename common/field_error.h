// The error every validator returns for a bad field: INVALID_ARGUMENT with a
// message that starts with the field's path, so API callers, uptimectl and
// the web forms can point at what to fix ("monitor.http.url: ...").
#ifndef UPTIME_COMMON_FIELD_ERROR_H_
#define UPTIME_COMMON_FIELD_ERROR_H_

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace uptime {

inline absl::Status InvalidField(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

}  // namespace uptime

#endif  // UPTIME_COMMON_FIELD_ERROR_H_
