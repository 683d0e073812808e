#include "agents/checkers/loop_check.h"

#include <utility>

#include "agents/checkers/dns_check.h"
#include "agents/checkers/grpc_check.h"
#include "agents/checkers/http_check.h"
#include "agents/checkers/icmp_check.h"
#include "agents/checkers/tcp_check.h"

namespace uptime::agent {

std::unique_ptr<LoopCheck> MakeLoopCheck(CheckSpecPtr spec, const std::string& agent_id,
                                         absl::Time planned, absl::Time start, bool scheduled,
                                         bool http_on_loop) {
  if (spec->http()) {
    if (!http_on_loop) return nullptr;
    return HttpCheck::Create(std::move(spec), agent_id, planned, start, scheduled);
  }
  if (spec->tcp()) return std::make_unique<TcpCheck>(std::move(spec), agent_id, planned, start, scheduled);
  if (spec->dns()) return std::make_unique<DnsCheck>(std::move(spec), agent_id, planned, start, scheduled);
  if (spec->grpc()) return std::make_unique<GrpcCheck>(std::move(spec), agent_id, planned, start, scheduled);
  if (spec->icmp()) return std::make_unique<IcmpCheck>(std::move(spec), agent_id, planned, start, scheduled);
  return nullptr;
}

}  // namespace uptime::agent
