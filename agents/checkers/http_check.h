// HttpCheck: a plain-HTTP (http://) check on the CheckEngine's loop, with
// its own non-blocking socket and Boost.Beast's HTTP/1.1 response parser,
// instead of a curl transfer.
//
// Why not curl for these: a curl transfer costs about 17 system calls per
// check on a fresh connection (non-blocking mode by two fcntl, the local and
// peer address read five times, a poll() and an SO_ERROR read after epoll
// said writable, two epoll registrations, signal masks when a handle is
// freed) and curl's per-transfer setup; on a VM where every system call
// pays the hypervisor that is most of the agent's CPU. Here a check is
// socket, connect, one edge-triggered epoll registration for both
// directions, send, recv, close: 6 system calls.
//
// What it takes: an http:// URL in the form curl would send unchanged (see
// PlainHttpUrl()), any method and body, headers other than the framing ones
// (Content-Length, Transfer-Encoding, Connection, an explicit Expect). The
// rest (https://, user:password@, unusual URLs) stays curl's, as does a
// redirect to follow: the check hands it over (LoopCheck::handoff_url()) and
// curl goes on from the Location within what is left of the timeout.
//
// The request is what curl sends (request line, Host, User-Agent,
// Accept: */*, the monitor's headers, Content-Length and Content-Type with a
// body); the verdict is the same as CurlCheck's: status in the accepted
// ranges, keywords over the first MiB of the body (BodyMatcher), the whole
// response read unless the verdict is reached first. A response that is not
// HTTP/1.x, a header block over 100 KiB (curl's limit) or a body cut short
// is ERROR_KIND_PROTOCOL; a refused or reset connection ERROR_KIND_CONNECT.
//
// Thread-safety: loop thread only, like every LoopCheck.
#ifndef UPTIME_AGENTS_CHECKERS_HTTP_CHECK_H_
#define UPTIME_AGENTS_CHECKERS_HTTP_CHECK_H_

#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "agents/checkers/body_matcher.h"
#include "agents/checkers/host_check.h"

namespace uptime::agent {

// The parts of an http:// URL HttpCheck can request as they are.
struct PlainHttpUrl {
  std::string host;       // a name or an address literal, IPv6 without brackets
  std::string authority;  // the Host header: host[:port] as in the URL
  int port = 80;
  std::string target;     // the request target: path and query, "/" at least
};

// The URL's parts, or nullopt when curl must take the check: another
// scheme, user info, a fragment, percent-escapes, dot segments, characters
// outside printable ASCII, a host that is neither a plain DNS name nor an
// address literal, a bad port.
std::optional<PlainHttpUrl> ParsePlainHttpUrl(absl::string_view url);

// True when HttpCheck can send the monitor's headers and method as they
// are (no framing headers of its own, an HTTP token as the method).
bool PlainHttpRequestOk(const HttpCheckSpec& http);

class HttpCheck final : public ConnectingCheck {
 public:
  // nullptr when the monitor's check is curl's (see the file comment).
  static std::unique_ptr<HttpCheck> Create(CheckSpecPtr spec, const std::string& agent_id,
                                           absl::Time planned, absl::Time start, bool scheduled);
  HttpCheck(CheckSpecPtr spec, const std::string& agent_id, absl::Time planned, absl::Time start,
            bool scheduled, PlainHttpUrl url);
  ~HttpCheck() override;

  void Start(LoopIo& io) override;
  void OnFd(LoopIo& io, int fd, uint32_t events) override;

  // The bytes of the request (for tests).
  static std::string BuildRequest(const HttpCheckSpec& http, const PlainHttpUrl& url);

 private:
  class Parser;
  enum class Phase { kResolving, kConnecting, kSending, kReading };

  void ConnectNext() override;
  void OnConnected();
  void SendMore();
  void ReadAll();
  // Feeds received bytes to the parser; false once the check ended.
  bool Parse(absl::string_view bytes);
  // The response header arrived: false once it decided the check (status
  // not accepted, a redirect handed over).
  bool OnHeader(const Parser& parser);
  void OnEndOfStream();
  void FinishResponse();
  void CloseSocket();
  // A connection failure: the next address, or the check fails.
  void ConnectionFailed(const std::string& what, int error);

  LoopIo* io_ = nullptr;
  const PlainHttpUrl url_;
  Phase phase_ = Phase::kResolving;
  int fd_ = -1;
  std::string current_;  // the address being connected to, for messages
  std::string last_error_;
  absl::Time connect_start_;
  absl::Time sent_at_;
  bool first_byte_seen_ = false;
  std::string request_;
  size_t request_sent_ = 0;
  // Bytes received but not consumed by the parser yet (a header split
  // between reads); empty on the common path, parsed where they were read.
  std::string pending_;
  std::unique_ptr<Parser> parser_;
  BodyMatcher body_;
  int status_ = 0;
  bool received_any_ = false;
  bool readable_ = false;  // an EPOLLIN edge not yet read (see OnFd())
};

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_CHECKERS_HTTP_CHECK_H_
