#include "agents/checkers/dns_channels.h"

#include <arpa/nameser.h>
#include <sys/epoll.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"

namespace uptime::agent {
namespace dns_internal {

struct Channel {
  DnsChannels* pool = nullptr;
  std::string key;  // the resolver as monitors name it; "" for the system's
  ares_channel ares = nullptr;
  int in_flight = 0;  // lookups whose c-ares callback has not run
  absl::Time created;
  absl::Time next_timer = absl::InfiniteFuture();
  uint64_t last_use = 0;
};

// One lookup, from its start until its answer is handed out (or dropped).
// Deleted by exactly one of: the c-ares callback (lookup cancelled by then),
// Deliver(), or the pool's destructor.
struct Pending {
  Channel* channel = nullptr;  // valid until the c-ares callback
  DnsLookup* owner = nullptr;  // null once cancelled
  DnsChannels::QueryCallback on_query;
  DnsChannels::ResolveCallback on_resolve;
  int status = ARES_SUCCESS;
  std::string reply;
  std::vector<sockaddr_storage> addresses;
};

}  // namespace dns_internal

using dns_internal::Pending;

namespace {

// Re-reading c-ares' exact next timeout walks all its queries: after a timer
// ran, wait at least this long for the next one. c-ares timeouts are
// retransmits (checks keep their own deadlines), so a few ms late is fine.
constexpr absl::Duration kTimerSlack = absl::Milliseconds(10);
// Many replies can land at once on one shared socket; the kernel caps this
// at net.core.rmem_max.
constexpr int kReceiveBuffer = 1 << 20;

void Detach(Pending* p) {
  if (p->owner != nullptr) p->owner->Cancel();
}

}  // namespace

DnsLookup::DnsLookup(Pending* pending) : pending_(pending) { pending_->owner = this; }

DnsLookup::DnsLookup(DnsLookup&& other) noexcept
    : pending_(std::exchange(other.pending_, nullptr)) {
  if (pending_ != nullptr) pending_->owner = this;
}

DnsLookup& DnsLookup::operator=(DnsLookup&& other) noexcept {
  if (this != &other) {
    Cancel();
    pending_ = std::exchange(other.pending_, nullptr);
    if (pending_ != nullptr) pending_->owner = this;
  }
  return *this;
}

void DnsLookup::Cancel() {
  if (pending_ == nullptr) return;
  pending_->owner = nullptr;  // whoever holds the Pending deletes it
  pending_ = nullptr;
}

DnsChannels::DnsChannels(LoopIo* io, DnsChannelsOptions options)
    : io_(io), options_(std::move(options)), max_channels_(std::max<size_t>(options_.max_channels, 1)) {
  static std::once_flag once;
  std::call_once(once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
}

DnsChannels::~DnsChannels() {
  // ares_destroy() runs the callbacks of queries still in flight with
  // ARES_EDESTRUCTION; OnQueryDone/OnResolveDone then free them.
  while (!channels_.empty()) Destroy(channels_.begin()->second.get());
  for (Pending* p : answered_) {
    Detach(p);
    delete p;
  }
}

absl::StatusOr<DnsChannels::Channel*> DnsChannels::ChannelFor(absl::string_view resolver,
                                                              absl::Time now) {
  if (auto it = channels_.find(resolver); it != channels_.end()) {
    Channel* channel = it->second.get();
    if (channel->in_flight > 0 || now - channel->created < options_.max_age) {
      channel->last_use = ++uses_;
      return channel;
    }
    Destroy(channel);  // idle and old: rebuilt below with today's resolv.conf
  }
  Trim(max_channels_ - 1);  // room for the new one

  auto owned = std::make_unique<Channel>();
  Channel* channel = owned.get();
  channel->pool = this;
  channel->key = std::string(resolver);
  channel->created = now;
  channel->last_use = ++uses_;
  ares_options opts{};
  opts.sock_state_cb = &DnsChannels::OnSockState;
  opts.sock_state_cb_data = channel;
  opts.timeout = static_cast<int>(absl::ToInt64Milliseconds(options_.try_timeout));
  opts.tries = options_.tries;
  opts.socket_receive_buffer_size = kReceiveBuffer;
  const int mask =
      ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_RCVBUF;
  if (int rc = ares_init_options(&channel->ares, &opts, mask); rc != ARES_SUCCESS) {
    return absl::InternalError(absl::StrCat("c-ares init: ", ares_strerror(rc)));
  }
  const std::string& servers = resolver.empty() ? options_.system_servers : channel->key;
  if (!servers.empty()) {
    if (int rc = ares_set_servers_ports_csv(channel->ares, servers.c_str()); rc != ARES_SUCCESS) {
      ares_destroy(channel->ares);
      return absl::InvalidArgumentError(
          absl::StrCat("bad resolver \"", servers, "\": ", ares_strerror(rc)));
    }
  }
  channels_.emplace(channel->key, std::move(owned));
  ++created_;
  return channel;
}

void DnsChannels::Destroy(Channel* channel) {
  // Closes its sockets, unwatching them through OnSockState.
  ares_destroy(channel->ares);
  channels_.erase(channel->key);
}

void DnsChannels::Trim(size_t keep) {
  while (channels_.size() > keep) {
    Channel* victim = nullptr;  // the least recently used idle channel
    for (auto& [key, channel] : channels_) {
      if (channel->in_flight == 0 && (victim == nullptr || channel->last_use < victim->last_use)) {
        victim = channel.get();
      }
    }
    if (victim == nullptr) return;  // all busy: the excess goes once idle
    Destroy(victim);
  }
}

Pending* DnsChannels::NewPending(Channel* channel) {
  auto* p = new Pending;
  p->channel = channel;
  ++channel->in_flight;
  return p;
}

absl::StatusOr<DnsLookup> DnsChannels::Query(absl::string_view resolver, const std::string& name,
                                             int qtype, QueryCallback done) {
  const absl::Time now = absl::Now();
  absl::StatusOr<Channel*> channel = ChannelFor(resolver, now);
  if (!channel.ok()) return channel.status();
  Pending* p = NewPending(*channel);
  p->on_query = std::move(done);
  // Owned before c-ares may answer at once (into answered_).
  DnsLookup lookup(p);
  ares_query((*channel)->ares, name.c_str(), ns_c_in, qtype, &DnsChannels::OnQueryDone, p);
  Rearm(*channel, now, /*exact=*/false);
  return lookup;
}

absl::StatusOr<DnsLookup> DnsChannels::ResolveHost(const std::string& host, ResolveCallback done) {
  const absl::Time now = absl::Now();
  absl::StatusOr<Channel*> channel = ChannelFor("", now);
  if (!channel.ok()) return channel.status();
  Pending* p = NewPending(*channel);
  p->on_resolve = std::move(done);
  DnsLookup lookup(p);
  ares_addrinfo_hints hints{};
  hints.ai_family = AF_UNSPEC;
  ares_getaddrinfo((*channel)->ares, host.c_str(), nullptr, &hints, &DnsChannels::OnResolveDone,
                   p);
  Rearm(*channel, now, /*exact=*/false);
  return lookup;
}

void DnsChannels::OnSockState(void* data, ares_socket_t fd, int readable, int writable) {
  auto* channel = static_cast<Channel*>(data);
  DnsChannels* self = channel->pool;
  const uint32_t events = (readable ? EPOLLIN : 0u) | (writable ? EPOLLOUT : 0u);
  self->io_->WatchForService(fd, events, self);
  if (events != 0) {
    self->fds_[fd] = channel;
  } else {
    self->fds_.erase(fd);
  }
}

// Called by c-ares, so only records the answer (see the header).
void DnsChannels::OnQueryDone(void* arg, int status, int, unsigned char* reply, int length) {
  auto* p = static_cast<Pending*>(arg);
  --p->channel->in_flight;
  DnsChannels* self = p->channel->pool;
  p->channel = nullptr;
  if (p->owner == nullptr || status == ARES_EDESTRUCTION) {
    Detach(p);
    delete p;
    return;
  }
  p->status = status;
  if (status == ARES_SUCCESS && reply != nullptr && length > 0) {
    p->reply.assign(reinterpret_cast<const char*>(reply), static_cast<size_t>(length));
  }
  self->answered_.push_back(p);
}

void DnsChannels::OnResolveDone(void* arg, int status, int, ares_addrinfo* result) {
  auto* p = static_cast<Pending*>(arg);
  --p->channel->in_flight;
  DnsChannels* self = p->channel->pool;
  p->channel = nullptr;
  if (p->owner == nullptr || status == ARES_EDESTRUCTION) {
    Detach(p);
    delete p;
  } else {
    p->status = status;
    for (ares_addrinfo_node* n = result != nullptr ? result->nodes : nullptr; n != nullptr;
         n = n->ai_next) {
      if (n->ai_addr == nullptr || n->ai_addrlen > sizeof(sockaddr_storage)) continue;
      sockaddr_storage address{};
      std::memcpy(&address, n->ai_addr, n->ai_addrlen);
      p->addresses.push_back(address);
    }
    self->answered_.push_back(p);
  }
  if (result != nullptr) ares_freeaddrinfo(result);
}

void DnsChannels::Deliver() {
  // Only the answers there are now: callbacks that start lookups add to
  // answered_ for the next round, so this cannot spin.
  std::vector<Pending*> batch;
  batch.swap(answered_);
  for (Pending* p : batch) {
    std::unique_ptr<Pending> owned(p);
    if (p->owner == nullptr) continue;  // cancelled after its answer came
    Detach(p);  // done before the callback, which may drop the handle
    if (p->on_query) {
      p->on_query(p->status, reinterpret_cast<const unsigned char*>(p->reply.data()),
                  static_cast<int>(p->reply.size()));
    } else if (p->on_resolve) {
      p->on_resolve(p->status, std::move(p->addresses));
    }
  }
}

void DnsChannels::Rearm(Channel* channel, absl::Time now, bool exact) {
  if (channel->in_flight == 0) {
    channel->next_timer = absl::InfiniteFuture();
    return;
  }
  // Every timeout c-ares sets is at least try_timeout from when it is set,
  // so without asking it (O(queries)) this bound is never late.
  const absl::Time bound = now + options_.try_timeout;
  if (!exact) {
    channel->next_timer = std::min(channel->next_timer, bound);
    return;
  }
  timeval tv{};
  if (ares_timeout(channel->ares, nullptr, &tv) == nullptr) {
    channel->next_timer = bound;
  } else {
    channel->next_timer = now + std::max(absl::DurationFromTimeval(tv), kTimerSlack);
  }
}

void DnsChannels::OnFd(int fd, uint32_t events) {
  auto it = fds_.find(fd);
  if (it == fds_.end()) return;
  Channel* channel = it->second;
  const bool error = (events & (EPOLLERR | EPOLLHUP)) != 0;
  ares_process_fd(channel->ares, (events & EPOLLIN) || error ? fd : ARES_SOCKET_BAD,
                  (events & EPOLLOUT) ? fd : ARES_SOCKET_BAD);
  const absl::Time now = absl::Now();
  Rearm(channel, now, /*exact=*/false);
  Deliver();
  Trim(max_channels_);
}

absl::Time DnsChannels::next_timer() const {
  if (!answered_.empty()) return absl::InfinitePast();
  absl::Time next = absl::InfiniteFuture();
  for (const auto& [key, channel] : channels_) next = std::min(next, channel->next_timer);
  return next;
}

void DnsChannels::OnTimer(absl::Time now) {
  // Collected first: callbacks in Deliver() may add channels.
  std::vector<Channel*> due;
  for (auto& [key, channel] : channels_) {
    if (channel->next_timer <= now) due.push_back(channel.get());
  }
  for (Channel* channel : due) {
    ares_process_fd(channel->ares, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // its timeouts
    Rearm(channel, now, /*exact=*/true);
  }
  Deliver();
  Trim(max_channels_);
}

}  // namespace uptime::agent
