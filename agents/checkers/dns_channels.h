// DnsChannels: the c-ares channels of the CheckEngine's loop, shared by all
// its DNS lookups: one for the system resolver and one per custom resolver a
// monitor names, created on first use and kept (up to max_channels, least
// recently used idle ones go first). A channel per check would cost a
// channel setup (resolv.conf parsing, a socket) per check and thousands of
// sockets under load; a shared one costs one UDP socket per server.
//
// c-ares reports the sockets it wants polled through ARES_OPT_SOCK_STATE_CB;
// they are polled by the loop (LoopIo::WatchForService), and the loop's timer
// runs c-ares' retransmits and timeouts (ares_timeout). Per-check deadlines
// are the checks' business: c-ares cannot cancel one query of a channel, so a
// check that gives up drops its DnsLookup handle, which guarantees its
// callback never runs; the query's late answer is discarded.
//
// Callbacks never run inside Query()/ResolveHost() or inside c-ares: answers
// are collected while c-ares processes and handed out afterwards, from
// OnFd()/OnTimer(). So a callback may start new lookups, and c-ares' state is
// never changed from within itself.
//
// Thread-safety: loop thread only. Ownership: the loop owns this; it must
// outlive every DnsLookup (destroy the checks first).
//
// Example:
//   absl::StatusOr<DnsLookup> lookup = io.dns().Query(
//       "10.0.0.53:53", "example.com", ns_t_a,
//       [this](int status, const unsigned char* reply, int length) { ... });
#ifndef UPTIME_AGENTS_CHECKERS_DNS_CHANNELS_H_
#define UPTIME_AGENTS_CHECKERS_DNS_CHANNELS_H_

#include <ares.h>
#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "agents/checkers/loop_check.h"

namespace uptime::agent {

namespace dns_internal {
struct Channel;
struct Pending;
}  // namespace dns_internal

// A lookup in flight. Dropping it (or Cancel()) guarantees that its callback
// will not run; the query itself may still be answered, and that answer is
// discarded. Move-only.
class DnsLookup {
 public:
  DnsLookup() = default;
  DnsLookup(DnsLookup&& other) noexcept;
  DnsLookup& operator=(DnsLookup&& other) noexcept;
  DnsLookup(const DnsLookup&) = delete;
  DnsLookup& operator=(const DnsLookup&) = delete;
  ~DnsLookup() { Cancel(); }

  void Cancel();
  // True until its callback ran or it was cancelled.
  bool pending() const { return pending_ != nullptr; }

 private:
  friend class DnsChannels;
  explicit DnsLookup(dns_internal::Pending* pending);

  dns_internal::Pending* pending_ = nullptr;
};

struct DnsChannelsOptions {
  // Channels kept at most; one more is made while every kept one has a
  // lookup in flight (so the cap never fails a check), and the excess goes
  // once idle.
  size_t max_channels = 64;
  // The servers of the "system" channel, as ares_set_servers_ports_csv
  // takes them; empty: /etc/resolv.conf.
  std::string system_servers;
  // c-ares' first retransmit (it doubles per round). Short, since a query
  // that c-ares times out is re-sent while its check has time left.
  absl::Duration try_timeout = absl::Seconds(1);
  int tries = 2;
  // An idle channel older than this is rebuilt on its next use, so changes
  // to /etc/resolv.conf are seen (c-ares reads it only at setup).
  absl::Duration max_age = absl::Minutes(5);
};

class DnsChannels final : public LoopService {
 public:
  // status: an ARES_* code. reply: the raw answer (status ARES_SUCCESS).
  using QueryCallback = std::function<void(int status, const unsigned char* reply, int length)>;
  // status: an ARES_* code; addresses in c-ares' preference order (RFC 6724).
  using ResolveCallback = std::function<void(int status, std::vector<sockaddr_storage> addresses)>;

  // `io` polls the channels' sockets and must outlive this.
  explicit DnsChannels(LoopIo* io, DnsChannelsOptions options = {});
  // Ends every channel; callbacks of lookups still pending do not run.
  ~DnsChannels() override;
  DnsChannels(const DnsChannels&) = delete;
  DnsChannels& operator=(const DnsChannels&) = delete;

  // Sends one `qtype` (class IN) query for `name`, as is (no search domains),
  // to `resolver` ("HOST[:PORT]"; empty: the system's). InvalidArgument for
  // a resolver c-ares does not take, Internal if c-ares cannot set up.
  absl::StatusOr<DnsLookup> Query(absl::string_view resolver, const std::string& name, int qtype,
                                  QueryCallback done);

  // Resolves `host` to addresses (A and AAAA) like getaddrinfo: the hosts
  // file, then the system resolver.
  absl::StatusOr<DnsLookup> ResolveHost(const std::string& host, ResolveCallback done);

  // LoopService.
  void OnFd(int fd, uint32_t events) override;
  absl::Time next_timer() const override;
  void OnTimer(absl::Time now) override;

  size_t channel_count() const { return channels_.size(); }
  // Channels set up so far (monotonic): reuse keeps it low.
  int64_t channels_created() const { return created_; }

 private:
  using Channel = dns_internal::Channel;

  absl::StatusOr<Channel*> ChannelFor(absl::string_view resolver, absl::Time now);
  void Destroy(Channel* channel);
  // Closes least recently used idle channels until at most `keep` remain.
  void Trim(size_t keep);
  // Hands out the answers collected while c-ares ran.
  void Deliver();
  // After c-ares ran on `channel`: its next timer.
  void Rearm(Channel* channel, absl::Time now, bool exact);
  dns_internal::Pending* NewPending(Channel* channel);

  static void OnSockState(void* data, ares_socket_t fd, int readable, int writable);
  static void OnQueryDone(void* arg, int status, int timeouts, unsigned char* reply, int length);
  static void OnResolveDone(void* arg, int status, int timeouts, ares_addrinfo* result);

  LoopIo* const io_;
  const DnsChannelsOptions options_;
  const size_t max_channels_;
  absl::flat_hash_map<std::string, std::unique_ptr<Channel>> channels_;
  absl::flat_hash_map<int, Channel*> fds_;
  std::vector<dns_internal::Pending*> answered_;  // for Deliver()
  uint64_t uses_ = 0;                              // LRU clock
  int64_t created_ = 0;
};

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_CHECKERS_DNS_CHANNELS_H_
