// The recent-checks bars of the rows on screen: their results fetched 4 at a
// time, each monitor at most once a minute or after its state changed.

import { api } from './api';
import { RECENT_TICKS, tick, type Row } from './rows';

export interface RecentChecksHost {
  // Whether fetching waits (the store's first load is running).
  waiting(): boolean;
  row(id: string): Row | undefined;
  // Rows changed: re-render soon.
  changed(): void;
}

export class RecentChecks {
  private fetched = new Map<string, number>();
  private queue: string[] = [];
  private inFlight = 0;

  constructor(private readonly host: RecentChecksHost) {}

  // Fetches the recent results of the monitors on screen. Replaces the
  // queue, so rows scrolled past are not fetched.
  want(ids: string[]): void {
    const now = Date.now();
    this.queue = ids.filter((id) => now - (this.fetched.get(id) ?? 0) > 60_000);
    this.pump();
  }

  // Monitor `id` changed state: its bar is fetched again when next wanted.
  forget(id: string): void {
    this.fetched.delete(id);
  }

  pump(): void {
    // While the first load runs, the rows on screen change with every page
    // (worst first) and the browser's 6 connections per host are better
    // spent on the list itself.
    if (this.host.waiting()) return;
    while (this.inFlight < 4 && this.queue.length) {
      const id = this.queue.shift()!;
      this.fetched.set(id, Date.now());
      this.inFlight++;
      api
        .listResults(id, { page_size: RECENT_TICKS })
        .then((res) => {
          const row = this.host.row(id);
          const results = res.results ?? [];
          if (!row || !results.length) return;
          // Newest first from the server; the bar is oldest first.
          row.recent = results.slice(0, RECENT_TICKS).reverse().map(tick);
          const newest = results[0]!;
          const last = row.status?.lastResult;
          if (!last || Number(newest.startTimeUs ?? 0) > Number(last.startTimeUs ?? 0)) {
            row.status = { ...(row.status ?? { monitorId: id }), lastResult: newest };
          }
          this.host.changed();
        })
        .catch(() => this.fetched.delete(id))
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }
}
