// Test-only: a tiny authoritative DNS server on 127.0.0.1 (UDP) answering
// from a table. Unknown names get NXDOMAIN; "servfail." names SERVFAIL;
// "silent." names no answer at all (for timeouts); "slow." names their
// answer from the table after kSlowDelay (other queries go on meanwhile).
#ifndef UPTIME_TESTS_SUPPORT_DNS_RESPONDER_H_
#define UPTIME_TESTS_SUPPORT_DNS_RESPONDER_H_

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace uptime::agent {

class DnsResponder {
 public:
  // Record data as text: "1.2.3.4" (A), "some text" (TXT), "10 mx.host" (MX).
  using Table = std::map<std::pair<std::string, int>, std::vector<std::string>>;
  static constexpr std::chrono::milliseconds kSlowDelay{600};

  static std::unique_ptr<DnsResponder> Start(Table table);
  ~DnsResponder();
  int port() const { return port_; }
  int queries() const { return queries_; }
  // Distinct source ports queries came from: sockets the clients used.
  size_t client_ports() const {
    std::lock_guard<std::mutex> lock(mu_);
    return client_ports_.size();
  }

 private:
  DnsResponder(int fd, int port, Table table) : fd_(fd), port_(port), table_(std::move(table)) {}
  void Serve();

  const int fd_;
  const int port_;
  const Table table_;
  std::atomic<bool> stop_{false};
  std::atomic<int> queries_{0};
  mutable std::mutex mu_;
  std::set<int> client_ports_;
  std::thread thread_;
};

}  // namespace uptime::agent

#endif  // UPTIME_TESTS_SUPPORT_DNS_RESPONDER_H_
