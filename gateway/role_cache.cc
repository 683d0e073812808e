#include "gateway/role_cache.h"

namespace uptime::gateway {

RoleCache::RoleCache(Clock* clock, absl::Duration ttl, size_t max_entries)
    : clock_(clock), ttl_(ttl), max_entries_(max_entries == 0 ? 1 : max_entries) {}

std::optional<absl::StatusOr<v1::Role>> RoleCache::Lookup(const std::string& token) const {
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(token);
  if (it == entries_.end() || it->second.expires <= now) return std::nullopt;
  return it->second.answer;
}

void RoleCache::Put(const std::string& token, absl::StatusOr<v1::Role> answer) {
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  if (entries_.size() >= max_entries_ && !entries_.contains(token)) {
    absl::erase_if(entries_, [now](const auto& kv) { return kv.second.expires <= now; });
    if (entries_.size() >= max_entries_) entries_.clear();
  }
  entries_[token] = Entry{std::move(answer), now + ttl_};
}

void RoleCache::Erase(const std::string& token) {
  absl::MutexLock lock(&mu_);
  entries_.erase(token);
}

size_t RoleCache::size() const {
  absl::MutexLock lock(&mu_);
  return entries_.size();
}

}  // namespace uptime::gateway
