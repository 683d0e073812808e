// Live check results of single monitors, each on a stream of its own, open
// while anything listens (a monitor's page). The store's main stream carries
// state changes only, since every result of every monitor would be the whole
// fleet's checks/s.

import { watchEvents } from './events';
import type { CheckResult } from './types';

export class ResultStreams {
  private listeners = new Map<string, Set<(r: CheckResult) => void>>();
  // One results stream per monitor that something listens to.
  private streams = new Map<string, AbortController>();

  // `apply` takes each result a stream brings, before any listener hears of
  // it (through emit).
  constructor(private readonly apply: (r: CheckResult) => void) {}

  // Calls `fn` with each live result of monitor `id`; returns the
  // unsubscribe. The monitor's results stream is open while anything
  // listens.
  listen(id: string, fn: (r: CheckResult) => void): () => void {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(fn);
    if (!this.streams.has(id)) this.streams.set(id, this.watch(id));
    return () => {
      set!.delete(fn);
      if (set!.size) return;
      this.listeners.delete(id);
      this.streams.get(id)?.abort();
      this.streams.delete(id);
    };
  }

  // Tells the listeners of monitor `id` of result `r`.
  emit(id: string, r: CheckResult): void {
    this.listeners.get(id)?.forEach((fn) => fn(r));
  }

  // Closes every stream (signing out); listeners stay registered.
  closeAll(): void {
    this.streams.forEach((c) => c.abort());
    this.streams.clear();
  }

  // The state changes this stream also carries are left to the main one.
  // Results are not replayable (they carry no event id), so after a
  // reconnect the next result simply comes.
  private watch(id: string): AbortController {
    const ctl = new AbortController();
    void watchEvents(
      { monitor_ids: id, include_results: 'true' },
      {
        onEvent: (e) => {
          if (e.result) this.apply(e.result);
        },
        onResync: () => {},
        onConnection: () => {},
      },
      ctl.signal,
    );
    return ctl;
  }
}
