// RequestFromBeast: the handler's HttpRequest (http_types.h) from a request
// Boost.Beast parsed, with the connection's facts.
//
// Thread-safety: pure function.
#ifndef UPTIME_GATEWAY_REQUEST_FROM_BEAST_H_
#define UPTIME_GATEWAY_REQUEST_FROM_BEAST_H_

#include <string>

#include "boost/beast/http/message.hpp"
#include "boost/beast/http/string_body.hpp"
#include "gateway/http_types.h"

namespace uptime::gateway {

// The fields the handlers read, copied; the body moved out of `req`.
// `peer_address`: the TCP peer's IP; `tls`: the connection is HTTPS.
HttpRequest RequestFromBeast(
    boost::beast::http::request<boost::beast::http::string_body>& req,
    const std::string& peer_address, bool tls);

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_REQUEST_FROM_BEAST_H_
