// bench/ingest: results made durable per second through the coordinator's
// own path (the Pipeline: ResultIngest -> StatusTracker -> Persistence ->
// PostgreSQL + Redis), with both servers local (started like the test fixtures).
//
// Simulated agents hand batches of 500 results to ResultIngest as fast as
// the write queue accepts them. The bench prints a markdown table: results/s
// durable, PostgreSQL rows written per result (write amplification, from
// pg_stat_database), Redis commands per result (from Redis's own counter),
// the deepest the write queue got, and the result writers that wrote. It
// then checks that every result offered is stored (nothing lost), and that
// every monitor's Redis history holds exactly its results in PostgreSQL
// (count and checksum per monitor, up to the history length): results
// missing from Redis are printed and must be 0, after the cache writer
// refilled whatever it had to drop.
//
// Usage: ingest_bench [--monitors 100000] [--agents 10] [--seconds 15]
//                     [--writers 2] [--cache-status-batch 10000]
// (--cache-status-batch 1000000 writes every pending status in one flush, as
// the cache writer did before it was bounded, for comparison.)
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "common/proto_time.h"
#include "bench/common/bench_agents.h"
#include "bench/common/machine_report.h"
#include "coordinator/server/pipeline.h"
#include "coordinator/server/stores.h"
#include "spdlog/spdlog.h"
#include "store/postgres/pg_pool.h"
#include "store/redis/redis_client.h"
#include "store/redis/redis_status_cache.h"
#include "tests/support/postgres_server.h"
#include "tests/support/redis_server.h"

namespace uptime::coordinator {
namespace {

// Rows inserted + updated in the database so far.
int64_t RowsWritten(store::PgPool& pool) {
  auto lease = pool.Acquire();
  if (!lease.ok()) return -1;
  auto res = (*lease)->Exec(
      "SELECT (tup_inserted + tup_updated)::text FROM pg_stat_database WHERE datname = current_database()",
      {});
  if (!res.ok() || res->rows() == 0) return -1;
  return std::stoll(std::string(res->Text(0, 0)));
}

int64_t StoredResults(store::PgPool& pool) {
  auto lease = pool.Acquire();
  if (!lease.ok()) return -1;
  auto res = (*lease)->Exec("SELECT count(*) FROM results", {});
  if (!res.ok() || res->rows() == 0) return -1;
  return res->Int(0, 0);
}

// What a monitor's history should hold, or holds: results and the sum of
// their start times (a checksum that a duplicate plus a loss would upset).
struct HistorySum {
  int64_t count = 0;
  int64_t start_sum = 0;
};

absl::flat_hash_map<std::string, HistorySum> PostgresHistories(store::PgPool& pool) {
  absl::flat_hash_map<std::string, HistorySum> out;
  auto lease = pool.Acquire();
  if (!lease.ok()) return out;
  auto res = (*lease)->Exec(
      "SELECT monitor_id, count(*), sum(uptime_us(start_time))::text FROM results "
      "GROUP BY monitor_id",
      {});
  if (!res.ok()) return out;
  for (int i = 0; i < res->rows(); ++i) {
    out[std::string(res->Text(i, 0))] = {res->Int(i, 1), std::stoll(std::string(res->Text(i, 2)))};
  }
  return out;
}

struct Completeness {
  int64_t missing = 0;   // results in PostgreSQL's newest `cap` not in Redis
  int64_t extra = 0;     // entries in Redis beyond them (duplicates)
  int64_t mismatched = 0;  // monitors whose history differs from PostgreSQL's
  int64_t unreadable = 0;  // monitors whose history could not be read
};

Completeness CheckHistories(store::RedisClient& redis,
                            const absl::flat_hash_map<std::string, HistorySum>& want, int cap) {
  Completeness c;
  std::vector<std::string> ids;
  for (const auto& [id, sum] : want) ids.push_back(id);
  constexpr size_t kChunk = 2000;
  for (size_t off = 0; off < ids.size(); off += kChunk) {
    std::vector<store::RedisCommand> commands;
    for (size_t i = off; i < std::min(ids.size(), off + kChunk); ++i) {
      commands.push_back({"LRANGE", absl::StrCat("uptime:history:", ids[i]), "0",
                          absl::StrCat(cap - 1)});
    }
    auto replies = redis.Pipeline(commands);
    for (size_t i = 0; i < commands.size(); ++i) {
      const HistorySum& expected = want.at(ids[off + i]);
      if (!replies.ok()) {
        ++c.unreadable;
        c.missing += std::min<int64_t>(expected.count, cap);
        continue;
      }
      HistorySum got;
      for (const store::RedisReply& e : (*replies)[i].elements) {
        v1::CheckResult r;
        if (!r.ParseFromString(e.str)) continue;
        ++got.count;
        got.start_sum += r.start_time_us();
      }
      const int64_t expected_count = std::min<int64_t>(expected.count, cap);
      c.missing += std::max<int64_t>(0, expected_count - got.count);
      c.extra += std::max<int64_t>(0, got.count - expected_count);
      // Past the cap the newest by completion and by start time may differ.
      if (got.count != expected_count ||
          (expected.count <= cap && got.start_sum != expected.start_sum)) {
        ++c.mismatched;
      }
    }
  }
  return c;
}

// Commands Redis has processed since it started (INFO stats).
int64_t RedisCommands(store::RedisClient& redis) {
  auto replies = redis.Pipeline({{"INFO", "stats"}});
  if (!replies.ok() || replies->empty()) return -1;
  const std::string& info = (*replies)[0].str;
  const std::string key = "total_commands_processed:";
  const size_t at = info.find(key);
  if (at == std::string::npos) return -1;
  return std::stoll(info.substr(at + key.size()));
}

}  // namespace

int Main(int argc, char** argv) {
  int monitors = 100'000, agents = 10;
  double seconds = 15;
  int writers = PersistenceOptions{}.result_writers;
  CLI::App app{"ingest benchmark"};
  app.add_option("--monitors", monitors)->capture_default_str();
  app.add_option("--agents", agents)->capture_default_str();
  app.add_option("--seconds", seconds)->capture_default_str();
  app.add_option("--writers", writers, "result writer threads")->capture_default_str();
  size_t status_batch = store::CacheWriterOptions{}.status_batch;
  app.add_option("--cache-status-batch", status_batch, "statuses the cache writer sends per flush")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  auto pg = testing::PostgresServer::Start();
  auto redis = testing::RedisServer::Start();
  if (!pg.ok() || !redis.ok()) {
    std::fprintf(stderr, "cannot start servers\n");
    return 1;
  }
  RealClock* clock = RealClock::Get();
  // The coordinator's own stores and stages, wired as the server wires them.
  Stores stores({.postgres_dsn = (*pg)->dsn(), .redis = (*redis)->host_port()}, clock);
  if (!stores.Prepare(clock->Now()).ok()) return 1;
  store::PgPool& pool = *stores.pool();
  MetricsRegistry metrics;
  Pipeline pipeline(clock, stores.view(),
                    PipelineOptions{.agents = {.heartbeat_interval = absl::Hours(1)},
                                    .persistence = {.result_writers = writers,
                                                    .cache = {.status_batch = status_batch}}},
                    &metrics);
  Catalog& catalog = pipeline.catalog();
  AgentManager& manager = pipeline.agents();
  Persistence& persistence = pipeline.persistence();
  store::RedisClient redis_stats({.host_port = (*redis)->host_port()}, clock);

  bench::SimulatedAgents simulated(&manager);
  std::vector<std::shared_ptr<SessionLink>> links;
  for (int a = 0; a < agents; ++a) links.push_back(simulated.Connect(absl::StrCat("agent-", a)));
  std::printf("creating %d monitors...\n", monitors);
  for (int i = 0; i < monitors; ++i) {
    v1::Monitor m;
    m.set_name(absl::StrCat("monitor-", i));
    m.mutable_http()->set_url("http://127.0.0.1/");
    ToProto(absl::Seconds(60), m.mutable_interval());
    ToProto(absl::Seconds(10), m.mutable_timeout());
    m.mutable_locations()->set_location_label("region");
    m.mutable_locations()->set_count(1);
    m.mutable_locations()->set_quorum(1);
    m.set_failure_threshold(1);
    m.set_recovery_threshold(1);
    (void)catalog.Create(std::move(m), v1::AuditEvent());
  }
  // Each agent reports on the monitors it holds, with their epochs.
  std::vector<std::vector<std::pair<std::string, int64_t>>> held(agents);
  {
    auto page = catalog.List(LabelSelector(), monitors, "");
    for (const MonitorPtr& m : page->monitors) {
      auto owners = manager.AgentsOf(m->id());
      if (owners.empty()) continue;
      const int a = std::stoi(owners[0].substr(6));
      held[a].push_back({m->id(), manager.EpochOf(m->id())});
    }
  }
  const bench::MachineReport machine = bench::StartMachineReport();
  pipeline.Start();
  const int64_t rows0 = RowsWritten(pool);
  const int64_t commands0 = RedisCommands(redis_stats);
  std::atomic<bool> stop{false};
  std::atomic<int64_t> offered{0}, refused{0};
  std::vector<std::thread> threads;
  const absl::Time start = absl::Now();
  for (int a = 0; a < agents; ++a) {
    threads.emplace_back([&, a] {
      uint64_t seq = 0;
      size_t next = 0;
      while (!stop) {
        v1::ResultBatch batch;
        batch.set_sequence(seq + 1);
        for (int i = 0; i < 500 && !held[a].empty(); ++i) {
          const auto& [id, epoch] = held[a][next++ % held[a].size()];
          v1::CheckResult* r = batch.add_results();
          r->set_monitor_id(id);
          r->set_epoch(epoch);
          r->set_start_time_us(absl::ToUnixMicros(absl::Now()));
          r->set_success(next % 97 != 0);
          r->set_latency_us(1000 + next % 500);
          r->set_http_status(r->success() ? 200 : 503);
        }
        auto ack = pipeline.ingest().OnResults(absl::StrCat("agent-", a), links[a].get(), &batch);
        if (ack.ok()) {
          ++seq;
          offered += 500;
        } else {
          ++refused;
          absl::SleepFor(absl::Milliseconds(5));  // queue full: back off like an agent
        }
      }
    });
  }
  double max_queue = 0;
  while (absl::Now() - start < absl::Seconds(seconds)) {
    absl::SleepFor(absl::Milliseconds(100));
    max_queue = std::max(max_queue, static_cast<double>(persistence.queued_results()));
  }
  stop = true;
  for (auto& t : threads) t.join();
  const double elapsed = absl::ToDoubleSeconds(absl::Now() - start);
  // Drain what is queued so every offered result is counted as durable.
  while (persistence.queued_results() > 0) absl::SleepFor(absl::Milliseconds(50));
  const double drained = absl::ToDoubleSeconds(absl::Now() - start);
  // Then the Redis mirror: appended, and refilled wherever it dropped.
  const absl::Time settle_deadline = absl::Now() + absl::Seconds(300);
  while (absl::Now() < settle_deadline) {
    const store::CacheWriterStats cache = persistence.stats().cache;
    if (cache.backlog == 0 && cache.stale_monitors == 0) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  const double settled = absl::ToDoubleSeconds(absl::Now() - start);
  pipeline.Stop();  // flushes Redis too
  const int64_t rows = RowsWritten(pool) - rows0;
  const int64_t commands = RedisCommands(redis_stats) - commands0;
  const int64_t stored = StoredResults(pool);
  const PersistenceStats stats = persistence.stats();
  const int cap = store::RedisStatusCacheOptions{}.history_length;
  const Completeness history = CheckHistories(redis_stats, PostgresHistories(pool), cap);
  int writers_used = 0;
  for (uint64_t n : stats.results_per_writer) writers_used += n > 0 ? 1 : 0;
  const double n = static_cast<double>(std::max<int64_t>(1, offered.load()));

  std::printf("\ningest bench: %d monitors, %d simulated agents, %.0f s, PostgreSQL 15 + Redis 7 local\n\n",
              monitors, agents, seconds);
  std::fflush(stdout);
  bench::PrintMachineReport(std::cout, machine);
  std::cout << std::endl;
  std::printf("| metric | value | target |\n|---|---|---|\n");
  std::printf("| results durable (PostgreSQL + Redis) | %.0f results/s | >= 50,000 |\n",
              offered.load() / drained);
  std::printf("| results offered while the clock ran | %.0f results/s | |\n", offered.load() / elapsed);
  std::printf("| PostgreSQL rows written per result | %.2f | |\n", static_cast<double>(rows) / n);
  std::printf("| Redis commands per result | %.2f | |\n", static_cast<double>(commands) / n);
  std::printf("| max write-queue depth | %.0f results | <= %zu (bound) |\n", max_queue,
              PersistenceOptions{}.max_queued_results);
  std::printf("| batches refused (queue full, resent later) | %lld | |\n",
              static_cast<long long>(refused.load()));
  std::printf("| result writers used | %d of %zu |  |\n", writers_used,
              stats.results_per_writer.size());
  std::printf("| state snapshot rows | %llu | |\n",
              static_cast<unsigned long long>(stats.states_saved));
  std::printf("| results stored / offered | %lld / %lld | equal (nothing lost) |\n",
              static_cast<long long>(stored), static_cast<long long>(offered.load()));
  std::printf("| Redis history: appended / dropped (then refilled) | %llu / %llu | dropped 0 at target |\n",
              static_cast<unsigned long long>(stats.cache.results_appended),
              static_cast<unsigned long long>(stats.cache.results_dropped));
  std::printf("| Redis history: monitors refilled from PostgreSQL | %llu | |\n",
              static_cast<unsigned long long>(stats.cache.monitors_refilled));
  std::printf("| cache writer: max backlog / longest flush | %zu results / %.0f ms | <= %zu (bound) |\n",
              stats.cache.max_backlog, absl::ToDoubleMilliseconds(stats.cache.longest_flush),
              store::CacheWriterOptions{}.max_pending_results);
  std::printf("| cache writer: slowest status write / append / refill step | %.0f / %.0f / %.0f ms | |\n",
              absl::ToDoubleMilliseconds(stats.cache.longest_statuses),
              absl::ToDoubleMilliseconds(stats.cache.longest_append),
              absl::ToDoubleMilliseconds(stats.cache.longest_refill));
  std::printf("| cache writer thread CPU per result | %.2f us | |\n",
              absl::ToDoubleMicroseconds(stats.cache.cpu) / n);
  std::printf("| Redis history settled (everything appended or refilled) | %.1f s after start | |\n",
              settled);
  std::printf("| results missing from Redis history (vs PostgreSQL, per monitor) | %lld | 0 |\n",
              static_cast<long long>(history.missing));
  std::printf("| Redis history: extra entries / monitors differing / unreadable | %lld / %lld / %lld | 0 / 0 / 0 |\n",
              static_cast<long long>(history.extra), static_cast<long long>(history.mismatched),
              static_cast<long long>(history.unreadable));
  const bool complete = history.missing == 0 && history.extra == 0 && history.mismatched == 0 &&
                        history.unreadable == 0;
  if (stored != offered.load()) return 2;
  return complete ? 0 : 3;
}

}  // namespace uptime::coordinator

int main(int argc, char** argv) { return uptime::coordinator::Main(argc, argv); }
