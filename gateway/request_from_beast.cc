#include "gateway/request_from_beast.h"

#include "boost/beast/http/field.hpp"

namespace uptime::gateway {

namespace http = boost::beast::http;

HttpRequest RequestFromBeast(http::request<http::string_body>& req,
                             const std::string& peer_address, bool tls) {
  HttpRequest request;
  request.method = req.method();
  boost::beast::string_view target = req.target();
  const size_t q = target.find('?');
  request.path = std::string(target.substr(0, q));
  if (q != boost::beast::string_view::npos) request.query = std::string(target.substr(q + 1));
  request.authorization = std::string(req[http::field::authorization]);
  request.content_type = std::string(req[http::field::content_type]);
  request.if_none_match = std::string(req[http::field::if_none_match]);
  request.accept_encoding = std::string(req[http::field::accept_encoding]);
  request.last_event_id = std::string(req["Last-Event-ID"]);
  // HTTP/2 and some proxies split cookies over several headers.
  const auto cookies = req.equal_range(http::field::cookie);
  for (auto it = cookies.first; it != cookies.second; ++it) {
    if (!request.cookie.empty()) request.cookie += "; ";
    request.cookie.append(it->value().data(), it->value().size());
  }
  request.csrf_token = std::string(req["X-CSRF-Token"]);
  request.origin = std::string(req[http::field::origin]);
  request.host = std::string(req[http::field::host]);
  request.forwarded_for = std::string(req["X-Forwarded-For"]);
  request.forwarded_proto = std::string(req["X-Forwarded-Proto"]);
  request.peer_address = peer_address;
  request.tls = tls;
  request.body = std::move(req.body());
  return request;
}

}  // namespace uptime::gateway
