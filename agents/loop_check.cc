#include "agents/loop_check.h"

#include <utility>

#include "agents/dns_checker.h"
#include "agents/grpc_checker.h"
#include "agents/icmp_checker.h"

namespace uptime::agent {

std::unique_ptr<LoopCheck> MakeLoopCheck(CheckSpecPtr spec, const std::string& agent_id,
                                         absl::Time planned, absl::Time start, bool scheduled) {
  if (spec->dns()) return std::make_unique<DnsCheck>(std::move(spec), agent_id, planned, start, scheduled);
  if (spec->grpc()) return std::make_unique<GrpcCheck>(std::move(spec), agent_id, planned, start, scheduled);
  if (spec->icmp()) return std::make_unique<IcmpCheck>(std::move(spec), agent_id, planned, start, scheduled);
  return nullptr;
}

}  // namespace uptime::agent
