#include "bench/common/bench_agents.h"

#include <cstdio>

namespace uptime::bench {

std::shared_ptr<coordinator::SessionLink> SimulatedAgents::Connect(
    const std::string& id, const std::map<std::string, std::string>& labels) {
  streams_.push_back(std::make_unique<NullStream>());
  auto link = std::make_shared<coordinator::SessionLink>(streams_.back().get());
  v1::Hello hello;
  hello.set_agent_id(id);
  hello.set_incarnation("bench");
  hello.set_protocol_version(v1::PROTOCOL_VERSION_1);
  for (const auto& [k, v] : labels) (*hello.mutable_labels())[k] = v;
  if (absl::Status s = agents_->Register(hello, "bench", link); !s.ok()) {
    std::fprintf(stderr, "registering %s: %s\n", id.c_str(), std::string(s.message()).c_str());
  }
  return link;
}

}  // namespace uptime::bench
