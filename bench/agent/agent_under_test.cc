#include "bench/agent/agent_under_test.h"

#include <curl/curl.h>

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"

namespace uptime::bench {
namespace {

constexpr char kToken[] = "bench-token";

size_t Append(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

}  // namespace

absl::StatusOr<AgentUnderTest> StartAgentUnderTest(const AgentLaunch& launch) {
  agent::FakeCoordinatorOptions options;
  options.token = kToken;
  options.record_batches = false;
  options.heartbeat_interval = absl::Seconds(1);
  AgentUnderTest out;
  auto coordinator = agent::FakeCoordinator::Start(std::move(options));
  if (!coordinator.ok()) return coordinator.status();
  out.coordinator = *std::move(coordinator);
  auto metrics_port = FreePort();
  if (!metrics_port.ok()) return metrics_port.status();
  out.metrics_port = *metrics_port;
  std::vector<std::string> argv = {
      launch.agent, absl::StrCat("--coordinator=127.0.0.1:", out.coordinator->port()),
      "--agent-id=bench-agent", absl::StrCat("--agent-token=", kToken),
      absl::StrCat("--metrics-listen=127.0.0.1:", out.metrics_port),
      absl::StrCat("--max-concurrency=", launch.max_concurrency), "--log-level=warn",
      "--shutdown-grace=2s"};
  if (launch.loops >= 0) argv.push_back(absl::StrCat("--loops=", launch.loops));
  if (!launch.http_client.empty()) argv.push_back("--http-client=" + launch.http_client);
  auto agent = ChildProcess::Spawn(argv, launch.workdir + "/agent.log");
  if (!agent.ok()) return agent.status();
  out.agent = *std::move(agent);
  if (!out.coordinator->WaitForAgent(absl::Seconds(15))) {
    return absl::UnavailableError(absl::StrCat("the agent did not connect; see ", launch.workdir,
                                               "/agent.log"));
  }
  return out;
}

std::vector<v1::AssignedMonitor> MakeMonitors(const std::string& kind, int count,
                                              const std::string& host, int port,
                                              const std::string& url, const std::string& keyword,
                                              double interval_s) {
  std::vector<v1::AssignedMonitor> out(static_cast<size_t>(count));
  const auto interval_ns = static_cast<int64_t>(interval_s * 1e9);
  for (int i = 0; i < count; ++i) {
    v1::AssignedMonitor& am = out[static_cast<size_t>(i)];
    am.set_epoch(1);
    v1::Monitor* m = am.mutable_monitor();
    m->set_id(absl::StrFormat("mon-%016x", 0x9e3779b97f4a7c15ULL * static_cast<uint64_t>(i + 1)));
    m->set_name(absl::StrCat("bench ", i));
    if (kind == "tcp") {
      m->mutable_tcp()->set_host(host);
      m->mutable_tcp()->set_port(port);
    } else {
      m->mutable_http()->set_url(url);
      m->mutable_http()->set_keyword(keyword);
    }
    m->mutable_interval()->set_seconds(interval_ns / 1'000'000'000);
    m->mutable_interval()->set_nanos(static_cast<int32_t>(interval_ns % 1'000'000'000));
  }
  return out;
}

std::map<std::string, int64_t> ScrapeAgentGauges(int metrics_port) {
  std::map<std::string, int64_t> out;
  CURL* easy = curl_easy_init();
  if (easy == nullptr) return out;
  std::string text;
  const std::string url = absl::StrCat("http://127.0.0.1:", metrics_port, "/metrics");
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROXY, "");
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Append);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &text);
  const CURLcode code = curl_easy_perform(easy);
  curl_easy_cleanup(easy);
  if (code != CURLE_OK) return out;
  // Lines like: uptime_agent_heap_bytes{kind="allocated"} 12345
  constexpr absl::string_view kPrefix = "uptime_agent_heap_bytes{kind=\"";
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    double value = 0;
    for (absl::string_view gauge : {"uptime_agent_checks_in_flight", "uptime_agent_buffered_results"}) {
      if (absl::ConsumePrefix(&line, gauge) && absl::ConsumePrefix(&line, " ") &&
          absl::SimpleAtod(line, &value)) {
        out[std::string(gauge)] = static_cast<int64_t>(value);
      }
    }
    if (!absl::ConsumePrefix(&line, kPrefix)) continue;
    const size_t quote = line.find('"');
    const size_t space = line.rfind(' ');
    if (quote == absl::string_view::npos || space == absl::string_view::npos) continue;
    if (absl::SimpleAtod(line.substr(space + 1), &value)) {
      out[std::string(line.substr(0, quote))] = static_cast<int64_t>(value);
    }
  }
  return out;
}

}  // namespace uptime::bench
