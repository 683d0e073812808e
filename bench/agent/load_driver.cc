#include "bench/agent/load_driver.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "absl/time/clock.h"

namespace uptime::bench {
namespace {

// One reusable request slot.
struct Request {
  CURL* easy = nullptr;
  std::string body;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* r = static_cast<Request*>(user);
  // Metrics text is small; cap anyway so a misbehaving peer cannot grow it.
  if (r->body.size() < 64 * 1024) r->body.append(data, size * count);
  return size * count;
}

}  // namespace

LoadResults RunFixedRateLoad(const LoadOptions& options) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURLM* multi = curl_multi_init();
  // Keep one connection per concurrent request alive between requests.
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(options.max_in_flight));
  std::vector<std::unique_ptr<Request>> all;
  std::vector<Request*> idle;

  LoadResults out;
  const absl::Time start = absl::Now();
  const absl::Time window_start = start + options.warmup;
  const absl::Time window_end = window_start + options.window;
  bool window_open = false;
  int64_t issued = 0;  // requests due so far (started or missed)
  int in_flight = 0;

  auto finish = [&](CURLMsg* msg) {
    auto* r = static_cast<Request*>(nullptr);
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &r);
    const bool counted = window_open && absl::Now() < window_end;
    if (counted) {
      ++out.completed;
      if (msg->data.result != CURLE_OK) {
        ++out.errors;
      } else if (r->body.find(options.success_needle) != std::string::npos) {
        ++out.succeeded;
      }
    }
    curl_multi_remove_handle(multi, r->easy);
    --in_flight;
    idle.push_back(r);
  };

  for (;;) {
    const absl::Time now = absl::Now();
    if (!window_open && now >= window_start) {
      window_open = true;
      if (options.on_window_start) options.on_window_start();
    }
    if (now >= window_end) break;
    const auto due = static_cast<int64_t>(absl::ToDoubleSeconds(now - start) * options.rate);
    for (; issued < due; ++issued) {
      const bool in_window = now >= window_start;
      if (in_window) ++out.planned;
      if (in_flight >= options.max_in_flight) {
        if (in_window) ++out.missed;
        continue;
      }
      Request* r;
      if (!idle.empty()) {
        r = idle.back();
        idle.pop_back();
      } else {
        all.push_back(std::make_unique<Request>());
        r = all.back().get();
        r->easy = curl_easy_init();
        curl_easy_setopt(r->easy, CURLOPT_URL, options.url.c_str());
        curl_easy_setopt(r->easy, CURLOPT_PRIVATE, r);
        curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, &OnBody);
        curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, r);
        curl_easy_setopt(r->easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(r->easy, CURLOPT_TIMEOUT_MS, 10000L);
        curl_easy_setopt(r->easy, CURLOPT_PROXY, "");
      }
      r->body.clear();
      curl_multi_add_handle(multi, r->easy);
      ++in_flight;
    }
    int running = 0;
    curl_multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg == CURLMSG_DONE) finish(msg);
    }
    // Sleep until the next request is due (1 ms granularity: requests then
    // leave in small bursts, which is how a fleet of scrapers looks too).
    curl_multi_poll(multi, nullptr, 0, 1, nullptr);
  }
  if (options.on_window_end) options.on_window_end();
  out.seconds = absl::ToDoubleSeconds(absl::Now() - window_start);

  for (auto& r : all) {
    curl_multi_remove_handle(multi, r->easy);
    curl_easy_cleanup(r->easy);
  }
  curl_multi_cleanup(multi);
  return out;
}

}  // namespace uptime::bench
