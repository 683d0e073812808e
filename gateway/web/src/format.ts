// Formatting of times, durations and states for people.

import type { State } from './types';

export const STATE_LABEL: Record<State, string> = {
  STATE_UNSPECIFIED: 'Unknown',
  STATE_PENDING: 'Pending',
  STATE_UP: 'Up',
  STATE_DOWN: 'Down',
  STATE_PAUSED: 'Paused',
  STATE_MAINTENANCE: 'Maintenance',
};
export const STATE_CLASS: Record<State, string> = {
  STATE_UNSPECIFIED: 'pending',
  STATE_PENDING: 'pending',
  STATE_UP: 'up',
  STATE_DOWN: 'down',
  STATE_PAUSED: 'paused',
  STATE_MAINTENANCE: 'maintenance',
};
// Worst first: what an on-call person wants at the top.
export const STATE_RANK: Record<State, number> = {
  STATE_DOWN: 0,
  STATE_PENDING: 1,
  STATE_MAINTENANCE: 2,
  STATE_UP: 3,
  STATE_PAUSED: 4,
  STATE_UNSPECIFIED: 5,
};

export function ms(v: number | undefined | null): string {
  if (v === undefined || v === null || !isFinite(v) || v <= 0) return '—';
  if (v < 1) return `${v.toFixed(2)} ms`;
  if (v < 1000) return `${Math.round(v)} ms`;
  return `${(v / 1000).toFixed(2)} s`;
}

export function usToMs(v: string | undefined): number {
  return v ? Number(v) / 1000 : 0;
}

export function humanDuration(secs: number): string {
  if (!isFinite(secs) || secs < 0) return '—';
  if (secs < 60) return `${Math.floor(secs)}s`;
  const m = Math.floor(secs / 60);
  if (m < 60) return `${m}m ${Math.floor(secs % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

// "30s" / "1.5s" (protobuf Duration JSON) -> seconds.
export function parseDuration(d: string | undefined): number {
  if (!d) return 0;
  const m = /^(-?\d+(?:\.\d+)?)s$/.exec(d);
  return m ? Number(m[1]) : 0;
}

// Seconds -> the friendliest of "45s", "5m", "2h".
export function formatInterval(secs: number): string {
  if (!secs) return '—';
  if (secs % 3600 === 0) return `${secs / 3600}h`;
  if (secs % 60 === 0) return `${secs / 60}m`;
  return `${secs}s`;
}

// "5m", "30s", "1h30m", "90" (seconds) -> protobuf Duration JSON, or null.
export function toDuration(text: string): string | null {
  const t = text.trim().toLowerCase();
  if (!t) return null;
  if (/^\d+(\.\d+)?$/.test(t)) return `${Number(t)}s`;
  const re = /(\d+(?:\.\d+)?)\s*(ms|h|m|s|d)/g;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n / 1000 : m[2] === 's' ? n : m[2] === 'm' ? n * 60 : m[2] === 'h' ? n * 3600 : n * 86400;
    consumed += m[0].length;
  }
  if (consumed !== t.replace(/\s+/g, '').length && consumed !== t.length) return null;
  return `${+total.toFixed(3)}s`;
}

export function ago(iso: string | number | undefined): string {
  if (!iso) return '—';
  const t = typeof iso === 'number' ? iso : Date.parse(iso);
  if (!isFinite(t) || t <= 0) return '—';
  const s = (Date.now() - t) / 1000;
  if (s < 0) return 'in ' + humanDuration(-s);
  if (s < 5) return 'just now';
  return humanDuration(s) + ' ago';
}

export function dateTime(iso: string | number | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (isNaN(d.getTime()) || d.getTime() <= 0) return '—';
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function pct(v: number | undefined): string {
  if (v === undefined || !isFinite(v)) return '—';
  if (v >= 99.995) return '100%';
  return `${v.toFixed(v >= 99 ? 3 : 2)}%`;
}

export function labelsText(labels: Record<string, string> | undefined): string {
  return Object.entries(labels ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => (v ? `${k}=${v}` : k))
    .join(', ');
}

// "env=prod, team=web" -> {env: "prod", team: "web"}; null on a malformed term.
export function parseLabels(text: string): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const term of text.split(',').map((t) => t.trim()).filter(Boolean)) {
    const eq = term.indexOf('=');
    const k = (eq < 0 ? term : term.slice(0, eq)).trim();
    if (!k) return null;
    out[k] = eq < 0 ? '' : term.slice(eq + 1).trim();
  }
  return out;
}
