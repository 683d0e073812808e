// uptime-gateway: parses flags into a GatewayConfig and serves until SIGTERM
// or SIGINT. With --check-config, only validates and exits (0 or 2).
#include <cstdio>
#include <string>

#include "CLI/CLI.hpp"
#include "common/clock.h"
#include "common/config.h"
#include "common/flags.h"
#include "common/logging.h"
#include "common/signals.h"
#include "gateway/gateway_config.h"
#include "gateway/gateway_server.h"
#include "spdlog/spdlog.h"

int main(int argc, char** argv) {
  using namespace uptime;
  BlockTerminationSignals();
  IgnoreBrokenPipes();
  CLI::App app{"uptime-gateway: REST/JSON API, live events and the dashboard over HTTP"};
  gateway::GatewayConfig config;
  gateway::RawFlags raw;
  gateway::AddGatewayFlags(app, config, raw);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; a bad flag or env value exits 2, like
    // any other configuration error.
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (absl::Status s = InitLogging(config.log, "gateway"); !s.ok()) {
    std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    return 2;
  }
  if (raw.check_config) {
    if (absl::Status s = CheckUnknownEnvironment(app); !s.ok()) {
      std::fprintf(stderr, "uptime-gateway: %s\n", std::string(s.message()).c_str());
      return 2;
    }
  }
  if (absl::Status s = gateway::FinishConfig(raw, &config); !s.ok()) {
    std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    return 2;
  }
  if (raw.check_config) {
    std::printf("config ok\n");
    return 0;
  }
  auto server = gateway::GatewayServer::Create(config, RealClock::Get());
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n", std::string(server.status().message()).c_str());
    return 2;
  }
  if (absl::Status s = (*server)->Start(); !s.ok()) {
    spdlog::critical("{}", s.message());
    return 1;
  }
  const int sig = WaitForTerminationSignal();
  spdlog::info("signal {}: shutting down", sig);
  (*server)->Stop();
  return 0;
}
