#include "gateway/gateway_metrics.h"

#include "absl/strings/str_cat.h"

namespace uptime::gateway {

GatewayMetrics::GatewayMetrics(MetricsRegistry* registry) : registry_(registry) {}

void GatewayMetrics::Record(const std::string& route, unsigned code, absl::Duration latency) {
  Counter* counter;
  Histogram* histogram;
  {
    absl::MutexLock lock(&mu_);
    Counter*& c = requests_[{route, code}];
    if (c == nullptr) {
      c = registry_->AddCounter("uptime_gateway_requests_total", "HTTP requests by route and code",
                                {{"route", route}, {"code", absl::StrCat(code)}});
    }
    counter = c;
    Histogram*& h = latency_[route];
    if (h == nullptr) {
      // 50 us .. ~1.6 s.
      h = registry_->AddHistogram("uptime_gateway_request_duration_seconds",
                                  "Time from a request read to its response handed to the socket",
                                  ExponentialBuckets(0.00005, 2, 16), {{"route", route}});
    }
    histogram = h;
  }
  counter->Increment();
  histogram->Observe(absl::ToDoubleSeconds(latency));
}

}  // namespace uptime::gateway
