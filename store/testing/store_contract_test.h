// StoreContractTest: the typed fixture every store contract suite shares, so
// that one suite runs against each backend (StoreBackends) with the same
// setup.
//
// Each test gets a freshly set-up backend (for PostgreSQL a new migrated
// database), the audit log that backend's stores write to (log_), a
// SimulatedClock (clock_) and the store under test (store_). The store is a
// MemoryStore on the memory backend, made with the audit log or the clock
// when its constructor takes one; and a PgStore on the PostgreSQL backend,
// made with the backend's pool (and the clock when it takes one), its audit
// events going to its own database's table.
//
// Example:
//   template <typename Backend>
//   using CatalogStoreTest = StoreContractTest<Backend, store::CatalogStore,
//                                              store::MemoryCatalogStore, store::PgCatalogStore>;
//   TYPED_TEST_SUITE(CatalogStoreTest, StoreBackends, BackendNames);
//
//   TYPED_TEST(CatalogStoreTest, LoadsNothingAtFirst) {
//     EXPECT_TRUE(this->store_->LoadMonitors()->empty());
//   }
//
// A suite with helpers derives from it instead (helpers then name members
// through `this->`), and may start the clock elsewhere.
#ifndef UPTIME_STORE_TESTING_STORE_CONTRACT_TEST_H_
#define UPTIME_STORE_TESTING_STORE_CONTRACT_TEST_H_

#include <memory>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "gtest/gtest.h"
#include "store/account_store.h"
#include "store/postgres/pg_pool.h"
#include "store/testing/store_test_env.h"
#include "store/testing/test_audit_log.h"

namespace uptime::testing {

template <typename Backend, typename Store, typename MemoryStore, typename PgStore>
class StoreContractTest : public ::testing::Test {
 protected:
  StoreContractTest() = default;
  explicit StoreContractTest(absl::Time start) : clock_(start) {}

  void SetUp() override {
    absl::Status up = backend_.SetUp();
    ASSERT_TRUE(up.ok()) << up;
    log_ = NewTestAuditLog(backend_);
    store_ = Make(backend_);
  }

  SimulatedClock clock_;
  Backend backend_;
  TestAuditLog log_;
  std::unique_ptr<Store> store_;

 private:
  std::unique_ptr<Store> Make(MemoryBackend&) {
    if constexpr (std::is_constructible_v<MemoryStore, store::AccountStore*>) {
      return std::make_unique<MemoryStore>(log_.store.get());
    } else if constexpr (std::is_constructible_v<MemoryStore, Clock*>) {
      return std::make_unique<MemoryStore>(&clock_);
    } else {
      return std::make_unique<MemoryStore>();
    }
  }
  std::unique_ptr<Store> Make(PostgresBackend& backend) {
    if constexpr (std::is_constructible_v<PgStore, store::PgPool*, Clock*>) {
      return std::make_unique<PgStore>(backend.pool.get(), &clock_);
    } else {
      return std::make_unique<PgStore>(backend.pool.get());
    }
  }
};

}  // namespace uptime::testing

#endif  // UPTIME_STORE_TESTING_STORE_CONTRACT_TEST_H_
