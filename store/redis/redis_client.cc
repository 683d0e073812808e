#include "store/redis/redis_client.h"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <sys/time.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace uptime::store {
namespace {

RedisReply Convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      out.type = RedisReply::Type::kNil;
  }
  return out;
}

// Between calls every reply has been read, so a readable socket means the
// server closed it (or sent an error before closing).
bool ClosedByPeer(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) != 0;
}

}  // namespace

RedisClient::RedisClient(RedisOptions options, Clock* clock)
    : options_(std::move(options)), clock_(clock) {
  const size_t colon = options_.host_port.rfind(':');
  host_ = options_.host_port.substr(0, colon);
  if (colon == std::string::npos || !absl::SimpleAtoi(options_.host_port.substr(colon + 1), &port_)) {
    port_ = 6379;
  }
}

RedisClient::~RedisClient() {
  absl::MutexLock lock(&mu_);
  if (ctx_ != nullptr) redisFree(ctx_);
}

uint64_t RedisClient::generation() const {
  absl::MutexLock lock(&mu_);
  return generation_;
}

absl::Status RedisClient::DropLocked(absl::string_view why) {
  last_error_ = std::string(why);
  if (ctx_ != nullptr) redisFree(ctx_);
  ctx_ = nullptr;
  return absl::UnavailableError(
      absl::StrCat("redis ", options_.host_port, ": ", why));
}

absl::Status RedisClient::EnsureConnectedLocked() {
  if (ctx_ != nullptr && !ClosedByPeer(ctx_->fd)) return absl::OkStatus();
  if (ctx_ != nullptr) {
    redisFree(ctx_);
    ctx_ = nullptr;
    next_attempt_ = absl::InfinitePast();  // it was up a moment ago: retry now
  }
  const absl::Time now = clock_->Now();
  if (now < next_attempt_) {
    return absl::UnavailableError(absl::StrCat("redis ", options_.host_port,
                                               " unavailable (", last_error_, "); next attempt in ",
                                               absl::FormatDuration(next_attempt_ - now)));
  }
  next_attempt_ = now + options_.reconnect_backoff;
  redisContext* ctx =
      redisConnectWithTimeout(host_.c_str(), port_, absl::ToTimeval(options_.connect_timeout));
  if (ctx == nullptr) return DropLocked("cannot allocate a connection");
  if (ctx->err != 0) {
    const std::string error = ctx->errstr;
    redisFree(ctx);
    return DropLocked(absl::StrCat("cannot connect: ", error));
  }
  if (redisSetTimeout(ctx, absl::ToTimeval(options_.command_timeout)) != REDIS_OK) {
    redisFree(ctx);
    return DropLocked("cannot set the command timeout");
  }
  ctx_ = ctx;
  ++generation_;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<RedisReply>> RedisClient::Pipeline(
    absl::Span<const RedisCommand> commands) {
  std::vector<RedisReply> replies;
  if (commands.empty()) return replies;
  absl::MutexLock lock(&mu_);
  if (absl::Status s = EnsureConnectedLocked(); !s.ok()) return s;
  std::vector<const char*> argv;
  std::vector<size_t> argvlen;
  for (const RedisCommand& command : commands) {
    argv.clear();
    argvlen.clear();
    for (const std::string& arg : command) {
      argv.push_back(arg.data());
      argvlen.push_back(arg.size());
    }
    if (redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(),
                               argvlen.data()) != REDIS_OK) {
      return DropLocked(absl::StrCat("append failed: ", ctx_->errstr));
    }
  }
  // The first redisGetReply writes the whole buffer, then each call reads.
  replies.reserve(commands.size());
  std::string first_error;
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) {
      return DropLocked(ctx_->err != 0 ? ctx_->errstr : "connection lost");
    }
    auto* reply = static_cast<redisReply*>(raw);
    replies.push_back(Convert(reply));
    freeReplyObject(reply);
    if (replies.back().type == RedisReply::Type::kError && first_error.empty()) {
      first_error = absl::StrCat(commands[i].empty() ? "" : commands[i][0], ": ",
                                 replies.back().str);
    }
  }
  if (!first_error.empty()) return absl::InternalError(absl::StrCat("redis: ", first_error));
  return replies;
}

}  // namespace uptime::store
