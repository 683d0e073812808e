// ResponseWriter: writes one HTTP/1.x response at a time on a session's
// connection (http_session.h), with as little work per response as the
// body allows:
//   - the head is formatted directly (response_head.h) into a buffer kept
//     between responses, and a small body is appended to it;
//   - on plain HTTP, one non-blocking sendmsg(2) first: the socket nearly
//     always takes a whole answer, and then no asynchronous write (nor its
//     deadline timer) is set up at all;
//   - a shared body (http_types.h) is sent from where it is, kept alive
//     until the write completes; on plain HTTP a large one goes out from a
//     memory file with sendfile(2) (memfd_body_cache.h), so not even the
//     kernel copies it.
// Whatever the socket does not take at once is written asynchronously
// within the write timeout.
//
// Owner (the session) provides shared_from_this(), Close(), closed(),
// SetStreamDeadline(absl::Duration) (Beast's deadline for the next
// operation) and OnWritten(error_code), called once the response is out.
//
// Thread-safety: the owner's io thread only.
#ifndef UPTIME_GATEWAY_RESPONSE_WRITER_H_
#define UPTIME_GATEWAY_RESPONSE_WRITER_H_

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "boost/asio.hpp"
#include "boost/beast/core.hpp"
#include "gateway/http_server.h"
#include "gateway/http_types.h"
#include "gateway/memfd_body_cache.h"
#include "gateway/response_head.h"
#include "gateway/socket_send.h"

namespace uptime::gateway {

template <typename Owner, typename Stream>
class ResponseWriter {
 public:
  static constexpr bool kPlain = std::is_same_v<Stream, boost::beast::tcp_stream>;

  // `bodies`: memory files for sendfile; null: none (TLS).
  ResponseWriter(Owner* owner, Stream* stream, const HttpServerOptions* options,
                 MemfdBodyCache* bodies)
      : owner_(owner),
        stream_(stream),
        options_(options),
        bodies_(bodies),
        send_deadline_(boost::beast::get_lowest_layer(*stream).get_executor()) {}

  // `response` is not an event stream. `head_only`: a HEAD request (the
  // head says the body's length, no body follows).
  void Write(HttpResponse response, unsigned version, bool keep_alive, bool head_only) {
    out_.clear();
    const bool no_body = head_only || StatusHasNoBody(response.status);
    if (response.shared_body != nullptr) {
      shared_ = std::move(response.shared_body);
      AppendResponseHead(&out_, version, keep_alive, response, options_->headers, shared_->size());
      if (no_body) {
        shared_.reset();
        return SendOut({});
      }
      if (bodies_ != nullptr && shared_->size() >= kSendfileMinBytes) {
        if (std::shared_ptr<const MemFile> file = bodies_->FileFor(shared_)) {
          return SendFile(std::move(file), shared_->size());
        }
      }
      return SendOut(boost::asio::buffer(*shared_));
    }
    AppendResponseHead(&out_, version, keep_alive, response, options_->headers,
                       response.body.size());
    if (no_body) return SendOut({});
    if (response.body.size() <= kCopyBodyMaxBytes) {
      out_.append(response.body);
      return SendOut({});
    }
    body_ = std::move(response.body);
    SendOut(boost::asio::buffer(body_));
  }

  // Stops waiting (the session is closing).
  void Cancel() { send_deadline_.cancel(); }

 private:
  // Shared bodies from this size on go out with sendfile(2) on plain HTTP;
  // smaller ones cost less written from memory.
  static constexpr size_t kSendfileMinBytes = 16 * 1024;
  // Owned bodies up to this size are copied behind the head: one buffer.
  static constexpr size_t kCopyBodyMaxBytes = 16 * 1024;
  // The head buffer is kept up to this capacity, so an idle kept-alive
  // connection holds little memory.
  static constexpr size_t kKeepBufferBytes = 4 * 1024;

  boost::asio::ip::tcp::socket& socket() {
    return boost::beast::get_lowest_layer(*stream_).socket();
  }

  // out_, then `body`.
  void SendOut(boost::asio::const_buffer body) {
    size_t sent = 0;
    if constexpr (kPlain) {
      const ptrdiff_t n =
          SendNow(socket().native_handle(), out_,
                  absl::string_view(static_cast<const char*>(body.data()), body.size()));
      if (n < 0) return owner_->Close();
      sent = static_cast<size_t>(n);
      if (sent == out_.size() + body.size()) return Done({});
    }
    std::array<boost::asio::const_buffer, 2> rest = {boost::asio::buffer(out_), body};
    if (sent < out_.size()) {
      rest[0] += sent;
    } else {
      rest[0] = boost::asio::const_buffer();
      rest[1] += sent - out_.size();
    }
    owner_->SetStreamDeadline(options_->write_timeout);
    boost::asio::async_write(*stream_, rest,
                             [self = owner_->shared_from_this(), this](
                                 boost::beast::error_code ec, size_t) { Done(ec); });
  }

  void Done(boost::beast::error_code ec) {
    shared_.reset();
    std::string().swap(body_);
    if (out_.capacity() > kKeepBufferBytes) std::string().swap(out_);
    owner_->OnWritten(ec);
  }

  // out_, then `size` bytes of `file`, waiting for the socket to be
  // writable in between; the write deadline is armed only if it has to.
  void SendFile(std::shared_ptr<const MemFile> file, size_t size) {
    if constexpr (kPlain) {
      if (!native_non_blocking_) {
        boost::beast::error_code ec;
        socket().native_non_blocking(true, ec);
        if (ec) return owner_->Close();
        native_non_blocking_ = true;
      }
      sending_ = Sending{FileSend{std::move(file), size}, false};
      ContinueSendFile();
    } else {
      owner_->Close();  // never asked: TLS sessions have no memory files
    }
  }

  void ContinueSendFile() {
    switch (ContinueFileSend(socket().native_handle(), out_, &sending_->send)) {
      case SendProgress::kDone:
        if (sending_->deadline_armed) send_deadline_.cancel();
        sending_.reset();
        return Done({});
      case SendProgress::kFailed:
        return owner_->Close();
      case SendProgress::kWouldBlock:
        break;
    }
    if (!sending_->deadline_armed) {
      sending_->deadline_armed = true;
      send_deadline_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          absl::ToChronoNanoseconds(options_->write_timeout)));
      send_deadline_.async_wait([self = owner_->shared_from_this(), this,
                                 generation = ++send_generation_](boost::beast::error_code ec) {
        // The client stopped reading.
        if (!ec && send_generation_ == generation && sending_) owner_->Close();
      });
    }
    socket().async_wait(boost::asio::ip::tcp::socket::wait_write,
                        [self = owner_->shared_from_this(), this](boost::beast::error_code ec) {
                          if (ec || owner_->closed()) return owner_->Close();
                          ContinueSendFile();
                        });
  }

  Owner* const owner_;
  Stream* const stream_;
  const HttpServerOptions* const options_;
  MemfdBodyCache* const bodies_;
  bool native_non_blocking_ = false;
  // The response being written: head (and a small body), and the body
  // sent from elsewhere, either owned or shared.
  std::string out_;
  std::string body_;
  std::shared_ptr<const std::string> shared_;
  // A body being sent with sendfile; the head is out_.
  struct Sending {
    FileSend send;
    bool deadline_armed = false;
  };
  std::optional<Sending> sending_;
  boost::asio::steady_timer send_deadline_;
  uint64_t send_generation_ = 0;
};

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_RESPONSE_WRITER_H_
