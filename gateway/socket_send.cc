#include "gateway/socket_send.h"

#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>

namespace uptime::gateway {

namespace {

bool WouldBlock() { return errno == EAGAIN || errno == EWOULDBLOCK; }

}  // namespace

ptrdiff_t SendNow(int fd, absl::string_view head, absl::string_view body) {
  iovec iov[2] = {{const_cast<char*>(head.data()), head.size()},
                  {const_cast<char*>(body.data()), body.size()}};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = body.empty() ? 1 : 2;
  while (true) {
    const ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    return WouldBlock() ? 0 : -1;
  }
}

SendProgress ContinueFileSend(int fd, absl::string_view head, FileSend* s) {
  while (true) {
    ssize_t n;
    if (s->head_sent < head.size()) {
      n = ::send(fd, head.data() + s->head_sent, head.size() - s->head_sent,
                 MSG_NOSIGNAL | MSG_MORE | MSG_DONTWAIT);
      if (n > 0) {
        s->head_sent += static_cast<size_t>(n);
        continue;
      }
    } else if (s->body_sent < s->size) {
      off_t offset = static_cast<off_t>(s->body_sent);
      n = ::sendfile(fd, s->file->fd(), &offset, s->size - s->body_sent);
      if (n > 0) {
        s->body_sent = static_cast<size_t>(offset);
        continue;
      }
      if (n == 0) return SendProgress::kFailed;  // the file ended early: cannot happen
    } else {
      return SendProgress::kDone;
    }
    if (errno == EINTR) continue;
    return WouldBlock() ? SendProgress::kWouldBlock : SendProgress::kFailed;
  }
}

}  // namespace uptime::gateway
