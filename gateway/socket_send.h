// Non-blocking sends straight on a socket's descriptor, for the session's
// fast path (http_session.h): a response head with its body in one
// sendmsg(2), and a head followed by a memory file's bytes with send(2) and
// sendfile(2). They never wait: they report how far they got, and the
// caller waits for the socket to become writable.
//
// Thread-safety: pure functions of their arguments (the caller owns the
// socket and serializes its writes).
#ifndef UPTIME_GATEWAY_SOCKET_SEND_H_
#define UPTIME_GATEWAY_SOCKET_SEND_H_

#include <cstddef>
#include <memory>

#include "absl/strings/string_view.h"
#include "gateway/memfd_body_cache.h"

namespace uptime::gateway {

// Sends what the socket takes now of `head` then `body` in one call.
// Returns the bytes sent (0: none fit, try again when writable), or -1
// when the connection failed (closed by the peer, reset).
ptrdiff_t SendNow(int fd, absl::string_view head, absl::string_view body);

// A head and `size` bytes of a memory file being sent.
struct FileSend {
  std::shared_ptr<const MemFile> file;
  size_t size = 0;
  size_t head_sent = 0;
  size_t body_sent = 0;
};

enum class SendProgress { kDone, kWouldBlock, kFailed };

// Sends what the socket `fd` (non-blocking) takes now of `head` (after
// s->head_sent) and then of the file (after s->body_sent), advancing both.
// The head goes with MSG_MORE, so it leaves with the body's first bytes.
SendProgress ContinueFileSend(int fd, absl::string_view head, FileSend* s);

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_SOCKET_SEND_H_
