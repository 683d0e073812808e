// A tiny real SMTP server standing in for a mail relay: it speaks enough
// ESMTP for libcurl (EHLO/HELO, AUTH PLAIN and LOGIN, MAIL FROM, RCPT TO,
// DATA, RSET, NOOP, QUIT), records every accepted message, and can be told
// to refuse, so tests check what an email alert looked like and how the
// notifier classifies failures. No STARTTLS: clients must use plain SMTP
// (libcurl's CURLUSESSL_TRY or NONE), which is fine on loopback.
//
// Example:
//   auto sink = SmtpSink::Start({.username = "u", .password = "p"});
//   ASSERT_TRUE(sink.ok()) << sink.status();
//   ... configure the email notifier with (*sink)->url() ...
//   ASSERT_EQ((*sink)->count(), 1u);
//   EXPECT_EQ((*sink)->messages()[0].rcpt_to[0], "oncall@example.com");
//   (*sink)->ScriptReply(SmtpStage::kRcpt, 550, "5.1.1 no such user");
//
// Thread-safety: every method may be called from any thread. One thread
// accepts; each connection is served by its own thread (tests open few).

#ifndef UPTIME_TESTS_SUPPORT_SMTP_SINK_H_
#define UPTIME_TESTS_SUPPORT_SMTP_SINK_H_

#include <atomic>
#include <cstddef>
#include <deque>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace uptime::testing {

// One message as the sink accepted it.
struct SmtpMessage {
  std::string helo;                  // the EHLO/HELO argument
  std::string mail_from;             // the address inside <>
  std::vector<std::string> rcpt_to;  // addresses inside <>, in order
  // Headers and body with CRLF line ends, dot-stuffing undone, without the
  // terminating ".".
  std::string data;
  std::string auth_mechanism;  // "PLAIN", "LOGIN" or "" without AUTH
  std::string auth_username, auth_password;
  absl::Time received;
};

// Where a scripted reply replaces the normal answer.
enum class SmtpStage { kMailFrom, kRcpt, kData /* after the final "." */ };

struct SmtpSinkOptions {
  // When set, AUTH is required before MAIL FROM and only these credentials
  // are accepted (535 otherwise). When empty, any AUTH succeeds.
  std::string username;
  std::string password;
};

class SmtpSink {
 public:
  static absl::StatusOr<std::unique_ptr<SmtpSink>> Start(const SmtpSinkOptions& options = {});

  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;
  // Closes the listener and every connection, and joins the threads.
  ~SmtpSink();

  int port() const { return port_; }
  // "smtp://127.0.0.1:PORT"
  std::string url() const;

  // Accepted messages since start or the last Clear(), oldest first.
  std::vector<SmtpMessage> messages() const;
  size_t count() const;
  // Number of commands answered with an error (4xx/5xx), e.g. refused AUTH.
  size_t rejections() const;

  // Queues `code text` as the answer the next time `stage` is reached
  // (once). Replies for different stages are matched in queue order.
  void ScriptReply(SmtpStage stage, int code, std::string text);
  void Clear();

 private:
  struct Reply {
    SmtpStage stage;
    int code;
    std::string text;
  };
  explicit SmtpSink(SmtpSinkOptions options) : options_(std::move(options)) {}
  void AcceptLoop();
  void Serve(int fd);
  // The scripted reply for `stage`, if the next queued one is for it.
  bool TakeScripted(SmtpStage stage, Reply* reply);
  void Record(SmtpMessage message);
  void CountRejection();

  const SmtpSinkOptions options_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;

  mutable absl::Mutex mu_;
  std::vector<SmtpMessage> messages_ ABSL_GUARDED_BY(mu_);
  std::deque<Reply> script_ ABSL_GUARDED_BY(mu_);
  size_t rejections_ ABSL_GUARDED_BY(mu_) = 0;
  std::set<int> open_fds_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> sessions_ ABSL_GUARDED_BY(mu_);
};

}  // namespace uptime::testing

#endif  // UPTIME_TESTS_SUPPORT_SMTP_SINK_H_
