#include "gateway/gateway_server.h"

#include "absl/strings/str_cat.h"
#include "common/config.h"
#include "common/metrics.h"
#include "common/status_macros.h"
#include "gateway/api_routes.h"
#include "gateway/event_hub.h"
#include "gateway/gateway_handler.h"
#include "gateway/gateway_metrics.h"
#include "gateway/http_server.h"
#include "gateway/page_source.h"
#include "gateway/public_pages.h"
#include "gateway/public_routes.h"
#include "gateway/redis_fallback.h"
#include "gateway/role_cache.h"
#include "gateway/status_snapshot.h"
#include "gateway/upstream.h"
#include "grpcpp/create_channel.h"
#include "spdlog/spdlog.h"
#include "store/redis/redis_status_cache.h"

namespace uptime::gateway {

// Members in dependency order: destroyed in reverse. The HTTP server goes
// last: gRPC callbacks still in flight while the rest is torn down post
// their answers to its (stopped) io_contexts, which must still exist.
struct GatewayServer::Components {
  GatewayConfig config;
  Clock* clock = nullptr;
  MetricsRegistry registry;
  std::unique_ptr<GatewayMetrics> metrics;
  std::unique_ptr<HttpServer> http;
  std::shared_ptr<grpc::ChannelInterface> channel;
  std::unique_ptr<Stubs> stubs;
  StatusSnapshot snapshot;
  std::unique_ptr<EventHub> hub;
  std::unique_ptr<RoleCache> roles;
  std::unique_ptr<store::RedisStatusCache> redis;
  std::unique_ptr<RedisFallback> redis_fallback;
  // Before the Upstream, whose watch thread calls into them.
  std::unique_ptr<CoordinatorPageSource> page_source;
  std::unique_ptr<PublicPages> public_pages;
  std::unique_ptr<PublicRoutes> public_routes;
  std::unique_ptr<Upstream> upstream;
  std::unique_ptr<GatewayHandler> handler;
};

absl::StatusOr<std::unique_ptr<GatewayServer>> GatewayServer::Create(const GatewayConfig& config,
                                                                     Clock* clock) {
  auto c = std::make_unique<Components>();
  c->config = config;
  c->clock = clock;
  c->metrics = std::make_unique<GatewayMetrics>(&c->registry);
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> creds,
                   MakeChannelCredentials(config.coordinator_tls));
  grpc::ChannelArguments args = MakeChannelArguments(config.coordinator_tls);
  // gRPC's own reconnect backoff grows to minutes; a restarted coordinator
  // (or a standby taking over) must be found within seconds.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  c->channel = grpc::CreateCustomChannel(config.coordinator, creds, args);
  c->stubs = std::make_unique<Stubs>(c->channel);
  c->hub = std::make_unique<EventHub>(
      static_cast<uint64_t>(absl::ToUnixMicros(clock->Now())), config.sse_replay);
  c->roles = std::make_unique<RoleCache>(clock, config.role_cache_ttl, 10'000);
  UpstreamOptions upstream;
  upstream.channel = c->channel;
  upstream.token = config.token;
  upstream.reload_interval = config.reload_interval;
  upstream.rpc_timeout = config.rpc_timeout;
  upstream.results = config.results_stream == "off"      ? ResultsMode::kOff
                     : config.results_stream == "always" ? ResultsMode::kAlways
                                                         : ResultsMode::kOnDemand;
  upstream.results_linger = config.results_linger;
  if (!config.redis.empty()) {
    RETURN_IF_ERROR(ParseHostPort("--redis", config.redis).status());
    store::RedisStatusCacheOptions redis_options;
    redis_options.redis.host_port = config.redis;
    c->redis = std::make_unique<store::RedisStatusCache>(redis_options, clock);
    c->redis_fallback = std::make_unique<RedisFallback>(c->redis.get());
    RedisFallback* fallback = c->redis_fallback.get();
    upstream.fallback = [fallback] { return fallback->Load(); };
    upstream.remember_labels = [fallback](const LabelsById& labels) {
      fallback->Remember(labels);
    };
  }
  c->page_source =
      std::make_unique<CoordinatorPageSource>(c->channel, config.token, config.rpc_timeout);
  c->public_pages = std::make_unique<PublicPages>(PublicPagesOptions(), c->page_source.get(),
                                                  &c->snapshot, clock);
  // The status page shows the page's logo, an https image from anywhere;
  // everything else is as strict as the dashboard's policy.
  auto csp = [&config](absl::string_view img_src) {
    return absl::StrCat("default-src 'self'; script-src 'self'; style-src 'self'; img-src ",
                        img_src, "; connect-src 'self'; frame-ancestors ", config.frame_ancestors,
                        "; base-uri 'none'; form-action 'self'");
  };
  c->public_routes = std::make_unique<PublicRoutes>(c->public_pages.get(), clock,
                                                    csp("'self' data: https:"));
  PublicPages* public_pages = c->public_pages.get();
  upstream.on_state_change = [public_pages](const v1::StateChange& change) {
    public_pages->OnStateChange(change);
  };
  upstream.on_resync = [public_pages] { public_pages->OnResync(); };
  c->upstream = std::make_unique<Upstream>(std::move(upstream), clock, &c->snapshot, c->hub.get());

  StatusSnapshot* snapshot = &c->snapshot;
  ASSIGN_OR_RETURN(c->handler, GatewayHandler::Create({.clock = clock,
                                                       .stubs = c->stubs.get(),
                                                       .snapshot = snapshot,
                                                       .hub = c->hub.get(),
                                                       .roles = c->roles.get(),
                                                       .metrics = c->metrics.get(),
                                                       .public_routes = c->public_routes.get(),
                                                       .rpc_timeout = config.rpc_timeout,
                                                       .results_offered =
                                                           config.results_stream != "off",
                                                       .ready = [snapshot] {
                                                         return snapshot->loaded();
                                                       },
                                                       .after_write =
                                                           [upstream = c->upstream.get(),
                                                            public_pages] {
                                                             upstream->RequestReload();
                                                             // A page written through the
                                                             // gateway shows at once.
                                                             public_pages->RequestRefresh();
                                                           },
                                                       .trust_forwarded_for =
                                                           config.trust_forwarded_for,
                                                       .tls = config.tls.enabled()}));
  HttpServerOptions http;
  http.listen = config.listen;
  http.threads = config.threads;
  http.tls = config.tls;
  http.max_header_bytes = config.max_header_bytes;
  http.max_body_bytes = config.max_body_bytes;
  http.max_connections = config.max_connections;
  http.idle_timeout = config.idle_timeout;
  http.read_timeout = config.read_timeout;
  http.sse_max_queued = config.sse_max_queued;
  http.headers = {
      {"Content-Security-Policy", csp("'self' data:")},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
  };
  if (config.frame_ancestors == "'none'") http.headers.emplace_back("X-Frame-Options", "DENY");
  if (config.tls.enabled()) {
    http.headers.emplace_back("Strict-Transport-Security", "max-age=31536000");
  }
  ASSIGN_OR_RETURN(c->http, HttpServer::Create(std::move(http), c->handler.get()));

  // Gauges read when scraped.
  Components* raw = c.get();
  c->registry.AddCallbackGauge("uptime_gateway_sse_clients", "Open server-sent event streams",
                               [raw] { return static_cast<double>(raw->http->stats().sse_clients.load()); });
  c->registry.AddCallbackGauge(
      "uptime_gateway_sse_dropped_slow_clients_total",
      "SSE clients disconnected because they fell behind",
      [raw] { return static_cast<double>(raw->http->stats().sse_dropped_slow.load()); });
  c->registry.AddCallbackGauge("uptime_gateway_connections", "Open HTTP connections", [raw] {
    return static_cast<double>(raw->http->stats().connections.load());
  });
  c->registry.AddCallbackGauge(
      "uptime_gateway_rejected_connections_total", "Connections closed at once: over the limit",
      [raw] { return static_cast<double>(raw->http->stats().rejected_connections.load()); });
  c->registry.AddCallbackGauge(
      "uptime_gateway_malformed_requests_total", "Requests rejected as malformed or too large",
      [raw] { return static_cast<double>(raw->http->stats().malformed_requests.load()); });
  c->registry.AddCallbackGauge(
      "uptime_gateway_snapshot_age_seconds",
      "Seconds the status snapshot may be behind: 0 while the event stream is up, else the time "
      "since it was last current (-1: never loaded)",
      [raw] {
        const absl::Time t = raw->snapshot.updated_at();
        if (t == absl::InfinitePast()) return -1.0;
        if (raw->upstream->connected()) return 0.0;
        return absl::ToDoubleSeconds(raw->clock->Now() - t);
      });
  c->registry.AddCallbackGauge("uptime_gateway_snapshot_monitors", "Monitors in the snapshot",
                               [raw] { return static_cast<double>(raw->snapshot.size()); });
  c->registry.AddCallbackGauge("uptime_gateway_upstream_connected",
                               "1 while the coordinator event stream is up",
                               [raw] { return raw->upstream->connected() ? 1.0 : 0.0; });
  c->registry.AddCallbackGauge(
      "uptime_gateway_upstream_reconnects_total", "Event stream re-establishments",
      [raw] { return static_cast<double>(raw->upstream->reconnects()); });
  c->registry.AddCallbackGauge("uptime_gateway_results_stream_connected",
                               "1 while the coordinator check-results stream is up",
                               [raw] { return raw->upstream->results_connected() ? 1.0 : 0.0; });
  c->registry.AddCallbackGauge(
      "uptime_gateway_results_received_total", "Check results received from the coordinator",
      [raw] { return static_cast<double>(raw->upstream->results_received()); });
  c->registry.AddCallbackGauge(
      "uptime_gateway_results_dropped_total",
      "Check results the coordinator dropped for the gateway's results stream (it fell behind)",
      [raw] { return static_cast<double>(raw->upstream->results_dropped()); });
  c->registry.AddCallbackGauge("uptime_gateway_sse_result_clients",
                               "SSE clients that asked for check results",
                               [raw] { return static_cast<double>(raw->hub->result_clients()); });
  return std::unique_ptr<GatewayServer>(new GatewayServer(std::move(c)));
}

GatewayServer::GatewayServer(std::unique_ptr<Components> components)
    : components_(std::move(components)) {}

GatewayServer::~GatewayServer() { Stop(); }

absl::Status GatewayServer::Start() {
  RETURN_IF_ERROR(components_->http->Start());
  components_->upstream->Start();
  components_->public_pages->Start();
  spdlog::info("gateway {} serving on port {} ({}), coordinator {}", Version(),
               components_->http->port(), components_->config.tls.enabled() ? "HTTPS" : "HTTP",
               components_->config.coordinator);
  return absl::OkStatus();
}

void GatewayServer::Stop() {
  if (components_ == nullptr) return;
  components_->upstream->Stop();
  components_->public_pages->Stop();
  components_->http->Stop();
}

int GatewayServer::port() const { return components_->http->port(); }

}  // namespace uptime::gateway
