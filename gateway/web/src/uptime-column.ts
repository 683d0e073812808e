// The overview's 24h uptime column: every monitor's figure in one list
// (ListUptime), refreshed periodically for the whole overview, not per row.

import { api } from './api';
import type { MonitorUptime } from './types';

// How often the column is refetched: the coordinator recomputes its summary
// about once a minute, so more often gains nothing.
export const UPTIME_REFRESH_MS = 60_000;
// After a failed fetch (e.g. 503 while a new leader computes its first
// summary), sooner.
const UPTIME_RETRY_MS = 10_000;

export interface UptimeColumnHost {
  // Refreshes stop once this is false (signed out).
  signedIn(): boolean;
  // The figures changed: re-render soon.
  changed(): void;
}

export class UptimeColumn {
  // 24h uptime per monitor id, swapped in whole on each refresh; version is
  // bumped then, so sorts by uptime recompute.
  byId = new Map<string, MonitorUptime>();
  version = 0;
  // When the coordinator computed the figures shown (ISO time), if known.
  at: string | null = null;

  private timer = 0;
  private loading = false;

  constructor(private readonly host: UptimeColumnHost) {}

  // Neither loading nor waiting for the next refresh.
  get idle(): boolean {
    return !this.timer && !this.loading;
  }

  // Fetches every monitor's 24h uptime and schedules the next refresh.
  async load(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    clearTimeout(this.timer);
    let next = UPTIME_REFRESH_MS;
    try {
      const map = new Map<string, MonitorUptime>();
      let computedAt: string | null = null;
      await api.listUptime((page) => {
        for (const u of page) if (u.monitorId) map.set(u.monitorId, u);
      }, (at) => (computedAt = at));
      this.byId = map;
      this.at = computedAt;
      this.version++;
      this.host.changed();
    } catch {
      next = UPTIME_RETRY_MS;
    } finally {
      this.loading = false;
      // Signed out meanwhile: no more refreshes.
      this.timer = this.host.signedIn() ? window.setTimeout(() => void this.load(), next) : 0;
    }
  }

  // Signing out: no figures, no refresh pending.
  clear(): void {
    clearTimeout(this.timer);
    this.timer = 0;
    this.byId = new Map();
    this.at = null;
    this.version++;
  }
}
