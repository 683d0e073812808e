#include "gateway/http_session.h"

#include <atomic>
#include <chrono>
#include <deque>
#include <optional>

#include "absl/strings/str_cat.h"
#include "boost/asio.hpp"
#include "boost/asio/ssl.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/beast/ssl.hpp"
#include "gateway/request_from_beast.h"
#include "gateway/response_writer.h"

namespace uptime::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::chrono::steady_clock::duration ToSteady(absl::Duration d) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      absl::ToChronoNanoseconds(d));
}

// Decrements the open-connection count when the session goes.
class ConnectionSlot {
 public:
  explicit ConnectionSlot(HttpServerStats* stats) : stats_(stats) {}
  ~ConnectionSlot() { stats_->connections.fetch_sub(1); }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

 private:
  HttpServerStats* stats_;
};

// One connection. Stream is beast::tcp_stream or an ssl_stream over one.
// Lives on one io_context thread; only Send() (an SseSink) is called from
// other threads, and it only posts.
template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>>, public SseSink {
 public:
  static constexpr bool kPlain = std::is_same_v<Stream, beast::tcp_stream>;

  // `bodies`: the io thread's memory files for sendfile; null: none (TLS).
  template <typename... Args>
  Session(const SessionDeps& deps, bool tls, MemfdBodyCache* bodies, Args&&... args)
      : stream_(std::forward<Args>(args)...),
        options_(deps.options),
        handler_(deps.handler),
        stats_(deps.stats),
        slot_(deps.stats),
        tls_(tls),
        bodies_(bodies),
        idle_timer_(beast::get_lowest_layer(stream_).get_executor()),
        writer_(this, &stream_, deps.options, bodies),
        heartbeat_(beast::get_lowest_layer(stream_).get_executor()) {}

  // No Detach() here: the last reference may be dropped by the EventHub
  // while it holds its lock. Close() detaches, on the io thread.
  ~Session() override = default;

  void Begin() {
    beast::error_code ec;
    const tcp::endpoint peer = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) {
      asio::ip::address address = peer.address();
      // A v4 client on a dual-stack socket shows as ::ffff:a.b.c.d.
      if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
      }
      peer_address_ = address.to_string();
    }
    if constexpr (kPlain) {
      ReadHeader();
    } else {
      SetStreamDeadline(options_->read_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (!ec) self->ReadHeader();
                              });
    }
  }

  // SseSink: from any thread.
  bool Send(std::shared_ptr<const std::string> frame) override {
    if (closed_.load()) return false;
    if (pending_.fetch_add(1) + 1 > static_cast<int64_t>(options_->sse_max_queued)) {
      // Too far behind: drop it rather than queue without bound.
      if (!closed_.exchange(true)) {
        stats_->sse_dropped_slow.fetch_add(1);
        asio::post(executor(), [self = this->shared_from_this()] { self->Close(); });
      }
      return false;
    }
    asio::post(executor(), [self = this->shared_from_this(), frame = std::move(frame)]() mutable {
      self->queue_.push_back(std::move(frame));
      self->WriteNextFrame();
    });
    return true;
  }

  // SseSink: from any thread.
  void Disconnect() override {
    if (!closed_.exchange(true)) {
      asio::post(executor(), [self = this->shared_from_this()] { self->Close(); });
    }
  }

 private:
  friend class ResponseWriter<Session, Stream>;

  auto executor() { return beast::get_lowest_layer(stream_).get_executor(); }
  tcp::socket& socket() { return beast::get_lowest_layer(stream_).socket(); }
  bool closed() const { return closed_.load(); }

  // Beast's per-operation deadline, for the rarer waits (TLS handshake, a
  // request body, a write the socket could not take at once).
  void SetStreamDeadline(absl::Duration d) {
    beast::get_lowest_layer(stream_).expires_after(ToSteady(d));
    stream_deadline_set_ = true;
  }
  void ClearStreamDeadline() {
    if (!stream_deadline_set_) return;
    beast::get_lowest_layer(stream_).expires_never();
    stream_deadline_set_ = false;
  }

  void ReadHeader() {
    ClearStreamDeadline();
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(options_->max_header_bytes));
    parser_->body_limit(options_->max_body_bytes);
    WaitForHead();
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, size_t) {
                              self->OnHeader(ec);
                            });
  }

  // The idle deadline (the request head must be complete by then) moves
  // with every request, but its timer is armed only when none is: when it
  // fires early it is armed again for what is left. A busy kept-alive
  // connection thus costs one timer per idle period, not one per request.
  void WaitForHead() {
    idle_deadline_ = std::chrono::steady_clock::now() + ToSteady(options_->idle_timeout);
    waiting_for_head_ = true;
    if (!idle_timer_armed_) ArmIdleTimer();
  }

  void ArmIdleTimer() {
    idle_timer_armed_ = true;
    idle_timer_.expires_at(idle_deadline_);
    idle_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      self->idle_timer_armed_ = false;
      if (ec || self->closed_.load() || !self->waiting_for_head_) return;
      if (std::chrono::steady_clock::now() >= self->idle_deadline_) return self->Close();
      self->ArmIdleTimer();
    });
  }

  void OnHeader(beast::error_code ec) {
    waiting_for_head_ = false;
    if (ec) return OnReadError(ec);
    const auto& head = parser_->get();
    if (head.count(http::field::transfer_encoding) > 0 &&
        (head.count(http::field::content_length) > 0 ||
         !beast::iequals(head[http::field::transfer_encoding], "chunked"))) {
      // Both framings, or one we do not speak: the classic request
      // smuggling shape. Refuse rather than guess where the body ends.
      stats_->malformed_requests.fetch_add(1);
      return Reject(400, "unsupported Transfer-Encoding");
    }
    // No body (every GET): nothing more to read.
    if (parser_->is_done()) return OnRead({});
    SetStreamDeadline(options_->read_timeout);
    if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      // curl sends this for bodies over 1 KiB and would wait a second.
      static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(kContinue, sizeof(kContinue) - 1),
                        [self = this->shared_from_this()](beast::error_code ec, size_t) {
                          if (ec) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       self->OnRead(ec);
                     });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == asio::error::operation_aborted || ec.category() == asio::error::get_ssl_category() ||
        ec == asio::ssl::error::stream_truncated) {
      return Close();
    }
    // A malformed request: answer and close (what follows on the wire
    // cannot be trusted to start a new request).
    stats_->malformed_requests.fetch_add(1);
    unsigned status = 400;
    std::string message = "malformed request";
    if (ec == http::error::header_limit) {
      status = 431;
      message = "request header too large";
    } else if (ec == http::error::body_limit) {
      status = 413;
      message = "request body too large";
    } else if (ec == http::error::partial_message) {
      message = "truncated request";
    }
    Reject(status, message);
  }

  void Reject(unsigned status, const std::string& message) {
    HttpResponse r;
    r.status = status;
    r.body = absl::StrCat("{\"code\":3,\"status\":\"INVALID_ARGUMENT\",\"message\":\"", message,
                          "\",\"details\":[]}");
    keep_alive_ = false;
    version_ = 11;
    Write(std::move(r));
  }

  void OnRead(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    ClearStreamDeadline();
    auto& req = parser_->get();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    head_ = req.method() == http::verb::head;
    HttpRequest request = RequestFromBeast(req, peer_address_, tls_);
    // An answer given on this thread (from memory, the usual case) is
    // written at once; one from another thread (a gRPC callback) is posted.
    handler_->Handle(std::move(request), [self = this->shared_from_this()](HttpResponse response) {
      asio::dispatch(self->executor(), [self, response = std::move(response)]() mutable {
        self->Write(std::move(response));
      });
    });
  }

  void Write(HttpResponse r) {
    if (r.sse != nullptr) return StartSse(std::move(r));
    writer_.Write(std::move(r), version_, keep_alive_, head_);
  }

  void OnWritten(beast::error_code ec) {
    if (ec) return Close();
    if (!keep_alive_) return LingerClose();
    ReadHeader();
  }

  void StartSse(HttpResponse r) {
    std::string head = absl::StrCat("HTTP/1.1 ", r.status,
                                    " OK\r\nServer: uptime-gateway\r\n"
                                    "Content-Type: text/event-stream; charset=utf-8\r\n"
                                    "Cache-Control: no-cache, no-store\r\n"
                                    "X-Accel-Buffering: no\r\nConnection: close\r\n");
    for (const auto& [name, value] : options_->headers) absl::StrAppend(&head, name, ": ", value, "\r\n");
    for (const auto& [name, value] : r.headers) absl::StrAppend(&head, name, ": ", value, "\r\n");
    head += "\r\n";
    sse_source_ = std::move(r.sse);
    stats_->sse_clients.fetch_add(1);
    // The head goes first through the same queue as events, so ordering
    // needs no special case. It does not count against the client's budget.
    pending_.fetch_add(1);
    queue_.push_back(std::make_shared<const std::string>(std::move(head)));
    WriteNextFrame();
    sse_source_->Attach(std::static_pointer_cast<SseSink>(this->shared_from_this()));
    ScheduleHeartbeat();
    WatchForClose();
  }

  // An SSE client sends nothing; a read completes only when it goes away.
  void WatchForClose() {
    stream_.async_read_some(asio::buffer(discard_),
                            [self = this->shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->Close();
                              self->WatchForClose();
                            });
  }

  void ScheduleHeartbeat() {
    heartbeat_.expires_after(ToSteady(options_->sse_heartbeat));
    heartbeat_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec || self->closed_.load()) return;
      self->pending_.fetch_add(1);
      static const auto kBeat = std::make_shared<const std::string>(kSseHeartbeatText);
      self->queue_.push_back(kBeat);
      self->WriteNextFrame();
      self->ScheduleHeartbeat();
    });
  }

  void WriteNextFrame() {
    if (writing_ || queue_.empty() || closed_.load()) return;
    writing_ = true;
    // Every write refreshes the deadline: a client that stops reading times
    // out here even before its queue fills.
    SetStreamDeadline(options_->write_timeout);
    // Everything queued goes out in one write: a burst of events (an
    // agent's batch of results) costs one syscall, not one per event.
    gather_.clear();
    for (size_t i = 0; i < queue_.size() && i < kMaxGather; ++i) {
      gather_.push_back(asio::buffer(*queue_[i]));
    }
    asio::async_write(stream_, gather_,
                      [self = this->shared_from_this()](beast::error_code ec, size_t) {
                        self->writing_ = false;
                        const size_t n = self->gather_.size();
                        self->queue_.erase(self->queue_.begin(), self->queue_.begin() + n);
                        self->pending_.fetch_sub(static_cast<int64_t>(n));
                        if (ec) return self->Close();
                        self->WriteNextFrame();
                      });
  }

  // Closing a socket with unread input makes the kernel send a reset,
  // which can destroy the response we just wrote before the client reads
  // it (a rejected oversized request is the usual case). So: stop sending,
  // read and discard for a moment, then close.
  void LingerClose() {
    beast::error_code ec;
    socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    SetStreamDeadline(absl::Seconds(2));
    Drain();
  }

  void Drain() {
    beast::get_lowest_layer(stream_).async_read_some(
        asio::buffer(discard_), [self = this->shared_from_this()](beast::error_code ec, size_t) {
          if (ec) return self->Close();
          self->Drain();
        });
  }

  void Close() {
    closed_ = true;
    idle_timer_.cancel();
    heartbeat_.cancel();
    writer_.Cancel();
    if (sse_source_ != nullptr) {
      sse_source_->Detach();
      sse_source_.reset();
      stats_->sse_clients.fetch_sub(1);
    }
    beast::error_code ec;
    socket().shutdown(tcp::socket::shutdown_both, ec);
    socket().close(ec);
  }

  static constexpr const char* kSseHeartbeatText = ": hb\n\n";

  Stream stream_;
  const HttpServerOptions* const options_;
  HttpHandler* const handler_;
  HttpServerStats* const stats_;
  ConnectionSlot slot_;
  const bool tls_;
  MemfdBodyCache* const bodies_;
  std::string peer_address_;  // set once at the start
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = false;
  bool head_ = false;
  unsigned version_ = 11;
  bool stream_deadline_set_ = false;  // Beast's deadline is armed for the next operation
  // The idle deadline (see WaitForHead).
  asio::steady_timer idle_timer_;
  std::chrono::steady_clock::time_point idle_deadline_;
  bool idle_timer_armed_ = false;
  bool waiting_for_head_ = false;
  ResponseWriter<Session, Stream> writer_;
  // Event stream state (io thread only, except the atomics).
  std::shared_ptr<SseSource> sse_source_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  // The frames of the write in flight: the first gather_.size() of queue_.
  static constexpr size_t kMaxGather = 64;
  std::vector<asio::const_buffer> gather_;
  bool writing_ = false;
  std::atomic<bool> closed_{false};
  std::atomic<int64_t> pending_{0};
  asio::steady_timer heartbeat_;
  char discard_[512];
};

}  // namespace

void StartPlainSession(tcp::socket socket, const SessionDeps& deps, MemfdBodyCache* bodies) {
  std::make_shared<Session<beast::tcp_stream>>(deps, false, bodies, std::move(socket))->Begin();
}

void StartTlsSession(tcp::socket socket, const SessionDeps& deps, asio::ssl::context& ssl) {
  std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(deps, true, nullptr,
                                                                  std::move(socket), ssl)
      ->Begin();
}

}  // namespace uptime::gateway
