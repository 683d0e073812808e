#include "agents/checkers/http_check.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "agents/checkers/curl_check.h"
#include "agents/checkers/socket_address.h"
#include "boost/beast/http/basic_parser.hpp"
#include "boost/beast/http/error.hpp"

namespace uptime::agent {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;

// curl's CURL_MAX_HTTP_HEADER: a header block it still accepts.
constexpr uint32_t kHeaderLimit = 100 * 1024;
// One read; a shorter read means the socket is drained (edge-triggered).
constexpr size_t kReadSize = 16 * 1024;

bool IsTokenChar(char c) {
  return absl::ascii_isalnum(c) || absl::StrContains("!#$%&'*+-.^_`|~", c);
}

bool IsPlainHostName(absl::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (char c : host) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '.' && c != '_') return false;
  }
  // Every IPv4 form curl accepts ("10.1", "0x7f.1") but inet_pton does not:
  // curl would connect to that address, a lookup would fail.
  in_addr v4{};
  if (inet_aton(std::string(host).c_str(), &v4) != 0 &&
      inet_pton(AF_INET, std::string(host).c_str(), &v4) != 1) {
    return false;
  }
  // curl answers these itself (RFC 6761), without the resolver.
  return !absl::EqualsIgnoreCase(host, "localhost") &&
         !absl::EndsWithIgnoreCase(host, ".localhost");
}

// The Location of a redirect, resolved against the URL that answered it.
std::optional<std::string> ResolveLocation(const std::string& base, const std::string& location) {
  CURLU* u = curl_url();
  if (u == nullptr) return std::nullopt;
  std::optional<std::string> out;
  char* full = nullptr;
  if (curl_url_set(u, CURLUPART_URL, base.c_str(), 0) == CURLUE_OK &&
      curl_url_set(u, CURLUPART_URL, location.c_str(), CURLU_URLENCODE) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_URL, &full, 0) == CURLUE_OK) {
    out = full;
  }
  curl_free(full);
  curl_url_cleanup(u);
  return out;
}

beast::error_code Stopped() {
  return beast::error_code(ECANCELED, beast::system_category());
}

}  // namespace

std::optional<PlainHttpUrl> ParsePlainHttpUrl(absl::string_view url) {
  constexpr absl::string_view kScheme = "http://";
  if (!absl::StartsWith(url, kScheme)) return std::nullopt;
  for (char c : url) {
    if (c <= 0x20 || c >= 0x7f || c == '#' || c == '\\') return std::nullopt;
  }
  absl::string_view rest = url.substr(kScheme.size());
  const size_t authority_end = std::min(rest.find_first_of("/?"), rest.size());
  const absl::string_view authority = rest.substr(0, authority_end);
  absl::string_view path = rest.substr(authority_end);
  if (absl::StrContains(authority, '@')) return std::nullopt;

  PlainHttpUrl out;
  absl::string_view port_text;
  if (absl::StartsWith(authority, "[")) {
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) return std::nullopt;
    out.host = std::string(authority.substr(1, close - 1));
    in6_addr v6{};
    if (inet_pton(AF_INET6, out.host.c_str(), &v6) != 1) return std::nullopt;  // zone ids too
    const absl::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port_text = after.substr(1);
      if (port_text.empty()) return std::nullopt;
    }
  } else {
    const size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != absl::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return std::nullopt;
    }
    if (!IsPlainHostName(out.host)) return std::nullopt;
  }
  if (!port_text.empty()) {
    for (char c : port_text) {
      if (!absl::ascii_isdigit(c)) return std::nullopt;
    }
    if (!absl::SimpleAtoi(port_text, &out.port) || out.port < 1 || out.port > 65535) {
      return std::nullopt;
    }
  }
  // curl removes dot segments before sending; such URLs stay curl's.
  const absl::string_view path_only = path.substr(0, path.find('?'));
  if (absl::StrContains(path_only, "/./") || absl::StrContains(path_only, "/../") ||
      absl::EndsWith(path_only, "/.") || absl::EndsWith(path_only, "/..")) {
    return std::nullopt;
  }
  const absl::string_view bracketed_host =
      absl::StartsWith(authority, "[") ? authority.substr(0, authority.find(']') + 1)
                                       : absl::string_view(out.host);
  out.authority = out.port == 80 ? std::string(bracketed_host)
                                 : absl::StrCat(bracketed_host, ":", out.port);
  if (path.empty()) {
    out.target = "/";
  } else if (path.front() == '?') {
    out.target = absl::StrCat("/", path);
  } else {
    out.target = std::string(path);
  }
  return out;
}

bool PlainHttpRequestOk(const HttpCheckSpec& http) {
  const std::string& method = http.method();
  if (method.empty() || !std::all_of(method.begin(), method.end(), IsTokenChar)) return false;
  for (const std::string& line : http.header_lines()) {
    if (line == "Expect:") continue;  // CheckSpec's: no 100-continue wait; never sent here
    if (absl::StrContains(line, '\r') || absl::StrContains(line, '\n')) return false;
    const size_t end = line.find_first_of(":;");
    if (end == std::string::npos || end == 0) return false;
    const absl::string_view name = absl::string_view(line).substr(0, end);
    if (!std::all_of(name.begin(), name.end(), IsTokenChar)) return false;
    // "Name:" alone is curl's "remove this header": only curl knows its own.
    if (line[end] == ':' && absl::StripAsciiWhitespace(line.substr(end + 1)).empty()) return false;
    for (absl::string_view framing :
         {"Content-Length", "Transfer-Encoding", "Connection", "Expect", "TE", "Upgrade"}) {
      if (absl::EqualsIgnoreCase(name, framing)) return false;
    }
  }
  return true;
}

// Beast's HTTP/1.x response parser, feeding the check as it goes: the
// status and Location from the header, body pieces to the BodyMatcher.
class HttpCheck::Parser final : public http::basic_parser<false> {
 public:
  Parser(HttpCheck* check, bool head) : check_(check) {
    header_limit(kHeaderLimit);
    // The check stops reading at BodyMatcher's cap, not the parser.
    body_limit(std::numeric_limits<std::uint64_t>::max());
    eager(true);
    skip(head);
  }

  int status() const { return status_; }
  const std::string& location() const { return location_; }
  // True when the check stopped the parse itself (a verdict was reached).
  bool stopped() const { return stopped_; }

 private:
  void on_request_impl(http::verb, beast::string_view, beast::string_view, int,
                       beast::error_code&) override {}
  void on_response_impl(int code, beast::string_view, int, beast::error_code&) override {
    status_ = code;
  }
  void on_field_impl(http::field name, beast::string_view, beast::string_view value,
                     beast::error_code&) override {
    if (name == http::field::location) location_.assign(value.data(), value.size());
  }
  void on_header_impl(beast::error_code& ec) override {
    if (!check_->OnHeader(*this)) Stop(ec);
  }
  void on_body_init_impl(const boost::optional<std::uint64_t>&, beast::error_code&) override {}
  size_t on_body_impl(beast::string_view body, beast::error_code& ec) override {
    return Feed(body, ec);
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  size_t on_chunk_body_impl(std::uint64_t, beast::string_view body,
                            beast::error_code& ec) override {
    return Feed(body, ec);
  }
  void on_finish_impl(beast::error_code&) override {}

  size_t Feed(beast::string_view body, beast::error_code& ec) {
    if (!check_->body_.Feed(std::string_view(body.data(), body.size()))) Stop(ec);
    return body.size();
  }
  void Stop(beast::error_code& ec) {
    stopped_ = true;
    ec = Stopped();
  }

  HttpCheck* const check_;
  int status_ = 0;
  std::string location_;
  bool stopped_ = false;
};

std::unique_ptr<HttpCheck> HttpCheck::Create(CheckSpecPtr spec, const std::string& agent_id,
                                             absl::Time planned, absl::Time start,
                                             bool scheduled) {
  const HttpCheckSpec* http = spec->http();
  if (http == nullptr || !PlainHttpRequestOk(*http)) return nullptr;
  std::optional<PlainHttpUrl> url = ParsePlainHttpUrl(http->url);
  if (!url) return nullptr;
  return std::make_unique<HttpCheck>(std::move(spec), agent_id, planned, start, scheduled,
                                     *std::move(url));
}

HttpCheck::HttpCheck(CheckSpecPtr spec, const std::string& agent_id, absl::Time planned,
                     absl::Time start, bool scheduled, PlainHttpUrl url)
    : ConnectingCheck(std::move(spec), agent_id, planned, start, scheduled),
      url_(std::move(url)) {}

HttpCheck::~HttpCheck() { CloseSocket(); }

std::string HttpCheck::BuildRequest(const HttpCheckSpec& http, const PlainHttpUrl& url) {
  const std::string& method = http.method();
  bool has_host = false, has_agent = false, has_accept = false, has_type = false;
  std::string headers;
  for (const std::string& line : http.header_lines()) {
    if (line == "Expect:") continue;
    const size_t end = line.find_first_of(":;");
    const absl::string_view name = absl::string_view(line).substr(0, end);
    has_host |= absl::EqualsIgnoreCase(name, "Host");
    has_agent |= absl::EqualsIgnoreCase(name, "User-Agent");
    has_accept |= absl::EqualsIgnoreCase(name, "Accept");
    has_type |= absl::EqualsIgnoreCase(name, "Content-Type");
    if (line[end] == ';') {
      absl::StrAppend(&headers, name, ":\r\n");  // curl's "Name;": an empty value
    } else {
      absl::StrAppend(&headers, line, "\r\n");
    }
  }
  std::string out = absl::StrCat(method, " ", url.target, " HTTP/1.1\r\n");
  if (!has_host) absl::StrAppend(&out, "Host: ", url.authority, "\r\n");
  if (!has_agent) absl::StrAppend(&out, "User-Agent: ", HttpUserAgent(), "\r\n");
  if (!has_accept) out += "Accept: */*\r\n";
  out += headers;
  // As curl: a method other than GET and HEAD, or any body, is sent with
  // its length (also 0) and a form content type unless the monitor sets one.
  const bool with_body = method != "HEAD" && (method != "GET" || !http.body().empty());
  if (with_body) {
    absl::StrAppend(&out, "Content-Length: ", http.body().size(), "\r\n");
    if (!has_type) out += "Content-Type: application/x-www-form-urlencoded\r\n";
  }
  out += "\r\n";
  if (with_body) out += http.body();
  return out;
}

void HttpCheck::CloseSocket() {
  if (fd_ < 0) return;
  io_->Closing(fd_);  // close() takes it out of epoll
  close(fd_);
  fd_ = -1;
}

void HttpCheck::Start(LoopIo& io) {
  io_ = &io;
  const HttpCheckSpec& http = *spec()->http();
  body_ = BodyMatcher(http.keyword, http.keyword_absent(), BodyMatcher::kDefaultCap);
  request_ = BuildRequest(http, url_);
  ResolveHost(io, url_.host);
}

void HttpCheck::ConnectNext() {
  phase_ = Phase::kConnecting;
  while (next_ < addresses_.size()) {
    sockaddr_storage to = addresses_[next_++];
    SetPort(&to, static_cast<uint16_t>(url_.port));
    current_ = absl::StrCat(
        to.ss_family == AF_INET6 ? absl::StrCat("[", AddressText(to), "]") : AddressText(to), ":",
        url_.port);
    connect_start_ = absl::Now();
    fd_ = socket(to.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      Fail(v1::ERROR_KIND_INTERNAL, absl::StrCat("socket: ", strerror(errno)));
      return;
    }
    const int rc = connect(fd_, reinterpret_cast<const sockaddr*>(&to), AddressLength(to));
    if (rc == 0 || errno == EINPROGRESS) {
      // One registration for the whole check: edge-triggered, both ways.
      // Writable once connected; readable whenever more of the answer
      // arrives (each read drains the socket, so no edge is missed).
      io_->Watch(fd_, EPOLLIN | EPOLLOUT | EPOLLET, this);
      if (rc == 0) OnConnected();
      return;
    }
    last_error_ = absl::StrCat("connect to ", current_, ": ", strerror(errno));
    CloseSocket();
  }
  Fail(v1::ERROR_KIND_CONNECT, last_error_);
}

void HttpCheck::ConnectionFailed(const std::string& what, int error) {
  last_error_ = absl::StrCat(what, " ", current_, ": ", strerror(error));
  CloseSocket();
  if (next_ < addresses_.size()) {
    ConnectSoon();
  } else {
    Fail(v1::ERROR_KIND_CONNECT, last_error_);
  }
}

void HttpCheck::OnFd(LoopIo&, int, uint32_t events) {
  if (done() || fd_ < 0) return;
  // Edge-triggered: an edge that comes before the request is out (a server
  // that speaks first or answers early) is remembered, not lost.
  if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) readable_ = true;
  if (phase_ == Phase::kConnecting) {
    if ((events & (EPOLLERR | EPOLLHUP)) != 0 || (events & EPOLLOUT) == 0) {
      int error = 0;
      socklen_t length = sizeof(error);
      if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
      if (error == 0 && (events & EPOLLOUT) == 0) return;  // not yet
      ConnectionFailed("connect to", error != 0 ? error : ECONNREFUSED);
      return;
    }
    OnConnected();
  } else if (phase_ == Phase::kSending && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) != 0) {
    SendMore();
  }
  if (!done() && phase_ == Phase::kReading && readable_) {
    readable_ = false;
    ReadAll();
  }
}

void HttpCheck::OnConnected() {
  result().set_connect_us(absl::ToInt64Microseconds(absl::Now() - connect_start_));
  phase_ = Phase::kSending;
  SendMore();
}

void HttpCheck::SendMore() {
  while (request_sent_ < request_.size()) {
    const ssize_t n = send(fd_, request_.data() + request_sent_, request_.size() - request_sent_,
                           MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return;  // the next EPOLLOUT edge goes on
      Fail(v1::ERROR_KIND_CONNECT, absl::StrCat("send to ", current_, ": ", strerror(errno)));
      CloseSocket();
      return;
    }
    request_sent_ += static_cast<size_t>(n);
  }
  sent_at_ = absl::Now();
  phase_ = Phase::kReading;
  std::string().swap(request_);
  parser_ = std::make_unique<Parser>(this, spec()->http()->method() == "HEAD");
}

void HttpCheck::ReadAll() {
  static thread_local char buffer[kReadSize];
  while (!done()) {
    const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return;
      Fail(v1::ERROR_KIND_CONNECT, absl::StrCat("receive from ", current_, ": ", strerror(errno)));
      CloseSocket();
      return;
    }
    if (n == 0) {
      OnEndOfStream();
      return;
    }
    if (!received_any_) {
      received_any_ = true;
      result().set_first_byte_us(
          absl::ToInt64Microseconds(absl::Now() - connect_start_) - result().connect_us());
    }
    bool more;
    if (pending_.empty()) {
      more = Parse(absl::string_view(buffer, static_cast<size_t>(n)));
    } else {
      std::string joined = std::move(pending_);
      pending_.clear();
      joined.append(buffer, static_cast<size_t>(n));
      more = Parse(joined);
    }
    if (!more || static_cast<size_t>(n) < sizeof(buffer)) return;  // ended, or drained
  }
}

bool HttpCheck::Parse(absl::string_view bytes) {
  while (!bytes.empty()) {
    beast::error_code ec;
    const size_t used = parser_->put(boost::asio::const_buffer(bytes.data(), bytes.size()), ec);
    bytes.remove_prefix(used);
    if (done()) return false;  // decided in OnHeader()
    if (parser_->stopped()) {
      FinishResponse();
      return false;
    }
    if (ec == http::error::need_more) break;
    if (ec) {
      Fail(v1::ERROR_KIND_PROTOCOL, absl::StrCat("invalid HTTP response: ", ec.message()));
      CloseSocket();
      return false;
    }
    if (parser_->is_done()) {
      if (status_ >= 100 && status_ < 200 && status_ != 101) {
        // An interim answer (100 Continue, 103 Early Hints): the real one follows.
        parser_ = std::make_unique<Parser>(this, spec()->http()->method() == "HEAD");
        continue;
      }
      FinishResponse();
      return false;
    }
  }
  pending_.assign(bytes.data(), bytes.size());
  if (pending_.size() > kHeaderLimit) {
    Fail(v1::ERROR_KIND_PROTOCOL, "invalid HTTP response: header fields too large");
    CloseSocket();
    return false;
  }
  return true;
}

bool HttpCheck::OnHeader(const Parser& parser) {
  status_ = parser.status();
  if (status_ >= 100 && status_ < 200 && status_ != 101) return true;
  result().set_http_status(status_);
  const HttpCheckSpec& http = *spec()->http();
  if (status_ >= 300 && status_ < 400 && http.follow_redirects && !parser.location().empty()) {
    CloseSocket();
    std::optional<std::string> next = ResolveLocation(http.url, parser.location());
    if (!next) {
      Fail(v1::ERROR_KIND_PROTOCOL,
           absl::StrCat("redirect to an invalid Location: ", parser.location()));
      return false;
    }
    HandOff(*std::move(next));
    return false;
  }
  if (!StatusAccepted(http, status_)) {
    CloseSocket();
    Fail(v1::ERROR_KIND_STATUS, StatusNotAcceptedMessage(http, status_));
    return false;
  }
  return true;
}

void HttpCheck::OnEndOfStream() {
  if (!received_any_) {
    Fail(v1::ERROR_KIND_PROTOCOL, "Empty reply from server");  // curl's words
    CloseSocket();
    return;
  }
  beast::error_code ec;
  parser_->put_eof(ec);
  if (done()) return;
  if (!ec && parser_->is_done()) {
    FinishResponse();
    return;
  }
  Fail(v1::ERROR_KIND_PROTOCOL,
       parser_->is_header_done()
           ? "the connection closed before the end of the body"
           : "the connection closed before the end of the response header");
  CloseSocket();
}

void HttpCheck::FinishResponse() {
  CloseSocket();
  if (std::optional<std::string> failure = body_.Failure()) {
    Fail(v1::ERROR_KIND_KEYWORD, *std::move(failure));
    return;
  }
  Succeed();
}

}  // namespace uptime::agent
