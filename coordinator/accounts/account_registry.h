// AccountRegistry: users, API keys and sessions in memory, written through
// to the AccountStore, and the credential cache every API call is checked
// against.
//
// Why in memory: each API call presents a key or session; checking it must
// cost a hash and a map lookup, not a database round trip. Writes (create,
// revoke, disable, sign-out) go to the store first, with their audit event in
// the same transaction, then to memory, so a revoke is refused by the next
// call on this coordinator; a standby loads everything when it takes over, so
// a revoke also holds across a failover.
//
// Secrets: passwords are kept only as Argon2id encodings, keys and session
// tokens only as SHA-256 digests; neither appears in a log line or response.
//
// Housekeeping (Start/Stop): every `touch_interval`, the last-use times of
// keys and sessions are written in one batch each, and expired sessions are
// deleted.
//
// Thread-safety: thread-safe. Resolve() takes a reader lock only.
//
// Example:
//   AccountRegistry accounts(clock, store, {});
//   RETURN_IF_ERROR(accounts.Load());
//   TokenAuthorizer auth(tokens, false, &accounts);
#ifndef UPTIME_COORDINATOR_ACCOUNTS_ACCOUNT_REGISTRY_H_
#define UPTIME_COORDINATOR_ACCOUNTS_ACCOUNT_REGISTRY_H_

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/auth.h"
#include "common/clock.h"
#include "common/periodic_runner.h"
#include "coordinator/accounts/login_throttle.h"
#include "coordinator/accounts/secrets.h"
#include "google/protobuf/field_mask.pb.h"
#include "store/account_store.h"
#include "uptime/v1/auth.pb.h"
#include "uptime/v1/user.pb.h"

namespace uptime::coordinator {

struct AccountOptions {
  // A session ends after this long without a call, and at the latest after
  // `session_max_age`.
  absl::Duration session_idle_timeout = absl::Hours(12);
  absl::Duration session_max_age = absl::Hours(24 * 7);
  PasswordCost password_cost = {};
  LoginThrottleOptions throttle = {};
  absl::Duration touch_interval = absl::Seconds(30);
  int max_keys_per_user = 100;
  int max_sessions_per_user = 100;
};

// Who makes a change, for the audit log.
struct Actor {
  Principal principal = {};
  std::string client_address = {};
};

struct UserList {
  std::vector<v1::User> users;
  std::string next_page_token;
};

struct LoginResult {
  std::string session_token;  // "us_...", shown once
  Principal principal;
};

class AccountRegistry : public CredentialResolver {
 public:
  // `store` is not owned and must outlive the registry.
  AccountRegistry(Clock* clock, store::AccountStore* store, AccountOptions options = {});
  ~AccountRegistry() override;

  // Replaces memory with the store's users, keys and live sessions.
  absl::Status Load();
  // Creates `username` as an admin with `password` when no user exists yet
  // (the first admin of a new installation); a no-op otherwise.
  absl::Status Bootstrap(const std::string& username, const std::string& password);
  void Start();
  void Stop();

  // CredentialResolver: "uk_" keys and "us_" sessions, from memory.
  absl::StatusOr<Principal> Resolve(absl::string_view credential) const override;

  // Users. Validation errors name the field ("user.username: ...").
  absl::StatusOr<v1::User> CreateUser(const Actor& actor, const v1::User& user);
  // `id` may be "me" (the actor's own user).
  absl::StatusOr<v1::User> GetUser(const Actor& actor, const std::string& id) const;
  absl::StatusOr<UserList> ListUsers(int page_size, const std::string& page_token) const;
  absl::StatusOr<v1::User> UpdateUser(const Actor& actor, const v1::User& user,
                                      const google::protobuf::FieldMask& mask);
  absl::Status DeleteUser(const Actor& actor, const std::string& id);
  absl::Status ChangePassword(const Actor& actor, const std::string& current_password,
                              const std::string& new_password);
  bool HasUsers() const;

  // API keys. Ownership and role rules are checked here.
  absl::StatusOr<v1::CreateApiKeyResponse> CreateApiKey(const Actor& actor,
                                                        const std::string& user_id,
                                                        const v1::ApiKey& spec);
  absl::StatusOr<std::vector<v1::ApiKey>> ListApiKeys(const Actor& actor,
                                                      const std::string& user_id) const;
  absl::Status RevokeApiKey(const Actor& actor, const std::string& id);

  // TOTP second factor (totp.h). Begin/Confirm: the actor's own user.
  // Disable: `user_id` empty or "me" needs the actor's password; another
  // user needs an admin.
  absl::StatusOr<v1::TotpEnrollment> BeginTotpEnrollment(const Actor& actor);
  absl::Status ConfirmTotpEnrollment(const Actor& actor, const std::string& code);
  absl::Status DisableTotp(const Actor& actor, const std::string& user_id,
                           const std::string& password);

  // Sessions. With TOTP on, FAILED_PRECONDITION ("totp_code: required")
  // when the password is right and no code was sent.
  absl::StatusOr<LoginResult> Login(const v1::LoginRequest& request,
                                    const std::string& client_address);
  // Ends the actor's session; a no-op for other credentials.
  absl::Status Logout(const Actor& actor);

  absl::StatusOr<store::AuditPage> ListAudit(const store::AuditQuery& query) const;

  // Writes one housekeeping pass now (tests, shutdown).
  void Flush();

 private:
  struct KeyEntry {
    store::StoredApiKey stored;
    mutable std::atomic<int64_t> last_used_ms{0};
    int64_t flushed_ms = 0;  // guarded by mu_ (writer)
  };
  struct SessionEntry {
    store::StoredSession stored;
    mutable std::atomic<int64_t> last_seen_ms{0};
    int64_t flushed_ms = 0;  // guarded by mu_ (writer)
  };

  v1::AuditEvent NewAudit(const Actor& actor, absl::string_view action,
                          absl::string_view resource_type, absl::string_view resource_id) const;
  const store::StoredUser* FindUserLocked(const std::string& id) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // A copy of user `id`, for a write that replaces it (or records what it
  // was): NOT_FOUND naming the id when there is none. CopyOwnUser is the
  // same for the caller's own user, whose id the message leaves out.
  absl::StatusOr<store::StoredUser> CopyUser(const std::string& id) const
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<store::StoredUser> CopyOwnUser(const Actor& actor) const
      ABSL_LOCKS_EXCLUDED(mu_);
  v1::User PublicUserLocked(const store::StoredUser& user) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  v1::ApiKey PublicKey(const KeyEntry& key) const;
  void DropSessionsLocked(const std::string& user_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DropKeysLocked(const std::string& user_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A signed-in user confirming their own password (throttled like
  // sign-ins): INVALID_ARGUMENT naming `field` when it is wrong.
  absl::Status CheckOwnPassword(const std::string& user_id, const std::string& stored_hash,
                                const std::string& password, absl::string_view field);
  // Counts a failed sign-in against the user and the address (logging the
  // start of a lock-out) and records it in the audit log.
  void RecordFailedSignIn(const Actor& anonymous, const std::string& user_id,
                          const std::string& name_key, const std::string& addr_key);
  absl::StatusOr<std::string> ResolveUserId(const Actor& actor, const std::string& id) const;
  absl::Time Housekeeping(absl::Time now);

  Clock* const clock_;
  store::AccountStore* const store_;
  const AccountOptions options_;
  LoginThrottle throttle_;
  // Verified against when the username is unknown, so a wrong name costs as
  // long as a wrong password (no user enumeration by timing).
  std::string dummy_hash_;
  // Serializes writers, so a store write and its memory update are one step.
  absl::Mutex write_mu_;
  mutable absl::Mutex mu_;
  std::map<std::string, store::StoredUser> users_ ABSL_GUARDED_BY(mu_);  // by id
  absl::flat_hash_map<std::string, std::string> user_by_name_ ABSL_GUARDED_BY(mu_);  // lower -> id
  // By digest; ids to digests for revoke and listing.
  absl::flat_hash_map<std::string, std::unique_ptr<KeyEntry>> keys_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::string> key_by_id_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::unique_ptr<SessionEntry>> sessions_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::string> session_by_id_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, absl::Time> last_login_ ABSL_GUARDED_BY(mu_);  // by user id
  struct PendingTotp {
    std::string secret;
    absl::Time expires;
  };
  absl::flat_hash_map<std::string, PendingTotp> pending_totp_ ABSL_GUARDED_BY(mu_);
  // The last TOTP step used per user: a code is accepted once.
  absl::flat_hash_map<std::string, int64_t> last_totp_step_ ABSL_GUARDED_BY(mu_);
  PeriodicRunner housekeeping_;
};

// An audit event with who (the actor's name, user, credential and address)
// and when filled in; the writer adds what (action, resource, before/after).
v1::AuditEvent AuditTemplate(const Actor& actor, absl::Time time);

// v1::Role <-> AccessRole (same numbers).
inline AccessRole ToAccessRole(v1::Role role) { return static_cast<AccessRole>(role); }
inline v1::Role ToProtoRole(AccessRole role) { return static_cast<v1::Role>(role); }

// The Caller message for `principal`.
v1::Caller ToCaller(const Principal& principal);

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_ACCOUNTS_ACCOUNT_REGISTRY_H_
