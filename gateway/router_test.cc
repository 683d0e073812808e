#include "gateway/router.h"

#include "gtest/gtest.h"

namespace uptime::gateway {
namespace {

using Verb = boost::beast::http::verb;

Router MakeRouter() {
  Router r;
  EXPECT_TRUE(r.Add(Verb::get, "/api/v1/monitors", 1).ok());
  EXPECT_TRUE(r.Add(Verb::post, "/api/v1/monitors", 2).ok());
  EXPECT_TRUE(r.Add(Verb::get, "/api/v1/monitors/{id}", 3).ok());
  EXPECT_TRUE(r.Add(Verb::patch, "/api/v1/monitors/{monitor.id}", 4).ok());
  EXPECT_TRUE(r.Add(Verb::post, "/api/v1/monitors/{id}:pause", 5).ok());
  EXPECT_TRUE(r.Add(Verb::get, "/api/v1/statuses:summary", 6).ok());
  EXPECT_TRUE(r.Add(Verb::get, "/api/v1/statuses/{monitor_id}", 7).ok());
  EXPECT_TRUE(r.Add(Verb::get, "/api/v1/monitors/{monitor_id}/results", 8).ok());
  return r;
}

TEST(RouterTest, MatchesLiteralsParamsAndCustomVerbs) {
  Router r = MakeRouter();
  EXPECT_EQ(r.Match(Verb::get, "/api/v1/monitors").route, 1);
  EXPECT_EQ(r.Match(Verb::post, "/api/v1/monitors").route, 2);
  RouteMatch m = r.Match(Verb::get, "/api/v1/monitors/m%2F1");
  ASSERT_EQ(m.result, RouteMatch::Result::kFound);
  EXPECT_EQ(m.route, 3);
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0].first, "id");
  EXPECT_EQ(m.params[0].second, "m/1");
  m = r.Match(Verb::patch, "/api/v1/monitors/abc");
  EXPECT_EQ(m.route, 4);
  EXPECT_EQ(m.params[0].first, "monitor.id");
  m = r.Match(Verb::post, "/api/v1/monitors/abc:pause");
  EXPECT_EQ(m.route, 5);
  EXPECT_EQ(m.params[0].second, "abc");
  EXPECT_EQ(r.Match(Verb::get, "/api/v1/statuses:summary").route, 6);
  EXPECT_EQ(r.Match(Verb::get, "/api/v1/statuses/x").route, 7);
  EXPECT_EQ(r.Match(Verb::get, "/api/v1/monitors/x/results").route, 8);
  EXPECT_EQ(r.Match(Verb::head, "/api/v1/monitors").route, 1);
}

TEST(RouterTest, NotFoundAndMethodNotAllowed) {
  Router r = MakeRouter();
  EXPECT_EQ(r.Match(Verb::get, "/api/v1/nope").result, RouteMatch::Result::kNotFound);
  EXPECT_EQ(r.Match(Verb::get, "/api/v1/monitors/abc:resume").result,
            RouteMatch::Result::kNotFound);
  EXPECT_EQ(r.Match(Verb::get, "/api/v1/monitors/").result, RouteMatch::Result::kNotFound);
  EXPECT_EQ(r.Match(Verb::get, "").result, RouteMatch::Result::kNotFound);
  EXPECT_EQ(r.Match(Verb::get, "/api/v1/monitors/%zz").result, RouteMatch::Result::kNotFound);
  RouteMatch m = r.Match(Verb::delete_, "/api/v1/monitors");
  EXPECT_EQ(m.result, RouteMatch::Result::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "GET, POST");
}

TEST(RouterTest, RejectsBadPatternsAndDuplicates) {
  Router r;
  EXPECT_FALSE(r.Add(Verb::get, "api", 1).ok());
  EXPECT_FALSE(r.Add(Verb::get, "/a/{id", 1).ok());
  EXPECT_FALSE(r.Add(Verb::get, "/a//b", 1).ok());
  EXPECT_TRUE(r.Add(Verb::get, "/a/{id}", 1).ok());
  EXPECT_FALSE(r.Add(Verb::get, "/a/{id}", 2).ok());
}

TEST(PercentDecodeTest, Decodes) {
  std::string out;
  ASSERT_TRUE(PercentDecode("a%3Db+c", true, &out).ok());
  EXPECT_EQ(out, "a=b c");
  ASSERT_TRUE(PercentDecode("a+b", false, &out).ok());
  EXPECT_EQ(out, "a+b");
  EXPECT_FALSE(PercentDecode("%4", true, &out).ok());
  EXPECT_FALSE(PercentDecode("%g0", true, &out).ok());
}

}  // namespace
}  // namespace uptime::gateway
