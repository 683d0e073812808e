#include "coordinator/accounts/account_registry.h"

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "coordinator/accounts/totp.h"
#include "common/proto_time.h"
#include "gtest/gtest.h"
#include "store/memory/memory_account_store.h"

namespace uptime::coordinator {
namespace {

constexpr char kPassword[] = "correct horse battery";

class AccountRegistryTest : public ::testing::Test {
 protected:
  AccountRegistryTest() { Reopen(); }

  // A fresh registry over the same store: what a coordinator taking over
  // after a failover sees.
  void Reopen() {
    accounts_ = std::make_unique<AccountRegistry>(
        &clock_, &store_,
        AccountOptions{.session_idle_timeout = absl::Hours(1),
                       .session_max_age = absl::Hours(8),
                       .password_cost = {.memory_kib = 64, .passes = 1, .lanes = 1},
                       .throttle = {.free_failures = 3}});
    ASSERT_TRUE(accounts_->Load().ok());
  }

  v1::User MakeUser(const std::string& name, v1::Role role) {
    v1::User spec;
    spec.set_username(name);
    spec.set_role(role);
    spec.set_password(kPassword);
    absl::StatusOr<v1::User> user = accounts_->CreateUser(admin_, spec);
    EXPECT_TRUE(user.ok()) << user.status();
    return user.ok() ? *user : v1::User();
  }

  std::string Key(const v1::User& owner, v1::Role role) {
    Actor self{.principal = Resolved("")};
    self.principal.user_id = owner.id();
    self.principal.role = ToAccessRole(owner.role());
    self.principal.kind = CredentialKind::kSession;
    v1::ApiKey spec;
    spec.set_name("ci");
    spec.set_role(role);
    absl::StatusOr<v1::CreateApiKeyResponse> key = accounts_->CreateApiKey(self, "", spec);
    EXPECT_TRUE(key.ok()) << key.status();
    return key.ok() ? key->key() : "";
  }

  // `user` signed in with a password: a session with the user's role.
  static Actor SessionOf(const v1::User& user) {
    return Actor{.principal = {.role = ToAccessRole(user.role()),
                               .kind = CredentialKind::kSession,
                               .name = user.username(),
                               .user_id = user.id()}};
  }

  Principal Resolved(const std::string& credential) {
    absl::StatusOr<Principal> p = accounts_->Resolve(credential);
    return p.ok() ? *p : Principal{};
  }

  absl::StatusOr<LoginResult> SignIn(const std::string& name, const std::string& password,
                                     const std::string& address = "10.0.0.1") {
    v1::LoginRequest req;
    req.set_username(name);
    req.set_password(password);
    return accounts_->Login(req, address);
  }

  int AuditCount(const std::string& action) {
    absl::StatusOr<store::AuditPage> page = store_.ListAudit({.page_size = 1000});
    int n = 0;
    for (const v1::AuditEvent& e : page->events) n += e.action() == action;
    return n;
  }

  SimulatedClock clock_;
  store::MemoryAccountStore store_;
  std::unique_ptr<AccountRegistry> accounts_;
  Actor admin_{.principal = {.role = AccessRole::kAdmin,
                             .kind = CredentialKind::kStaticToken,
                             .name = "admin-token"}};
};

TEST_F(AccountRegistryTest, CreatesUsersWithoutEverReturningThePassword) {
  v1::User alice = MakeUser("alice", v1::ROLE_EDITOR);
  EXPECT_TRUE(absl::StartsWith(alice.id(), "u-"));
  EXPECT_TRUE(alice.password().empty());
  absl::StatusOr<std::vector<store::StoredUser>> stored = store_.LoadUsers();
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_TRUE(absl::StartsWith((*stored)[0].password_hash, "$argon2id$"));
  EXPECT_TRUE((*stored)[0].user.password().empty());
  absl::StatusOr<store::AuditPage> audit = store_.ListAudit({.page_size = 10});
  ASSERT_EQ(audit->events.size(), 1u);
  EXPECT_EQ(audit->events[0].action(), "user.create");
  EXPECT_EQ(audit->events[0].actor(), "admin-token");
  EXPECT_EQ(audit->events[0].after_json().find(kPassword), std::string::npos);
}

TEST_F(AccountRegistryTest, ValidatesUsersNamingTheField) {
  v1::User spec;
  spec.set_username("bad name");
  spec.set_role(v1::ROLE_VIEWER);
  spec.set_password(kPassword);
  EXPECT_EQ(accounts_->CreateUser(admin_, spec).status().message(),
            "user.username: only letters, digits, '.', '_' and '-' are allowed");
  spec.set_username("ok");
  spec.set_role(v1::ROLE_UNSPECIFIED);
  EXPECT_EQ(accounts_->CreateUser(admin_, spec).status().message(),
            "user.role: must be ROLE_VIEWER, ROLE_EDITOR or ROLE_ADMIN");
  spec.set_role(v1::ROLE_VIEWER);
  spec.set_password("short");
  EXPECT_TRUE(absl::StartsWith(accounts_->CreateUser(admin_, spec).status().message(),
                               "user.password: must be at least 12"));
  MakeUser("Bob", v1::ROLE_VIEWER);
  spec.set_username("bob");
  spec.set_password(kPassword);
  EXPECT_TRUE(absl::IsAlreadyExists(accounts_->CreateUser(admin_, spec).status()));
  EXPECT_EQ(AuditCount("user.create"), 1);
}

TEST_F(AccountRegistryTest, SignInMakesASessionThatResolvesUntilItExpires) {
  v1::User alice = MakeUser("alice", v1::ROLE_EDITOR);
  absl::StatusOr<LoginResult> login = SignIn("ALICE", kPassword);
  ASSERT_TRUE(login.ok()) << login.status();
  EXPECT_TRUE(absl::StartsWith(login->session_token, "us_"));
  Principal p = Resolved(login->session_token);
  EXPECT_EQ(p.role, AccessRole::kEditor);
  EXPECT_EQ(p.kind, CredentialKind::kSession);
  EXPECT_EQ(p.user_id, alice.id());
  // Idle expiry: used every 50 minutes, it lives on; then 61 idle minutes end it.
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(absl::Minutes(50));
    ASSERT_TRUE(accounts_->Resolve(login->session_token).ok()) << i;
  }
  clock_.Advance(absl::Minutes(61));
  EXPECT_TRUE(absl::IsUnauthenticated(accounts_->Resolve(login->session_token).status()));
}

TEST_F(AccountRegistryTest, SessionsEndAtTheirMaximumAgeEvenWhenUsed) {
  MakeUser("alice", v1::ROLE_VIEWER);
  absl::StatusOr<LoginResult> login = SignIn("alice", kPassword);
  ASSERT_TRUE(login.ok());
  for (int i = 0; i < 9; ++i) {
    clock_.Advance(absl::Minutes(55));
    (void)accounts_->Resolve(login->session_token);
  }
  EXPECT_TRUE(absl::IsUnauthenticated(accounts_->Resolve(login->session_token).status()));
}

TEST_F(AccountRegistryTest, WrongPasswordUnknownUserAndDisabledUserLookAlike) {
  v1::User bob = MakeUser("bob", v1::ROLE_VIEWER);
  absl::Status wrong = SignIn("bob", "wrong password!!").status();
  absl::Status unknown = SignIn("nobody", kPassword).status();
  v1::User disable;
  disable.set_id(bob.id());
  disable.set_disabled(true);
  google::protobuf::FieldMask mask;
  mask.add_paths("disabled");
  ASSERT_TRUE(accounts_->UpdateUser(admin_, disable, mask).ok());
  absl::Status disabled = SignIn("bob", kPassword, "10.0.0.2").status();
  for (const absl::Status& s : {wrong, unknown, disabled}) {
    EXPECT_TRUE(absl::IsUnauthenticated(s)) << s;
    EXPECT_EQ(s.message(), "invalid username or password");
  }
  EXPECT_EQ(AuditCount("session.login_failed"), 3);
}

TEST_F(AccountRegistryTest, RepeatedFailuresThrottleTheUserAndTheAddress) {
  MakeUser("carol", v1::ROLE_VIEWER);
  for (int i = 0; i < 4; ++i) (void)SignIn("carol", "not the password", "10.9.9.9");
  // The right password is refused while locked out, before it is checked.
  absl::Status locked = SignIn("carol", kPassword, "10.1.1.1").status();
  EXPECT_TRUE(absl::IsResourceExhausted(locked)) << locked;
  EXPECT_TRUE(absl::StrContains(locked.message(), "try again in")) << locked;
  // The address is throttled for other users too.
  MakeUser("dave", v1::ROLE_VIEWER);
  EXPECT_TRUE(absl::IsResourceExhausted(SignIn("dave", kPassword, "10.9.9.9").status()));
  clock_.Advance(absl::Seconds(2));
  EXPECT_TRUE(SignIn("carol", kPassword, "10.1.1.1").ok());
}

TEST_F(AccountRegistryTest, ApiKeysAreShownOnceStoredHashedAndRevocable) {
  v1::User erin = MakeUser("erin", v1::ROLE_EDITOR);
  std::string key = Key(erin, v1::ROLE_VIEWER);
  EXPECT_TRUE(absl::StartsWith(key, "uk_"));
  Principal p = Resolved(key);
  EXPECT_EQ(p.role, AccessRole::kViewer);
  EXPECT_EQ(p.kind, CredentialKind::kApiKey);
  absl::StatusOr<std::vector<store::StoredApiKey>> stored = store_.LoadApiKeys();
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].key_hash, CredentialDigest(key));
  EXPECT_EQ((*stored)[0].key.SerializeAsString().find(key), std::string::npos);
  ASSERT_TRUE(accounts_->RevokeApiKey(admin_, p.api_key_id).ok());
  EXPECT_TRUE(absl::IsUnauthenticated(accounts_->Resolve(key).status()));
  EXPECT_EQ(AuditCount("api_key.revoke"), 1);
}

TEST_F(AccountRegistryTest, AKeyNeverOutranksItsOwner) {
  v1::User erin = MakeUser("erin", v1::ROLE_EDITOR);
  Actor self = SessionOf(erin);
  v1::ApiKey spec;
  spec.set_name("too strong");
  spec.set_role(v1::ROLE_ADMIN);
  EXPECT_TRUE(absl::IsPermissionDenied(accounts_->CreateApiKey(self, "", spec).status()));
  // An editor key, then the owner is demoted: the key is a viewer now.
  std::string key = Key(erin, v1::ROLE_EDITOR);
  v1::User demote;
  demote.set_id(erin.id());
  demote.set_role(v1::ROLE_VIEWER);
  google::protobuf::FieldMask mask;
  mask.add_paths("role");
  ASSERT_TRUE(accounts_->UpdateUser(admin_, demote, mask).ok());
  EXPECT_EQ(Resolved(key).role, AccessRole::kViewer);
}

TEST_F(AccountRegistryTest, ExpiredKeysAreRefused) {
  v1::User erin = MakeUser("erin", v1::ROLE_VIEWER);
  Actor self = SessionOf(erin);
  v1::ApiKey spec;
  spec.set_name("short-lived");
  spec.set_role(v1::ROLE_VIEWER);
  ToProto(clock_.Now() + absl::Hours(1), spec.mutable_expire_time());
  absl::StatusOr<v1::CreateApiKeyResponse> key = accounts_->CreateApiKey(self, "", spec);
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(accounts_->Resolve(key->key()).ok());
  clock_.Advance(absl::Hours(1));
  EXPECT_TRUE(absl::IsUnauthenticated(accounts_->Resolve(key->key()).status()));
}

TEST_F(AccountRegistryTest, DisablingAUserStopsItsKeysAndSessions) {
  v1::User frank = MakeUser("frank", v1::ROLE_EDITOR);
  std::string key = Key(frank, v1::ROLE_EDITOR);
  absl::StatusOr<LoginResult> login = SignIn("frank", kPassword);
  ASSERT_TRUE(login.ok());
  v1::User disable;
  disable.set_id(frank.id());
  disable.set_disabled(true);
  google::protobuf::FieldMask mask;
  mask.add_paths("disabled");
  ASSERT_TRUE(accounts_->UpdateUser(admin_, disable, mask).ok());
  EXPECT_FALSE(accounts_->Resolve(key).ok());
  EXPECT_FALSE(accounts_->Resolve(login->session_token).ok());
}

TEST_F(AccountRegistryTest, ChangingThePasswordEndsOtherSessionsOnly) {
  v1::User gina = MakeUser("gina", v1::ROLE_VIEWER);
  absl::StatusOr<LoginResult> here = SignIn("gina", kPassword);
  absl::StatusOr<LoginResult> there = SignIn("gina", kPassword);
  ASSERT_TRUE(here.ok() && there.ok());
  Actor me{.principal = Resolved(here->session_token)};
  EXPECT_EQ(accounts_->ChangePassword(me, "wrong current pw", "a brand new passphrase").message(),
            "current_password: is wrong");
  ASSERT_TRUE(accounts_->ChangePassword(me, kPassword, "a brand new passphrase").ok());
  EXPECT_TRUE(accounts_->Resolve(here->session_token).ok());
  EXPECT_FALSE(accounts_->Resolve(there->session_token).ok());
  EXPECT_FALSE(SignIn("gina", kPassword).ok());
  EXPECT_TRUE(SignIn("gina", "a brand new passphrase").ok());
}

TEST_F(AccountRegistryTest, AnAdminResetAsksTheUserForANewPassword) {
  v1::User nia = MakeUser("nia", v1::ROLE_VIEWER);
  v1::User reset;
  reset.set_id(nia.id());
  reset.set_password("temporary passphrase");
  google::protobuf::FieldMask mask;
  mask.add_paths("password");
  ASSERT_TRUE(accounts_->UpdateUser(admin_, reset, mask).ok());
  absl::StatusOr<LoginResult> login = SignIn("nia", "temporary passphrase");
  ASSERT_TRUE(login.ok());
  EXPECT_TRUE(login->principal.must_change_password);
  Actor me{.principal = Resolved(login->session_token)};
  EXPECT_TRUE(me.principal.must_change_password);
  ASSERT_TRUE(accounts_->ChangePassword(me, "temporary passphrase", "my own passphrase").ok());
  EXPECT_FALSE(Resolved(login->session_token).must_change_password);
  EXPECT_FALSE(accounts_->GetUser(me, "me")->must_change_password());
}

TEST_F(AccountRegistryTest, EverythingSurvivesAReloadAndRevocationsHold) {
  v1::User hal = MakeUser("hal", v1::ROLE_ADMIN);
  std::string kept = Key(hal, v1::ROLE_EDITOR);
  std::string revoked = Key(hal, v1::ROLE_VIEWER);
  absl::StatusOr<LoginResult> session = SignIn("hal", kPassword);
  absl::StatusOr<LoginResult> ended = SignIn("hal", kPassword);
  ASSERT_TRUE(session.ok() && ended.ok());
  ASSERT_TRUE(accounts_->RevokeApiKey(admin_, Resolved(revoked).api_key_id).ok());
  ASSERT_TRUE(accounts_->Logout(Actor{.principal = Resolved(ended->session_token)}).ok());
  clock_.Advance(absl::Minutes(5));
  (void)accounts_->Resolve(kept);
  accounts_->Flush();
  Reopen();
  EXPECT_EQ(Resolved(kept).role, AccessRole::kEditor);
  EXPECT_EQ(Resolved(session->session_token).user_id, hal.id());
  EXPECT_FALSE(accounts_->Resolve(revoked).ok());
  EXPECT_FALSE(accounts_->Resolve(ended->session_token).ok());
  Actor self{.principal = Resolved(session->session_token)};
  absl::StatusOr<std::vector<v1::ApiKey>> keys = accounts_->ListApiKeys(self, "");
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ(FromProto((*keys)[0].last_used_time()), clock_.Now());
}

TEST_F(AccountRegistryTest, OwnershipRules) {
  v1::User ivy = MakeUser("ivy", v1::ROLE_EDITOR);
  v1::User jon = MakeUser("jon", v1::ROLE_EDITOR);
  std::string jons_key = Key(jon, v1::ROLE_VIEWER);
  Actor ivy_actor = SessionOf(ivy);
  EXPECT_TRUE(accounts_->GetUser(ivy_actor, "me").ok());
  EXPECT_TRUE(absl::IsPermissionDenied(accounts_->GetUser(ivy_actor, jon.id()).status()));
  EXPECT_TRUE(absl::IsPermissionDenied(accounts_->ListApiKeys(ivy_actor, jon.id()).status()));
  EXPECT_TRUE(absl::IsNotFound(
      accounts_->RevokeApiKey(ivy_actor, Resolved(jons_key).api_key_id)));
  EXPECT_TRUE(accounts_->Resolve(jons_key).ok());
}

TEST_F(AccountRegistryTest, AdminsCannotLockThemselvesOut) {
  v1::User root = MakeUser("root", v1::ROLE_ADMIN);
  Actor self = SessionOf(root);
  v1::User demote;
  demote.set_id("me");
  demote.set_role(v1::ROLE_VIEWER);
  google::protobuf::FieldMask mask;
  mask.add_paths("role");
  EXPECT_TRUE(absl::IsFailedPrecondition(accounts_->UpdateUser(self, demote, mask).status()));
  EXPECT_TRUE(absl::IsFailedPrecondition(accounts_->DeleteUser(self, root.id())));
}

TEST_F(AccountRegistryTest, BootstrapCreatesTheFirstAdminOnce) {
  ASSERT_TRUE(accounts_->Bootstrap("owner", kPassword).ok());
  ASSERT_TRUE(accounts_->Bootstrap("second", kPassword).ok());
  absl::StatusOr<UserList> users = accounts_->ListUsers(100, "");
  ASSERT_EQ(users->users.size(), 1u);
  EXPECT_EQ(users->users[0].username(), "owner");
  EXPECT_EQ(users->users[0].role(), v1::ROLE_ADMIN);
}

TEST_F(AccountRegistryTest, ListsUsersByNameInPages) {
  for (const char* name : {"zed", "amy", "Max", "bo"}) MakeUser(name, v1::ROLE_VIEWER);
  absl::StatusOr<UserList> first = accounts_->ListUsers(3, "");
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->users.size(), 3u);
  EXPECT_EQ(first->users[0].username(), "amy");
  EXPECT_EQ(first->users[2].username(), "Max");
  absl::StatusOr<UserList> second = accounts_->ListUsers(3, first->next_page_token);
  ASSERT_EQ(second->users.size(), 1u);
  EXPECT_EQ(second->users[0].username(), "zed");
  EXPECT_TRUE(second->next_page_token.empty());
}

TEST_F(AccountRegistryTest, TotpSecondFactor) {
  v1::User kim = MakeUser("kim", v1::ROLE_VIEWER);
  absl::StatusOr<LoginResult> first = SignIn("kim", kPassword);
  ASSERT_TRUE(first.ok());
  Actor me{.principal = Resolved(first->session_token)};
  absl::StatusOr<v1::TotpEnrollment> enrollment = accounts_->BeginTotpEnrollment(me);
  ASSERT_TRUE(enrollment.ok()) << enrollment.status();
  EXPECT_TRUE(absl::StartsWith(enrollment->otpauth_url(), "otpauth://totp/Uptime%20Monitor:kim?"));
  // Not active until confirmed with a current code.
  EXPECT_TRUE(SignIn("kim", kPassword).ok());
  EXPECT_TRUE(absl::IsInvalidArgument(accounts_->ConfirmTotpEnrollment(me, "000000")));
  ASSERT_TRUE(
      accounts_->ConfirmTotpEnrollment(me, TotpCode(enrollment->secret(), clock_.Now())).ok());
  EXPECT_TRUE(accounts_->GetUser(me, "me")->totp_enabled());

  // From now on the password alone is not enough.
  absl::Status no_code = SignIn("kim", kPassword).status();
  EXPECT_TRUE(absl::IsFailedPrecondition(no_code)) << no_code;
  EXPECT_EQ(no_code.message(), "totp_code: required (the user has a second factor)");
  v1::LoginRequest req;
  req.set_username("kim");
  req.set_password(kPassword);
  req.set_totp_code("000000");
  EXPECT_TRUE(absl::IsUnauthenticated(accounts_->Login(req, "10.0.0.1").status()));
  clock_.Advance(absl::Seconds(30));
  req.set_totp_code(TotpCode(enrollment->secret(), clock_.Now()));
  EXPECT_TRUE(accounts_->Login(req, "10.0.0.1").ok());
  // The same code twice: refused (a code seen over a shoulder is spent).
  EXPECT_TRUE(absl::IsUnauthenticated(accounts_->Login(req, "10.0.0.1").status()));
  // Wrong password and a right code: still the generic answer.
  req.set_password("wrong password!!");
  clock_.Advance(absl::Seconds(30));
  req.set_totp_code(TotpCode(enrollment->secret(), clock_.Now()));
  EXPECT_EQ(accounts_->Login(req, "10.0.0.1").status().message(), "invalid username or password");

  // Turning it off needs the password (or an admin); it survives a reload.
  accounts_->Flush();
  Reopen();
  EXPECT_TRUE(absl::IsFailedPrecondition(SignIn("kim", kPassword).status()));
  me = Actor{.principal = Resolved(first->session_token)};
  EXPECT_TRUE(absl::IsInvalidArgument(accounts_->DisableTotp(me, "", "not my password!")));
  ASSERT_TRUE(accounts_->DisableTotp(me, "", kPassword).ok());
  EXPECT_TRUE(SignIn("kim", kPassword).ok());
  EXPECT_EQ(AuditCount("user.totp_enable"), 1);
  EXPECT_EQ(AuditCount("user.totp_disable"), 1);
  absl::StatusOr<std::vector<store::StoredUser>> stored = store_.LoadUsers();
  EXPECT_TRUE((*stored)[0].totp_secret.empty());
}

TEST_F(AccountRegistryTest, AdminsRemoveSecondFactorsOthersCannot) {
  v1::User lou = MakeUser("lou", v1::ROLE_VIEWER);
  v1::User mo = MakeUser("mo", v1::ROLE_EDITOR);
  Actor lou_actor = SessionOf(lou);
  absl::StatusOr<v1::TotpEnrollment> e = accounts_->BeginTotpEnrollment(lou_actor);
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE(accounts_->ConfirmTotpEnrollment(lou_actor, TotpCode(e->secret(), clock_.Now())).ok());
  Actor mo_actor = SessionOf(mo);
  EXPECT_TRUE(absl::IsPermissionDenied(accounts_->DisableTotp(mo_actor, lou.id(), "")));
  EXPECT_TRUE(accounts_->DisableTotp(admin_, lou.id(), "").ok());
  EXPECT_TRUE(SignIn("lou", kPassword).ok());
  // Static tokens have no second factor of their own.
  EXPECT_TRUE(absl::IsFailedPrecondition(accounts_->BeginTotpEnrollment(admin_).status()));
}

}  // namespace
}  // namespace uptime::coordinator
