// CheckEngine::Loop as the LoopIo of the checks that are not curl's (TCP,
// DNS, gRPC, ICMP): their descriptors in epoll, their timers, and settling
// them (result out, or timer re-armed) after each call into them.
#include "agents/engine/check_engine_loop.h"

#include <sys/epoll.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "spdlog/spdlog.h"

namespace uptime::agent {

void CheckEngine::Loop::Watch(int fd, uint32_t events, LoopCheck* check) {
  SetFdOwner(fd, events, check, nullptr);
}

void CheckEngine::Loop::WatchForService(int fd, uint32_t events, LoopService* service) {
  SetFdOwner(fd, events, nullptr, service);
}

void CheckEngine::Loop::SetFdOwner(int fd, uint32_t events, LoopCheck* check,
                                   LoopService* service) {
  if (events == 0) {
    if (fd_owners_.erase(fd) > 0) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    return;
  }
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  int op = fd_owners_.contains(fd) ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  int rc = epoll_ctl(epoll_fd_, op, fd, &ev);
  if (rc != 0 && (errno == EEXIST || errno == ENOENT)) {
    // The number of a socket curl left open and registered (curl_fds_), or
    // of one a close already took out.
    op = errno == EEXIST ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    rc = epoll_ctl(epoll_fd_, op, fd, &ev);
  }
  if (rc != 0) {
    spdlog::warn("epoll_ctl({}) for {} failed: {}", fd,
                 check != nullptr ? check->spec()->id : std::string("the DNS channels"),
                 strerror(errno));
  }
  fd_owners_[fd] = FdOwner{check, service};
}

void CheckEngine::Loop::Settle(LoopCheck* check) {
  if (check->timer_key != absl::InfiniteFuture()) {
    loop_timers_.erase({check->timer_key, check});
    check->timer_key = absl::InfiniteFuture();
  }
  if (!check->done()) {
    check->timer_key = check->next_timer();
    loop_timers_.emplace(check->timer_key, check);
    return;
  }
  if (!check->handoff_url().empty()) {
    ContinueWithCurl(*check);  // completes the slot when it ends
  } else {
    if (check->scheduled()) scheduler_.Complete(check->spec()->id);
    results_.push_back(check->TakeResult());
  }
  touched_.erase(check);  // a later check may get its address
  // Its destructor unwatches its descriptors (fd_owners_ must not dangle).
  loop_checks_.erase(check);
}

void CheckEngine::Loop::SettleTouched() {
  while (!touched_.empty()) {
    LoopCheck* check = *touched_.begin();
    touched_.erase(touched_.begin());
    if (loop_checks_.contains(check)) Settle(check);
  }
}

void CheckEngine::Loop::RunServiceTimers(absl::Time now) {
  if (dns_->next_timer() > now) return;
  dns_->OnTimer(now);
  SettleTouched();
}

void CheckEngine::Loop::RunLoopTimers(absl::Time now) {
  while (!loop_timers_.empty() && loop_timers_.begin()->first <= now) {
    LoopCheck* check = loop_timers_.begin()->second;
    check->OnTimer(*this, now);
    if (!check->done() && check->next_timer() <= now) {
      // A check must move its timer on or finish; never spin on it.
      loop_timers_.erase(loop_timers_.begin());
      check->timer_key = absl::InfiniteFuture();
      continue;
    }
    Settle(check);
  }
}

void CheckEngine::Loop::RunPosted() {
  for (auto& fn : mailbox_->Take()) {
    if (LoopCheck* check = fn(); check != nullptr && loop_checks_.contains(check)) Settle(check);
  }
}

}  // namespace uptime::agent
