#include "tests/support/http_target.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace uptime::testing {

absl::StatusOr<std::unique_ptr<HttpTarget>> HttpTarget::Start(
    const HttpTargetOptions& options) {
  std::unique_ptr<HttpTarget> target(new HttpTarget());
  HttpServerOptions server_options;
  server_options.tls = options.tls;
  server_options.cert_not_before = options.cert_not_before;
  server_options.cert_not_after = options.cert_not_after;
  HttpTarget* self = target.get();
  absl::StatusOr<std::unique_ptr<HttpServer>> server =
      HttpServer::Start(server_options, [self](RecordedRequest request) {
        return self->Handle(std::move(request));
      });
  if (!server.ok()) return server.status();
  target->server_ = *std::move(server);
  return target;
}

// Joins the server threads while the state Handle() uses is still alive.
HttpTarget::~HttpTarget() { server_.reset(); }

std::string HttpTarget::url(absl::string_view path) const {
  return server_->url(path);
}

int HttpTarget::port() const { return server_->port(); }

std::string HttpTarget::cert_path() const { return server_->cert_path(); }

void HttpTarget::SetStatus(int status) {
  absl::MutexLock lock(&mu_);
  status_ = status;
}

void HttpTarget::SetBody(std::string body) {
  absl::MutexLock lock(&mu_);
  body_ = std::move(body);
}

void HttpTarget::SetDelay(absl::Duration delay) {
  absl::MutexLock lock(&mu_);
  delay_ = delay;
}

void HttpTarget::SetHeader(std::string name, std::string value) {
  absl::MutexLock lock(&mu_);
  for (auto& [key, existing] : headers_) {
    if (absl::EqualsIgnoreCase(key, name)) {
      existing = std::move(value);
      return;
    }
  }
  headers_.emplace_back(std::move(name), std::move(value));
}

void HttpTarget::SetCloseWithoutResponse(bool close) {
  absl::MutexLock lock(&mu_);
  close_without_response_ = close;
}

void HttpTarget::SetRedirect(std::string location) {
  absl::MutexLock lock(&mu_);
  redirect_ = std::move(location);
}

int64_t HttpTarget::request_count() const { return request_count_.load(); }

std::vector<RecordedRequest> HttpTarget::requests() const {
  absl::MutexLock lock(&mu_);
  return std::vector<RecordedRequest>(recorded_.begin(), recorded_.end());
}

HttpReply HttpTarget::Handle(RecordedRequest request) {
  HttpReply reply;
  absl::MutexLock lock(&mu_);
  request_count_.fetch_add(1);
  recorded_.push_back(std::move(request));
  if (recorded_.size() > kMaxRecorded) recorded_.pop_front();

  reply.delay = delay_;
  reply.close_without_response = close_without_response_;
  reply.headers = headers_;
  if (!redirect_.empty()) {
    reply.status = 302;
    reply.headers.emplace_back("Location", redirect_);
    reply.body = absl::StrCat("redirecting to ", redirect_);
  } else {
    reply.status = status_;
    reply.body = body_;
  }
  return reply;
}

}  // namespace uptime::testing
