// The one store: monitors with their live status, the caller, the theme and
// the connection state. Pages render from it; the event stream patches it in
// place, and subscribers are told once per animation frame at most, so a
// burst of events at 10,000 monitors costs one re-render.

import { api, ApiError, getToken, setCsrfToken, setToken } from './api';
import { watchEvents } from './events';
import { RecentChecks } from './recent-checks';
import { ResultStreams } from './result-streams';
import { RECENT_TICKS, tick, type Row } from './rows';
import type { Caller, CheckResult, Event, Monitor, MonitorStatus, MonitorUptime, Role } from './types';
import { UptimeColumn } from './uptime-column';

// The row model lives in rows.ts; pages import it from here.
export { RECENT_TICKS, stateOf } from './rows';
export type { Row, Tick } from './rows';

export { UPTIME_REFRESH_MS } from './uptime-column';

export type Theme = 'light' | 'dark' | 'system';

// Set while this browser has (probably) a session cookie: not a secret, only
// whether to start loading before the cookie is confirmed.
const SESSION_HINT = 'uptime.session';

class Store {
  rows = new Map<string, Row>();
  caller: Caller | null = null;
  // Until the first GET /caller answers, whether a session cookie signs us
  // in is unknown: the app shows nothing rather than the sign-in form.
  authChecked = false;
  loading = false;
  loaded = false;
  loadError: string | null = null;
  // Navigation-to-data timing of the last full load, in ms.
  loadMs = 0;
  // Whether a load has completed (a resync keeps the old rows on screen).
  private loadedOnce = false;
  live = false;
  version = 0;
  // Bumped when monitors are added, renamed or removed (not on state changes).
  namesVersion = 0;
  theme: Theme = (localStorage.getItem('uptime.theme') as Theme | null) ?? 'system';
  toast: { text: string; kind: 'ok' | 'error' } | null = null;

  private listeners = new Set<() => void>();
  private frame = 0;
  private events: AbortController | null = null;
  private toastTimer = 0;
  private slowTimer = 0;
  private uptimeColumn = new UptimeColumn({
    signedIn: () => this.signedIn,
    changed: () => this.changedSlowly(),
  });
  private recent = new RecentChecks({
    waiting: () => this.loading && !this.loadedOnce,
    row: (id) => this.rows.get(id),
    changed: () => this.changedSlowly(),
  });
  private results = new ResultStreams((result) => this.apply({ result }));
  // list()'s array and the version it was made at.
  private listCache: Row[] = [];
  private listAt = -1;
  private downAt = -1;
  private downN = 0;

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  // Coalesces notifications to one per frame.
  changed(): void {
    this.version++;
    clearTimeout(this.slowTimer);
    this.slowTimer = 0;
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.listeners.forEach((fn) => fn());
    });
  }

  // For the steady flow of results: at most 4 re-renders a second (or one
  // every `ms`).
  changedSlowly(ms = 250): void {
    this.version++;
    if (this.slowTimer || this.frame) return;
    this.slowTimer = window.setTimeout(() => {
      this.slowTimer = 0;
      this.changed();
    }, ms);
  }

  // Calls `fn` with each live result of monitor `id`; returns the
  // unsubscribe. The monitor's results stream is open while anything
  // listens (result-streams.ts).
  onResult(id: string, fn: (r: CheckResult) => void): () => void {
    return this.results.listen(id, fn);
  }

  // Every row, in no particular order; one array per store version, shared
  // by everything that renders in the same frame.
  list(): Row[] {
    if (this.listAt !== this.version) {
      const out = new Array<Row>(this.rows.size);
      let i = 0;
      for (const r of this.rows.values()) out[i++] = r;
      this.listCache = out;
      this.listAt = this.version;
    }
    return this.listCache;
  }

  // Monitors down (paused ones excluded), for the navigation badge.
  downCount(): number {
    if (this.downAt !== this.version) {
      let n = 0;
      for (const r of this.rows.values()) if (r.status?.state === 'STATE_DOWN' && !r.monitor?.paused) n++;
      this.downN = n;
      this.downAt = this.version;
    }
    return this.downN;
  }

  // 24h uptime per monitor id (ListUptime), swapped in whole on each
  // refresh; uptimeVersion is bumped then, so sorts by uptime recompute.
  get uptime(): Map<string, MonitorUptime> {
    return this.uptimeColumn.byId;
  }
  get uptimeVersion(): number {
    return this.uptimeColumn.version;
  }
  // When the coordinator computed the figures shown (ISO time), if known.
  get uptimeAt(): string | null {
    return this.uptimeColumn.at;
  }

  // A token in this tab, or a session the gateway confirmed.
  get signedIn(): boolean {
    return getToken() !== null || this.caller !== null;
  }
  get role(): Role {
    return this.caller?.role ?? 'ROLE_UNSPECIFIED';
  }
  // Editors and admins: monitors, maintenance windows, status pages.
  get canWrite(): boolean {
    return roleRank(this.role) >= roleRank('ROLE_EDITOR');
  }
  // Admins only: channels, users, API keys of others, the audit log.
  get isAdmin(): boolean {
    return this.role === 'ROLE_ADMIN';
  }

  setTheme(t: Theme): void {
    this.theme = t;
    localStorage.setItem('uptime.theme', t);
    applyTheme(t);
    this.changed();
  }

  notify(text: string, kind: 'ok' | 'error' = 'ok'): void {
    this.toast = { text, kind };
    clearTimeout(this.toastTimer);
    this.toastTimer = window.setTimeout(() => {
      this.toast = null;
      this.changed();
    }, 4000);
    this.changed();
  }

  // Checks the token; throws ApiError on a bad one.
  async signIn(token: string): Promise<void> {
    setToken(token);
    try {
      this.caller = await api.caller();
    } catch (e) {
      setToken(null);
      throw e;
    }
    this.changed();
    this.start();
  }

  // Password sign-in: the gateway answers with the caller and sets the
  // session and CSRF cookies. Throws ApiError (401 wrong credentials,
  // FAILED_PRECONDITION when a TOTP code is needed, 429 throttled).
  async login(username: string, password: string, totpCode: string): Promise<void> {
    setToken(null);
    const r = await api.login(username, password, totpCode);
    setCsrfToken(r.csrfToken ?? '');
    this.caller = r.caller ?? (await api.caller());
    localStorage.setItem(SESSION_HINT, '1');
    this.authChecked = true;
    this.changed();
    this.start();
  }

  // Ends a cookie session at the gateway too (a token just leaves the tab).
  async logout(): Promise<void> {
    const session = !getToken() && this.caller !== null;
    this.signOut();
    if (session) await api.logout().catch(() => {});
    setCsrfToken('');
  }

  signOut(): void {
    setToken(null);
    localStorage.removeItem(SESSION_HINT);
    this.events?.abort();
    this.events = null;
    this.results.closeAll();
    this.rows.clear();
    this.uptimeColumn.clear();
    this.loadedOnce = false;
    this.caller = null;
    this.loaded = false;
    this.live = false;
    this.changed();
  }

  // On load: with a token in session storage as before; otherwise a session
  // cookie may sign us in, which only GET /caller can tell (it is HttpOnly).
  async resume(): Promise<void> {
    if (!getToken()) {
      // After a password sign-in in this browser the lists load while the
      // cookie is checked (a 401 on them leads to the sign-in page anyway).
      const likely = localStorage.getItem(SESSION_HINT) !== null;
      if (likely) this.start();
      try {
        this.caller = await api.caller();
        if (!likely) this.start();
      } catch {
        this.caller = null;
        localStorage.removeItem(SESSION_HINT);
      }
      this.authChecked = true;
      this.changed();
      return;
    }
    this.authChecked = true;
    // The lists load while the role is checked: one round trip less.
    this.start();
    try {
      this.caller = await api.caller();
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
        this.signOut();
        return;
      }
      this.caller = { role: 'ROLE_VIEWER' };
    }
    this.changed();
  }

  private start(): void {
    void this.load();
    this.events?.abort();
    this.events = new AbortController();
    // State changes only: every result of every monitor would be the fleet's
    // checks/s (the recent-checks bars are fetched for the rows on screen
    // instead; a monitor's page streams its own results: onResult).
    void watchEvents(
      {},
      {
        onEvent: (e) => this.apply(e),
        onResync: () => void this.load(),
        onConnection: (up) => {
          this.live = up;
          this.changed();
        },
      },
      this.events.signal,
    );
  }

  // Fetches every monitor and status (pages of 1,000, both lists in
  // parallel). The first load renders as pages arrive, so the first screen
  // shows after one round trip; a reload (resync) swaps the data in whole.
  async load(): Promise<void> {
    if (this.loading) return;
    const t0 = performance.now();
    const initial = this.rows.size === 0;
    const next = initial ? this.rows : new Map<string, Row>();
    const rowFor = (id: string): Row => {
      let row = next.get(id);
      if (!row) next.set(id, (row = { id, monitor: null, status: null, recent: this.rows.get(id)?.recent ?? [] }));
      return row;
    };
    // The first screen renders as soon as the first page of both lists is
    // in (both are in id order, so they describe the same monitors: no row
    // shows Pending for want of its status). Then nothing renders until
    // every status is in: the statuses come from the gateway's memory in
    // about 10 ms a page, and a render of thousands of rows on the main
    // thread would hold up the next page (the browser reads a response only
    // when the thread is free). With every status in, every monitor has its
    // row (named from its status), so the list is complete; the monitor
    // pages (labels, targets) fill in at most four renders a second, and at
    // once when the last one is in. The count says "so far" meanwhile.
    let shown = false;
    let statusesDone = false;
    let monitorPages = 0;
    let statusPages = 0;
    const page = () => {
      if (!initial) return;
      if (shown) return statusesDone ? this.changedSlowly(250) : undefined;
      if (!monitorPages || !statusPages || next.size === 0) return;
      shown = true;
      this.loaded = true;
      this.changed();
    };
    this.loading = true;
    this.loadError = null;
    this.changed();
    performance.mark('uptime:load-start');
    try {
      await Promise.all([
        api.listMonitors((monitors) => {
          for (const m of monitors) if (m.id) rowFor(m.id).monitor = m;
          this.namesVersion++;
          monitorPages++;
          page();
        }),
        api.listStatuses((statuses) => {
          for (const s of statuses) {
            if (!s.monitorId) continue;
            const row = rowFor(s.monitorId);
            row.status = s;
            if (s.lastResult && row.recent.length === 0) row.recent.push(tick(s.lastResult));
          }
          statusPages++;
          page();
        }),
      ].map((list, i) =>
        list.then(() => {
          if (i === 1) statusesDone = true;
          if (initial && shown) this.changed();
        }),
      ));
      // A status whose monitor was not listed belongs to a deleted monitor.
      for (const [id, row] of next) if (!row.monitor) next.delete(id);
      this.rows = next;
      this.namesVersion++;
      this.loadedOnce = true;
      this.loaded = true;
      this.loadMs = performance.now() - t0;
      performance.mark('uptime:load-complete');
    } catch (e) {
      this.loadError = (e as Error).message;
    } finally {
      this.loading = false;
      this.changed();
      // The recent-checks bars waited for the list: see RecentChecks.pump.
      this.recent.pump();
      // So does the uptime column, which is not needed for the first screen.
      if (this.uptimeColumn.idle && this.signedIn) void this.loadUptime();
    }
  }

  // Fetches every monitor's 24h uptime and schedules the next refresh
  // (uptime-column.ts).
  loadUptime(): Promise<void> {
    return this.uptimeColumn.load();
  }

  private apply(e: Event): void {
    if (e.stateChange) {
      const c = e.stateChange;
      const row = c.monitorId ? this.rows.get(c.monitorId) : undefined;
      if (!row) {
        if (c.monitorId) void this.refreshOne(c.monitorId);
        return;
      }
      const s: MonitorStatus = row.status ?? { monitorId: row.id };
      this.recent.forget(row.id);
      row.status = {
        ...s,
        state: c.toState ?? 'STATE_UNSPECIFIED',
        since: c.time ?? new Date().toISOString(),
        openIncidentId: c.toState === 'STATE_DOWN' ? (c.incidentId ?? s.openIncidentId ?? '') : c.toState === 'STATE_UP' ? '' : s.openIncidentId ?? '',
      };
      this.changed();
    } else if (e.result) {
      const r = e.result;
      const row = r.monitorId ? this.rows.get(r.monitorId) : undefined;
      if (!row) return;
      const last = row.status?.lastResult;
      // Results from several locations interleave: the newest is the latest.
      if (!last || Number(r.startTimeUs ?? 0) >= Number(last.startTimeUs ?? 0)) {
        row.status = { ...(row.status ?? { monitorId: row.id }), lastResult: r };
      }
      row.recent.push(tick(r));
      if (row.recent.length > RECENT_TICKS) row.recent.splice(0, row.recent.length - RECENT_TICKS);
      this.results.emit(row.id, r);
      this.changedSlowly();
    }
  }

  // Fetches the recent results of the monitors on screen, 4 at a time, each
  // at most once a minute or after its state changed (recent-checks.ts).
  wantRecent(ids: string[]): void {
    this.recent.want(ids);
  }

  // Adds or refreshes one monitor (after a write, or an event for a monitor
  // created elsewhere).
  async refreshOne(id: string): Promise<void> {
    try {
      const [m, s] = await Promise.all([api.getMonitor(id), api.getStatus(id).catch(() => null)]);
      const row = this.rows.get(id) ?? { id, monitor: null, status: null, recent: [] };
      row.monitor = m;
      if (s) row.status = s;
      this.rows.set(id, row);
      this.namesVersion++;
      this.changed();
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) this.remove(id);
    }
  }

  upsertMonitor(m: Monitor): void {
    if (!m.id) return;
    const row = this.rows.get(m.id) ?? { id: m.id, monitor: null, status: null, recent: [] };
    row.monitor = m;
    this.rows.set(m.id, row);
    this.namesVersion++;
    this.changed();
    void this.refreshOne(m.id);
  }

  remove(id: string): void {
    this.rows.delete(id);
    this.namesVersion++;
    this.changed();
  }
}

const RANKS: Record<Role, number> = { ROLE_UNSPECIFIED: 0, ROLE_VIEWER: 1, ROLE_EDITOR: 2, ROLE_ADMIN: 3 };
export function roleRank(r: Role | undefined): number {
  return RANKS[r ?? 'ROLE_UNSPECIFIED'] ?? 0;
}

export function applyTheme(t: Theme): void {
  const dark = t === 'dark' || (t === 'system' && matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}

export const store = new Store();
