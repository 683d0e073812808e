// bench/accounts: what authenticating a call costs the coordinator, and
// what a sign-in costs.
//
// Every API call presents a credential; the coordinator resolves it from
// memory (TokenAuthorizer over the AccountRegistry: SHA-256 of the key or
// session token, a hash-map lookup under a reader lock). This measures that
// per call, for each kind of credential, with many keys and sessions loaded,
// on 1 and 2 threads; and the Argon2id hash and verify a sign-in pays at the
// default cost.
//
// Usage: accounts_bench [--users 1000] [--keys-per-user 10] [--calls 200000]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "bench/common/machine_report.h"
#include "common/auth.h"
#include "common/clock.h"
#include "coordinator/accounts/account_registry.h"
#include "coordinator/accounts/secrets.h"
#include "spdlog/spdlog.h"
#include "store/memory/memory_account_store.h"

namespace uptime::coordinator {
namespace {

using Steady = std::chrono::steady_clock;

// Nanoseconds per AuthenticateHeader call, `threads` threads each making
// `calls` calls cycling through `headers`.
double NsPerCall(const TokenAuthorizer& auth, const std::vector<std::string>& headers, int calls,
                 int threads) {
  std::atomic<int> failures{0};
  const auto start = Steady::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < calls; ++i) {
        const std::string& h = headers[(i * 7 + t * 13) % headers.size()];
        if (!auth.AuthenticateHeader(h).ok()) failures.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (std::thread& th : pool) th.join();
  const double ns = std::chrono::duration<double, std::nano>(Steady::now() - start).count();
  (void)failures;
  return ns / calls;  // per call, per thread (wall time / calls per thread)
}

}  // namespace

int Main(int argc, char** argv) {
  int users = 1000, keys_per_user = 10, calls = 200000;
  CLI::App app{"credential check and sign-in cost"};
  app.add_option("--users", users)->capture_default_str();
  app.add_option("--keys-per-user", keys_per_user)->capture_default_str();
  app.add_option("--calls", calls)->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  SimulatedClock clock(absl::Now());
  store::MemoryAccountStore store;
  // A cheap password cost while loading, so setup is quick; the sign-in
  // rows below use the default cost.
  AccountRegistry accounts(&clock, &store,
                           {.password_cost = {.memory_kib = 64, .passes = 1, .lanes = 1},
                            .max_keys_per_user = std::max(100, keys_per_user)});
  TokenAuthorizer auth({.admin = "admin-token-0123456789", .read = "read-token-0123456789", .agent = ""},
                       false, &accounts);
  Actor admin{.principal = {.role = AccessRole::kAdmin,
                            .kind = CredentialKind::kStaticToken,
                            .name = "admin-token"}};
  std::vector<std::string> key_headers, session_headers;
  const std::string password = "a long enough passphrase";
  for (int u = 0; u < users; ++u) {
    v1::User spec;
    spec.set_username(absl::StrCat("user", u));
    spec.set_role(v1::ROLE_EDITOR);
    spec.set_password(password);
    absl::StatusOr<v1::User> user = accounts.CreateUser(admin, spec);
    if (!user.ok()) {
      std::fprintf(stderr, "%s\n", std::string(user.status().message()).c_str());
      return 1;
    }
    v1::LoginRequest login;
    login.set_username(spec.username());
    login.set_password(password);
    absl::StatusOr<LoginResult> session = accounts.Login(login, "10.0.0.1");
    if (!session.ok()) return 1;
    session_headers.push_back("Bearer " + session->session_token);
    Actor self{.principal = session->principal};
    for (int k = 0; k < keys_per_user; ++k) {
      v1::ApiKey key;
      key.set_name(absl::StrCat("k", k));
      key.set_role(v1::ROLE_VIEWER);
      absl::StatusOr<v1::CreateApiKeyResponse> created = accounts.CreateApiKey(self, "", key);
      if (!created.ok()) return 1;
      key_headers.push_back("Bearer " + created->key());
    }
  }
  std::vector<std::string> static_headers = {"Bearer admin-token-0123456789"};
  std::vector<std::string> unknown_headers;
  for (int i = 0; i < 1000; ++i) unknown_headers.push_back("Bearer " + NewCredential("uk_"));

  const bench::MachineReport machine = bench::StartMachineReport();
  const unsigned cores = std::thread::hardware_concurrency();
  std::printf("accounts_bench: %d users, %zu API keys, %zu sessions loaded; %d calls per thread; "
              "%u cores\n\n",
              users, key_headers.size(), session_headers.size(), calls, cores);
  std::printf("| credential | ns per check, 1 thread | ns per check, 2 threads (each) |\n");
  std::printf("|---|---|---|\n");
  struct Row {
    const char* name;
    const std::vector<std::string>* headers;
  };
  for (const Row& row : {Row{"static token", &static_headers}, Row{"API key", &key_headers},
                         Row{"session", &session_headers},
                         Row{"unknown key (refused)", &unknown_headers}}) {
    const double one = NsPerCall(auth, *row.headers, calls, 1);
    const double two = NsPerCall(auth, *row.headers, calls, 2);
    std::printf("| %s | %.0f | %.0f |\n", row.name, one, two);
  }

  // A sign-in at the default Argon2id cost (19 MiB, 2 passes, 1 lane).
  std::vector<double> hash_ms, verify_ms;
  for (int i = 0; i < 10; ++i) {
    const auto t0 = Steady::now();
    absl::StatusOr<std::string> hash = HashPassword(password);
    const auto t1 = Steady::now();
    const bool ok = hash.ok() && VerifyPassword(*hash, password);
    const auto t2 = Steady::now();
    if (!ok) return 1;
    hash_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    verify_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
  }
  std::sort(hash_ms.begin(), hash_ms.end());
  std::sort(verify_ms.begin(), verify_ms.end());
  std::printf("\n| Argon2id, default cost (10 runs) | median ms | max ms |\n|---|---|---|\n");
  std::printf("| hash (create user, set password) | %.1f | %.1f |\n", hash_ms[5], hash_ms[9]);
  std::printf("| verify (sign-in) | %.1f | %.1f |\n", verify_ms[5], verify_ms[9]);
  std::ostringstream report;
  bench::PrintMachineReport(report, machine);
  std::printf("\n%s", report.str().c_str());
  return 0;
}

}  // namespace uptime::coordinator

int main(int argc, char** argv) { return uptime::coordinator::Main(argc, argv); }
