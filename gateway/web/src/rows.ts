// The overview's rows: a monitor with its live status and its recent checks,
// as the store keeps them.

import type { CheckResult, Monitor, MonitorStatus, State } from './types';

// One check in a monitor's recent-checks bar.
export interface Tick { ok: boolean; ms: number; t: number }

export interface Row {
  id: string;
  monitor: Monitor | null;
  status: MonitorStatus | null;
  // Newest last, at most RECENT_TICKS.
  recent: Tick[];
}

export const RECENT_TICKS = 24;

export function tick(r: CheckResult): Tick {
  return { ok: !!r.success, ms: Number(r.latencyUs ?? 0) / 1000, t: Number(r.startTimeUs ?? 0) / 1000 };
}

export function stateOf(row: Row): State {
  if (row.monitor?.paused) return 'STATE_PAUSED';
  return row.status?.state ?? 'STATE_PENDING';
}
