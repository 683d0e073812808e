// The REST client. Two ways to be signed in: a session cookie (password
// sign-in; the gateway sets an HttpOnly `uptime_session` cookie, and every
// write must echo the readable `uptime_csrf` cookie in X-CSRF-Token), or a
// pasted API token kept in session storage and sent as a bearer token.
// Errors become ApiError with the HTTP status, the gRPC code name and, for
// invalid arguments, the field the server named.

import type * as T from './types';

const TOKEN_KEY = 'uptime.token';
const CSRF_COOKIE = 'uptime_csrf';

// The CSRF token of the cookie session: the cookie (which a reload keeps),
// else the one the sign-in answered with.
let csrfFromLogin = '';
export function csrfToken(): string {
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === CSRF_COOKIE) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return csrfFromLogin;
}
export function setCsrfToken(t: string): void {
  csrfFromLogin = t;
}

// Headers that authenticate a request: the bearer token in token mode; in
// cookie mode the browser sends the cookie, and writes carry the CSRF token.
export function authHeaders(method: string): Record<string, string> {
  const token = getToken();
  if (token) return { Authorization: `Bearer ${token}` };
  const csrf = method === 'GET' || method === 'HEAD' ? '' : csrfToken();
  return csrf ? { 'X-CSRF-Token': csrf } : {};
}

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}
export function setToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    // Proto field path the server blamed ("monitor.http.url"), if any.
    readonly field: string | null,
    // Seconds from a Retry-After header (throttled sign-ins).
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

// "monitor.http.url: 'x' is not an absolute URL" -> field "monitor.http.url".
export function fieldOf(message: string, details: unknown): string | null {
  if (Array.isArray(details)) {
    for (const d of details) {
      const v = (d as { fieldViolations?: { field?: string }[] })?.fieldViolations;
      if (v && v[0]?.field) return v[0].field;
    }
  }
  const m = /^([A-Za-z_][\w]*(?:\.[\w]+|\[\d+\])*)\s*:/.exec(message);
  return m ? m[1]! : null;
}

type Query = Record<string, string | number | boolean | string[] | undefined>;

function url(path: string, query?: Query): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === '' || v === false) continue;
    if (Array.isArray(v)) v.forEach((x) => q.append(k, x));
    else q.set(k, String(v));
  }
  const s = q.toString();
  return `/api/v1${path}${s ? '?' + s : ''}`;
}

let onUnauthenticated: () => void = () => {};
export function setUnauthenticatedHandler(fn: () => void): void {
  onUnauthenticated = fn;
}

export async function request<R>(method: string, path: string, opts: { query?: Query; body?: unknown; signal?: AbortSignal } = {}): Promise<R> {
  const headers: Record<string, string> = { Accept: 'application/json', ...authHeaders(method) };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(url(path, opts.query), {
      method,
      headers,
      body: opts.body === undefined ? null : JSON.stringify(opts.body),
      signal: opts.signal ?? null,
      cache: 'no-store',
      credentials: 'same-origin',
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'UNAVAILABLE', 'The gateway cannot be reached. Check your connection.', null);
  }
  const text = await res.text();
  let json: unknown = undefined;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  if (!res.ok) {
    const err = (json ?? {}) as { code?: string | number; message?: string; details?: unknown };
    const message = err.message || text || res.statusText || `HTTP ${res.status}`;
    if (res.status === 401) onUnauthenticated();
    const retry = Number(res.headers.get('Retry-After'));
    throw new ApiError(res.status, String(err.code ?? res.status), message, res.status === 400 ? fieldOf(message, err.details) : null, retry > 0 ? retry : null);
  }
  return (json ?? {}) as R;
}

// Follows page tokens until the end; `onPage` sees each page as it arrives.
// The next page is requested as soon as this one's token is known, before
// `onPage` runs, so the server works on page k+1 while the browser processes
// page k (at 10,000 monitors the pages would otherwise queue behind it).
async function listAll<P extends { nextPageToken?: string }, I>(
  path: string,
  pick: (p: P) => I[] | undefined,
  query: Query = {},
  onPage?: (items: I[]) => void,
): Promise<I[]> {
  const all: I[] = [];
  const fetchPage = (pageToken: string | undefined) =>
    request<P>('GET', path, { query: { ...query, page_size: 1000, page_token: pageToken } });
  let pending: Promise<P> | null = fetchPage(undefined);
  while (pending) {
    const page: P = await pending;
    pending = page.nextPageToken ? fetchPage(page.nextPageToken) : null;
    // A failed request that is never awaited would be reported as unhandled.
    pending?.catch(() => {});
    const items = pick(page) ?? [];
    for (const item of items) all.push(item);
    onPage?.(items);
  }
  return all;
}

const enc = encodeURIComponent;

export const api = {
  caller: () => request<T.Caller>('GET', '/caller'),
  login: (username: string, password: string, totpCode: string) =>
    request<{ caller?: T.Caller; csrfToken?: string }>('POST', '/auth:login', { body: { username, password, totpCode } }),
  logout: () => request<void>('POST', '/auth:logout', { body: {} }),

  getUser: (id: string) => request<T.User>('GET', `/users/${enc(id)}`),
  listUsers: () => listAll<T.ListUsersResponse, T.User>('/users', (p) => p.users),
  createUser: (u: T.User) => request<T.User>('POST', '/users', { body: u }),
  updateUser: (id: string, u: T.User, mask: string[]) =>
    request<T.User>('PATCH', `/users/${enc(id)}`, { body: u, query: { update_mask: mask.join(',') } }),
  deleteUser: (id: string) => request<void>('DELETE', `/users/${enc(id)}`),
  changePassword: (currentPassword: string, newPassword: string) =>
    request<void>('POST', '/users/me:changePassword', { body: { currentPassword, newPassword } }),
  // A second factor: Begin answers a fresh secret, Confirm turns it on with a
  // current code from the app. Disable: one's own ("me") with the password,
  // or (admins) anyone's by id without.
  beginTotpEnrollment: () => request<T.TotpEnrollment>('POST', '/users/me:beginTotpEnrollment', { body: {} }),
  confirmTotpEnrollment: (code: string) => request<void>('POST', '/users/me:confirmTotpEnrollment', { body: { code } }),
  disableTotp: (id: string, password?: string) =>
    request<void>('POST', `/users/${enc(id)}:disableTotp`, { body: password === undefined ? {} : { password } }),

  listApiKeys: (userId?: string) => request<T.ListApiKeysResponse>('GET', '/apiKeys', { query: { user_id: userId } }),
  // The body is the ApiKey itself (the gateway maps it to the request's api_key).
  createApiKey: (k: T.ApiKey) => request<T.CreateApiKeyResponse>('POST', '/apiKeys', { body: k }),
  revokeApiKey: (id: string) => request<void>('DELETE', `/apiKeys/${enc(id)}`),

  listAuditEvents: (q: { page_size?: number; page_token?: string; resource_type?: string; resource_id?: string; actor?: string }) =>
    request<T.ListAuditEventsResponse>('GET', '/auditEvents', { query: q }),
  cluster: () => request<T.ClusterInfo>('GET', '/cluster'),

  listMonitors: (onPage?: (m: T.Monitor[]) => void) =>
    listAll<T.ListMonitorsResponse, T.Monitor>('/monitors', (p) => p.monitors, {}, onPage),
  getMonitor: (id: string) => request<T.Monitor>('GET', `/monitors/${enc(id)}`),
  createMonitor: (m: T.Monitor) => request<T.Monitor>('POST', '/monitors', { body: m }),
  updateMonitor: (id: string, m: T.Monitor, mask: string[]) =>
    request<T.Monitor>('PATCH', `/monitors/${enc(id)}`, { body: m, query: { update_mask: mask.join(',') } }),
  deleteMonitor: (id: string) => request<void>('DELETE', `/monitors/${enc(id)}`),
  pauseMonitor: (id: string) => request<T.Monitor>('POST', `/monitors/${enc(id)}:pause`, { body: {} }),
  resumeMonitor: (id: string) => request<T.Monitor>('POST', `/monitors/${enc(id)}:resume`, { body: {} }),

  listStatuses: (onPage?: (s: T.MonitorStatus[]) => void) =>
    listAll<T.ListStatusesResponse, T.MonitorStatus>('/statuses', (p) => p.statuses, {}, onPage),
  getStatus: (id: string) => request<T.MonitorStatus>('GET', `/statuses/${enc(id)}`),
  listResults: (id: string, q: { start_time?: string; end_time?: string; failures_only?: boolean; page_size?: number } = {}) =>
    request<T.ListResultsResponse>('GET', `/monitors/${enc(id)}/results`, { query: q }),
  uptime: (id: string) => request<T.GetUptimeResponse>('GET', `/monitors/${enc(id)}/uptime`),
  // Every monitor's 24h uptime from the coordinator's summary (pages of
  // 1,000; about 60 bytes of JSON per monitor).
  listUptime: (onPage?: (u: T.MonitorUptime[]) => void, onComputedAt?: (at: string) => void) =>
    listAll<T.ListUptimeResponse, T.MonitorUptime>(
      '/uptimes',
      (p) => {
        if (p.computedAt) onComputedAt?.(p.computedAt);
        return p.uptimes;
      },
      {},
      onPage,
    ),
  listIncidents: (q: { monitor_id?: string; open_only?: boolean; page_size?: number; page_token?: string } = {}) =>
    request<T.ListIncidentsResponse>('GET', '/incidents', { query: q }),

  listChannels: () => listAll<T.ListChannelsResponse, T.Channel>('/channels', (p) => p.channels),
  createChannel: (c: T.Channel) => request<T.Channel>('POST', '/channels', { body: c }),
  updateChannel: (id: string, c: T.Channel, mask: string[]) =>
    request<T.Channel>('PATCH', `/channels/${enc(id)}`, { body: c, query: { update_mask: mask.join(',') } }),
  deleteChannel: (id: string) => request<void>('DELETE', `/channels/${enc(id)}`),
  getChannel: (id: string) => request<T.Channel>('GET', `/channels/${enc(id)}`),
  testChannel: (id: string) => request<T.TestChannelResponse>('POST', `/channels/${enc(id)}:test`, { body: {} }),

  listWindows: () => listAll<T.ListMaintenanceWindowsResponse, T.MaintenanceWindow>('/maintenanceWindows', (p) => p.windows),
  createWindow: (w: T.MaintenanceWindow) => request<T.MaintenanceWindow>('POST', '/maintenanceWindows', { body: w }),
  updateWindow: (id: string, w: T.MaintenanceWindow, mask: string[]) =>
    request<T.MaintenanceWindow>('PATCH', `/maintenanceWindows/${enc(id)}`, { body: w, query: { update_mask: mask.join(',') } }),
  getWindow: (id: string) => request<T.MaintenanceWindow>('GET', `/maintenanceWindows/${enc(id)}`),
  deleteWindow: (id: string) => request<void>('DELETE', `/maintenanceWindows/${enc(id)}`),

  listAgents: () => request<T.ListAgentsResponse>('GET', '/agents'),
};
