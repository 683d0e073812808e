import { useEffect, useReducer, useRef, useState } from 'preact/hooks';
import { store } from './store';

// Re-renders the component whenever the store changes (at most once a frame).
export function useStore(): typeof store {
  const [, bump] = useReducer<number, void>((n) => n + 1, 0);
  // The version this render saw. Effects run after paint: a change in
  // between (the sign-in check answering within a frame of the first
  // render) has already notified the listeners it had, so without this
  // check the component would wait forever for a notification that came.
  const seen = useRef(store.version);
  seen.current = store.version;
  useEffect(() => {
    const unsubscribe = store.subscribe(bump);
    if (store.version !== seen.current) bump();
    return unsubscribe;
  }, []);
  return store;
}

export interface Async<T> { data: T | null; error: Error | null; loading: boolean; reload: () => void }

// Runs `fn` when `deps` change; stale answers are dropped.
export function useAsync<T>(fn: () => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data: T | null; error: Error | null; loading: boolean }>({ data: null, error: null, loading: true });
  const [n, reload] = useReducer<number, void>((x) => x + 1, 0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    fn().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error: Error) => live && setState({ data: null, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, n]);
  return { ...state, reload };
}

// The current time, refreshed every `ms`, for "5m ago" labels.
export function useNow(ms = 10_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Uptime Monitor` : 'Uptime Monitor';
  }, [title]);
}

export function useMedia(query: string): boolean {
  const [on, setOn] = useState(() => matchMedia(query).matches);
  useEffect(() => {
    const m = matchMedia(query);
    const l = () => setOn(m.matches);
    m.addEventListener('change', l);
    return () => m.removeEventListener('change', l);
  }, [query]);
  return on;
}

// Runs a user's action: on success shows `done` (when given), on failure the
// server's message; resolves to whether it worked.
export async function act(action: () => Promise<unknown>, done?: string): Promise<boolean> {
  try {
    await action();
    if (done) store.notify(done);
    return true;
  } catch (e) {
    store.notify((e as Error).message, 'error');
    return false;
  }
}
