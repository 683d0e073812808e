// Server-sent events framing (the `text/event-stream` format).
#ifndef UPTIME_GATEWAY_SSE_H_
#define UPTIME_GATEWAY_SSE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace uptime::gateway {

// "id: <id>\nevent: <type>\ndata: <line>\n...\n\n". `data` is split at line
// breaks (each line its own `data:` field) so a newline can never end the
// event early; CR is treated as a break too, as the format requires.
std::string SseFrame(uint64_t id, absl::string_view type, absl::string_view data);

// The same without an `id:` line: the client's last event id stays that of
// the previous event, so an event that cannot be replayed (a check result)
// never becomes the point a reconnect resumes from.
std::string SseFrameWithoutId(absl::string_view type, absl::string_view data);

// A comment line, ignored by clients; keeps proxies from closing an idle
// stream.
inline constexpr absl::string_view kSseHeartbeat = ": hb\n\n";

// The event id a client resumes from: the `Last-Event-ID` header, else the
// `last_event_id` query value; nullopt when neither is a valid number.
std::optional<uint64_t> ParseLastEventId(absl::string_view header, absl::string_view query_value);

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_SSE_H_
