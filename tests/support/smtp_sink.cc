#include "tests/support/smtp_sink.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

namespace uptime::testing {
namespace {

constexpr size_t kMaxLine = 64 * 1024;
constexpr size_t kMaxMessage = 16 * 1024 * 1024;

// Buffered CRLF line reading and writing on a blocking socket.
class Conn {
 public:
  explicit Conn(int fd) : fd_(fd) {}

  // The next line without its CRLF (a bare LF is accepted too), or nullopt
  // when the peer closed, the socket failed or a line is absurdly long.
  std::optional<std::string> ReadLine() {
    for (;;) {
      const size_t eol = buffer_.find('\n');
      if (eol != std::string::npos) {
        std::string line = buffer_.substr(0, eol);
        buffer_.erase(0, eol + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
      }
      if (buffer_.size() > kMaxLine) return std::nullopt;
      char chunk[4096];
      const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  bool Write(absl::string_view text) {
    while (!text.empty()) {
      const ssize_t n = send(fd_, text.data(), text.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      text.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  bool Reply(int code, absl::string_view text) {
    return Write(absl::StrCat(code, " ", text, "\r\n"));
  }

 private:
  int fd_;
  std::string buffer_;
};

// "MAIL FROM:<a@b> SIZE=10" -> "a@b".
std::string AngleAddress(absl::string_view arg) {
  const size_t open = arg.find('<');
  const size_t close = arg.find('>', open == absl::string_view::npos ? 0 : open);
  if (open == absl::string_view::npos || close == absl::string_view::npos) {
    return std::string(absl::StripAsciiWhitespace(arg));
  }
  return std::string(arg.substr(open + 1, close - open - 1));
}

std::string Base64Decode(absl::string_view s) {
  std::string out;
  absl::Base64Unescape(absl::StripAsciiWhitespace(s), &out);
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SmtpSink>> SmtpSink::Start(const SmtpSinkOptions& options) {
  std::unique_ptr<SmtpSink> sink(new SmtpSink(options));
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(fd, 16) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const int err = errno;
    close(fd);
    return absl::InternalError(absl::StrCat("smtp sink listen: ", std::strerror(err)));
  }
  sink->listen_fd_ = fd;
  sink->port_ = ntohs(addr.sin_port);
  SmtpSink* self = sink.get();
  sink->acceptor_ = std::thread([self] { self->AcceptLoop(); });
  return sink;
}

SmtpSink::~SmtpSink() {
  stopping_ = true;
  // shutdown() wakes a thread blocked in accept() or recv() on Linux.
  shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  close(listen_fd_);
  std::vector<std::thread> sessions;
  {
    absl::MutexLock lock(&mu_);
    for (int fd : open_fds_) shutdown(fd, SHUT_RDWR);
    sessions.swap(sessions_);
  }
  for (std::thread& t : sessions) t.join();
}

std::string SmtpSink::url() const { return absl::StrCat("smtp://127.0.0.1:", port_); }

std::vector<SmtpMessage> SmtpSink::messages() const {
  absl::MutexLock lock(&mu_);
  return messages_;
}

size_t SmtpSink::count() const {
  absl::MutexLock lock(&mu_);
  return messages_.size();
}

size_t SmtpSink::rejections() const {
  absl::MutexLock lock(&mu_);
  return rejections_;
}

void SmtpSink::ScriptReply(SmtpStage stage, int code, std::string text) {
  absl::MutexLock lock(&mu_);
  script_.push_back({stage, code, std::move(text)});
}

void SmtpSink::Clear() {
  absl::MutexLock lock(&mu_);
  messages_.clear();
}

bool SmtpSink::TakeScripted(SmtpStage stage, Reply* reply) {
  absl::MutexLock lock(&mu_);
  if (script_.empty() || script_.front().stage != stage) return false;
  *reply = std::move(script_.front());
  script_.pop_front();
  ++rejections_;
  return true;
}

void SmtpSink::Record(SmtpMessage message) {
  absl::MutexLock lock(&mu_);
  messages_.push_back(std::move(message));
}

void SmtpSink::CountRejection() {
  absl::MutexLock lock(&mu_);
  ++rejections_;
}

void SmtpSink::AcceptLoop() {
  while (!stopping_) {
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      return;  // shut down
    }
    // A stuck client must not hang the test forever.
    timeval timeout{30, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    absl::MutexLock lock(&mu_);
    if (stopping_) {
      close(fd);
      return;
    }
    open_fds_.insert(fd);
    sessions_.emplace_back([this, fd] { Serve(fd); });
  }
}

void SmtpSink::Serve(int fd) {
  Conn conn(fd);
  SmtpMessage txn;  // the transaction in progress
  std::string helo, mechanism, user, password;
  bool authenticated = false;
  bool in_mail = false;
  const bool require_auth = !options_.username.empty();
  auto reject = [&](int code, absl::string_view text) {
    CountRejection();
    return conn.Reply(code, text);
  };
  auto scripted = [&](SmtpStage stage) -> std::optional<bool> {
    Reply reply;
    if (!TakeScripted(stage, &reply)) return std::nullopt;
    return conn.Reply(reply.code, reply.text);
  };

  bool ok = conn.Reply(220, "localhost ESMTP uptime-test-sink");
  while (ok) {
    std::optional<std::string> line = conn.ReadLine();
    if (!line.has_value()) break;
    const std::pair<absl::string_view, absl::string_view> parts =
        absl::StrSplit(*line, absl::MaxSplits(' ', 1));
    const std::string verb = absl::AsciiStrToUpper(parts.first);
    const absl::string_view arg = parts.second;

    if (verb == "EHLO") {
      helo = std::string(arg);
      ok = conn.Write(
          "250-localhost\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250-SIZE 16777216\r\n"
          "250 HELP\r\n");
    } else if (verb == "HELO") {
      helo = std::string(arg);
      ok = conn.Reply(250, "localhost");
    } else if (verb == "AUTH") {
      const std::pair<absl::string_view, absl::string_view> a =
          absl::StrSplit(arg, absl::MaxSplits(' ', 1));
      mechanism = absl::AsciiStrToUpper(a.first);
      std::optional<std::string> initial;
      if (!a.second.empty()) initial = std::string(a.second);
      if (mechanism == "PLAIN") {
        if (!initial.has_value()) {
          if (!conn.Write("334 \r\n") || !(initial = conn.ReadLine())) break;
        }
        // authzid NUL authcid NUL password
        const std::vector<std::string> fields = absl::StrSplit(Base64Decode(*initial), '\0');
        user = fields.size() == 3 ? fields[1] : "";
        password = fields.size() == 3 ? fields[2] : "";
      } else if (mechanism == "LOGIN") {
        if (!initial.has_value()) {
          if (!conn.Write("334 VXNlcm5hbWU6\r\n") || !(initial = conn.ReadLine())) break;
        }
        user = Base64Decode(*initial);
        std::optional<std::string> pass;
        if (!conn.Write("334 UGFzc3dvcmQ6\r\n") || !(pass = conn.ReadLine())) break;
        password = Base64Decode(*pass);
      } else {
        ok = reject(504, "5.5.4 Unrecognized authentication type");
        continue;
      }
      if (require_auth && (user != options_.username || password != options_.password)) {
        ok = reject(535, "5.7.8 Authentication credentials invalid");
        continue;
      }
      authenticated = true;
      ok = conn.Reply(235, "2.7.0 Authentication successful");
    } else if (verb == "MAIL") {
      if (require_auth && !authenticated) {
        ok = reject(530, "5.7.0 Authentication required");
        continue;
      }
      if (auto r = scripted(SmtpStage::kMailFrom)) {
        ok = *r;
        continue;
      }
      txn = SmtpMessage();
      txn.mail_from = AngleAddress(arg);
      in_mail = true;
      ok = conn.Reply(250, "2.1.0 OK");
    } else if (verb == "RCPT") {
      if (!in_mail) {
        ok = reject(503, "5.5.1 MAIL first");
        continue;
      }
      if (auto r = scripted(SmtpStage::kRcpt)) {
        ok = *r;
        continue;
      }
      txn.rcpt_to.push_back(AngleAddress(arg));
      ok = conn.Reply(250, "2.1.5 OK");
    } else if (verb == "DATA") {
      if (!in_mail || txn.rcpt_to.empty()) {
        ok = reject(503, "5.5.1 RCPT first");
        continue;
      }
      if (!conn.Reply(354, "End data with <CR><LF>.<CR><LF>")) break;
      bool complete = false;
      while (std::optional<std::string> data_line = conn.ReadLine()) {
        if (*data_line == ".") {
          complete = true;
          break;
        }
        absl::string_view l = *data_line;
        absl::ConsumePrefix(&l, ".");  // undo dot-stuffing
        absl::StrAppend(&txn.data, l, "\r\n");
        if (txn.data.size() > kMaxMessage) break;
      }
      if (!complete) break;
      in_mail = false;
      if (auto r = scripted(SmtpStage::kData)) {
        ok = *r;
        continue;
      }
      txn.helo = helo;
      txn.auth_mechanism = authenticated ? mechanism : "";
      txn.auth_username = authenticated ? user : "";
      txn.auth_password = authenticated ? password : "";
      txn.received = absl::Now();
      Record(std::move(txn));
      txn = SmtpMessage();
      ok = conn.Reply(250, "2.0.0 OK queued");
    } else if (verb == "RSET") {
      txn = SmtpMessage();
      in_mail = false;
      ok = conn.Reply(250, "2.0.0 OK");
    } else if (verb == "NOOP") {
      ok = conn.Reply(250, "2.0.0 OK");
    } else if (verb == "QUIT") {
      conn.Reply(221, "2.0.0 Bye");
      break;
    } else {
      ok = reject(502, "5.5.2 Command not implemented");
    }
  }
  absl::MutexLock lock(&mu_);
  open_fds_.erase(fd);
  close(fd);
}

}  // namespace uptime::testing
