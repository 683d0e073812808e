#include "coordinator/cluster/agent_manager.h"

#include <memory>
#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "coordinator/health/status_tracker.h"
#include "coordinator/ingest/result_ingest.h"
#include "gtest/gtest.h"
#include "store/memory/memory_catalog_store.h"

namespace uptime::coordinator {
namespace {

// Records what the manager sends to one agent.
class FakeStream : public AgentStream {
 public:
  void Enqueue(v1::CoordinatorMessage message) override { sent.push_back(std::move(message)); }
  void Close(const grpc::Status& status) override { closed = status; }

  // The set of monitor ids the agent holds after applying every assignment,
  // with their epochs.
  std::map<std::string, int64_t> Held() const {
    std::map<std::string, int64_t> held;
    for (const auto& m : sent) {
      if (!m.has_assignment()) continue;
      if (m.assignment().full()) held.clear();
      for (const auto& id : m.assignment().removed_ids()) held.erase(id);
      for (const auto& u : m.assignment().upserts()) held[u.monitor().id()] = u.epoch();
    }
    return held;
  }

  std::vector<v1::CoordinatorMessage> sent;
  std::optional<grpc::Status> closed;
};

class AgentManagerTest : public ::testing::Test {
 protected:
  struct Agent {
    std::unique_ptr<FakeStream> stream = std::make_unique<FakeStream>();
    std::shared_ptr<SessionLink> link = std::make_shared<SessionLink>(stream.get());
  };

  AgentManagerTest()
      : tracker_(&clock_, &events_, nullptr),
        manager_(&clock_, AgentManagerOptions{}),
        ingest_(ResultIngestOptions{}, &manager_, &tracker_, nullptr, nullptr),
        catalog_(&clock_, &catalog_store_) {
    catalog_.AddListener(&tracker_);
    catalog_.AddListener(&manager_);
    manager_.Start();
  }

  Agent& Connect(const std::string& id, const std::string& region) {
    Agent& agent = agents_[id];
    v1::Hello hello;
    hello.set_agent_id(id);
    hello.set_incarnation("inc-1");
    hello.set_protocol_version(v1::PROTOCOL_VERSION_1);
    (*hello.mutable_labels())["region"] = region;
    EXPECT_TRUE(manager_.Register(hello, "peer", agent.link).ok());
    return agent;
  }

  std::string AddMonitor(const std::string& name, int count = 1) {
    v1::Monitor m;
    m.set_name(name);
    m.mutable_http()->set_url("http://127.0.0.1/");
    m.mutable_locations()->set_count(count);
    m.mutable_locations()->set_quorum(1);
    m.mutable_locations()->set_location_label("region");
    auto created = catalog_.Create(m, v1::AuditEvent());
    EXPECT_TRUE(created.ok());
    return (*created)->id();
  }

  v1::ResultBatch Batch(uint64_t seq, const std::string& monitor_id, int64_t epoch, bool ok) {
    v1::ResultBatch batch;
    batch.set_sequence(seq);
    v1::CheckResult* r = batch.add_results();
    r->set_monitor_id(monitor_id);
    r->set_epoch(epoch);
    r->set_success(ok);
    return batch;
  }

  SimulatedClock clock_;
  EventBus events_;
  StatusTracker tracker_;
  AgentManager manager_;
  ResultIngest ingest_;  // results go through ingest, which asks the manager
  store::MemoryCatalogStore catalog_store_;
  Catalog catalog_;
  std::map<std::string, Agent> agents_;
};

TEST_F(AgentManagerTest, MonitorsAreSplitAndMoveWhenAnAgentLeaves) {
  Agent& a = Connect("a", "eu");
  Agent& b = Connect("b", "us");
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) ids.push_back(AddMonitor(absl::StrCat("m", i)));
  auto held_a = a.stream->Held();
  auto held_b = b.stream->Held();
  EXPECT_EQ(held_a.size() + held_b.size(), 40u);
  EXPECT_GT(held_a.size(), 5u);
  EXPECT_GT(held_b.size(), 5u);

  manager_.Unregister("a", a.link.get());
  EXPECT_EQ(b.stream->Held().size(), 40u);
  // Moved monitors got a new epoch; b's own kept theirs.
  for (const auto& [id, epoch] : held_b) EXPECT_EQ(b.stream->Held()[id], epoch);
  for (const auto& [id, epoch] : held_a) EXPECT_GT(b.stream->Held()[id], epoch);
}

TEST_F(AgentManagerTest, NewcomerGetsAFullAssignmentAndAShare) {
  Agent& a = Connect("a", "eu");
  for (int i = 0; i < 30; ++i) AddMonitor(absl::StrCat("m", i));
  EXPECT_EQ(a.stream->Held().size(), 30u);
  Agent& b = Connect("b", "us");
  ASSERT_FALSE(b.stream->sent.empty());
  EXPECT_TRUE(b.stream->sent[0].assignment().full());
  EXPECT_GT(b.stream->Held().size(), 5u);
  EXPECT_EQ(a.stream->Held().size() + b.stream->Held().size(), 30u);
}

TEST_F(AgentManagerTest, StaleEpochAndWrongAgentResultsAreNotCounted) {
  Agent& a = Connect("a", "eu");
  const std::string id = AddMonitor("m");
  const int64_t epoch = a.stream->Held().at(id);

  auto stale = Batch(1, id, epoch - 1, true);
  ASSERT_TRUE(ingest_.OnResults("a", a.link.get(), &stale).ok());
  EXPECT_EQ(tracker_.Get(id)->state(), v1::STATE_PENDING);

  auto good = Batch(2, id, epoch, true);
  ASSERT_TRUE(ingest_.OnResults("a", a.link.get(), &good).ok());
  EXPECT_EQ(tracker_.Get(id)->state(), v1::STATE_UP);
  EXPECT_EQ(tracker_.Get(id)->last_result().agent_id(), "a");
  EXPECT_EQ(tracker_.Get(id)->last_result().location(), "eu");

  // A resent batch (same sequence) is acknowledged but not counted twice.
  auto failing = Batch(3, id, epoch, false);
  ASSERT_TRUE(ingest_.OnResults("a", a.link.get(), &failing).ok());
  EXPECT_EQ(tracker_.Get(id)->state(), v1::STATE_DOWN);
  auto resent = Batch(3, id, epoch, true);
  auto ack = ingest_.OnResults("a", a.link.get(), &resent);
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(**ack, 3u);
  EXPECT_EQ(tracker_.Get(id)->state(), v1::STATE_DOWN);
}

TEST_F(AgentManagerTest, ResultsCheckedUnderThePreviousLeaderCountWhereTheMonitorStillIs) {
  Agent& a = Connect("a", "eu");
  const std::string id = AddMonitor("m");
  const int64_t epoch = a.stream->Held().at(id);
  const int64_t generation = epoch >> 32;
  ASSERT_GT(generation, 0);
  // Checked while the old leader was dying and before this one assigned it.
  auto earlier = Batch(1, id, ((generation - 1) << 32) + 7, false);
  ASSERT_TRUE(ingest_.OnResults("a", a.link.get(), &earlier).ok());
  EXPECT_EQ(tracker_.Get(id)->state(), v1::STATE_DOWN);

  // The same old epoch from an agent that does not hold the monitor: stale.
  Agent& b = Connect("b", "us");
  const std::string holder = a.stream->Held().contains(id) ? "a" : "b";
  const std::string other = holder == "a" ? "b" : "a";
  Agent& other_agent = holder == "a" ? b : a;
  auto wrong = Batch(2, id, ((generation - 1) << 32) + 7, true);
  ASSERT_TRUE(ingest_.OnResults(other, other_agent.link.get(), &wrong).ok());
  EXPECT_EQ(tracker_.Get(id)->state(), v1::STATE_DOWN);

  // An epoch from a generation this leader never had is not "previous".
  Agent& holder_agent = agents_[holder];
  auto future = Batch(3, id, ((generation + 1) << 32) + 1, true);
  ASSERT_TRUE(ingest_.OnResults(holder, holder_agent.link.get(), &future).ok());
  EXPECT_EQ(tracker_.Get(id)->state(), v1::STATE_DOWN);
}

TEST_F(AgentManagerTest, SilentAgentIsPresumedDeadAfterThreeHeartbeats) {
  Agent& a = Connect("a", "eu");
  Agent& b = Connect("b", "us");
  for (int i = 0; i < 20; ++i) AddMonitor(absl::StrCat("m", i));
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(absl::Milliseconds(500));
    manager_.OnHeartbeat("b", b.link.get(), v1::Heartbeat());
  }
  // 2.5 s of silence from a: still alive at < 3 periods.
  EXPECT_EQ(manager_.agent_count(), 2u);
  for (int i = 0; i < 2; ++i) {
    clock_.Advance(absl::Milliseconds(500));
    manager_.OnHeartbeat("b", b.link.get(), v1::Heartbeat());
  }
  EXPECT_EQ(manager_.agent_count(), 1u);
  ASSERT_TRUE(a.stream->closed.has_value());
  EXPECT_EQ(a.stream->closed->error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(b.stream->Held().size(), 20u);
}

TEST_F(AgentManagerTest, GoodbyeMovesMonitorsThenDrains) {
  Agent& a = Connect("a", "eu");
  Agent& b = Connect("b", "us");
  for (int i = 0; i < 20; ++i) AddMonitor(absl::StrCat("m", i));
  ASSERT_FALSE(a.stream->Held().empty());
  manager_.OnGoodbye("a", a.link.get(), "SIGTERM");
  EXPECT_TRUE(a.stream->Held().empty());
  EXPECT_EQ(b.stream->Held().size(), 20u);
  ASSERT_FALSE(a.stream->sent.empty());
  EXPECT_TRUE(a.stream->sent.back().has_drain());
  // A draining agent gets nothing new.
  AddMonitor("late");
  EXPECT_TRUE(a.stream->Held().empty());
}

TEST_F(AgentManagerTest, PausedMonitorIsUnassignedAndResumedOneComesBack) {
  Agent& a = Connect("a", "eu");
  const std::string id = AddMonitor("m");
  ASSERT_TRUE(a.stream->Held().contains(id));
  ASSERT_TRUE(catalog_.SetPaused(id, true, v1::AuditEvent()).ok());
  EXPECT_FALSE(a.stream->Held().contains(id));
  EXPECT_EQ(tracker_.Get(id)->state(), v1::STATE_PAUSED);
  ASSERT_TRUE(catalog_.SetPaused(id, false, v1::AuditEvent()).ok());
  EXPECT_TRUE(a.stream->Held().contains(id));
  EXPECT_EQ(tracker_.Get(id)->state(), v1::STATE_PENDING);
}

TEST_F(AgentManagerTest, DeltasKeepEveryAgentInStepWithThePlanThroughChurn) {
  // What each agent holds after applying its messages must be exactly what
  // the manager assigns it, at the current epochs, whatever the sequence.
  std::mt19937 rng(7);
  auto pick = [&rng](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  std::vector<std::string> monitors;
  std::set<std::string> connected, draining;
  for (int step = 0; step < 150; ++step) {
    const int op = pick(8);
    const std::string agent = absl::StrCat("agent-", pick(6));
    if (op <= 1) {
      Connect(agent, absl::StrCat("r", pick(3)));  // a reconnect replaces the stream
      connected.insert(agent);
      draining.erase(agent);
    } else if (op == 2 && connected.contains(agent)) {
      manager_.Unregister(agent, agents_[agent].link.get());
      connected.erase(agent);
      draining.erase(agent);
    } else if (op == 3 && connected.contains(agent)) {
      manager_.OnGoodbye(agent, agents_[agent].link.get(), "test");
      draining.insert(agent);
    } else if (op == 4 && !monitors.empty()) {
      const size_t i = pick(monitors.size());
      ASSERT_TRUE(catalog_.Delete(monitors[i], v1::AuditEvent()).ok());
      monitors.erase(monitors.begin() + i);
    } else if (op == 5 && !monitors.empty()) {
      const std::string& id = monitors[pick(monitors.size())];
      ASSERT_TRUE(catalog_.SetPaused(id, pick(2) == 0, v1::AuditEvent()).ok());
    } else {
      monitors.push_back(AddMonitor(absl::StrCat("m", step), 1 + pick(2)));
    }
    for (const std::string& id : connected) {
      std::map<std::string, int64_t> want;
      for (const std::string& m : monitors) {
        const auto holders = manager_.AgentsOf(m);
        if (std::find(holders.begin(), holders.end(), id) != holders.end()) want[m] = manager_.EpochOf(m);
      }
      if (draining.contains(id)) {
        EXPECT_TRUE(want.empty()) << id;
      }
      ASSERT_EQ(agents_[id].stream->Held(), want) << "step " << step << ", agent " << id;
    }
  }
}

TEST(AgentManagerCappedTest, MonitorsPlacedWhileCappedAreRebalancedOnTheTimer) {
  // Caps at the fair share and a selector that sends most monitors to one
  // region: the plan is capped, monitor changes drift, the timer rebalances.
  SimulatedClock clock;
  AgentManager manager(&clock, {.heartbeat_interval = absl::Seconds(1),
                                .rebalance_interval = absl::Seconds(1),
                                .sharding = {.load_factor = 1.0, .cap_slack = 0}});
  manager.Start();
  std::map<std::string, std::unique_ptr<FakeStream>> streams;
  std::vector<std::shared_ptr<SessionLink>> links;
  for (int a = 0; a < 4; ++a) {
    const std::string id = absl::StrCat("agent-", a);
    streams[id] = std::make_unique<FakeStream>();
    links.push_back(std::make_shared<SessionLink>(streams[id].get()));
    v1::Hello hello;
    hello.set_agent_id(id);
    hello.set_protocol_version(v1::PROTOCOL_VERSION_1);
    (*hello.mutable_labels())["region"] = a < 2 ? "r0" : "r1";
    ASSERT_TRUE(manager.Register(hello, "peer", links.back()).ok());
  }
  std::vector<std::string> ids;
  for (int i = 0; i < 60; ++i) {
    auto m = std::make_shared<v1::Monitor>();
    m->set_id(absl::StrCat("mon-", i));
    m->mutable_locations()->set_count(1);
    if (i % 3 != 0) m->mutable_locations()->set_selector("region=r0");
    manager.OnMonitorUpserted(m);
    ids.push_back(m->id());
  }
  auto check_in_step = [&] {
    for (const auto& [agent, stream] : streams) {
      std::map<std::string, int64_t> want;
      for (const std::string& id : ids) {
        const auto holders = manager.AgentsOf(id);
        if (std::find(holders.begin(), holders.end(), agent) != holders.end()) want[id] = manager.EpochOf(id);
      }
      EXPECT_EQ(stream->Held(), want) << agent;
    }
  };
  check_in_step();
  for (int a = 0; a < 4; ++a) {
    manager.OnHeartbeat(absl::StrCat("agent-", a), links[a].get(), v1::Heartbeat());
  }
  clock.Advance(absl::Seconds(1));
  check_in_step();
  EXPECT_EQ(manager.agent_count(), 4u);
}

TEST_F(AgentManagerTest, BadHelloIsRejected) {
  Agent agent;
  v1::Hello hello;
  hello.set_agent_id("x");
  EXPECT_EQ(manager_.Register(hello, "peer", agent.link).code(), absl::StatusCode::kInvalidArgument);
  hello.set_protocol_version(v1::PROTOCOL_VERSION_1);
  hello.set_agent_id("");
  EXPECT_EQ(manager_.Register(hello, "peer", agent.link).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace uptime::coordinator
