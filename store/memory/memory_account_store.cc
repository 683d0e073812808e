#include "store/memory/memory_account_store.h"

#include <algorithm>
#include <iterator>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "store/audit_page_token.h"
#include "store/paging.h"

namespace uptime::store {
namespace {

absl::Status UserNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("user '", id, "' not found"));
}

bool Matches(const AuditQuery& query, const v1::AuditEvent& event) {
  return (query.resource_type.empty() || event.resource_type() == query.resource_type) &&
         (query.resource_id.empty() || event.resource_id() == query.resource_id) &&
         (query.actor.empty() || event.actor() == query.actor);
}

}  // namespace

MemoryAccountStore::MemoryAccountStore(size_t max_audit_events)
    : max_audit_events_(std::max<size_t>(max_audit_events, 1)) {}

absl::StatusOr<std::vector<StoredUser>> MemoryAccountStore::LoadUsers() {
  absl::MutexLock lock(&mu_);
  std::vector<StoredUser> out;
  out.reserve(users_.size());
  for (const auto& [id, user] : users_) out.push_back(user);
  return out;
}

absl::StatusOr<std::vector<StoredApiKey>> MemoryAccountStore::LoadApiKeys() {
  absl::MutexLock lock(&mu_);
  std::vector<StoredApiKey> out;
  out.reserve(keys_.size());
  for (const auto& [id, key] : keys_) out.push_back(key);
  return out;
}

absl::StatusOr<std::vector<StoredSession>> MemoryAccountStore::LoadSessions(absl::Time now) {
  absl::MutexLock lock(&mu_);
  std::vector<StoredSession> out;
  for (const auto& [id, session] : sessions_) {
    if (session.expire_time > now) out.push_back(session);
  }
  return out;
}

absl::Status MemoryAccountStore::InsertUser(const StoredUser& user, const v1::AuditEvent& audit) {
  absl::MutexLock lock(&mu_);
  const std::string& id = user.user.id();
  if (users_.contains(id)) {
    return absl::AlreadyExistsError(absl::StrCat("user id '", id, "' already exists"));
  }
  std::string folded = absl::AsciiStrToLower(user.user.username());
  if (user_ids_by_username_.contains(folded)) {
    return absl::AlreadyExistsError(
        absl::StrCat("username '", user.user.username(), "' is taken"));
  }
  StoredUser& stored = users_[id] = user;
  stored.user.clear_password();  // never kept in clear, whatever the caller sent
  user_ids_by_username_.emplace(std::move(folded), id);
  AppendAuditLocked(audit);
  return absl::OkStatus();
}

absl::Status MemoryAccountStore::UpdateUser(const StoredUser& user, bool end_sessions,
                                            const v1::AuditEvent& audit) {
  absl::MutexLock lock(&mu_);
  auto it = users_.find(user.user.id());
  if (it == users_.end()) return UserNotFound(user.user.id());
  if (it->second.user.username() != user.user.username()) {
    return absl::InvalidArgumentError(absl::StrCat("user.username: cannot change (is '",
                                                   it->second.user.username(), "')"));
  }
  it->second = user;
  it->second.user.clear_password();
  if (end_sessions) EraseSessionsOfLocked(user.user.id());
  AppendAuditLocked(audit);
  return absl::OkStatus();
}

absl::Status MemoryAccountStore::DeleteUser(const std::string& id, const v1::AuditEvent& audit) {
  absl::MutexLock lock(&mu_);
  auto it = users_.find(id);
  if (it == users_.end()) return UserNotFound(id);
  user_ids_by_username_.erase(absl::AsciiStrToLower(it->second.user.username()));
  users_.erase(it);
  for (auto key = keys_.begin(); key != keys_.end();) {
    if (key->second.key.user_id() == id) {
      key_ids_by_hash_.erase(key->second.key_hash);
      key = keys_.erase(key);
    } else {
      ++key;
    }
  }
  EraseSessionsOfLocked(id);
  AppendAuditLocked(audit);
  return absl::OkStatus();
}

absl::Status MemoryAccountStore::InsertApiKey(const StoredApiKey& key,
                                              const v1::AuditEvent& audit) {
  absl::MutexLock lock(&mu_);
  const std::string& id = key.key.id();
  if (keys_.contains(id)) {
    return absl::AlreadyExistsError(absl::StrCat("API key id '", id, "' already exists"));
  }
  if (key_ids_by_hash_.contains(key.key_hash)) {
    return absl::AlreadyExistsError("API key hash is taken");
  }
  if (!users_.contains(key.key.user_id())) return UserNotFound(key.key.user_id());
  keys_.emplace(id, key);
  key_ids_by_hash_.emplace(key.key_hash, id);
  AppendAuditLocked(audit);
  return absl::OkStatus();
}

absl::Status MemoryAccountStore::DeleteApiKey(const std::string& id,
                                              const v1::AuditEvent& audit) {
  absl::MutexLock lock(&mu_);
  auto it = keys_.find(id);
  if (it == keys_.end()) {
    return absl::NotFoundError(absl::StrCat("API key '", id, "' not found"));
  }
  key_ids_by_hash_.erase(it->second.key_hash);
  keys_.erase(it);
  AppendAuditLocked(audit);
  return absl::OkStatus();
}

absl::Status MemoryAccountStore::TouchApiKeys(
    const std::vector<std::pair<std::string, absl::Time>>& used) {
  absl::MutexLock lock(&mu_);
  for (const auto& [id, time] : used) {
    auto it = keys_.find(id);
    if (it != keys_.end()) ToProto(time, it->second.key.mutable_last_used_time());
  }
  return absl::OkStatus();
}

absl::Status MemoryAccountStore::InsertSession(const StoredSession& session,
                                               const v1::AuditEvent& audit) {
  absl::MutexLock lock(&mu_);
  if (sessions_.contains(session.id)) {
    return absl::AlreadyExistsError(
        absl::StrCat("session id '", session.id, "' already exists"));
  }
  if (session_ids_by_hash_.contains(session.token_hash)) {
    return absl::AlreadyExistsError("session token hash is taken");
  }
  if (!users_.contains(session.user_id)) return UserNotFound(session.user_id);
  sessions_.emplace(session.id, session);
  session_ids_by_hash_.emplace(session.token_hash, session.id);
  AppendAuditLocked(audit);
  return absl::OkStatus();
}

absl::Status MemoryAccountStore::DeleteSession(const std::string& id,
                                               const v1::AuditEvent& audit) {
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) {
    return absl::NotFoundError(absl::StrCat("session '", id, "' not found"));
  }
  EraseSessionLocked(it);
  AppendAuditLocked(audit);
  return absl::OkStatus();
}

absl::Status MemoryAccountStore::TouchSessions(
    const std::vector<std::pair<std::string, absl::Time>>& seen) {
  absl::MutexLock lock(&mu_);
  for (const auto& [id, time] : seen) {
    auto it = sessions_.find(id);
    if (it != sessions_.end()) it->second.last_seen_time = time;
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> MemoryAccountStore::DeleteExpiredSessions(absl::Time now) {
  absl::MutexLock lock(&mu_);
  int64_t deleted = 0;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    auto next = std::next(it);
    if (it->second.expire_time <= now) {
      EraseSessionLocked(it);
      ++deleted;
    }
    it = next;
  }
  return deleted;
}

absl::Status MemoryAccountStore::AppendAudit(const v1::AuditEvent& audit) {
  absl::MutexLock lock(&mu_);
  AppendAuditLocked(audit);
  return absl::OkStatus();
}

absl::StatusOr<AuditPage> MemoryAccountStore::ListAudit(const AuditQuery& query) {
  ASSIGN_OR_RETURN(const int64_t before, DecodeAuditPageToken(query.page_token));
  const size_t page_size = static_cast<size_t>(EffectivePageSize(query.page_size));
  absl::MutexLock lock(&mu_);
  AuditPage page;
  // Ids increase along the deque: start just below the cursor, walk back.
  auto end = std::lower_bound(
      audit_.begin(), audit_.end(), before,
      [](const v1::AuditEvent& event, int64_t id) { return event.id() < id; });
  for (auto it = end; it != audit_.begin();) {
    --it;
    if (!Matches(query, *it)) continue;
    if (page.events.size() == page_size) {
      // One more match exists: there is a next page.
      page.next_page_token = EncodeAuditPageToken(page.events.back().id());
      break;
    }
    page.events.push_back(*it);
  }
  return page;
}

void MemoryAccountStore::AppendAuditLocked(const v1::AuditEvent& audit) {
  v1::AuditEvent& event = audit_.emplace_back(audit);
  event.set_id(next_audit_id_++);
  while (audit_.size() > max_audit_events_) audit_.pop_front();
}

void MemoryAccountStore::EraseSessionLocked(std::map<std::string, StoredSession>::iterator it) {
  session_ids_by_hash_.erase(it->second.token_hash);
  sessions_.erase(it);
}

void MemoryAccountStore::EraseSessionsOfLocked(const std::string& user_id) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    auto next = std::next(it);
    if (it->second.user_id == user_id) EraseSessionLocked(it);
    it = next;
  }
}

}  // namespace uptime::store
