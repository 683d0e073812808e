// CheckEngine::Loop's HTTP checks: curl transfers on the multi handle
// (multi-socket API on the loop's epoll), the c-ares lookup before each
// transfer of a host name, results of finished transfers, and the pool of
// reset easy handles.
#include "agents/engine/check_engine_loop.h"

#include <sys/epoll.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace uptime::agent {

void CheckEngine::Loop::StartCurl(CheckSpecPtr spec, absl::Time planned, bool scheduled) {
  owner_->started_.fetch_add(1, std::memory_order_relaxed);
  StartCurlFrom(std::move(spec), planned, scheduled, absl::Now(), /*redirected=*/false);
}

void CheckEngine::Loop::ContinueWithCurl(const LoopCheck& check) {
  // The same monitor, going on from the redirect's target.
  auto next = std::make_shared<CheckSpec>(*check.spec());
  std::get<HttpCheckSpec>(next->target).url = check.handoff_url();
  StartCurlFrom(std::move(next), check.planned(), check.scheduled(), check.start(),
                /*redirected=*/true);
}

void CheckEngine::Loop::StartCurlFrom(CheckSpecPtr spec, absl::Time planned, bool scheduled,
                                      absl::Time start, bool redirected) {
  std::unique_ptr<CurlCheck> check;
  if (!pool_.empty()) {
    check = std::move(pool_.back());
    pool_.pop_back();
  } else {
    check = std::make_unique<CurlCheck>();
  }
  absl::Status status = check->Prepare(spec, planned, start, scheduled);
  if (status.ok() && redirected) check->ContinueRedirect(absl::Now());
  CurlCheck* raw = check.get();
  active_.emplace(raw, std::move(check));
  if (!status.ok()) {
    // The agent could not run this check: still a result, so the
    // coordinator sees why instead of silence.
    FailCurl(raw, v1::ERROR_KIND_INTERNAL, std::string(status.message()));
    return;
  }
  if (std::optional<UrlHost> host = HostNeedingLookup(spec->http()->url)) {
    Resolve(raw, *std::move(host));
    return;
  }
  AddTransfer(raw);
}


int CheckEngine::Loop::OnSocket(CURL*, curl_socket_t fd, int what, void* self_ptr,
                                void* assigned) {
  auto* self = static_cast<Loop*>(self_ptr);
  if (what == CURL_POLL_REMOVE) {
    self->curl_fds_.erase(fd);  // see curl_fds_: no EPOLL_CTL_DEL
    return 0;
  }
  epoll_event ev{};
  ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0u) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u);
  ev.data.fd = fd;
  int op = assigned != nullptr ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  if (epoll_ctl(self->epoll_fd_, op, fd, &ev) != 0) {
    // A reused descriptor number can be in the other state than curl's
    // bookkeeping suggests; the other operation then succeeds.
    op = errno == EEXIST ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(self->epoll_fd_, op, fd, &ev) != 0) {
      spdlog::warn("epoll_ctl({}) failed: {}", fd, strerror(errno));
    }
  }
  if (assigned == nullptr) curl_multi_assign(self->multi_, fd, self);
  self->curl_fds_.insert(fd);
  return 0;
}

int CheckEngine::Loop::OnTimer(CURLM*, long timeout_ms, void* self_ptr) {
  auto* self = static_cast<Loop*>(self_ptr);
  if (timeout_ms < 0) {
    self->curl_deadline_.reset();
  } else {
    self->curl_deadline_ = absl::Now() + absl::Milliseconds(timeout_ms);
  }
  return 0;
}

void CheckEngine::Loop::Resolve(CurlCheck* check, UrlHost host) {
  const std::string name = host.name;
  absl::StatusOr<DnsLookup> lookup = dns_->ResolveHost(
      name, [this, check, host = std::move(host)](int status,
                                                  std::vector<sockaddr_storage> addresses) {
        OnResolved(check, host, status, std::move(addresses));
      });
  if (!lookup.ok()) {
    FailCurl(check, v1::ERROR_KIND_INTERNAL, std::string(lookup.status().message()));
    return;
  }
  check->set_lookup(*std::move(lookup));
  lookups_.emplace(check->deadline(), check);
}

// Runs from DnsChannels' delivery, outside c-ares (see DnsChannels).
void CheckEngine::Loop::OnResolved(CurlCheck* check, const UrlHost& host, int status,
                                   std::vector<sockaddr_storage> addresses) {
  lookups_.erase({check->deadline(), check});
  if (status != ARES_SUCCESS) {
    FailCurl(check, v1::ERROR_KIND_DNS, absl::StrCat(host.name, ": ", ares_strerror(status)));
    return;
  }
  const std::vector<std::string> stale(stale_resolves_.begin(), stale_resolves_.end());
  if (absl::Status s = check->UseAddresses(host, addresses, stale, absl::Now()); !s.ok()) {
    FailCurl(check, v1::ERROR_KIND_DNS, std::string(s.message()));
    return;
  }
  stale_resolves_.clear();
  AddTransfer(check);
}

void CheckEngine::Loop::ExpireLookups(absl::Time now) {
  while (!lookups_.empty() && lookups_.begin()->first <= now) {
    CurlCheck* check = lookups_.begin()->second;
    lookups_.erase(lookups_.begin());
    FailCurl(check, v1::ERROR_KIND_TIMEOUT,
             absl::StrCat("no answer within the timeout (name lookup of ",
                          check->spec()->http()->url, ")"));
  }
}

void CheckEngine::Loop::AddTransfer(CurlCheck* check) {
  if (CURLMcode mc = curl_multi_add_handle(multi_, check->easy()); mc != CURLM_OK) {
    FailCurl(check, v1::ERROR_KIND_INTERNAL, curl_multi_strerror(mc));
  }
}

void CheckEngine::Loop::FailCurl(CurlCheck* check, v1::ErrorKind kind, std::string message) {
  results_.push_back(check->FailEarly(kind, std::move(message), owner_->options_.identity.agent_id));
  Release(check);
}

void CheckEngine::Loop::Reap() {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    // Copy out before remove_handle invalidates `msg`.
    CURL* easy = msg->easy_handle;
    const CURLcode code = msg->data.result;
    CurlCheck* check = CurlCheck::FromEasy(easy);
    results_.push_back(check->Finish(code, owner_->options_.identity.agent_id));
    curl_multi_remove_handle(multi_, easy);
    if (std::string stale = check->StaleEntry(); !stale.empty()) {
      stale_resolves_.insert(std::move(stale));
    }
    Release(check);
  }
}

void CheckEngine::Loop::Release(CurlCheck* check) {
  if (check->scheduled()) scheduler_.Complete(check->spec()->id);
  auto node = active_.extract(check);
  check->Reset();
  // See CheckEngineOptions::max_idle_handles; steady load needs few.
  if (pool_.size() < std::min(owner_->options_.max_idle_handles,
                              static_cast<size_t>(owner_->options_.max_concurrency))) {
    pool_.push_back(std::move(node.mapped()));
  }
}

}  // namespace uptime::agent
