// Server-sent events over fetch (EventSource cannot send the Authorization
// header of token mode; in cookie mode the session cookie goes along). Reconnects with backoff and sends Last-Event-ID so the gateway can
// replay what was missed; when it cannot, it sends `event: resync`.

import { authHeaders } from './api';
import type { Event } from './types';

export interface EventHandlers {
  onEvent(e: Event): void;
  // Refetch everything: events were lost.
  onResync(): void;
  onConnection(connected: boolean): void;
}

export interface SseMessage { id: string | null; event: string; data: string }

// Incremental parser for the text/event-stream format (WHATWG HTML 9.2.6).
export class SseParser {
  private buf = '';
  private data: string[] = [];
  private event = '';
  private id: string | null = null;
  constructor(private readonly emit: (m: SseMessage) => void) {}

  push(chunk: string): void {
    this.buf += chunk;
    let start = 0;
    for (;;) {
      const nl = this.buf.slice(start).search(/\r\n|\r|\n/);
      if (nl < 0) break;
      const line = this.buf.slice(start, start + nl);
      const sepLen = this.buf.startsWith('\r\n', start + nl) ? 2 : 1;
      // A lone trailing \r may be the first half of \r\n: wait for more.
      if (sepLen === 1 && this.buf[start + nl] === '\r' && start + nl + 1 === this.buf.length) break;
      start += nl + sepLen;
      this.line(line);
    }
    this.buf = this.buf.slice(start);
  }

  private line(line: string): void {
    if (line === '') {
      // Unlike EventSource, a data-less `event: resync` is dispatched too.
      if (this.data.length || this.event === 'resync') {
        this.emit({ id: this.id, event: this.event || 'message', data: this.data.join('\n') });
      }
      this.data = [];
      this.event = '';
      return;
    }
    if (line.startsWith(':')) return;  // comment, e.g. ": hb"
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
  }
}

// Runs until `signal` aborts.
export async function watchEvents(query: Record<string, string>, h: EventHandlers, signal: AbortSignal): Promise<void> {
  let lastId: string | null = null;
  let delay = 500;
  while (!signal.aborted) {
    const opened = Date.now();
    try {
      const headers: Record<string, string> = { Accept: 'text/event-stream', ...authHeaders('GET') };
      if (lastId) headers['Last-Event-ID'] = lastId;
      const res = await fetch('/api/v1/events?' + new URLSearchParams(query).toString(), { headers, signal, cache: 'no-store', credentials: 'same-origin' });
      // Refused for good (signed out, or a query this gateway does not
      // serve, e.g. include_results under --results-stream=off): retrying
      // would only repeat the answer.
      if (res.status === 400 || res.status === 401 || res.status === 403) return;
      if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
      h.onConnection(true);
      const parser = new SseParser((m) => {
        if (m.id !== null) lastId = m.id;
        if (m.event === 'resync') h.onResync();
        else if (m.data) {
          try {
            h.onEvent(JSON.parse(m.data) as Event);
          } catch {
            /* a malformed event is skipped */
          }
        }
      });
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(value);
      }
    } catch (e) {
      if (signal.aborted) return;
    }
    h.onConnection(false);
    if (Date.now() - opened > 10_000) delay = 500;
    await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
    delay = Math.min(delay * 2, 15_000);
  }
}
