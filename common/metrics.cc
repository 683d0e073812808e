#include "common/metrics.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace uptime {
namespace {

std::string EscapeLabelValue(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string FormatLabels(const MetricLabels& labels, const std::string& extra_key = "",
                         const std::string& extra_value = "") {
  if (labels.empty() && extra_key.empty()) return "";
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    absl::StrAppend(&out, first ? "" : ",", k, "=\"", EscapeLabelValue(v), "\"");
    first = false;
  }
  if (!extra_key.empty()) absl::StrAppend(&out, first ? "" : ",", extra_key, "=\"", extra_value, "\"");
  out += "}";
  return out;
}

std::string FormatValue(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  return absl::StrFormat("%.17g", v);
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::Observe(double v) {
  const size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::CumulativeCounts() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    total += buckets_[i].load(std::memory_order_relaxed);
    out[i] = total;
  }
  return out;
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> out;
  for (int i = 0; i < count; ++i, start *= factor) out.push_back(start);
  return out;
}

MetricsRegistry::Entry& MetricsRegistry::AddLocked(const std::string& name, const std::string& help,
                                                   const char* type, MetricLabels labels) {
  auto entry = std::make_unique<Entry>();
  entry->name = name;
  entry->help = help;
  entry->type = type;
  entry->labels = std::move(labels);
  entries_.push_back(std::move(entry));
  return *entries_.back();
}

Counter* MetricsRegistry::AddCounter(const std::string& name, const std::string& help,
                                     MetricLabels labels) {
  absl::MutexLock lock(&mu_);
  Entry& e = AddLocked(name, help, "counter", std::move(labels));
  e.counter = std::make_unique<Counter>();
  return e.counter.get();
}

Gauge* MetricsRegistry::AddGauge(const std::string& name, const std::string& help,
                                 MetricLabels labels) {
  absl::MutexLock lock(&mu_);
  Entry& e = AddLocked(name, help, "gauge", std::move(labels));
  e.gauge = std::make_unique<Gauge>();
  return e.gauge.get();
}

Histogram* MetricsRegistry::AddHistogram(const std::string& name, const std::string& help,
                                         std::vector<double> bounds, MetricLabels labels) {
  absl::MutexLock lock(&mu_);
  Entry& e = AddLocked(name, help, "histogram", std::move(labels));
  e.histogram = std::make_unique<Histogram>(std::move(bounds));
  return e.histogram.get();
}

void MetricsRegistry::AddCallbackGauge(const std::string& name, const std::string& help,
                                       std::function<double()> read, MetricLabels labels) {
  absl::MutexLock lock(&mu_);
  Entry& e = AddLocked(name, help, "gauge", std::move(labels));
  e.callback = std::move(read);
}

std::string MetricsRegistry::Render() const {
  absl::MutexLock lock(&mu_);
  // Group by name, keeping first-registration order of names.
  std::vector<std::string> names;
  std::map<std::string, std::vector<const Entry*>> by_name;
  for (const auto& e : entries_) {
    auto& list = by_name[e->name];
    if (list.empty()) names.push_back(e->name);
    list.push_back(e.get());
  }
  std::string out;
  for (const std::string& name : names) {
    const auto& list = by_name[name];
    absl::StrAppend(&out, "# HELP ", name, " ", list.front()->help, "\n# TYPE ", name, " ",
                    list.front()->type, "\n");
    for (const Entry* e : list) {
      if (e->counter) {
        absl::StrAppend(&out, name, FormatLabels(e->labels), " ", e->counter->value(), "\n");
      } else if (e->gauge) {
        absl::StrAppend(&out, name, FormatLabels(e->labels), " ", FormatValue(e->gauge->value()), "\n");
      } else if (e->callback) {
        absl::StrAppend(&out, name, FormatLabels(e->labels), " ", FormatValue(e->callback()), "\n");
      } else if (e->histogram) {
        const auto counts = e->histogram->CumulativeCounts();
        const auto& bounds = e->histogram->bounds();
        for (size_t i = 0; i < counts.size(); ++i) {
          const std::string le = i < bounds.size() ? FormatValue(bounds[i]) : "+Inf";
          absl::StrAppend(&out, name, "_bucket", FormatLabels(e->labels, "le", le), " ", counts[i], "\n");
        }
        absl::StrAppend(&out, name, "_sum", FormatLabels(e->labels), " ",
                        FormatValue(e->histogram->sum()), "\n");
        absl::StrAppend(&out, name, "_count", FormatLabels(e->labels), " ", e->histogram->count(), "\n");
      }
    }
  }
  return out;
}

}  // namespace uptime
