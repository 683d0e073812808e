#include "tests/support/dns_responder.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace uptime::agent {
namespace {

void Put16(std::string& out, int v) {
  out.push_back(static_cast<char>((v >> 8) & 0xff));
  out.push_back(static_cast<char>(v & 0xff));
}

std::string EncodeName(const std::string& name) {
  std::string out;
  for (absl::string_view label : absl::StrSplit(name, '.', absl::SkipEmpty())) {
    out.push_back(static_cast<char>(label.size()));
    out.append(label.data(), label.size());
  }
  out.push_back('\0');
  return out;
}

std::string RData(int type, const std::string& text) {
  std::string out;
  if (type == 1) {
    in_addr a{};
    inet_pton(AF_INET, text.c_str(), &a);
    out.assign(reinterpret_cast<const char*>(&a), 4);
  } else if (type == 28) {
    in6_addr a{};
    inet_pton(AF_INET6, text.c_str(), &a);
    out.assign(reinterpret_cast<const char*>(&a), 16);
  } else if (type == 16) {
    out.push_back(static_cast<char>(text.size()));
    out += text;
  } else if (type == 15) {
    std::pair<std::string, std::string> parts = absl::StrSplit(text, ' ');
    int pref = 0;
    (void)absl::SimpleAtoi(parts.first, &pref);
    Put16(out, pref);
    out += EncodeName(parts.second);
  } else {  // CNAME, NS
    out = EncodeName(text);
  }
  return out;
}

}  // namespace

std::unique_ptr<DnsResponder> DnsResponder::Start(Table table) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) close(fd);
    return nullptr;
  }
  std::unique_ptr<DnsResponder> r(new DnsResponder(fd, ntohs(addr.sin_port), std::move(table)));
  r->thread_ = std::thread([p = r.get()] { p->Serve(); });
  return r;
}

DnsResponder::~DnsResponder() {
  stop_ = true;
  thread_.join();
  close(fd_);
}

void DnsResponder::Serve() {
  unsigned char buf[512];
  struct Delayed {
    std::chrono::steady_clock::time_point at;
    std::string packet;
    sockaddr_in to;
  };
  std::vector<Delayed> delayed;
  while (!stop_) {
    const auto now = std::chrono::steady_clock::now();
    for (auto it = delayed.begin(); it != delayed.end();) {
      if (it->at > now) {
        ++it;
        continue;
      }
      sendto(fd_, it->packet.data(), it->packet.size(), 0,
             reinterpret_cast<const sockaddr*>(&it->to), sizeof(it->to));
      it = delayed.erase(it);
    }
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, delayed.empty() ? 50 : 5) <= 0) continue;
    sockaddr_in from{};
    socklen_t from_len = sizeof(from);
    const ssize_t n = recvfrom(fd_, buf, sizeof(buf), 0, reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n < 17) continue;
    ++queries_;
    {
      std::lock_guard<std::mutex> lock(mu_);
      client_ports_.insert(ntohs(from.sin_port));
    }
    // The question: labels from offset 12, then type and class.
    std::string name;
    size_t i = 12;
    while (i < static_cast<size_t>(n) && buf[i] != 0) {
      if (!name.empty()) name.push_back('.');
      name.append(reinterpret_cast<const char*>(buf + i + 1), buf[i]);
      i += buf[i] + 1u;
    }
    if (i + 5 > static_cast<size_t>(n)) continue;
    const int type = buf[i + 1] << 8 | buf[i + 2];
    const size_t question_end = i + 5;
    if (absl::StartsWith(name, "silent.")) continue;
    auto it = table_.find({name, type});
    int rcode = 0;
    if (absl::StartsWith(name, "servfail.")) {
      rcode = 2;
    } else if (it == table_.end()) {
      // NXDOMAIN unless the name exists with another type (then NODATA).
      rcode = 3;
      for (const auto& [key, values] : table_) rcode = key.first == name ? 0 : rcode;
    }
    std::string out(reinterpret_cast<const char*>(buf), 2);  // the query id
    Put16(out, 0x8400 | 0x0100 | 0x0080 | rcode);             // QR AA RD RA
    Put16(out, 1);
    const size_t answers = rcode == 0 && it != table_.end() ? it->second.size() : 0;
    Put16(out, static_cast<int>(answers));
    Put16(out, 0);
    Put16(out, 0);
    out.append(reinterpret_cast<const char*>(buf + 12), question_end - 12);
    for (size_t a = 0; a < answers; ++a) {
      Put16(out, 0xc00c);  // the question's name, compressed
      Put16(out, type);
      Put16(out, 1);
      Put16(out, 0);
      Put16(out, 60);
      const std::string rdata = RData(type, it->second[a]);
      Put16(out, static_cast<int>(rdata.size()));
      out += rdata;
    }
    if (absl::StartsWith(name, "slow.")) {
      delayed.push_back({std::chrono::steady_clock::now() + kSlowDelay, std::move(out), from});
      continue;
    }
    sendto(fd_, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&from), from_len);
  }
}

}  // namespace uptime::agent
