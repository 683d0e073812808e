#include "common/metrics.h"

#include "gtest/gtest.h"

namespace uptime {
namespace {

TEST(MetricsTest, RendersPrometheusText) {
  MetricsRegistry registry;
  Counter* up = registry.AddCounter("checks_total", "Checks run", {{"type", "http"}, {"outcome", "up"}});
  Counter* down = registry.AddCounter("checks_total", "Checks run", {{"type", "http"}, {"outcome", "down"}});
  Gauge* g = registry.AddGauge("in_flight", "Checks running");
  Histogram* h = registry.AddHistogram("latency_seconds", "Latency", {0.01, 0.1, 1});
  registry.AddCallbackGauge("queue_depth", "Depth", [] { return 7.0; }, {{"queue", "a\"b"}});
  up->Increment(3);
  down->Increment();
  g->Set(2);
  h->Observe(0.005);
  h->Observe(0.05);
  h->Observe(5);
  const std::string text = registry.Render();
  EXPECT_NE(text.find("# HELP checks_total Checks run\n# TYPE checks_total counter\n"
                      "checks_total{type=\"http\",outcome=\"up\"} 3\n"
                      "checks_total{type=\"http\",outcome=\"down\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("in_flight 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("latency_seconds_bucket{le=\"0.01\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("latency_seconds_bucket{le=\"0.10000000000000001\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("latency_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("latency_seconds_count 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("queue_depth{queue=\"a\\\"b\"} 7\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace uptime
