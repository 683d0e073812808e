// The page's data: one fetch of the JSON, and the live stream of state
// changes over EventSource (no token needed, so the browser's own
// EventSource with its reconnects and Last-Event-ID is enough).

import { normalizePage } from './logic';
import type { PublicStatusPage, StateEvent } from './types';

export class NotFoundError extends Error {}

export async function fetchStatusPage(slug: string, signal?: AbortSignal): Promise<PublicStatusPage> {
  // no-cache: revalidate with the ETag (a cheap 304) rather than trust a
  // copy up to max-age old, since a refetch follows a `resync`.
  const res = await fetch(`/api/v1/public/status-pages/${encodeURIComponent(slug)}`, {
    headers: { Accept: 'application/json' },
    cache: 'no-cache',
    ...(signal ? { signal } : {}),
  });
  if (res.status === 404) throw new NotFoundError('status page not found');
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const page = normalizePage(await res.json());
  if (!page) throw new Error('malformed status page');
  return page;
}

export interface LiveHandlers {
  onState(ev: StateEvent): void;
  // Events were lost or the page changed: refetch the JSON.
  onResync(): void;
  onConnection(connected: boolean): void;
}

// Subscribes until the returned function is called. The browser reconnects
// by itself (after `retry:`) and sends Last-Event-ID; when it gives up (the
// stream answered with an error status) a new EventSource is opened with
// backoff, and since that one cannot resume, the JSON is refetched.
export function subscribe(slug: string, h: LiveHandlers): () => void {
  const url = `/api/v1/public/status-pages/${encodeURIComponent(slug)}/events`;
  let es: EventSource | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let delay = 3000;
  let closed = false;
  let fresh = false;

  const open = () => {
    es = new EventSource(url);
    es.onopen = () => {
      delay = 3000;
      h.onConnection(true);
      if (fresh) h.onResync();
      fresh = false;
    };
    es.onerror = () => {
      h.onConnection(false);
      if (es?.readyState === EventSource.CLOSED && !closed) {
        es.close();
        fresh = true;
        // The stream was refused (the page deleted? the gateway restarting?):
        // the JSON tells which, and the page shows it.
        h.onResync();
        timer = setTimeout(open, delay + Math.random() * 1000);
        delay = Math.min(delay * 2, 60_000);
      }
    };
    es.addEventListener('state', (e) => {
      try {
        const ev = JSON.parse((e as MessageEvent<string>).data) as StateEvent;
        if (ev && typeof ev.id === 'string' && typeof ev.state === 'string') h.onState(ev);
      } catch {
        /* a malformed event is skipped */
      }
    });
    es.addEventListener('resync', () => h.onResync());
  };
  open();
  return () => {
    closed = true;
    clearTimeout(timer);
    es?.close();
  };
}
