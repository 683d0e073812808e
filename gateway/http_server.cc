#include "gateway/http_server.h"

#include <sys/sendfile.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <deque>
#include <optional>

#include "absl/strings/str_cat.h"
#include "boost/asio.hpp"
#include "boost/asio/ssl.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/beast/ssl.hpp"
#include "common/config.h"
#include "gateway/memfd_body_cache.h"
#include "gateway/response_head.h"
#include "spdlog/spdlog.h"

namespace uptime::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// Shared bodies from this size on go out with sendfile(2) on plain HTTP;
// smaller ones cost less written from memory.
constexpr size_t kSendfileMinBytes = 16 * 1024;

std::chrono::steady_clock::duration ToSteady(absl::Duration d) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      absl::ToChronoNanoseconds(d));
}

absl::StatusOr<std::unique_ptr<asio::ssl::context>> MakeTlsContext(const ServerTlsOptions& tls) {
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return absl::InvalidArgumentError(
        tls.cert_file.empty() ? "--tls-cert is required with --tls-key"
                              : "--tls-key is required with --tls-cert");
  }
  for (const auto& [path, flag] : {std::pair{&tls.cert_file, "--tls-cert"},
                                   std::pair{&tls.key_file, "--tls-key"}}) {
    absl::StatusOr<std::string> pem = ReadPemFile(*path, flag);
    if (!pem.ok()) return pem.status();
  }
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  beast::error_code ec;
  ctx->use_certificate_chain_file(tls.cert_file, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls-cert: not a PEM certificate chain: ", ec.message()));
  }
  ctx->use_private_key_file(tls.key_file, asio::ssl::context::pem, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls-key: not a PEM private key matching --tls-cert: ", ec.message()));
  }
  return ctx;
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
  // `bodies`: the io thread's memory files for sendfile; null: none (TLS).
  template <typename... Args>
  Session(const HttpServerOptions* options, HttpHandler* handler, HttpServerStats* stats,
          bool tls, MemfdBodyCache* bodies, Args&&... args)
      : stream_(std::forward<Args>(args)...),
        options_(options),
        handler_(handler),
        stats_(stats),
        slot_(stats),
        tls_(tls),
        bodies_(bodies),
        heartbeat_(beast::get_lowest_layer(stream_).get_executor()),
        send_deadline_(beast::get_lowest_layer(stream_).get_executor()) {}

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
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      ReadHeader();
    } else {
      beast::get_lowest_layer(stream_).expires_after(ToSteady(options_->read_timeout));
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
        asio::post(beast::get_lowest_layer(stream_).get_executor(),
                   [self = this->shared_from_this()] { self->Close(); });
      }
      return false;
    }
    asio::post(beast::get_lowest_layer(stream_).get_executor(),
               [self = this->shared_from_this(), frame = std::move(frame)]() mutable {
                 self->queue_.push_back(std::move(frame));
                 self->WriteNextFrame();
               });
    return true;
  }

  // SseSink: from any thread.
  void Disconnect() override {
    if (!closed_.exchange(true)) {
      asio::post(beast::get_lowest_layer(stream_).get_executor(),
                 [self = this->shared_from_this()] { self->Close(); });
    }
  }

 private:
  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(options_->max_header_bytes));
    parser_->body_limit(options_->max_body_bytes);
    beast::get_lowest_layer(stream_).expires_after(ToSteady(options_->idle_timeout));
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, size_t) {
                              self->OnHeader(ec);
                            });
  }

  void OnHeader(beast::error_code ec) {
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
    beast::get_lowest_layer(stream_).expires_after(ToSteady(options_->read_timeout));
    if (beast::iequals(parser_->get()[http::field::expect], "100-continue") &&
        !parser_->is_done()) {
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
    beast::get_lowest_layer(stream_).expires_never();
    auto& req = parser_->get();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    head_ = req.method() == http::verb::head;
    HttpRequest request;
    request.method = req.method();
    beast::string_view target = req.target();
    const size_t q = target.find('?');
    request.path = std::string(target.substr(0, q));
    if (q != beast::string_view::npos) request.query = std::string(target.substr(q + 1));
    request.authorization = std::string(req[http::field::authorization]);
    request.content_type = std::string(req[http::field::content_type]);
    request.if_none_match = std::string(req[http::field::if_none_match]);
    request.accept_encoding = std::string(req[http::field::accept_encoding]);
    request.last_event_id = std::string(req["Last-Event-ID"]);
    // HTTP/2 and some proxies split cookies over several headers.
    const auto cookies = req.equal_range(http::field::cookie);
    for (auto it = cookies.first; it != cookies.second; ++it) {
      if (!request.cookie.empty()) request.cookie += "; ";
      request.cookie.append(it->value().data(), it->value().size());
    }
    request.csrf_token = std::string(req["X-CSRF-Token"]);
    request.origin = std::string(req[http::field::origin]);
    request.host = std::string(req[http::field::host]);
    request.forwarded_for = std::string(req["X-Forwarded-For"]);
    request.forwarded_proto = std::string(req["X-Forwarded-Proto"]);
    request.peer_address = peer_address_;
    request.tls = tls_;
    request.body = std::move(req.body());
    auto self = this->shared_from_this();
    handler_->Handle(std::move(request), [self](HttpResponse response) {
      asio::post(beast::get_lowest_layer(self->stream_).get_executor(),
                 [self, response = std::move(response)]() mutable {
                   self->Write(std::move(response));
                 });
    });
  }

  void Write(HttpResponse r) {
    if (r.sse != nullptr) return StartSse(std::move(r));
    if (r.shared_body != nullptr) return WriteShared(std::move(r));
    auto res = std::make_shared<http::response<http::string_body>>();
    SetHead(*res, r);
    const size_t body_size = r.body.size();
    res->body() = std::move(r.body);
    res->prepare_payload();
    if (head_) {
      res->body().clear();
      res->content_length(body_size);
    }
    WriteResponse(std::move(res));
  }

  // A shared body goes out from where it is, kept alive until the write
  // completes: no per-request copy, and no Beast serializer (the head is
  // formatted directly). On plain HTTP a large one is sent from a memory
  // file with sendfile(2): not even the kernel copies it.
  void WriteShared(HttpResponse r) {
    std::shared_ptr<const std::string> body = std::move(r.shared_body);
    auto head = std::make_shared<const std::string>(
        ResponseHead(version_, keep_alive_, r, options_->headers, body->size()));
    if (head_) body = nullptr;
    if (bodies_ != nullptr && body != nullptr && body->size() >= kSendfileMinBytes) {
      if (std::shared_ptr<const MemFile> file = bodies_->FileFor(body)) {
        return SendFile(std::move(head), std::move(file), body->size());
      }
    }
    beast::get_lowest_layer(stream_).expires_after(ToSteady(options_->write_timeout));
    std::array<asio::const_buffer, 2> buffers = {
        asio::buffer(*head), body != nullptr ? asio::buffer(*body) : asio::const_buffer()};
    asio::async_write(stream_, buffers,
                      [self = this->shared_from_this(), head, body](beast::error_code ec,
                                                                   size_t) {
                        self->AfterResponse(ec);
                      });
  }

  void AfterResponse(beast::error_code ec) {
    if (ec) return Close();
    if (!keep_alive_) return LingerClose();
    ReadHeader();
  }

  // The head, then `size` bytes of `file`, with non-blocking send(2) and
  // sendfile(2) straight on the socket, waiting for it to be writable in
  // between; within the write deadline.
  void SendFile(std::shared_ptr<const std::string> head, std::shared_ptr<const MemFile> file,
                size_t size) {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      beast::error_code ec;
      beast::get_lowest_layer(stream_).socket().native_non_blocking(true, ec);
      if (ec) return Close();
      sending_ = Sending{std::move(head), std::move(file), 0, 0, size};
      send_deadline_.expires_after(ToSteady(options_->write_timeout));
      send_deadline_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
        if (!ec) self->Close();  // the client stopped reading
      });
      ContinueSendFile();
    } else {
      Close();  // never asked: TLS sessions have no memory files
    }
  }

  void ContinueSendFile() {
    auto& socket = beast::get_lowest_layer(stream_).socket();
    const int fd = socket.native_handle();
    Sending& s = *sending_;
    while (true) {
      ssize_t n;
      if (s.head_sent < s.head->size()) {
        // MSG_MORE: the head leaves with the body's first bytes.
        n = ::send(fd, s.head->data() + s.head_sent, s.head->size() - s.head_sent,
                   MSG_NOSIGNAL | MSG_MORE);
        if (n > 0) {
          s.head_sent += static_cast<size_t>(n);
          continue;
        }
      } else if (s.body_sent < s.size) {
        off_t offset = static_cast<off_t>(s.body_sent);
        n = ::sendfile(fd, s.file->fd(), &offset, s.size - s.body_sent);
        if (n > 0) {
          s.body_sent = static_cast<size_t>(offset);
          continue;
        }
        if (n == 0) return Close();  // the file ended early: cannot happen
      } else {
        sending_.reset();
        send_deadline_.cancel();
        return AfterResponse({});
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return Close();
      socket.async_wait(tcp::socket::wait_write,
                        [self = this->shared_from_this()](beast::error_code ec) {
                          if (ec || self->closed_.load()) return self->Close();
                          self->ContinueSendFile();
                        });
      return;
    }
  }

  template <typename Body>
  void SetHead(http::response<Body>& res, const HttpResponse& r) {
    res.version(version_);
    res.result(r.status);
    res.keep_alive(keep_alive_);
    res.set(http::field::server, "uptime-gateway");
    if (!r.content_type.empty()) res.set(http::field::content_type, r.content_type);
    for (const auto& [name, value] : options_->headers) res.set(name, value);
    for (const auto& [name, value] : r.headers) {
      if (beast::iequals(name, "Set-Cookie")) {
        res.insert(http::field::set_cookie, value);
      } else {
        res.set(name, value);
      }
    }
  }

  template <typename Body>
  void WriteResponse(std::shared_ptr<http::response<Body>> res) {
    beast::get_lowest_layer(stream_).expires_after(ToSteady(options_->write_timeout));
    http::async_write(stream_, *res,
                      [self = this->shared_from_this(), res](beast::error_code ec, size_t) {
                        if (ec) return self->Close();
                        if (!self->keep_alive_ || res->need_eof()) return self->LingerClose();
                        self->ReadHeader();
                      });
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
    beast::get_lowest_layer(stream_).expires_after(ToSteady(options_->write_timeout));
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
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
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
    heartbeat_.cancel();
    send_deadline_.cancel();
    if (sse_source_ != nullptr) {
      sse_source_->Detach();
      sse_source_.reset();
      stats_->sse_clients.fetch_sub(1);
    }
    beast::error_code ec;
    auto& socket = beast::get_lowest_layer(stream_).socket();
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
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
  // A body being sent with sendfile (io thread only).
  struct Sending {
    std::shared_ptr<const std::string> head;
    std::shared_ptr<const MemFile> file;
    size_t head_sent = 0;
    size_t body_sent = 0;
    size_t size = 0;
  };
  std::optional<Sending> sending_;
  asio::steady_timer send_deadline_;
  char discard_[512];
};

}  // namespace

absl::Status ValidateServerTls(const ServerTlsOptions& tls) {
  if (!tls.enabled()) return absl::OkStatus();
  return MakeTlsContext(tls).status();
}

struct HttpServer::Impl {
  struct Worker {
    MemfdBodyCache bodies;  // this thread's sessions only; outlives them
    asio::io_context io{1};
    std::unique_ptr<tcp::acceptor> acceptor;
    std::unique_ptr<asio::steady_timer> retry;  // after an accept error
    std::thread thread;
  };
  std::vector<std::unique_ptr<Worker>> workers;
  std::unique_ptr<asio::ssl::context> ssl;
};

HttpServer::HttpServer(HttpServerOptions options, HttpHandler* handler)
    : options_(std::move(options)), handler_(handler), impl_(std::make_unique<Impl>()) {}

HttpServer::~HttpServer() { Stop(); }

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Create(HttpServerOptions options,
                                                               HttpHandler* handler) {
  absl::StatusOr<HostPort> hp = ParseHostPort("--listen", options.listen, /*allow_port_zero=*/true);
  if (!hp.ok()) return hp.status();
  beast::error_code ec;
  asio::ip::make_address(hp->host == "localhost" ? "127.0.0.1" : hp->host, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("--listen: '", hp->host, "' is not an IP address"));
  }
  if (options.threads < 1 || options.threads > 256) {
    return absl::InvalidArgumentError("--threads: must be 1..256");
  }
  std::unique_ptr<HttpServer> server(new HttpServer(std::move(options), handler));
  if (server->options_.tls.enabled()) {
    absl::StatusOr<std::unique_ptr<asio::ssl::context>> ssl = MakeTlsContext(server->options_.tls);
    if (!ssl.ok()) return ssl.status();
    server->impl_->ssl = *std::move(ssl);
  }
  return server;
}

absl::Status HttpServer::Start() {
  HostPort hp = *ParseHostPort("--listen", options_.listen, true);
  const auto address = asio::ip::make_address(hp.host == "localhost" ? "127.0.0.1" : hp.host);
  int port = hp.port;
  for (int i = 0; i < options_.threads; ++i) {
    auto worker = std::make_unique<Impl::Worker>();
    worker->acceptor = std::make_unique<tcp::acceptor>(worker->io);
    worker->retry = std::make_unique<asio::steady_timer>(worker->io);
    tcp::endpoint endpoint(address, static_cast<uint16_t>(port));
    beast::error_code ec;
    worker->acceptor->open(endpoint.protocol(), ec);
    if (!ec) worker->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) {
      // Every worker accepts on the same port; the kernel balances.
      int one = 1;
      if (setsockopt(worker->acceptor->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one,
                     sizeof(one)) != 0) {
        ec = beast::error_code(errno, boost::system::system_category());
      }
    }
    if (!ec) worker->acceptor->bind(endpoint, ec);
    if (!ec) worker->acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      impl_->workers.clear();  // no thread runs yet
      return absl::UnavailableError(
          absl::StrCat("--listen: cannot listen on ", options_.listen, ": ", ec.message()));
    }
    port = worker->acceptor->local_endpoint().port();
    impl_->workers.push_back(std::move(worker));
  }
  port_ = port;
  for (auto& worker : impl_->workers) {
    Impl::Worker* w = worker.get();
    auto accept = std::make_shared<std::function<void()>>();
    *accept = [this, w, weak = std::weak_ptr<std::function<void()>>(accept)] {
      w->acceptor->async_accept(w->io, [this, w, weak](beast::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted) return;
        if (!ec) {
          if (stats_.connections.load() >= options_.max_connections) {
            stats_.rejected_connections.fetch_add(1);
            beast::error_code ignored;
            socket.close(ignored);
          } else {
            stats_.connections.fetch_add(1);
            beast::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            if (impl_->ssl != nullptr) {
              std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
                  &options_, handler_, &stats_, true, nullptr, std::move(socket), *impl_->ssl)
                  ->Begin();
            } else {
              std::make_shared<Session<beast::tcp_stream>>(&options_, handler_, &stats_, false,
                                                           &w->bodies, std::move(socket))
                  ->Begin();
            }
          }
        }
        auto next = weak.lock();
        if (next == nullptr) return;
        if (ec) {
          // Out of descriptors, typically: retry shortly instead of spinning.
          w->retry->expires_after(std::chrono::milliseconds(100));
          w->retry->async_wait([next](beast::error_code) { (*next)(); });
          return;
        }
        (*next)();
      });
    };
    w->thread = std::thread([w, accept] {
      (*accept)();
      w->io.run();
    });
  }
  return absl::OkStatus();
}

// The io_contexts live on until destruction: answers from gRPC callbacks
// may still be posted to them.
void HttpServer::Stop() {
  for (auto& worker : impl_->workers) worker->io.stop();
  for (auto& worker : impl_->workers) {
    if (worker->thread.joinable()) worker->thread.join();
  }
}

}  // namespace uptime::gateway
