// HTTP(S) and TCP checks as libcurl transfers, run by the CheckEngine's
// multi-socket loop.
//
// A CurlCheck is one check in flight on a reusable easy handle. Prepare()
// configures the handle from the monitor (fresh connection, no TLS session
// reuse, no proxy from the environment, http/https only, capped body read);
// the engine adds it to its multi handle; Finish() turns the outcome into a
// CheckResult: a failed probe is data (ErrorKind + message), never an error
// of the agent.
//
// TCP checks use CURLOPT_CONNECT_ONLY: curl resolves asynchronously and
// connects on the same loop, so TCP needs no second I/O mechanism.
//
// Thread-safety: not thread-safe; owned and driven by the engine thread.
#ifndef UPTIME_AGENTS_CHECKERS_CURL_CHECK_H_
#define UPTIME_AGENTS_CHECKERS_CURL_CHECK_H_

#include <curl/curl.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "agents/checkers/body_matcher.h"
#include "agents/checkers/check_spec.h"
#include "uptime/v1/result.pb.h"

struct x509_store_ctx_st;  // OpenSSL's X509_STORE_CTX, kept out of this header

namespace uptime::agent {

// The ErrorKind of a failed transfer (never UNSPECIFIED for a failure).
v1::ErrorKind ClassifyCurlError(CURLcode code);

// True when `status` is in the spec's accepted ranges (default 200..399).
bool StatusAccepted(const HttpCheckSpec& spec, long status);

class CurlCheck {
 public:
  CurlCheck();
  ~CurlCheck();
  CurlCheck(const CurlCheck&) = delete;
  CurlCheck& operator=(const CurlCheck&) = delete;

  // The check a handle belongs to (set as CURLOPT_PRIVATE by Prepare()).
  static CurlCheck* FromEasy(CURL* easy);

  // Configures the handle to check `spec` (HTTP or TCP). An error means the
  // check cannot run (e.g. an unsupported monitor type); the caller reports
  // it as an INTERNAL result.
  absl::Status Prepare(CheckSpecPtr spec, absl::Time planned, absl::Time start, bool scheduled);

  // The result of the transfer that curl finished with `code`.
  v1::CheckResult Finish(CURLcode code, const std::string& agent_id);

  // Makes the handle ready for the next Prepare(); keeps curl's allocations.
  void Reset();

  CURL* easy() const { return easy_; }
  const CheckSpecPtr& spec() const { return spec_; }
  absl::Time planned() const { return planned_; }
  // False for one-off checks (RunOnce) that the scheduler does not track.
  bool scheduled() const { return scheduled_; }

 private:
  absl::Status PrepareHttp(const HttpCheckSpec& http);
  absl::Status PrepareTcp(const TcpCheckSpec& tcp);
  void FillTimings(v1::CheckResult* result) const;

  static size_t OnBody(char* data, size_t size, size_t count, void* self);
  static CURLcode OnSslContext(CURL* easy, void* ssl_ctx, void* self);
  // OpenSSL's verify callback: records the leaf's notAfter, passes the
  // verdict through unchanged (also when verification is off).
  static int OnVerify(int preverify_ok, x509_store_ctx_st* store);

  CURL* easy_;
  curl_slist* headers_ = nullptr;
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
