// FakeCoordinator's AuthService, UserService and AuditService, and the
// test setters they serve.
#include "cli/testing/fake_coordinator.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "cli/testing/fake_service_responses.h"

namespace uptime::cli {

using fake_service_responses::Page;

// Enough of the AuthService for the CLI: GetCaller from the credential table.
class FakeCoordinator::Auth final : public v1::AuthService::Service {
 public:
  explicit Auth(FakeCoordinator& fake) : f_(fake) {}

  grpc::Status GetCaller(grpc::ServerContext* ctx, const v1::GetCallerRequest* req,
                         v1::Caller* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    std::optional<v1::Caller> caller = f_.CallerOf(*ctx);
    if (!caller.has_value()) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "missing or unknown credentials");
    }
    *resp = *std::move(caller);
    return grpc::Status::OK;
  }

 private:
  FakeCoordinator& f_;
};

// Users and keys in maps, with the server's checks that the CLI's tests
// need (required fields, unique usernames, password length, the current
// password); no role checks.
class FakeCoordinator::Users final : public v1::UserService::Service {
 public:
  explicit Users(FakeCoordinator& fake) : f_(fake) {}

  grpc::Status CreateUser(grpc::ServerContext* ctx, const v1::CreateUserRequest* req,
                          v1::User* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    v1::User user = req->user();
    if (user.username().empty()) return Invalid("user.username: required");
    if (user.role() == v1::ROLE_UNSPECIFIED) return Invalid("user.role: required");
    if (grpc::Status s = CheckPassword("user.password", user.password()); !s.ok()) return s;
    if (f_.users_.count(user.username()) > 0) {
      return grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                          absl::StrCat("user.username: '", user.username(), "' is taken"));
    }
    user.set_id(absl::StrFormat("u-%016x", f_.next_id_++));
    f_.passwords_[user.id()] = user.password();
    user.clear_password();
    user.mutable_create_time()->set_seconds(1'700'000'000);
    f_.users_[user.username()] = user;
    *resp = std::move(user);
    return grpc::Status::OK;
  }

  grpc::Status GetUser(grpc::ServerContext* ctx, const v1::GetUserRequest* req,
                       v1::User* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    v1::User* user = Find(*ctx, req->id());
    if (user == nullptr) return UserNotFound(req->id());
    *resp = *user;
    return grpc::Status::OK;
  }

  grpc::Status ListUsers(grpc::ServerContext* ctx, const v1::ListUsersRequest* req,
                         v1::ListUsersResponse* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    resp->set_next_page_token(Page(f_.users_, req->page_token(), req->page_size(),
                                   f_.max_page_size_,
                                   [&](const v1::User& u) { *resp->add_users() = u; }));
    return grpc::Status::OK;
  }

  grpc::Status UpdateUser(grpc::ServerContext* ctx, const v1::UpdateUserRequest* req,
                          v1::User* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    v1::User* user = Find(*ctx, req->user().id());
    if (user == nullptr) return UserNotFound(req->user().id());
    if (req->update_mask().paths().empty()) return Invalid("update_mask: required");
    for (const std::string& path : req->update_mask().paths()) {
      if (path == "display_name") {
        user->set_display_name(req->user().display_name());
      } else if (path == "role") {
        if (req->user().role() == v1::ROLE_UNSPECIFIED) return Invalid("user.role: required");
        user->set_role(req->user().role());
      } else if (path == "disabled") {
        user->set_disabled(req->user().disabled());
      } else if (path == "password") {
        if (grpc::Status s = CheckPassword("user.password", req->user().password()); !s.ok()) {
          return s;
        }
        f_.passwords_[user->id()] = req->user().password();
      } else {
        return Invalid(absl::StrCat("update_mask: unknown path '", path, "'"));
      }
    }
    *resp = *user;
    return grpc::Status::OK;
  }

  grpc::Status DeleteUser(grpc::ServerContext* ctx, const v1::DeleteUserRequest* req,
                          google::protobuf::Empty*) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    v1::User* user = Find(*ctx, req->id());
    if (user == nullptr) return UserNotFound(req->id());
    f_.passwords_.erase(user->id());
    f_.users_.erase(user->username());
    return grpc::Status::OK;
  }

  grpc::Status ChangePassword(grpc::ServerContext* ctx, const v1::ChangePasswordRequest* req,
                              google::protobuf::Empty*) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    v1::User* user = Find(*ctx, "me");
    if (user == nullptr) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "only users have passwords: sign in with a session or an API key");
    }
    if (f_.passwords_[user->id()] != req->current_password()) {
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                          "current_password: does not match");
    }
    if (grpc::Status s = CheckPassword("new_password", req->new_password()); !s.ok()) return s;
    f_.passwords_[user->id()] = req->new_password();
    return grpc::Status::OK;
  }

  // TOTP with a fixed secret; Confirm takes the code set by SetTotpCode
  // instead of computing one. Messages as the coordinator's.
  grpc::Status BeginTotpEnrollment(grpc::ServerContext* ctx,
                                   const v1::BeginTotpEnrollmentRequest* req,
                                   v1::TotpEnrollment* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    v1::User* user = Find(*ctx, "me");
    if (user == nullptr) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "a second factor belongs to a user");
    }
    f_.pending_totp_.insert(user->id());
    resp->set_secret(kTotpSecret);
    resp->set_otpauth_url(absl::StrCat("otpauth://totp/Uptime%20Monitor:", user->username(),
                                       "?secret=", kTotpSecret,
                                       "&issuer=Uptime%20Monitor"));
    return grpc::Status::OK;
  }

  grpc::Status ConfirmTotpEnrollment(grpc::ServerContext* ctx,
                                     const v1::ConfirmTotpEnrollmentRequest* req,
                                     google::protobuf::Empty*) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    v1::User* user = Find(*ctx, "me");
    if (user == nullptr || f_.pending_totp_.count(user->id()) == 0) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "no second factor is being set up (or it took over 10 minutes): "
                          "begin again");
    }
    if (req->code() != f_.totp_code_) {
      return Invalid("code: does not match; check the phone's clock and enter the current code");
    }
    f_.pending_totp_.erase(user->id());
    user->set_totp_enabled(true);
    return grpc::Status::OK;
  }

  grpc::Status DisableTotp(grpc::ServerContext* ctx, const v1::DisableTotpRequest* req,
                           google::protobuf::Empty*) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    std::optional<v1::Caller> caller = f_.CallerOf(*ctx);
    const std::string own_id = caller.has_value() ? caller->user_id() : "";
    const bool own =
        req->user_id().empty() || req->user_id() == "me" || req->user_id() == own_id;
    v1::User* user = Find(*ctx, own ? "me" : req->user_id());
    if (user == nullptr) return UserNotFound(own ? "me" : req->user_id());
    if (own && f_.passwords_[user->id()] != req->password()) {
      return Invalid("password: is wrong");
    }
    user->set_totp_enabled(false);
    return grpc::Status::OK;
  }

  grpc::Status CreateApiKey(grpc::ServerContext* ctx, const v1::CreateApiKeyRequest* req,
                            v1::CreateApiKeyResponse* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    v1::ApiKey key = req->api_key();
    if (key.name().empty()) return Invalid("api_key.name: required");
    if (key.role() == v1::ROLE_UNSPECIFIED) return Invalid("api_key.role: required");
    v1::User* owner = Find(*ctx, req->user_id().empty() ? "me" : req->user_id());
    if (owner == nullptr) return UserNotFound(req->user_id());
    key.set_id(absl::StrFormat("k-%016x", f_.next_id_++));
    key.set_user_id(owner->id());
    key.set_username(owner->username());
    const std::string secret =
        absl::StrCat("uk_", std::string(43 - key.id().size(), 'x'), key.id());
    key.set_prefix(secret.substr(0, 7));
    key.mutable_create_time()->set_seconds(1'700'000'000);
    f_.api_keys_[key.id()] = key;
    *resp->mutable_api_key() = std::move(key);
    resp->set_key(secret);
    return grpc::Status::OK;
  }

  grpc::Status ListApiKeys(grpc::ServerContext* ctx, const v1::ListApiKeysRequest* req,
                           v1::ListApiKeysResponse* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    std::string owner = req->user_id();
    if (owner.empty()) {
      std::optional<v1::Caller> caller = f_.CallerOf(*ctx);
      owner = caller.has_value() ? caller->user_id() : "";
    }
    for (const auto& [id, key] : f_.api_keys_) {
      if (owner == "-" || key.user_id() == owner) *resp->add_api_keys() = key;
    }
    return grpc::Status::OK;
  }

  grpc::Status RevokeApiKey(grpc::ServerContext* ctx, const v1::RevokeApiKeyRequest* req,
                            google::protobuf::Empty*) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    if (f_.api_keys_.erase(req->id()) == 0) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          absl::StrCat("API key '", req->id(), "' not found"));
    }
    return grpc::Status::OK;
  }

 private:
  static grpc::Status Invalid(const std::string& message) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, message);
  }

  static grpc::Status UserNotFound(const std::string& id) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, absl::StrCat("user '", id, "' not found"));
  }

  static grpc::Status CheckPassword(const std::string& field, const std::string& password) {
    if (password.size() < 12 || password.size() > 1024) {
      return Invalid(absl::StrCat(field, ": must be 12 to 1024 characters"));
    }
    return grpc::Status::OK;
  }

  // By id, or "me" for the caller's user; null when there is none.
  v1::User* Find(const grpc::ServerContext& ctx, std::string id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(f_.mu_) {
    if (id == "me") {
      std::optional<v1::Caller> caller = f_.CallerOf(ctx);
      if (!caller.has_value() || caller->user_id().empty()) return nullptr;
      id = caller->user_id();
    }
    for (auto& [username, user] : f_.users_) {
      if (user.id() == id) return &user;
    }
    return nullptr;
  }

  FakeCoordinator& f_;
};

// The audit log, newest first, filtered as the real one; page tokens are the
// id of the last event served.
class FakeCoordinator::Audit final : public v1::AuditService::Service {
 public:
  explicit Audit(FakeCoordinator& fake) : f_(fake) {}

  grpc::Status ListAuditEvents(grpc::ServerContext* ctx, const v1::ListAuditEventsRequest* req,
                               v1::ListAuditEventsResponse* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    int64_t after = INT64_MAX;
    if (!req->page_token().empty() && !absl::SimpleAtoi(req->page_token(), &after)) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "page_token: not one of ours");
    }
    const int size = req->page_size() > 0 && req->page_size() < f_.max_page_size_
                         ? req->page_size()
                         : f_.max_page_size_;
    for (auto it = f_.audit_events_.rbegin(); it != f_.audit_events_.rend(); ++it) {
      const v1::AuditEvent& e = it->second;
      if (e.id() >= after) continue;
      if (!req->actor().empty() && e.actor() != req->actor()) continue;
      if (!req->resource_type().empty() && e.resource_type() != req->resource_type()) continue;
      if (!req->resource_id().empty() && e.resource_id() != req->resource_id()) continue;
      if (resp->events_size() == size) {
        resp->set_next_page_token(absl::StrCat(resp->events(size - 1).id()));
        break;
      }
      *resp->add_events() = e;
    }
    return grpc::Status::OK;
  }

 private:
  FakeCoordinator& f_;
};

void FakeCoordinator::AddCredential(const std::string& token, v1::Caller caller) {
  absl::MutexLock lock(&mu_);
  credentials_[token] = std::move(caller);
}

void FakeCoordinator::AddUser(v1::User user, const std::string& password) {
  absl::MutexLock lock(&mu_);
  passwords_[user.id()] = password;
  users_[user.username()] = std::move(user);
}

std::optional<v1::User> FakeCoordinator::FindUser(const std::string& id) {
  absl::MutexLock lock(&mu_);
  for (const auto& [username, user] : users_) {
    if (user.id() == id) return user;
  }
  return std::nullopt;
}

std::optional<std::string> FakeCoordinator::PasswordOf(const std::string& id) {
  absl::MutexLock lock(&mu_);
  auto it = passwords_.find(id);
  if (it == passwords_.end()) return std::nullopt;
  return it->second;
}

void FakeCoordinator::SetTotpCode(const std::string& code) {
  absl::MutexLock lock(&mu_);
  totp_code_ = code;
}

void FakeCoordinator::AddApiKey(v1::ApiKey key) {
  absl::MutexLock lock(&mu_);
  api_keys_[key.id()] = std::move(key);
}

bool FakeCoordinator::HasApiKey(const std::string& id) {
  absl::MutexLock lock(&mu_);
  return api_keys_.count(id) > 0;
}

void FakeCoordinator::AddAuditEvent(v1::AuditEvent event) {
  absl::MutexLock lock(&mu_);
  audit_events_[event.id()] = std::move(event);
}

std::unique_ptr<grpc::Service> FakeCoordinator::NewAuthService(FakeCoordinator& fake) {
  return std::make_unique<Auth>(fake);
}

std::unique_ptr<grpc::Service> FakeCoordinator::NewUserService(FakeCoordinator& fake) {
  return std::make_unique<Users>(fake);
}

std::unique_ptr<grpc::Service> FakeCoordinator::NewAuditService(FakeCoordinator& fake) {
  return std::make_unique<Audit>(fake);
}

}  // namespace uptime::cli
