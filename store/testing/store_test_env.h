// Test support for the store's suites: one PostgreSQL server per test
// process, and a fresh, migrated database per test, so tests of the
// PostgreSQL backends stay independent without paying a server start each.
//
// The server starts on first use; its `uptime` database is migrated once and
// then serves as the template every fresh database is copied from (~20 ms).
//
// Example:
//   absl::StatusOr<std::string> dsn = FreshDatabase();
//   ASSERT_TRUE(dsn.ok()) << dsn.status();
//   PgPool pool({.conn = {.dsn = *dsn}});
#ifndef UPTIME_STORE_TESTING_STORE_TEST_ENV_H_
#define UPTIME_STORE_TESTING_STORE_TEST_ENV_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "store/postgres/pg_pool.h"

namespace uptime::testing {

// The DSN of a new database holding the current schema, or no schema at all
// (to test migrations).
absl::StatusOr<std::string> FreshDatabase(bool migrated = true);

// Backends for the typed suites (TYPED_TEST_SUITE(..., StoreBackends,
// BackendNames)): every store interface is tested against both. The stores
// under test are made on them by StoreContractTest
// (store/testing/store_contract_test.h).
struct MemoryBackend {
  static std::string Name() { return "Memory"; }
  absl::Status SetUp() { return absl::OkStatus(); }
};

struct PostgresBackend {
  static std::string Name() { return "Postgres"; }
  absl::Status SetUp() {
    absl::StatusOr<std::string> dsn = FreshDatabase();
    if (!dsn.ok()) return dsn.status();
    pool = std::make_unique<store::PgPool>(store::PgPoolOptions{.conn = {.dsn = *dsn}, .size = 4});
    return absl::OkStatus();
  }
  std::unique_ptr<store::PgPool> pool;
};

using StoreBackends = ::testing::Types<MemoryBackend, PostgresBackend>;

struct BackendNames {
  template <typename T>
  static std::string GetName(int) {
    return T::Name();
  }
};

// Protobuf equality with a readable failure.
inline ::testing::AssertionResult ProtoEq(const google::protobuf::Message& expected,
                                          const google::protobuf::Message& actual) {
  if (google::protobuf::util::MessageDifferencer::Equals(expected, actual)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "expected:\n" << expected.DebugString()
                                       << "actual:\n" << actual.DebugString();
}

}  // namespace uptime::testing

#endif  // UPTIME_STORE_TESTING_STORE_TEST_ENV_H_
