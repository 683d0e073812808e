#include "agents/dns_checker.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ares_dns.h>
#include <sys/epoll.h>

#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace uptime::agent {
namespace {

int QueryType(v1::DnsRecordType type) {
  switch (type) {
    case v1::DNS_RECORD_TYPE_AAAA: return ns_t_aaaa;
    case v1::DNS_RECORD_TYPE_CNAME: return ns_t_cname;
    case v1::DNS_RECORD_TYPE_MX: return ns_t_mx;
    case v1::DNS_RECORD_TYPE_TXT: return ns_t_txt;
    case v1::DNS_RECORD_TYPE_NS: return ns_t_ns;
    default: return ns_t_a;
  }
}

// Host names compare without case and trailing dot.
std::string Canonical(absl::string_view s) {
  return absl::AsciiStrToLower(absl::StripSuffix(absl::StripAsciiWhitespace(s), "."));
}

std::string ExpandName(const unsigned char* at, const unsigned char* reply, int length) {
  char* name = nullptr;
  long used = 0;
  if (ares_expand_name(at, reply, length, &name, &used) != ARES_SUCCESS) return "";
  std::string out(name);
  ares_free_string(name);
  return out;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ParseDnsAnswers(const unsigned char* reply, int length,
                                                          int qtype) {
  if (length < HFIXEDSZ) return absl::DataLossError("DNS reply shorter than its header");
  const unsigned char* end = reply + length;
  const int questions = DNS_HEADER_QDCOUNT(reply);
  const int answers = DNS_HEADER_ANCOUNT(reply);
  const unsigned char* p = reply + HFIXEDSZ;
  auto skip_name = [&]() -> bool {
    char* name = nullptr;
    long used = 0;
    if (ares_expand_name(p, reply, length, &name, &used) != ARES_SUCCESS) return false;
    ares_free_string(name);
    p += used;
    return p <= end;
  };
  for (int i = 0; i < questions; ++i) {
    if (!skip_name() || p + QFIXEDSZ > end) return absl::DataLossError("malformed DNS question");
    p += QFIXEDSZ;
  }
  std::vector<std::string> out;
  for (int i = 0; i < answers; ++i) {
    if (!skip_name() || p + RRFIXEDSZ > end) return absl::DataLossError("malformed DNS answer");
    const int type = DNS_RR_TYPE(p);
    const int rdlength = DNS_RR_LEN(p);
    p += RRFIXEDSZ;
    if (p + rdlength > end) return absl::DataLossError("truncated DNS record");
    // Only the asked type: an A query's answer may start with a CNAME chain.
    if (type == qtype) {
      char text[INET6_ADDRSTRLEN] = {};
      if (type == ns_t_a && rdlength == 4) {
        out.emplace_back(inet_ntop(AF_INET, p, text, sizeof(text)));
      } else if (type == ns_t_aaaa && rdlength == 16) {
        out.emplace_back(inet_ntop(AF_INET6, p, text, sizeof(text)));
      } else if (type == ns_t_cname || type == ns_t_ns) {
        out.push_back(ExpandName(p, reply, length));
      } else if (type == ns_t_mx && rdlength > 2) {
        out.push_back(absl::StrCat((p[0] << 8) | p[1], " ", ExpandName(p + 2, reply, length)));
      } else if (type == ns_t_txt) {
        std::string joined;  // a TXT record is a list of <length><bytes> strings
        for (const unsigned char* q = p; q < p + rdlength;) {
          const int n = *q++;
          if (q + n > p + rdlength) break;
          joined.append(reinterpret_cast<const char*>(q), static_cast<size_t>(n));
          q += n;
        }
        out.push_back(std::move(joined));
      }
    }
    p += rdlength;
  }
  return out;
}

DnsCheck::~DnsCheck() {
  // Runs OnReply with ARES_EDESTRUCTION (ignored: done) and closes the
  // sockets, unwatching them through OnSockState.
  if (channel_ != nullptr) ares_destroy(channel_);
}

void DnsCheck::Start(LoopIo& io) {
  static std::once_flag once;
  std::call_once(once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
  io_ = &io;
  const DnsCheckSpec& dns = *spec()->dns();
  ares_options options{};
  options.sock_state_cb = &DnsCheck::OnSockState;
  options.sock_state_cb_data = this;
  // One try, the whole monitor timeout: a retry would only split it.
  options.timeout = static_cast<int>(absl::ToInt64Milliseconds(spec()->timeout));
  options.tries = 1;
  const int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
  if (int rc = ares_init_options(&channel_, &options, mask); rc != ARES_SUCCESS) {
    channel_ = nullptr;
    Fail(v1::ERROR_KIND_INTERNAL, absl::StrCat("c-ares init: ", ares_strerror(rc)));
    return;
  }
  if (!dns.resolver.empty()) {
    if (int rc = ares_set_servers_ports_csv(channel_, dns.resolver.c_str()); rc != ARES_SUCCESS) {
      Fail(v1::ERROR_KIND_INTERNAL,
           absl::StrCat("bad resolver \"", dns.resolver, "\": ", ares_strerror(rc)));
      return;
    }
  }
  ares_query(channel_, dns.name.c_str(), ns_c_in, QueryType(dns.record_type), &DnsCheck::OnReply,
             this);
  Rearm();
}

void DnsCheck::OnSockState(void* self, ares_socket_t fd, int readable, int writable) {
  auto* check = static_cast<DnsCheck*>(self);
  check->io_->Watch(fd, (readable ? EPOLLIN : 0u) | (writable ? EPOLLOUT : 0u), check);
}

void DnsCheck::OnFd(LoopIo&, int fd, uint32_t events) {
  const bool error = (events & (EPOLLERR | EPOLLHUP)) != 0;
  ares_process_fd(channel_, (events & EPOLLIN) || error ? fd : ARES_SOCKET_BAD,
                  (events & EPOLLOUT) ? fd : ARES_SOCKET_BAD);
  Rearm();
}

void DnsCheck::OnTimer(LoopIo& io, absl::Time now) {
  ares_process_fd(channel_, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // c-ares' own timeouts
  LoopCheck::OnTimer(io, now);
  Rearm();
}

// The next wake: c-ares' next retransmit or timeout, capped by ours.
void DnsCheck::Rearm() {
  if (done()) return;
  timeval tv{};
  if (ares_timeout(channel_, nullptr, &tv) != nullptr) {
    SetTimer(absl::Now() + absl::DurationFromTimeval(tv));
  } else {
    SetTimer(deadline());
  }
}

void DnsCheck::OnReply(void* self, int status, int, unsigned char* reply, int length) {
  auto* check = static_cast<DnsCheck*>(self);
  if (status == ARES_EDESTRUCTION || check->done()) return;
  const DnsCheckSpec& dns = *check->spec()->dns();
  if (status == ARES_ETIMEOUT) {
    check->Fail(v1::ERROR_KIND_TIMEOUT, absl::StrCat("DNS query for ", dns.name, " timed out"));
    return;
  }
  if (status != ARES_SUCCESS) {
    // NXDOMAIN, SERVFAIL, REFUSED, no data of that type, resolver unreachable.
    check->Fail(v1::ERROR_KIND_DNS, absl::StrCat(dns.name, ": ", ares_strerror(status)));
    return;
  }
  const int qtype = QueryType(dns.record_type);
  absl::StatusOr<std::vector<std::string>> answers = ParseDnsAnswers(reply, length, qtype);
  if (!answers.ok()) {
    check->Fail(v1::ERROR_KIND_PROTOCOL, std::string(answers.status().message()));
    return;
  }
  if (answers->empty()) {
    check->Fail(v1::ERROR_KIND_DNS, absl::StrCat(dns.name, ": no records of the asked type"));
    return;
  }
  if (!dns.expected_answer.empty()) {
    const std::string want = Canonical(dns.expected_answer);
    bool found = false;
    for (const std::string& a : *answers) {
      const std::string got = Canonical(a);
      // MX: "10 mail.example.com" also matches "mail.example.com".
      const size_t space = qtype == ns_t_mx ? got.find(' ') : std::string::npos;
      found |= got == want || (space != std::string::npos && got.substr(space + 1) == want);
      // TXT is compared exactly: case can matter there.
      if (qtype == ns_t_txt) found |= a == dns.expected_answer;
    }
    if (!found) {
      std::string got = absl::StrJoin(*answers, ", ");
      check->Fail(v1::ERROR_KIND_DNS_ANSWER,
                  absl::StrCat(dns.name, ": expected \"", dns.expected_answer, "\", got ", got));
      return;
    }
  }
  check->Succeed();
}

}  // namespace uptime::agent
