#include "agents/checkers/curl_check.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <openssl/x509.h>
#include <time.h>

#include <algorithm>
#include <utility>

#include <arpa/inet.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "agents/checkers/socket_address.h"
#include "common/config.h"

namespace uptime::agent {
namespace {

constexpr long kMaxRedirects = 10;

// Our slot in each SSL_CTX's ex_data, pointing back at the CurlCheck.
int SslCtxIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

int64_t Micros(CURL* easy, CURLINFO info) {
  curl_off_t v = 0;
  if (curl_easy_getinfo(easy, info, &v) != CURLE_OK) return 0;
  return static_cast<int64_t>(v);
}

}  // namespace

v1::ErrorKind ClassifyCurlError(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return v1::ERROR_KIND_TIMEOUT;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return v1::ERROR_KIND_DNS;
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
      return v1::ERROR_KIND_CONNECT;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
      return v1::ERROR_KIND_TLS;
    case CURLE_OUT_OF_MEMORY:
    case CURLE_FAILED_INIT:
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_BAD_FUNCTION_ARGUMENT:
      return v1::ERROR_KIND_INTERNAL;
    default:
      // Empty reply, malformed headers, truncated body, too many redirects,
      // HTTP/2 framing errors: the server answered, but not with valid HTTP.
      return v1::ERROR_KIND_PROTOCOL;
  }
}

bool StatusAccepted(const HttpCheckSpec& spec, long status) {
  if (spec.accepted_statuses().empty()) return status >= 200 && status <= 399;
  for (const auto& [min, max] : spec.accepted_statuses()) {
    if (status >= min && status <= max) return true;
  }
  return false;
}

std::string StatusNotAcceptedMessage(const HttpCheckSpec& spec, long status) {
  return absl::StrCat("HTTP status ", status, " is not accepted",
                      spec.accepted_statuses().empty() ? " (200..399)" : "");
}

const std::string& HttpUserAgent() {
  static const std::string ua = absl::StrCat("uptime-agent/", Version());
  return ua;
}

std::optional<UrlHost> HostNeedingLookup(absl::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == absl::string_view::npos) return std::nullopt;
  const absl::string_view scheme = url.substr(0, scheme_end);
  int port = 0;
  if (absl::EqualsIgnoreCase(scheme, "http")) {
    port = 80;
  } else if (absl::EqualsIgnoreCase(scheme, "https")) {
    port = 443;
  } else {
    return std::nullopt;
  }
  absl::string_view authority = url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (const size_t at = authority.rfind('@'); at != absl::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  if (authority.empty() || authority.front() == '[') return std::nullopt;  // IPv6 literal
  absl::string_view host = authority;
  if (const size_t colon = authority.rfind(':'); colon != absl::string_view::npos) {
    host = authority.substr(0, colon);
    if (!absl::SimpleAtoi(authority.substr(colon + 1), &port) || port < 1 || port > 65535) {
      return std::nullopt;
    }
  }
  if (host.empty() || absl::EqualsIgnoreCase(host, "localhost") ||
      absl::EndsWithIgnoreCase(host, ".localhost")) {
    return std::nullopt;
  }
  for (char c : host) {
    // Only plain DNS names; curl converts the others (IDN, %-escapes).
    if (!absl::ascii_isalnum(c) && c != '-' && c != '.' && c != '_') return std::nullopt;
  }
  // Every IPv4 form curl's resolver would accept ("10.1", "0x7f.1").
  in_addr v4{};
  if (inet_aton(std::string(host).c_str(), &v4) != 0) return std::nullopt;
  return UrlHost{std::string(host), port};
}

CurlCheck::CurlCheck() : easy_(curl_easy_init()) { error_[0] = '\0'; }

CurlCheck::~CurlCheck() {
  curl_slist_free_all(headers_);
  curl_slist_free_all(resolve_);
  curl_easy_cleanup(easy_);
}

CurlCheck* CurlCheck::FromEasy(CURL* easy) {
  char* p = nullptr;
  curl_easy_getinfo(easy, CURLINFO_PRIVATE, &p);
  return reinterpret_cast<CurlCheck*>(p);
}

void CurlCheck::Reset() {
  curl_easy_reset(easy_);
  // Also for curl_easy_cleanup() of a handle the pool does not keep:
  // without it curl saves, sets and restores SIGPIPE's disposition there
  // (four system calls; the agent ignores SIGPIPE anyway).
  curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
  curl_slist_free_all(headers_);
  headers_ = nullptr;
  curl_slist_free_all(resolve_);
  resolve_ = nullptr;
  lookup_.Cancel();
  resolved_.clear();
  lookup_us_ = 0;
  prior_us_ = 0;
  spec_.reset();
  body_ = BodyMatcher();
  status_checked_ = false;
  stopped_reading_ = false;
  cert_expiry_unix_ = 0;
  error_[0] = '\0';
}

absl::Status CurlCheck::Prepare(CheckSpecPtr spec, absl::Time planned, absl::Time start,
                                bool scheduled) {
  spec_ = std::move(spec);
  planned_ = planned;
  start_ = start;
  scheduled_ = scheduled;
  if (easy_ == nullptr) return absl::ResourceExhaustedError("curl_easy_init failed");

  CURL* e = easy_;
  curl_easy_setopt(e, CURLOPT_PRIVATE, this);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error_);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(spec_->timeout())));
  // A check measures a fresh visit: new DNS lookup, TCP connection and full
  // TLS handshake every time, as a new user would experience it.
  curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
  curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(e, CURLOPT_DNS_CACHE_TIMEOUT, 0L);
  curl_easy_setopt(e, CURLOPT_SSL_SESSIONID_CACHE, 0L);
  // The agent checks from its own network position; an inherited
  // http_proxy would silently change what is measured.
  curl_easy_setopt(e, CURLOPT_PROXY, "");
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");

  if (const HttpCheckSpec* http = spec_->http()) return PrepareHttp(*http);
  return absl::UnimplementedError(absl::StrCat(
      "this agent cannot run ", std::get<UnsupportedCheckSpec>(spec_->target).type, " checks"));
}

absl::Status CurlCheck::PrepareHttp(const HttpCheckSpec& http) {
  CURL* e = easy_;
  curl_easy_setopt(e, CURLOPT_URL, http.url.c_str());
  curl_easy_setopt(e, CURLOPT_USERAGENT, HttpUserAgent().c_str());
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, http.follow_redirects ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, kMaxRedirects);
  if (http.insecure_skip_tls_verify) {
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, &CurlCheck::OnSslContext);
  curl_easy_setopt(e, CURLOPT_SSL_CTX_DATA, this);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &CurlCheck::OnBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, this);

  const std::string& method = http.method();
  const std::string& body = http.body();
  if (method == "HEAD") {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else if (method != "GET" || !body.empty()) {
    if (method != "POST") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method.c_str());
    // Not copied by curl: the spec (held in spec_) outlives the transfer.
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body.data());
  }
  for (const std::string& line : http.header_lines()) {
    headers_ = curl_slist_append(headers_, line.c_str());
  }
  if (headers_ != nullptr) curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers_);
  // TCP_NODELAY costs a setsockopt per connection and matters only when a
  // small write follows one not yet acknowledged: a TLS handshake and then
  // the request, or headers and then a body. A plain-HTTP request without a
  // body goes out in one write, so Nagle never holds it back; for HTTPS
  // (also after a redirect) OnSocketOptions sets it.
  if (body.empty()) {
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 0L);
    curl_easy_setopt(e, CURLOPT_SOCKOPTFUNCTION, &CurlCheck::OnSocketOptions);
    curl_easy_setopt(e, CURLOPT_SOCKOPTDATA, this);
  }

  body_ = BodyMatcher(http.keyword, http.keyword_absent(), BodyMatcher::kDefaultCap);
  return absl::OkStatus();
}

void CurlCheck::ContinueRedirect(absl::Time now) {
  prior_us_ = absl::ToInt64Microseconds(now - start_);
  curl_easy_setopt(easy_, CURLOPT_MAXREDIRS, kMaxRedirects - 1);
  const absl::Duration left = deadline() - now;
  curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(std::max<int64_t>(1, absl::ToInt64Milliseconds(left))));
}

absl::Status CurlCheck::UseAddresses(const UrlHost& host,
                                     const std::vector<sockaddr_storage>& addresses,
                                     const std::vector<std::string>& stale, absl::Time now) {
  lookup_us_ = absl::ToInt64Microseconds(now - start_) - prior_us_;
  std::string list;
  for (const sockaddr_storage& address : addresses) {
    if (address.ss_family != AF_INET && address.ss_family != AF_INET6) continue;
    if (!list.empty()) list += ',';
    if (address.ss_family == AF_INET6) {
      absl::StrAppend(&list, "[", AddressText(address), "]");
    } else {
      list += AddressText(address);
    }
  }
  if (list.empty()) {
    return absl::NotFoundError(absl::StrCat(host.name, ": no IPv4 or IPv6 address"));
  }
  for (const std::string& entry : stale) resolve_ = curl_slist_append(resolve_, entry.c_str());
  resolved_ = absl::StrCat(host.name, ":", host.port);
  resolve_ = curl_slist_append(resolve_, absl::StrCat(resolved_, ":", list).c_str());
  curl_easy_setopt(easy_, CURLOPT_RESOLVE, resolve_);
  // curl's clock starts now: the lookup took part of the timeout.
  const absl::Duration left = deadline() - now;
  curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(std::max<int64_t>(1, absl::ToInt64Milliseconds(left))));
  return absl::OkStatus();
}

std::string CurlCheck::StaleEntry() const {
  return resolved_.empty() ? std::string() : absl::StrCat("-", resolved_);
}

v1::CheckResult CurlCheck::FailEarly(v1::ErrorKind kind, std::string message,
                                     const std::string& agent_id) {
  v1::CheckResult r = NewResult(*spec_, agent_id, planned_, start_);
  const int64_t elapsed = absl::ToInt64Microseconds(absl::Now() - start_);
  if (kind == v1::ERROR_KIND_DNS || kind == v1::ERROR_KIND_TIMEOUT) r.set_dns_us(elapsed);
  r.set_latency_us(elapsed);
  SetFailure(&r, kind, std::move(message));
  return r;
}

size_t CurlCheck::OnBody(char* data, size_t size, size_t count, void* self_ptr) {
  auto* self = static_cast<CurlCheck*>(self_ptr);
  const size_t n = size * count;
  if (!self->status_checked_) {
    self->status_checked_ = true;
    long status = 0;
    curl_easy_getinfo(self->easy_, CURLINFO_RESPONSE_CODE, &status);
    const HttpCheckSpec& http = *self->spec_->http();
    const bool redirect_to_follow = status >= 300 && status < 400 && http.follow_redirects;
    // A rejected status decides the check: the body no longer matters.
    if (!redirect_to_follow && !StatusAccepted(http, status)) {
      self->stopped_reading_ = true;
      return 0;
    }
  }
  if (!self->body_.Feed(std::string_view(data, n))) {
    self->stopped_reading_ = true;
    return 0;  // curl aborts the transfer with CURLE_WRITE_ERROR
  }
  return n;
}

int CurlCheck::OnSocketOptions(void* self_ptr, curl_socket_t fd, curlsocktype purpose) {
  auto* self = static_cast<CurlCheck*>(self_ptr);
  // The URL this connection is for (the redirect's target after one).
  const char* url = nullptr;
  curl_easy_getinfo(self->easy_, CURLINFO_EFFECTIVE_URL, &url);
  if (purpose == CURLSOCKTYPE_IPCXN &&
      (url == nullptr || !absl::StartsWithIgnoreCase(url, "http://"))) {
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  return CURL_SOCKOPT_OK;
}

CURLcode CurlCheck::OnSslContext(CURL*, void* ssl_ctx, void* self) {
  auto* ctx = static_cast<SSL_CTX*>(ssl_ctx);
  // curl builds one SSL_CTX per connection, so ex_data is per check.
  SSL_CTX_set_ex_data(ctx, SslCtxIndex(), self);
  SSL_CTX_set_verify(ctx, SSL_CTX_get_verify_mode(ctx), &CurlCheck::OnVerify);
  return CURLE_OK;
}

int CurlCheck::OnVerify(int preverify_ok, X509_STORE_CTX* store) {
  if (X509_STORE_CTX_get_error_depth(store) != 0) return preverify_ok;
  auto* ssl = static_cast<SSL*>(
      X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  X509* cert = X509_STORE_CTX_get_current_cert(store);
  if (ssl == nullptr || cert == nullptr) return preverify_ok;
  auto* self = static_cast<CurlCheck*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), SslCtxIndex()));
  struct tm tm = {};
  if (self != nullptr && ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1) {
    self->cert_expiry_unix_ = static_cast<int64_t>(timegm(&tm));
  }
  return preverify_ok;
}

void CurlCheck::FillTimings(v1::CheckResult* r) const {
  // curl's times are cumulative from the start; the API wants phases.
  const int64_t dns = Micros(easy_, CURLINFO_NAMELOOKUP_TIME_T);
  const int64_t connect = Micros(easy_, CURLINFO_CONNECT_TIME_T);
  const int64_t tls = Micros(easy_, CURLINFO_APPCONNECT_TIME_T);
  const int64_t first_byte = Micros(easy_, CURLINFO_STARTTRANSFER_TIME_T);
  const int64_t total = Micros(easy_, CURLINFO_TOTAL_TIME_T);
  const int64_t ready = tls > 0 ? tls : connect;
  // lookup_us_: our DNS phase, before curl's clock started.
  r->set_dns_us(lookup_us_ + dns);
  r->set_connect_us(connect > 0 ? std::max<int64_t>(0, connect - dns) : 0);
  r->set_tls_us(tls > 0 ? std::max<int64_t>(0, tls - connect) : 0);
  r->set_first_byte_us(first_byte > 0 && ready > 0 ? std::max<int64_t>(0, first_byte - ready) : 0);
  r->set_latency_us(total > 0 ? prior_us_ + lookup_us_ + total
                              : absl::ToInt64Microseconds(absl::Now() - start_));
}

v1::CheckResult CurlCheck::Finish(CURLcode code, const std::string& agent_id) {
  v1::CheckResult r = NewResult(*spec_, agent_id, planned_, start_);
  FillTimings(&r);
  r.set_tls_cert_expiry_unix(cert_expiry_unix_);
  if (code == CURLE_WRITE_ERROR && stopped_reading_) code = CURLE_OK;
  if (code != CURLE_OK) {
    std::string detail = error_[0] != '\0' ? error_ : curl_easy_strerror(code);
    long status = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
    r.set_http_status(static_cast<int32_t>(status));
    SetFailure(&r, ClassifyCurlError(code), std::move(detail));
    return r;
  }
  const HttpCheckSpec* http = spec_->http();
  if (http == nullptr) {
    r.set_success(true);  // TCP: connected
    return r;
  }
  long status = 0;
  curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
  r.set_http_status(static_cast<int32_t>(status));
  if (!StatusAccepted(*http, status)) {
    SetFailure(&r, v1::ERROR_KIND_STATUS, StatusNotAcceptedMessage(*http, status));
    return r;
  }
  if (auto failure = body_.Failure()) {
    SetFailure(&r, v1::ERROR_KIND_KEYWORD, std::move(*failure));
    return r;
  }
  r.set_success(true);
  return r;
}

}  // namespace uptime::agent
