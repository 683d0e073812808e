// The status page's one store: the JSON as fetched, patched by live events.

import { useEffect, useRef, useState } from 'preact/hooks';
import { applyNewerEvents, applyStateEvent } from './logic';
import { fetchStatusPage, NotFoundError, subscribe } from './live';
import type { PublicStatusPage, StateEvent } from './types';
import { NotFound, StatusPageView } from './page';

const REFRESH_MS = 5 * 60_000;
// Response times change with every check and come with the JSON only (a
// revalidation, usually a 304 from the gateway's or a CDN's cache): pages
// that show them refetch every minute.
const LATENCY_REFRESH_MS = 60_000;

type Load =
  | { kind: 'loading' }
  | { kind: 'notfound' }
  | { kind: 'error'; message: string }
  | { kind: 'ok'; page: PublicStatusPage };

export function App({ slug }: { slug: string | null }) {
  const [load, setLoad] = useState<Load>(slug ? { kind: 'loading' } : { kind: 'notfound' });
  const [live, setLive] = useState(false);
  const [updated, setUpdated] = useState(0);
  const [now, setNow] = useState(Date.now());
  // The newest event per monitor, re-applied to every fetched JSON.
  const events = useRef(new Map<string, StateEvent>());
  const showsLatency = useRef(false);

  useEffect(() => {
    if (!slug) return undefined;
    let stopped = false;
    let inflight: AbortController | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let fetchedAt = Date.now();
    const refetch = async () => {
      fetchedAt = Date.now();
      inflight?.abort();
      const ctl = (inflight = new AbortController());
      clearTimeout(retry);
      try {
        const page = await fetchStatusPage(slug, ctl.signal);
        if (stopped || ctl.signal.aborted) return;
        failures = 0;
        showsLatency.current = page.showResponseTimes !== false;
        setLoad({ kind: 'ok', page: applyNewerEvents(page, events.current.values()) });
        // The server's time of the snapshot (a cached copy is older than
        // now), unless an event was applied since.
        const at = Date.parse(page.updatedAt ?? '') || Date.now();
        setUpdated((u) => Math.max(u, at));
      } catch (e) {
        if (stopped || ctl.signal.aborted) return;
        if (e instanceof NotFoundError) return setLoad({ kind: 'notfound' });
        failures++;
        // Keep showing what we have; retry sooner than the 5-minute refresh.
        setLoad((l) => (l.kind === 'ok' ? l : { kind: 'error', message: (e as Error).message }));
        retry = setTimeout(() => void refetch(), Math.min(60_000, 2000 * 2 ** Math.min(failures, 5)));
      }
    };
    void refetch();
    // A state change usually opens or closes an incident, which the event
    // does not carry and the server learns of a little later: fetch the JSON
    // after 3 s and again after 15 s (once per burst of events).
    let soon: ReturnType<typeof setTimeout> | undefined;
    let later: ReturnType<typeof setTimeout> | undefined;
    const refetchSoon = () => {
      soon ??= setTimeout(() => {
        soon = undefined;
        void refetch();
      }, 3000);
      later ??= setTimeout(() => {
        later = undefined;
        void refetch();
      }, 15_000);
    };
    const unsubscribe = subscribe(slug, {
      onState: (ev) => {
        const prev = events.current.get(ev.id);
        if (!prev || !ev.since || !prev.since || Date.parse(ev.since) >= Date.parse(prev.since)) events.current.set(ev.id, ev);
        setLoad((l) => (l.kind === 'ok' ? { kind: 'ok', page: applyStateEvent(l.page, ev) } : l));
        setUpdated(Date.now());
        refetchSoon();
      },
      onResync: () => void refetch(),
      onConnection: setLive,
    });
    const refresh = setInterval(() => {
      if (showsLatency.current || Date.now() - fetchedAt >= REFRESH_MS - 1000) void refetch();
    }, LATENCY_REFRESH_MS);
    const tick = setInterval(() => setNow(Date.now()), 30_000);
    // A tab that slept (laptop lid, background tab) may have missed the
    // 5-minute refresh: catch up when it is shown again.
    let hiddenAt = 0;
    const onVisibility = () => {
      if (document.hidden) hiddenAt = Date.now();
      else if (hiddenAt && Date.now() - hiddenAt > 60_000) void refetch();
      setNow(Date.now());
    };
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      stopped = true;
      inflight?.abort();
      clearTimeout(retry);
      clearTimeout(soon);
      clearTimeout(later);
      clearInterval(refresh);
      clearInterval(tick);
      unsubscribe();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [slug]);

  useEffect(() => {
    document.title = load.kind === 'ok' ? load.page.title : load.kind === 'notfound' ? 'Status page not found' : 'Status';
  }, [load.kind === 'ok' ? load.page.title : load.kind]);

  if (load.kind === 'notfound') return <NotFound />;
  if (load.kind === 'loading')
    return (
      <main class="sp sp-center" aria-busy="true">
        <p class="sp-muted">Loading status…</p>
      </main>
    );
  if (load.kind === 'error')
    return (
      <main class="sp sp-center">
        <h1 class="sp-title">Status unavailable</h1>
        <p class="sp-muted">This status page could not be loaded ({load.message}). Retrying…</p>
      </main>
    );
  return <StatusPageView page={load.page} now={Math.max(now, updated)} live={live} updated={updated} />;
}
