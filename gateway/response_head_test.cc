// ResponseHead against what Boost.Beast writes for the same response.
#include "gateway/response_head.h"

#include <sstream>

#include "boost/beast/http.hpp"
#include "gtest/gtest.h"

namespace uptime::gateway {
namespace {

namespace http = boost::beast::http;

const std::vector<std::pair<std::string, std::string>> kServerHeaders = {
    {"Content-Security-Policy", "default-src 'self'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Cache-Control", "no-cache"}};

// What the server wrote with Beast before: the same calls in the same order.
std::string BeastWrites(unsigned version, bool keep_alive, const HttpResponse& r,
                        const std::string& body) {
  http::response<http::string_body> res;
  res.version(version);
  res.result(r.status);
  res.keep_alive(keep_alive);
  res.set(http::field::server, "uptime-gateway");
  if (!r.content_type.empty()) res.set(http::field::content_type, r.content_type);
  for (const auto& [name, value] : kServerHeaders) res.set(name, value);
  for (const auto& [name, value] : r.headers) {
    if (boost::beast::iequals(name, "Set-Cookie")) {
      res.insert(http::field::set_cookie, value);
    } else {
      res.set(name, value);
    }
  }
  res.body() = body;
  res.prepare_payload();
  std::ostringstream out;
  out << res;
  return out.str();
}

TEST(ResponseHeadTest, SameBytesAsBeast) {
  const std::string body = R"({"statuses":[]})";
  HttpResponse plain;
  HttpResponse overriding;
  overriding.status = 404;
  overriding.content_type = "text/plain; charset=utf-8";
  // Replaces the server's header of the same name, whatever its case.
  overriding.headers = {{"cache-control", "no-store"}, {"Set-Cookie", "a=1"},
                        {"Set-Cookie", "b=2"}, {"X-Extra", "1"}};
  HttpResponse untyped;
  untyped.content_type.clear();
  untyped.status = 503;
  // No body, so no Content-Length (an unchanged static file).
  HttpResponse not_modified;
  not_modified.status = 304;
  not_modified.headers = {{"ETag", "\"abc\""}};
  for (const HttpResponse* r : {&plain, &overriding, &untyped, &not_modified}) {
    const std::string& sent = r->status == 304 ? std::string() : body;
    for (unsigned version : {10u, 11u}) {
      for (bool keep_alive : {false, true}) {
        EXPECT_EQ(ResponseHead(version, keep_alive, *r, kServerHeaders, sent.size()) + sent,
                  BeastWrites(version, keep_alive, *r, sent))
            << "status " << r->status << " version " << version << " keep-alive " << keep_alive;
      }
    }
  }
}

TEST(ResponseHeadTest, AppendsAfterWhatIsThere) {
  HttpResponse r;
  std::string out = "x";
  AppendResponseHead(&out, 11, true, r, kServerHeaders, 5);
  EXPECT_EQ(out, "x" + ResponseHead(11, true, r, kServerHeaders, 5));
}

}  // namespace
}  // namespace uptime::gateway
