#include "gateway/error_mapping.h"

#include "gtest/gtest.h"

namespace uptime::gateway {
namespace {

TEST(ErrorMappingTest, HttpStatusOfEachCode) {
  using C = absl::StatusCode;
  EXPECT_EQ(HttpStatusFor(C::kInvalidArgument), 400u);
  EXPECT_EQ(HttpStatusFor(C::kUnauthenticated), 401u);
  EXPECT_EQ(HttpStatusFor(C::kPermissionDenied), 403u);
  EXPECT_EQ(HttpStatusFor(C::kNotFound), 404u);
  EXPECT_EQ(HttpStatusFor(C::kAlreadyExists), 409u);
  EXPECT_EQ(HttpStatusFor(C::kAborted), 409u);
  EXPECT_EQ(HttpStatusFor(C::kFailedPrecondition), 409u);
  EXPECT_EQ(HttpStatusFor(C::kUnavailable), 503u);
  EXPECT_EQ(HttpStatusFor(C::kDeadlineExceeded), 503u);
  EXPECT_EQ(HttpStatusFor(C::kInternal), 500u);
  EXPECT_EQ(HttpStatusFor(C::kResourceExhausted), 429u);
}

TEST(ErrorMappingTest, BodyNamesTheField) {
  std::string body = ErrorJson(absl::InvalidArgumentError("monitor.interval: must be 1s..24h"));
  EXPECT_EQ(body,
            "{\"code\":3,\"status\":\"INVALID_ARGUMENT\",\"message\":\"monitor.interval: must be "
            "1s..24h\",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.BadRequest\","
            "\"fieldViolations\":[{\"field\":\"monitor.interval\",\"description\":\"must be "
            "1s..24h\"}]}]}");
  EXPECT_EQ(ErrorJson(absl::NotFoundError("no \"x\"")),
            "{\"code\":5,\"status\":\"NOT_FOUND\",\"message\":\"no \\\"x\\\"\",\"details\":[]}");
  EXPECT_EQ(FieldOf("a b: c"), "");
  EXPECT_EQ(FieldOf("channel_ids[0]: unknown"), "channel_ids[0]");
}

TEST(ErrorMappingTest, MissingSecondFactorIsAConflict) {
  // What auth:login answers a user with TOTP who sent no totpCode.
  HttpResponse r = ErrorResponse(absl::FailedPreconditionError("totp_code: required"));
  EXPECT_EQ(r.status, 409u);
  // The field is in the message only: fieldViolations are for INVALID_ARGUMENT.
  EXPECT_EQ(r.body,
            "{\"code\":9,\"status\":\"FAILED_PRECONDITION\",\"message\":\"totp_code: "
            "required\",\"details\":[]}");
}

TEST(ErrorMappingTest, RetryAfterComesFromTheMessage) {
  EXPECT_EQ(RetryAfterSeconds("too many failed sign-ins: retry after 30s"), 30);
  EXPECT_EQ(RetryAfterSeconds("throttled; try again in 2 minutes"), 120);
  EXPECT_EQ(RetryAfterSeconds("locked out, retry in 1m30s."), 90);
  EXPECT_EQ(RetryAfterSeconds("Retry after 0.2s"), 1);
  EXPECT_EQ(RetryAfterSeconds("retry after 45"), 45);
  EXPECT_EQ(RetryAfterSeconds("too many wrong passwords; try again in 3 s"), 3);
  EXPECT_EQ(RetryAfterSeconds("the coordinator's write queue is full"), 1);
  EXPECT_EQ(RetryAfterSeconds("no hint", 7), 7);
}

}  // namespace
}  // namespace uptime::gateway
