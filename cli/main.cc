// uptimectl: the command-line client. All logic lives in uptime_cli (cli.h).
#include <string>
#include <vector>

#include "cli/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return uptime::cli::RunCli(args, uptime::cli::CliEnv{});
}
