// bench/alerts: alert latency, from the result that crosses a monitor's
// failure (or recovery) threshold to the Slack webhook receiving the message.
//
// The coordinator's own path runs in-process (the Pipeline): ResultIngest
// (epoch check) -> StatusTracker (state machine) -> IncidentAlerts -> AlertSender -> the slack
// notifier's HTTP POST, with Persistence writing every incident and its
// outbox rows to a local PostgreSQL at the same time, as in production. The
// "Slack" is tests/support's WebhookSink on loopback, which timestamps each
// request on arrival. Each incident flips one monitor (failure threshold 1):
// a failing result, then later a passing one, so every incident yields a
// DOWN and a RECOVERED message.
//
// Storm grouping is left on at its default (3 messages per channel per 10 s):
// every monitor has its own channel, and with monitors >= rate * 10 / 3 no
// channel gets more than 3 messages in 10 s, so what is measured is the
// plain path (fewer monitors measure the storm hold instead).
//
// Usage: alerts_bench [--incidents 500] [--monitors 500] [--rate 50]
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "common/proto_time.h"
#include "bench/common/bench_agents.h"
#include "bench/common/machine_report.h"
#include "coordinator/server/pipeline.h"
#include "coordinator/server/stores.h"
#include "spdlog/spdlog.h"
#include "tests/support/postgres_server.h"
#include "tests/support/webhook_sink.h"

namespace uptime::coordinator {
namespace {

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5));
  return v[i];
}

}  // namespace

int Main(int argc, char** argv) {
  int incidents = 500, monitors = 500;
  double rate = 50;  // state changes per second
  CLI::App app{"alert latency benchmark"};
  app.add_option("--incidents", incidents)->capture_default_str();
  app.add_option("--monitors", monitors)->capture_default_str();
  app.add_option("--rate", rate, "state changes per second")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  auto pg = testing::PostgresServer::Start();
  auto sink = testing::WebhookSink::Start();
  if (!pg.ok() || !sink.ok()) {
    std::fprintf(stderr, "cannot start PostgreSQL or the webhook sink\n");
    return 1;
  }
  RealClock* clock = RealClock::Get();
  // The coordinator's own stores and stages, wired as the server wires them.
  Stores stores({.postgres_dsn = (*pg)->dsn()}, clock);
  if (absl::Status s = stores.Prepare(clock->Now()); !s.ok()) {
    std::fprintf(stderr, "migrations: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  MetricsRegistry metrics;
  Pipeline pipeline(clock, stores.view(),
                    PipelineOptions{.agents = {.heartbeat_interval = absl::Hours(1)},
                                    .dashboard_url = "https://uptime.example.com"},
                    &metrics);
  Catalog& catalog = pipeline.catalog();
  ChannelRegistry& channels = pipeline.channels();
  AgentManager& manager = pipeline.agents();
  AlertSender& sender = pipeline.alert_sender();
  bench::SimulatedAgents simulated(&manager);
  std::shared_ptr<SessionLink> link = simulated.Connect("agent-0");

  std::vector<std::pair<std::string, std::string>> ids;  // monitor id, name
  for (int i = 0; i < monitors; ++i) {
    v1::Channel ch;
    ch.set_name(absl::StrFormat("slack-%05d", i));
    ch.set_type("slack");
    (*ch.mutable_config())["webhook_url"] = (*sink)->url(absl::StrCat("/services/T/B/", i));
    auto channel = channels.Create(ch, v1::AuditEvent());
    v1::Monitor m;
    m.set_name(absl::StrFormat("bench-%05d", i));
    m.mutable_http()->set_url("http://127.0.0.1/");
    ToProto(absl::Seconds(60), m.mutable_interval());
    ToProto(absl::Seconds(10), m.mutable_timeout());
    m.set_failure_threshold(1);
    m.set_recovery_threshold(1);
    if (channel.ok()) m.add_channel_ids(channel->id());
    auto created = catalog.Create(std::move(m), v1::AuditEvent());
    if (!channel.ok() || !created.ok()) {
      std::fprintf(stderr, "setup failed\n");
      return 1;
    }
    ids.push_back({(*created)->id(), (*created)->name()});
  }
  pipeline.Start();

  const bench::MachineReport machine = bench::StartMachineReport();
  // Every monitor starts UP.
  uint64_t seq = 0;
  auto send = [&](const std::string& id, bool success) {
    v1::ResultBatch batch;
    batch.set_sequence(++seq);
    v1::CheckResult* r = batch.add_results();
    r->set_monitor_id(id);
    r->set_epoch(manager.EpochOf(id));
    r->set_location("bench");
    r->set_start_time_us(absl::ToUnixMicros(absl::Now()));
    r->set_success(success);
    r->set_latency_us(1000);
    r->set_http_status(success ? 200 : 503);
    if (!success) {
      r->set_error_kind(v1::ERROR_KIND_STATUS);
      r->set_error_message("HTTP 503");
    }
    (void)pipeline.ingest().OnResults("agent-0", link.get(), &batch);
  };
  for (const auto& [id, name] : ids) send(id, true);
  absl::SleepFor(absl::Milliseconds(500));
  (*sink)->Clear();

  // Each state change: when its crossing result was handed in.
  std::map<std::string, absl::Time> crossed;  // "<name> is DOWN#n" -> time
  std::vector<bool> down(monitors, false);
  std::vector<int> round(monitors, 0);
  const absl::Duration gap = absl::Seconds(1) / rate;
  const int changes = incidents * 2;
  const absl::Time start = absl::Now();
  for (int k = 0; k < changes; ++k) {
    const int i = k % monitors;
    if (const absl::Duration wait = start + gap * k - absl::Now(); wait > absl::ZeroDuration()) {
      absl::SleepFor(wait);
    }
    const bool fail = !down[i];
    const absl::Time t = absl::Now();
    send(ids[i].first, !fail);
    down[i] = fail;
    crossed[absl::StrCat(ids[i].second, fail ? " is DOWN#" : " is UP#", round[i])] = t;
    if (!fail) ++round[i];
  }
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while ((*sink)->count() < static_cast<size_t>(changes) && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  absl::SleepFor(absl::Seconds(1));

  std::vector<double> latencies_ms;
  std::map<std::string, int> seen;  // "<name> is DOWN" -> count so far
  size_t unmatched = 0;
  for (const auto& req : (*sink)->requests()) {
    bool matched = false;
    for (const char* state : {" is DOWN", " is UP"}) {
      const size_t at = req.body.find(state);
      if (at == std::string::npos || at < 11) continue;
      const std::string key = req.body.substr(at - 11, 11) + state;
      const int n = seen[key]++;
      auto it = crossed.find(absl::StrCat(key, "#", n));
      if (it == crossed.end()) continue;
      latencies_ms.push_back(absl::ToDoubleMilliseconds(req.received - it->second));
      matched = true;
      break;
    }
    if (!matched) ++unmatched;
  }
  pipeline.Stop();

  std::printf("\nalert latency: %d incidents (%d state changes) over %d monitors at %.0f changes/s;\n"
              "threshold-crossing result handed to the coordinator -> Slack webhook request received\n"
              "(loopback sink; PostgreSQL 15 local, writing every incident and outbox row)\n\n",
              incidents, changes, monitors, rate);
  std::printf("| metric | value | target |\n|---|---|---|\n");
  std::printf("| messages received / expected | %zu / %d | all, once |\n", (*sink)->count(), changes);
  std::printf("| unmatched or duplicate messages | %zu | 0 |\n", unmatched);
  std::printf("| latency p50 | %.2f ms | |\n", Percentile(latencies_ms, 0.50));
  std::printf("| latency p90 | %.2f ms | |\n", Percentile(latencies_ms, 0.90));
  std::printf("| latency p99 | %.2f ms | <= 50 ms |\n", Percentile(latencies_ms, 0.99));
  std::printf("| latency max | %.2f ms | |\n", Percentile(latencies_ms, 1.0));
  std::printf("| alerts still unrecorded in the outbox at the end | %zu | 0 |\n", sender.pending());
  std::ostringstream report;
  bench::PrintMachineReport(report, machine);
  std::printf("\n%s", report.str().c_str());
  return 0;
}

}  // namespace uptime::coordinator

int main(int argc, char** argv) { return uptime::coordinator::Main(argc, argv); }
