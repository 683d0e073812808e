// HTTP(S) checks as libcurl transfers, run by the CheckEngine's
// multi-socket loop.
//
// A CurlCheck is one check in flight on a reusable easy handle. Prepare()
// configures the handle from the monitor (fresh connection, no TLS session
// reuse, no proxy from the environment, http/https only, capped body read);
// the engine adds it to its multi handle; Finish() turns the outcome into a
// CheckResult: a failed probe is data (ErrorKind + message), never an error
// of the agent.
//
// TCP checks are not curl's (TcpCheck: a third of the system calls).
//
// Host names: curl's resolver starts a thread per lookup (clone, stack,
// getaddrinfo's files and sockets: about 60 system calls). Instead the
// engine resolves the URL's host (HostNeedingLookup()) on its shared c-ares
// channel and hands curl the addresses (UseAddresses(): CURLOPT_RESOLVE),
// still a fresh lookup per check; that time is the result's dns_us and
// counts against the timeout. Address literals and "localhost" need no
// lookup (curl's own shortcut). A redirect to another host is resolved by
// curl itself.
//
// Thread-safety: not thread-safe; owned and driven by the engine thread.
#ifndef UPTIME_AGENTS_CHECKERS_CURL_CHECK_H_
#define UPTIME_AGENTS_CHECKERS_CURL_CHECK_H_

#include <curl/curl.h>

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "agents/checkers/body_matcher.h"
#include "agents/checkers/check_spec.h"
#include "agents/checkers/dns_channels.h"
#include "uptime/v1/result.pb.h"

struct x509_store_ctx_st;  // OpenSSL's X509_STORE_CTX, kept out of this header

namespace uptime::agent {

// The ErrorKind of a failed transfer (never UNSPECIFIED for a failure).
v1::ErrorKind ClassifyCurlError(CURLcode code);

// True when `status` is in the spec's accepted ranges (default 200..399).
bool StatusAccepted(const HttpCheckSpec& spec, long status);
// The error message of a status StatusAccepted() refused.
std::string StatusNotAcceptedMessage(const HttpCheckSpec& spec, long status);
// "uptime-agent/<version>", the User-Agent of HTTP checks.
const std::string& HttpUserAgent();

// The host of an http(s) URL that needs a name lookup, with the port the
// connection goes to; nullopt for address literals, "localhost" (curl
// answers those itself), names curl must convert first (IDN, percent
// escapes) and URLs curl will reject anyway.
struct UrlHost {
  std::string name;
  int port = 0;
};
std::optional<UrlHost> HostNeedingLookup(absl::string_view url);

class CurlCheck {
 public:
  CurlCheck();
  ~CurlCheck();
  CurlCheck(const CurlCheck&) = delete;
  CurlCheck& operator=(const CurlCheck&) = delete;

  // The check a handle belongs to (set as CURLOPT_PRIVATE by Prepare()).
  static CurlCheck* FromEasy(CURL* easy);

  // Configures the handle to check `spec` (HTTP). An error means the
  // check cannot run (e.g. an unsupported monitor type); the caller reports
  // it as an INTERNAL result.
  absl::Status Prepare(CheckSpecPtr spec, absl::Time planned, absl::Time start, bool scheduled);
  // After Prepare(): the check began at `start` as an HttpCheck, which
  // handed its redirect over at `now`; the result's latency counts from
  // `start`, and that redirect counts against the limit.
  void ContinueRedirect(absl::Time now);

  // The result of the transfer that curl finished with `code`.
  v1::CheckResult Finish(CURLcode code, const std::string& agent_id);

  // Makes the handle ready for the next Prepare(); keeps curl's allocations.
  void Reset();

  // The DNS phase (see the file comment), between Prepare() and adding the
  // handle to the multi handle: holds the lookup, so dropping the check
  // cancels it.
  void set_lookup(DnsLookup lookup) { lookup_ = std::move(lookup); }
  // Ends the DNS phase at `now` with `addresses` of `host`: curl connects to
  // them without a lookup, within what is left of the timeout. `stale` are
  // CURLOPT_RESOLVE entries ("-host:port") to drop from curl's cache first.
  // An error (no address curl can use) fails the check.
  absl::Status UseAddresses(const UrlHost& host, const std::vector<sockaddr_storage>& addresses,
                            const std::vector<std::string>& stale, absl::Time now);
  // The "-host:port" entry that removes what UseAddresses() put into
  // curl's cache; empty if it put nothing.
  std::string StaleEntry() const;
  // A result for a check that ended before its transfer (DNS failure,
  // timeout during the lookup, or the agent's own error).
  v1::CheckResult FailEarly(v1::ErrorKind kind, std::string message, const std::string& agent_id);
  // When the check times out (start + the monitor's timeout).
  absl::Time deadline() const { return start_ + spec_->timeout(); }

  CURL* easy() const { return easy_; }
  const CheckSpecPtr& spec() const { return spec_; }
  absl::Time planned() const { return planned_; }
  // False for one-off checks (RunOnce) that the scheduler does not track.
  bool scheduled() const { return scheduled_; }

 private:
  absl::Status PrepareHttp(const HttpCheckSpec& http);
  void FillTimings(v1::CheckResult* result) const;

  static size_t OnBody(char* data, size_t size, size_t count, void* self);
  static CURLcode OnSslContext(CURL* easy, void* ssl_ctx, void* self);
  static int OnSocketOptions(void* self, curl_socket_t fd, curlsocktype purpose);
  // OpenSSL's verify callback: records the leaf's notAfter, passes the
  // verdict through unchanged (also when verification is off).
  static int OnVerify(int preverify_ok, x509_store_ctx_st* store);

  CURL* easy_;
  curl_slist* headers_ = nullptr;
  curl_slist* resolve_ = nullptr;  // CURLOPT_RESOLVE of UseAddresses()
  DnsLookup lookup_;
  std::string resolved_;  // "host:port" put into curl's cache, for StaleEntry()
  int64_t lookup_us_ = 0;  // our DNS phase, before curl's transfer
  int64_t prior_us_ = 0;   // ContinueRedirect(): the HttpCheck's part
  char error_[CURL_ERROR_SIZE];

  CheckSpecPtr spec_;
  absl::Time planned_;
  absl::Time start_;
  bool scheduled_ = false;
  BodyMatcher body_;
  bool status_checked_ = false;
  // Set when we stopped the body read ourselves (verdict reached or cap):
  // curl then reports CURLE_WRITE_ERROR, which is not a failure.
  bool stopped_reading_ = false;
  // notAfter of the peer's leaf certificate (Unix seconds), 0 if none seen.
  int64_t cert_expiry_unix_ = 0;

};

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_CHECKERS_CURL_CHECK_H_
