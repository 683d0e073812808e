// Pure logic of the public status page (no DOM): the slug in the address,
// live state events applied to the page, bar levels, texts and durations.
// Unit-tested in test/logic.test.mjs.

import type { Overall, PublicDay, PublicIncident, PublicMaintenance, PublicMonitor, PublicState, PublicStatusPage, StateEvent } from './types';

export const DAYS = 90;
export const RECENT_INCIDENT_DAYS = 30;
const DAY_MS = 86_400_000;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

// "/status/acme" or "/status/acme/" -> "acme"; null for anything else (the
// page then says "not found" without asking the server).
export function slugFromPath(pathname: string): string | null {
  const m = /^\/status\/([^/]+)\/?$/.exec(pathname);
  if (!m) return null;
  let slug: string;
  try {
    slug = decodeURIComponent(m[1]!);
  } catch {
    return null;
  }
  return SLUG.test(slug) ? slug : null;
}

// Only http(s) URLs become links or images (never javascript: and the like),
// whatever the server let through.
export function safeUrl(url: string | undefined): string | undefined {
  return url && /^https?:\/\//i.test(url) ? url : url && url.startsWith('/') && !url.startsWith('//') ? url : undefined;
}

export const OVERALL_TEXT: Record<Overall, string> = {
  operational: 'All systems operational',
  degraded: 'Partial outage',
  outage: 'Major outage',
  maintenance: 'Under maintenance',
};

export const STATE_TEXT: Record<PublicState, string> = {
  up: 'Operational',
  down: 'Outage',
  pending: 'Pending',
  paused: 'Paused',
  maintenance: 'Maintenance',
};

// The gateway's rule (contract "overall"), for when an event carries none.
export function computeOverall(monitors: PublicMonitor[]): Overall {
  const active = monitors.filter((m) => m.state !== 'paused');
  const down = active.filter((m) => m.state === 'down').length;
  if (down > 0) return down === active.length ? 'outage' : 'degraded';
  if (active.some((m) => m.state === 'maintenance')) return 'maintenance';
  return 'operational';
}

export function allMonitors(page: PublicStatusPage): PublicMonitor[] {
  const seen = new Map<string, PublicMonitor>();
  for (const g of page.groups) for (const m of g.monitors) if (!seen.has(m.id)) seen.set(m.id, m);
  return [...seen.values()];
}

// A new page with the event applied to every group showing the monitor (a
// monitor may be in several), or the same page when the event changes nothing.
export function applyStateEvent(page: PublicStatusPage, ev: StateEvent): PublicStatusPage {
  let changed = false;
  const groups = page.groups.map((g) => {
    if (!g.monitors.some((m) => m.id === ev.id)) return g;
    return {
      ...g,
      monitors: g.monitors.map((m) => {
        if (m.id !== ev.id || (m.state === ev.state && (!ev.since || m.since === ev.since))) return m;
        changed = true;
        return { ...m, state: ev.state, ...(ev.since ? { since: ev.since } : {}) };
      }),
    };
  });
  if (!changed && (!ev.overall || ev.overall === page.overall)) return page;
  const next = { ...page, groups };
  next.overall = ev.overall ?? computeOverall(allMonitors(next));
  return next;
}

export type BarLevel = 'none' | 'ok' | 'minor' | 'major' | 'outage';

// Colour of a day's bar: no data, >= 99.9 %, >= 99 %, >= 95 %, below.
export function barLevel(d: PublicDay): BarLevel {
  if (!d.checks) return 'none';
  const u = d.uptimePercent;
  if (u >= 99.9) return 'ok';
  if (u >= 99) return 'minor';
  if (u >= 95) return 'major';
  return 'outage';
}

// Exactly `n` days ending with the last day the server sent (or today),
// missing ones as "no data", so every monitor's bars line up.
export function padDays(days: PublicDay[] | undefined, n = DAYS, today = new Date()): PublicDay[] {
  const list = (days ?? []).slice(-n);
  const lastIso = list.length ? list[list.length - 1]!.day : today.toISOString().slice(0, 10);
  const last = Date.parse(lastIso + 'T00:00:00Z');
  const out: PublicDay[] = [];
  for (let i = n - list.length; i > 0; i--) {
    const t = isFinite(last) ? last - (i + list.length - 1) * DAY_MS : 0;
    out.push({ day: new Date(t).toISOString().slice(0, 10), checks: 0, failures: 0, uptimePercent: 0 });
  }
  return out.concat(list);
}

// Never rounds up to 100 % when a check failed: 99.996 shows as 99.99 %.
export function percent(v: number | undefined): string {
  if (v === undefined || !isFinite(v)) return '—';
  if (v >= 100) return '100%';
  return `${(Math.floor(v * 100) / 100).toFixed(2)}%`;
}

export function dayText(day: string): string {
  const t = Date.parse(day.slice(0, 10) + 'T00:00:00Z');
  if (!isFinite(t)) return day;
  return new Date(t).toLocaleDateString('en-US', { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' });
}

export function barText(d: PublicDay): string {
  if (!d.checks) return `${dayText(d.day)}: no data`;
  const f = d.failures;
  return `${dayText(d.day)}: ${percent(d.uptimePercent)} uptime, ${f === 0 ? 'no failed checks' : `${f.toLocaleString('en-US')} of ${d.checks.toLocaleString('en-US')} checks failed`}`;
}

// 45 -> "45s", 3700 -> "1h 1m", 171000 -> "1d 23h".
export function durationText(secs: number): string {
  if (!isFinite(secs) || secs < 0) return '—';
  if (secs < 60) return `${Math.max(1, Math.floor(secs))}s`;
  const m = Math.floor(secs / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  return h % 24 ? `${Math.floor(h / 24)}d ${h % 24}h` : `${Math.floor(h / 24)}d`;
}

export function relativeText(iso: string | undefined, now: number): string {
  const t = iso ? Date.parse(iso) : NaN;
  if (!isFinite(t)) return '';
  const s = (now - t) / 1000;
  if (Math.abs(s) < 45) return 'just now';
  return s > 0 ? `${durationText(s)} ago` : `in ${durationText(-s)}`;
}

const TIME: Intl.DateTimeFormatOptions = { hour: 'numeric', minute: '2-digit' };
const DATE_TIME: Intl.DateTimeFormatOptions = { month: 'short', day: 'numeric', ...TIME };

export function dateTimeText(iso: string | undefined): string {
  const t = iso ? Date.parse(iso) : NaN;
  if (!isFinite(t)) return '—';
  return new Date(t).toLocaleString(undefined, DATE_TIME);
}

// "Dec 4, 5:00 PM – 7:00 PM GMT+1": the end's date only when it differs, and
// the reader's time zone once, since customers are anywhere.
export function rangeText(startIso: string, endIso: string | undefined): string {
  const s = new Date(startIso);
  const e = endIso ? new Date(endIso) : null;
  if (isNaN(s.getTime())) return '—';
  if (!e || isNaN(e.getTime())) return s.toLocaleString(undefined, { ...DATE_TIME, timeZoneName: 'short' });
  const sameDay = s.toDateString() === e.toDateString();
  return `${s.toLocaleString(undefined, DATE_TIME)} – ${e.toLocaleString(undefined, { ...(sameDay ? TIME : DATE_TIME), timeZoneName: 'short' })}`;
}

export function incidentDuration(i: PublicIncident, now: number): string {
  const end = i.resolved ? Date.parse(i.resolved) : now;
  return durationText((end - Date.parse(i.started)) / 1000);
}

// Incidents as the monitors' live states tell: an open incident of a monitor
// that has been out of Down since after it began ended then (the server's
// incident list may lag the live state by seconds, and live events carry no
// incidents).
export function reconcileIncidents(list: PublicIncident[] | undefined, monitors: PublicMonitor[]): PublicIncident[] {
  const byId = new Map(monitors.map((m) => [m.id, m]));
  return (list ?? []).map((i) => {
    const m = byId.get(i.monitorId);
    if (i.resolved || !m || m.state === 'down' || !m.since || !(Date.parse(m.since) >= Date.parse(i.started))) return i;
    return { ...i, resolved: m.since };
  });
}

// Open incidents, then those resolved in the last 30 days, newest first.
export function splitIncidents(list: PublicIncident[] | undefined, now: number): { open: PublicIncident[]; recent: PublicIncident[] } {
  const all = list ?? [];
  const cutoff = now - RECENT_INCIDENT_DAYS * DAY_MS;
  const byStart = (a: PublicIncident, b: PublicIncident) => Date.parse(b.started) - Date.parse(a.started);
  return {
    open: all.filter((i) => !i.resolved).sort(byStart),
    recent: all.filter((i) => i.resolved && Date.parse(i.resolved) >= cutoff).sort(byStart),
  };
}

// In effect first, then by start; windows that have ended are dropped.
export function sortMaintenance(list: PublicMaintenance[] | undefined, now: number): PublicMaintenance[] {
  return (list ?? [])
    .filter((w) => !(Date.parse(w.end) < now))
    .sort((a, b) => Number(!!b.active) - Number(!!a.active) || Date.parse(a.start) - Date.parse(b.start));
}

// The JSON may be older than events already applied (it is cacheable for
// seconds, a CDN may serve it stale): keep an event whose `since` is newer
// than the monitor's.
export function applyNewerEvents(page: PublicStatusPage, events: Iterable<StateEvent>): PublicStatusPage {
  let next = page;
  for (const ev of events) {
    const t = ev.since ? Date.parse(ev.since) : NaN;
    if (!isFinite(t)) continue;
    const stale = allMonitors(next).some((m) => m.id === ev.id && !(Date.parse(m.since ?? '') >= t));
    if (stale) next = applyStateEvent(next, { id: ev.id, state: ev.state, since: ev.since! });
  }
  return next;
}

// Uptime over the last `n` days from the bars (checks weighted), or undefined
// without data.
export function uptimeOfDays(days: PublicDay[], n: number): number | undefined {
  let checks = 0;
  let failures = 0;
  for (const d of days.slice(-n)) {
    checks += d.checks;
    failures += d.failures;
  }
  return checks ? (100 * (checks - failures)) / checks : undefined;
}

const STATES = new Set<PublicState>(['up', 'down', 'pending', 'paused', 'maintenance']);
const OVERALLS = new Set<Overall>(['operational', 'degraded', 'outage', 'maintenance']);

// The JSON as the page relies on it: JSON encoders of protobuf messages
// leave out empty lists, zeros and false, and may print 64-bit counts as
// strings, so lists default to empty, counts become numbers, and an unknown
// state reads as pending. Null for something that is not a status page.
export function normalizePage(raw: unknown): PublicStatusPage | null {
  const r = raw as Partial<PublicStatusPage> | null;
  if (!r || typeof r !== 'object' || typeof r.title !== 'string') return null;
  const groups = (Array.isArray(r.groups) ? r.groups : []).map((g) => ({
    name: String(g?.name ?? ''),
    monitors: (Array.isArray(g?.monitors) ? g.monitors : []).map((m) => ({
      ...m,
      state: STATES.has(m.state) ? m.state : ('pending' as PublicState),
      ...(m.days ? { days: m.days.map((d) => ({ day: String(d.day), checks: Number(d.checks ?? 0), failures: Number(d.failures ?? 0), uptimePercent: Number(d.uptimePercent ?? 0) })) } : {}),
    })),
  }));
  const page: PublicStatusPage = { ...r, slug: String(r.slug ?? ''), title: r.title, groups, overall: 'operational', incidents: r.incidents ?? [], maintenance: r.maintenance ?? [] };
  page.overall = r.overall && OVERALLS.has(r.overall) ? r.overall : computeOverall(allMonitors(page));
  return page;
}
