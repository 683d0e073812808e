// The JSON shapes of the REST mirror (protobuf JSON mapping of proto/uptime/v1):
// lowerCamelCase names, enums by name, int64 as strings, Durations as "30s",
// Timestamps as RFC 3339. Fields at their default value may be omitted, so
// everything is optional. test/check-types.mjs checks the names against the
// .proto files.

export type State =
  | 'STATE_UNSPECIFIED'
  | 'STATE_PENDING'
  | 'STATE_UP'
  | 'STATE_DOWN'
  | 'STATE_PAUSED'
  | 'STATE_MAINTENANCE';

export type ErrorKind =
  | 'ERROR_KIND_UNSPECIFIED'
  | 'ERROR_KIND_TIMEOUT'
  | 'ERROR_KIND_DNS'
  | 'ERROR_KIND_CONNECT'
  | 'ERROR_KIND_TLS'
  | 'ERROR_KIND_STATUS'
  | 'ERROR_KIND_KEYWORD'
  | 'ERROR_KIND_PROTOCOL'
  | 'ERROR_KIND_DNS_ANSWER'
  | 'ERROR_KIND_NOT_SERVING'
  | 'ERROR_KIND_PERMISSION'
  | 'ERROR_KIND_INTERNAL';

export type DnsRecordType =
  | 'DNS_RECORD_TYPE_UNSPECIFIED'
  | 'DNS_RECORD_TYPE_A'
  | 'DNS_RECORD_TYPE_AAAA'
  | 'DNS_RECORD_TYPE_CNAME'
  | 'DNS_RECORD_TYPE_MX'
  | 'DNS_RECORD_TYPE_TXT'
  | 'DNS_RECORD_TYPE_NS';

export type Weekday =
  | 'WEEKDAY_UNSPECIFIED'
  | 'WEEKDAY_MONDAY'
  | 'WEEKDAY_TUESDAY'
  | 'WEEKDAY_WEDNESDAY'
  | 'WEEKDAY_THURSDAY'
  | 'WEEKDAY_FRIDAY'
  | 'WEEKDAY_SATURDAY'
  | 'WEEKDAY_SUNDAY';

export interface StatusRange { min?: number; max?: number }
export interface HttpHeader { name?: string; value?: string }

export interface HttpSpec {
  url?: string;
  method?: string;
  headers?: HttpHeader[];
  body?: string;
  acceptedStatuses?: StatusRange[];
  keyword?: string;
  keywordAbsent?: string;
  followRedirects?: boolean;
  insecureSkipTlsVerify?: boolean;
}
export interface TcpSpec { host?: string; port?: number }
export interface DnsSpec { name?: string; recordType?: DnsRecordType; expectedAnswer?: string; resolver?: string }
export interface GrpcSpec { target?: string; service?: string; tls?: boolean; insecureSkipTlsVerify?: boolean }
export interface IcmpSpec { host?: string }
export interface LocationPolicy { selector?: string; locationLabel?: string; count?: number; quorum?: number }

export interface Monitor {
  id?: string;
  name?: string;
  labels?: Record<string, string>;
  http?: HttpSpec;
  tcp?: TcpSpec;
  dns?: DnsSpec;
  grpc?: GrpcSpec;
  icmp?: IcmpSpec;
  interval?: string;
  timeout?: string;
  failureThreshold?: number;
  recoveryThreshold?: number;
  locations?: LocationPolicy;
  channelIds?: string[];
  renotifyInterval?: string;
  tlsExpiryWarningDays?: number;
  paused?: boolean;
  createTime?: string;
  updateTime?: string;
}

export interface CheckResult {
  monitorId?: string;
  agentId?: string;
  location?: string;
  epoch?: string;
  startTimeUs?: string;
  scheduledTimeUs?: string;
  success?: boolean;
  latencyUs?: string;
  dnsUs?: string;
  connectUs?: string;
  tlsUs?: string;
  firstByteUs?: string;
  httpStatus?: number;
  errorKind?: ErrorKind;
  errorMessage?: string;
  tlsCertExpiryUnix?: string;
}

export interface MonitorStatus {
  monitorId?: string;
  monitorName?: string;
  state?: State;
  since?: string;
  lastResult?: CheckResult;
  consecutiveFailures?: number;
  consecutiveSuccesses?: number;
  openIncidentId?: string;
  agentIds?: string[];
}

export interface UptimeWindow {
  window?: string;
  checks?: string;
  failures?: string;
  uptimePercent?: number;
  meanLatencyMs?: number;
  p95LatencyMs?: number;
}
export interface DailyBar { day?: string; checks?: string; failures?: string; uptimePercent?: number }
export interface GetUptimeResponse { monitorId?: string; windows?: UptimeWindow[]; dailyBars?: DailyBar[] }
// BatchGetUptime: GetUptime of up to 1,000 monitors, in request order.
export interface BatchGetUptimeRequest { monitorIds?: string[] }
export interface BatchGetUptimeResponse { uptimes?: GetUptimeResponse[] }
// ListUptime: many monitors' uptime over one window (24h), from the
// coordinator's periodically refreshed summary.
export interface MonitorUptime {
  monitorId?: string;
  checks?: string;
  failures?: string;
  uptimePercent?: number;
  meanLatencyMs?: number;
}
export interface ListUptimeResponse { window?: string; uptimes?: MonitorUptime[]; nextPageToken?: string; computedAt?: string }

export interface Incident {
  id?: string;
  monitorId?: string;
  started?: string;
  resolved?: string;
  cause?: string;
  alertsSent?: number;
}

export interface StateChange {
  monitorId?: string;
  monitorName?: string;
  fromState?: State;
  toState?: State;
  time?: string;
  cause?: string;
  incidentId?: string;
}
export interface Event { sequence?: string; stateChange?: StateChange; result?: CheckResult }

export interface Channel {
  id?: string;
  name?: string;
  type?: string;
  config?: Record<string, string>;
  createTime?: string;
  updateTime?: string;
  labels?: Record<string, string>;
}
export interface TestChannelResponse { delivered?: boolean; error?: string }

export interface Recurrence { days?: Weekday[]; startTimeOfDay?: string; duration?: string; timeZone?: string }
export interface Occurrence { startTime?: string; endTime?: string }
export interface MaintenanceWindow {
  id?: string;
  name?: string;
  description?: string;
  monitorIds?: string[];
  labelSelector?: string;
  startTime?: string;
  endTime?: string;
  recurrence?: Recurrence;
  createTime?: string;
  updateTime?: string;
  active?: boolean;
  nextOccurrence?: Occurrence;
  labels?: Record<string, string>;
}

export interface AgentInfo {
  agentId?: string;
  labels?: Record<string, string>;
  version?: string;
  capacity?: number;
  connectedSince?: string;
  lastHeartbeat?: string;
  monitorsAssigned?: number;
  checksPerSecond?: number;
  inFlight?: number;
  draining?: boolean;
  peer?: string;
}
export interface ClusterInfo {
  version?: string;
  coordinatorId?: string;
  isLeader?: boolean;
  started?: string;
  monitors?: number;
  agents?: number;
  monitorsUp?: number;
  monitorsDown?: number;
  monitorsPending?: number;
  monitorsPaused?: number;
  monitorsMaintenance?: number;
}

// Gateway-only: who the token belongs to.
export type Role = 'ROLE_UNSPECIFIED' | 'ROLE_VIEWER' | 'ROLE_EDITOR' | 'ROLE_ADMIN';
export type CredentialKind =
  | 'CREDENTIAL_KIND_UNSPECIFIED'
  | 'CREDENTIAL_KIND_STATIC_TOKEN'
  | 'CREDENTIAL_KIND_API_KEY'
  | 'CREDENTIAL_KIND_SESSION';

export interface Caller {
  role?: Role;
  name?: string;
  userId?: string;
  kind?: CredentialKind;
  apiKeyId?: string;
  idleExpireTime?: string;
  expireTime?: string;
  mustChangePassword?: boolean;
}

export interface User {
  id?: string;
  username?: string;
  displayName?: string;
  role?: Role;
  disabled?: boolean;
  password?: string;
  createTime?: string;
  updateTime?: string;
  lastLoginTime?: string;
  totpEnabled?: boolean;
  mustChangePassword?: boolean;
}
// BeginTotpEnrollment's answer: the secret, for typing by hand, and the
// otpauth:// URL an authenticator app scans as a QR code.
export interface TotpEnrollment { secret?: string; otpauthUrl?: string }
export interface ListUsersResponse { users?: User[]; nextPageToken?: string }

export interface ApiKey {
  id?: string;
  userId?: string;
  username?: string;
  name?: string;
  role?: Role;
  expireTime?: string;
  createTime?: string;
  lastUsedTime?: string;
  prefix?: string;
}
export interface CreateApiKeyResponse { apiKey?: ApiKey; key?: string }
export interface ListApiKeysResponse { apiKeys?: ApiKey[] }

export interface AuditEvent {
  id?: string;
  time?: string;
  actor?: string;
  actorUserId?: string;
  credential?: string;
  action?: string;
  resourceType?: string;
  resourceId?: string;
  beforeJson?: string;
  afterJson?: string;
  clientAddress?: string;
}
export interface ListAuditEventsResponse { events?: AuditEvent[]; nextPageToken?: string }

export interface ListMonitorsResponse { monitors?: Monitor[]; nextPageToken?: string }
export interface ListStatusesResponse { statuses?: MonitorStatus[]; nextPageToken?: string }
export interface ListResultsResponse { results?: CheckResult[]; nextPageToken?: string }
export interface ListIncidentsResponse { incidents?: Incident[]; nextPageToken?: string }
export interface ListChannelsResponse { channels?: Channel[]; nextPageToken?: string }
export interface ListMaintenanceWindowsResponse { windows?: MaintenanceWindow[]; nextPageToken?: string }
export interface ListAgentsResponse { agents?: AgentInfo[] }
