// Prometheus metrics: counters, gauges and histograms, rendered in the text
// exposition format for `/metrics`.
//
// Metrics are created once (at component start) and updated lock-free on hot
// paths; rendering takes the registry lock only to walk the list.
//
// Example:
//   MetricsRegistry registry;
//   Counter* checks = registry.AddCounter("uptime_agent_checks_total", "Checks run",
//                                         {{"type", "http"}, {"outcome", "up"}});
//   checks->Increment();
//   std::string text = registry.Render();
#ifndef UPTIME_COMMON_METRICS_H_
#define UPTIME_COMMON_METRICS_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace uptime {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Increment(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // `bounds` are the upper bounds of the buckets, ascending (+Inf implied).
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);

  const std::vector<double>& bounds() const { return bounds_; }
  // Cumulative count of observations <= bounds()[i]; the last is +Inf.
  std::vector<uint64_t> CumulativeCounts() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
  std::atomic<uint64_t> count_{0};
};

// Exponential bucket bounds: start, start*factor, ... (`count` bounds).
std::vector<double> ExponentialBuckets(double start, double factor, int count);

// Owns every metric; pointers it returns stay valid for its lifetime.
// Thread-safe.
class MetricsRegistry {
 public:
  Counter* AddCounter(const std::string& name, const std::string& help, MetricLabels labels = {});
  Gauge* AddGauge(const std::string& name, const std::string& help, MetricLabels labels = {});
  Histogram* AddHistogram(const std::string& name, const std::string& help,
                          std::vector<double> bounds, MetricLabels labels = {});
  // A gauge whose value is read when rendering (queue depths, counts).
  void AddCallbackGauge(const std::string& name, const std::string& help,
                        std::function<double()> read, MetricLabels labels = {});

  // Prometheus text format 0.0.4, metrics grouped by name.
  std::string Render() const;

 private:
  struct Entry {
    std::string name;
    std::string help;
    const char* type;
    MetricLabels labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
    std::function<double()> callback;
  };
  Entry& AddLocked(const std::string& name, const std::string& help, const char* type,
                   MetricLabels labels) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<Entry>> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace uptime

#endif  // UPTIME_COMMON_METRICS_H_
