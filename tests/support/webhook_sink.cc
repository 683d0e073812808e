#include "tests/support/webhook_sink.h"

#include <utility>

namespace uptime::testing {

absl::StatusOr<std::unique_ptr<WebhookSink>> WebhookSink::Start(
    const WebhookSinkOptions& options) {
  std::unique_ptr<WebhookSink> sink(new WebhookSink());
  HttpServerOptions server_options;
  server_options.tls = options.tls;
  WebhookSink* self = sink.get();
  absl::StatusOr<std::unique_ptr<HttpServer>> server =
      HttpServer::Start(server_options, [self](RecordedRequest request) {
        return self->Handle(std::move(request));
      });
  if (!server.ok()) return server.status();
  sink->server_ = *std::move(server);
  return sink;
}

// Joins the server threads while the state Handle() uses is still alive.
WebhookSink::~WebhookSink() { server_.reset(); }

std::string WebhookSink::url(absl::string_view path) const {
  return server_->url(path);
}

int WebhookSink::port() const { return server_->port(); }

std::string WebhookSink::cert_path() const { return server_->cert_path(); }

std::vector<WebhookSink::Request> WebhookSink::requests() const {
  absl::MutexLock lock(&mu_);
  return requests_;
}

size_t WebhookSink::count() const {
  absl::MutexLock lock(&mu_);
  return requests_.size();
}

void WebhookSink::ScriptResponses(std::vector<ScriptedResponse> responses) {
  absl::MutexLock lock(&mu_);
  script_.assign(std::make_move_iterator(responses.begin()),
                 std::make_move_iterator(responses.end()));
}

void WebhookSink::Clear() {
  absl::MutexLock lock(&mu_);
  requests_.clear();
}

HttpReply WebhookSink::Handle(RecordedRequest request) {
  HttpReply reply;
  reply.body = "ok";
  absl::MutexLock lock(&mu_);
  requests_.push_back(std::move(request));
  if (!script_.empty()) {
    ScriptedResponse next = std::move(script_.front());
    script_.pop_front();
    reply.status = next.status;
    reply.body = std::move(next.body);
    if (!next.retry_after.empty()) {
      reply.headers.emplace_back("Retry-After", std::move(next.retry_after));
    }
  }
  return reply;
}

}  // namespace uptime::testing
