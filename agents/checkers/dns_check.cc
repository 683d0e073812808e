#include "agents/checkers/dns_check.h"

#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ares_dns.h>

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

void DnsCheck::Start(LoopIo& io) {
  io_ = &io;
  Send();
}

void DnsCheck::Send() {
  const DnsCheckSpec& dns = *spec()->dns();
  absl::StatusOr<DnsLookup> lookup =
      io_->dns().Query(dns.resolver, dns.name, QueryType(dns.record_type),
                       [this](int status, const unsigned char* reply, int length) {
                         OnReply(status, reply, length);
                         io_->Touch(this);
                       });
  if (!lookup.ok()) {
    Fail(v1::ERROR_KIND_INTERNAL, std::string(lookup.status().message()));
    return;
  }
  lookup_ = std::move(*lookup);
}

void DnsCheck::OnTimer(LoopIo&, absl::Time now) {
  if (now < deadline()) return;
  Fail(v1::ERROR_KIND_TIMEOUT, absl::StrCat("DNS query for ", spec()->dns()->name,
                                            " timed out (no answer within ",
                                            absl::FormatDuration(spec()->timeout()), ")"));
}

void DnsCheck::OnReply(int status, const unsigned char* reply, int length) {
  if (done()) return;
  const DnsCheckSpec& dns = *spec()->dns();
  if (status == ARES_ETIMEOUT) {
    // c-ares' tries are spent, not the monitor's timeout: ask again. Not
    // when nearly out of time: the deadline's timeout says it better.
    if (absl::Now() + absl::Milliseconds(50) < deadline()) {
      Send();
    } else {
      OnTimer(*io_, deadline());
    }
    return;
  }
  if (status != ARES_SUCCESS) {
    // NXDOMAIN, SERVFAIL, REFUSED, no data of that type, resolver unreachable.
    Fail(v1::ERROR_KIND_DNS, absl::StrCat(dns.name, ": ", ares_strerror(status)));
    return;
  }
  const int qtype = QueryType(dns.record_type);
  absl::StatusOr<std::vector<std::string>> answers = ParseDnsAnswers(reply, length, qtype);
  if (!answers.ok()) {
    Fail(v1::ERROR_KIND_PROTOCOL, std::string(answers.status().message()));
    return;
  }
  if (answers->empty()) {
    Fail(v1::ERROR_KIND_DNS, absl::StrCat(dns.name, ": no records of the asked type"));
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
      Fail(v1::ERROR_KIND_DNS_ANSWER,
           absl::StrCat(dns.name, ": expected \"", dns.expected_answer, "\", got ", got));
      return;
    }
  }
  Succeed();
}

}  // namespace uptime::agent
