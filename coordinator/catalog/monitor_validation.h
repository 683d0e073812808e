// Validation and defaults for monitors coming from outside (API calls, YAML).
//
// Every error is INVALID_ARGUMENT and names the offending field by its path in
// the request (e.g. "monitor.http.url"), so a user can fix it without guessing.
#ifndef UPTIME_COORDINATOR_CATALOG_MONITOR_VALIDATION_H_
#define UPTIME_COORDINATOR_CATALOG_MONITOR_VALIDATION_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/map.h"
#include "uptime/v1/monitor.pb.h"

namespace uptime::coordinator {

inline constexpr absl::Duration kMinInterval = absl::Seconds(1);
inline constexpr absl::Duration kMaxInterval = absl::Hours(24);
inline constexpr absl::Duration kDefaultInterval = absl::Seconds(60);
inline constexpr int kMaxHeaders = 64;
inline constexpr size_t kMaxHeaderBytes = 16 * 1024;
inline constexpr size_t kMaxBodyBytes = 64 * 1024;
inline constexpr size_t kMaxUrlBytes = 2048;
inline constexpr size_t kMaxLabels = 64;

// Fills unset optional fields with their documented defaults (interval 60s,
// timeout min(10s, interval/2), thresholds 1, one location, method GET, ...).
// Call before ValidateMonitor.
void ApplyMonitorDefaults(v1::Monitor* monitor);

// Checks every user-settable field of `monitor`. `prefix` is the field path
// of the monitor in the request ("monitor"). `channel_exists` answers whether
// a notification channel id is known.
absl::Status ValidateMonitor(const v1::Monitor& monitor, const std::string& prefix,
                             const std::function<bool(const std::string&)>& channel_exists);

// Code points in `s` (the API limits characters, not bytes): every byte that
// does not continue a UTF-8 sequence.
size_t Utf8Length(absl::string_view s);

// Checks a labels map of any object (monitor, channel, maintenance window,
// status page): each key and value as ValidateLabel() says, at most
// kMaxLabels entries. Errors name `field` ("channel.labels").
absl::Status ValidateLabels(const std::string& field,
                            const google::protobuf::Map<std::string, std::string>& labels);

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_CATALOG_MONITOR_VALIDATION_H_
