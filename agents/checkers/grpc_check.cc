#include "agents/checkers/grpc_check.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/security/tls_certificate_verifier.h"
#include "grpcpp/security/tls_credentials_options.h"

namespace uptime::agent {
namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

std::shared_ptr<grpc::ChannelCredentials> Credentials(const GrpcCheckSpec& spec) {
  if (!spec.tls) return grpc::InsecureChannelCredentials();
  if (!spec.insecure_skip_tls_verify) return grpc::SslCredentials({});
  // Still TLS, but any certificate and host name pass (the monitor asked).
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_verify_server_certs(false);
  options.set_check_call_host(false);
  options.set_certificate_verifier(
      std::make_shared<grpc::experimental::NoOpCertificateVerifier>());
  return grpc::experimental::TlsCredentials(options);
}

}  // namespace

v1::ErrorKind ClassifyGrpcStatus(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::DEADLINE_EXCEEDED: return v1::ERROR_KIND_TIMEOUT;
    case grpc::StatusCode::UNAVAILABLE: {
      // gRPC folds handshake failures into UNAVAILABLE; only the text tells.
      const std::string& m = status.error_message();
      const bool tls = m.find("andshake") != std::string::npos ||
                       m.find("SSL") != std::string::npos || m.find("ertificate") != std::string::npos;
      return tls ? v1::ERROR_KIND_TLS : v1::ERROR_KIND_CONNECT;
    }
    case grpc::StatusCode::NOT_FOUND: return v1::ERROR_KIND_NOT_SERVING;  // unknown service
    default: return v1::ERROR_KIND_PROTOCOL;  // e.g. UNIMPLEMENTED: no health service
  }
}

struct GrpcCheck::Call {
  grpc::ClientContext context;
  HealthCheckRequest request;
  HealthCheckResponse response;
  std::unique_ptr<grpc::health::v1::Health::Stub> stub;
  GrpcCheck* owner = nullptr;  // loop thread only; cleared when the check goes
};

GrpcCheck::~GrpcCheck() {
  if (call_) {
    call_->owner = nullptr;
    call_->context.TryCancel();
  }
}

void GrpcCheck::Start(LoopIo& io) {
  const GrpcCheckSpec& spec = *this->spec()->grpc();
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  // One attempt per check: gRPC must not retry behind the monitor's back.
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  auto channel = grpc::CreateCustomChannel(spec.target, Credentials(spec), args);
  call_ = std::make_shared<Call>();
  call_->owner = this;
  call_->stub = grpc::health::v1::Health::NewStub(channel);
  call_->request.set_service(spec.service);
  call_->context.set_deadline(absl::ToChronoTime(deadline()));
  std::shared_ptr<LoopMailbox> mailbox = io.mailbox();
  std::shared_ptr<Call> call = call_;
  call_->stub->async()->Check(
      &call->context, &call->request, &call->response,
      [call, mailbox](grpc::Status status) {
        // On a gRPC thread: hand over to the loop, which owns the check.
        mailbox->Post([call, status = std::move(status)]() -> LoopCheck* {
          GrpcCheck* check = call->owner;
          if (check == nullptr || check->done()) return nullptr;
          if (!status.ok()) {
            check->Fail(ClassifyGrpcStatus(status),
                        absl::StrCat("health check: ", status.error_message()));
          } else if (call->response.status() != HealthCheckResponse::SERVING) {
            check->Fail(v1::ERROR_KIND_NOT_SERVING,
                        absl::StrCat("status ", HealthCheckResponse::ServingStatus_Name(
                                                    call->response.status())));
          } else {
            check->Succeed();
          }
          return check;
        });
      });
}

}  // namespace uptime::agent
