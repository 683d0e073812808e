// `/`: every monitor, live. Counts by state, search, filters, sort, grouping,
// and a virtualised table that stays smooth at 10,000 rows.

import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Empty, ErrorBox, PageHeader, Spinner, StateBadge, TickBar } from '../components/ui';
import { VirtualList } from '../components/virtual-list';
import { ago, labelsText, ms, pct, STATE_CLASS, STATE_LABEL, STATE_RANK, usToMs } from '../format';
import { useMedia, useNow, useStore, useTitle } from '../hooks';
import { compileSelector, targetOf, typeOf, TYPE_LABEL } from '../monitors';
import { stateOf, type Row } from '../store';
import type { MonitorUptime, State } from '../types';

const STATES: State[] = ['STATE_DOWN', 'STATE_PENDING', 'STATE_MAINTENANCE', 'STATE_UP', 'STATE_PAUSED'];
type SortKey = 'state' | 'name' | 'latency' | 'uptime' | 'changed';

interface Filters { q: string; state: State | ''; selector: string; sort: SortKey; group: string }

// Filters live in the query string so a filtered view can be shared.
function readFilters(): Filters {
  const p = new URLSearchParams(location.search);
  return {
    q: p.get('q') ?? '',
    state: (p.get('state') as State | null) ?? '',
    selector: p.get('labels') ?? '',
    sort: (p.get('sort') as SortKey | null) ?? 'state',
    group: p.get('group') ?? '',
  };
}
function writeFilters(f: Filters): void {
  const p = new URLSearchParams();
  if (f.q) p.set('q', f.q);
  if (f.state) p.set('state', f.state);
  if (f.selector) p.set('labels', f.selector);
  if (f.sort !== 'state') p.set('sort', f.sort);
  if (f.group) p.set('group', f.group);
  const s = p.toString();
  history.replaceState(null, '', s ? `/?${s}` : '/');
}

type Item = { kind: 'group'; key: string; count: number; down: number } | { kind: 'row'; row: Row };

const nameOf = (r: Row) => r.monitor?.name ?? r.status?.monitorName ?? r.id;

// A key that orders names naturally ("svc-2" before "svc-10", case-blind)
// with plain string comparison: ~10x cheaper than a collator per comparison.
const sortKeys = new Map<string, string>();
function sortKey(name: string): string {
  let k = sortKeys.get(name);
  if (k === undefined) {
    k = name.toLowerCase().replace(/\d+/g, (d) => d.padStart(12, '0'));
    if (sortKeys.size > 200_000) sortKeys.clear();
    sortKeys.set(name, k);
  }
  return k;
}

function latencyOf(r: Row): number {
  return usToMs(r.status?.lastResult?.latencyUs);
}

// A 24h figure only when the window had checks: a new monitor's "100%"
// would say more than is known.
function uptimeOf(u: MonitorUptime | undefined): number | undefined {
  return u && Number(u.checks ?? 0) > 0 ? (u.uptimePercent ?? 100) : undefined;
}

function uptimeTitle(u: MonitorUptime | undefined): string {
  if (!u || Number(u.checks ?? 0) === 0) return 'No checks in the last 24 hours';
  const n = Number(u.checks);
  const f = Number(u.failures ?? 0);
  const mean = u.meanLatencyMs ? `, mean latency ${ms(u.meanLatencyMs)}` : '';
  return `${(n - f).toLocaleString()} of ${n.toLocaleString()} checks passed in the last 24 hours${mean}`;
}

export function Overview() {
  const s = useStore();
  useNow(15_000);
  useTitle('Monitors');
  const phone = useMedia('(max-width: 720px)');
  const [f, setF] = useState<Filters>(readFilters);
  const update = (patch: Partial<Filters>) => {
    const next = { ...f, ...patch };
    setF(next);
    writeFilters(next);
  };

  // One array per store version (shared with the shell); rows are patched in
  // place, so what reads states recomputes per version. At 10,000 monitors
  // and several re-renders a second when live, that is O(n) for the default
  // views: only a change of names re-sorts (byNameOrder).
  const rows = s.list();

  const counts = useMemo(() => {
    const c: Record<string, number> = {};
    for (const r of rows) {
      const st = stateOf(r);
      c[st] = (c[st] ?? 0) + 1;
    }
    return c;
  }, [rows]);

  // Labels and names change only with the set of monitors (namesVersion).
  const labelKeys = useMemo(() => {
    const keys = new Set<string>();
    for (const r of rows) for (const k in r.monitor?.labels ?? {}) keys.add(k);
    return Array.from(keys).sort();
  }, [rows.length, s.namesVersion]);

  // Every row in name order, and each row's place in it: sorted once per
  // change of the set of monitors rather than with a collator inside every
  // sort (10,000 names, several sorts a second).
  // The sort starts from the previous order (rows still there, then new
  // ones): V8's sort (TimSort) merges such runs in about O(n), so each page
  // of the first load costs a merge rather than a full sort.
  const lastOrder = useRef<Row[]>([]);
  const byNameOrder = useMemo(() => {
    const seen = new Set<Row>();
    const keyed: (readonly [string, Row])[] = [];
    for (const r of lastOrder.current) {
      if (s.rows.get(r.id) !== r) continue;
      seen.add(r);
      keyed.push([sortKey(nameOf(r)), r]);
    }
    for (const r of rows) if (!seen.has(r)) keyed.push([sortKey(nameOf(r)), r]);
    keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const sorted = keyed.map(([, r]) => r);
    lastOrder.current = sorted;
    const rank = new Map<string, number>();
    sorted.forEach((r, i) => rank.set(r.id, i));
    return { sorted, rank };
  }, [rows.length, s.namesVersion, s.rows]);

  const selector = useMemo(() => compileSelector(f.selector), [f.selector]);

  const { items, shown } = useMemo(() => {
    const q = f.q.trim().toLowerCase();
    const { sorted, rank } = byNameOrder;
    const want = (r: Row) => {
      if (f.state && stateOf(r) !== f.state) return false;
      if (selector && f.selector && !selector(r.monitor?.labels ?? {})) return false;
      if (q) {
        const name = nameOf(r).toLowerCase();
        if (!name.includes(q) && !targetOf(r.monitor).toLowerCase().includes(q) && !r.id.includes(q) && !labelsText(r.monitor?.labels).toLowerCase().includes(q)) return false;
      }
      return true;
    };
    // In name order already: the default "worst first" is a stable bucket
    // by state rank (O(n), the same order as rank-then-name comparisons).
    const filtered = f.state || f.selector || q ? sorted.filter(want) : sorted;
    let list: Row[];
    if (f.sort === 'name') list = filtered;
    else if (f.sort === 'state') {
      const buckets: Row[][] = [];
      for (const r of filtered) (buckets[STATE_RANK[stateOf(r)]] ??= []).push(r);
      list = [];
      for (const b of buckets) if (b) for (const r of b) list.push(r);
    } else {
      // Keys computed once per row, not once per comparison; descending,
      // ties in name order.
      // Uptime: lowest first, monitors without figures last.
      const key =
        f.sort === 'latency'
          ? latencyOf
          : f.sort === 'uptime'
            ? (r: Row) => {
                const u = uptimeOf(s.uptime.get(r.id));
                return u === undefined ? -1 : 100 - u;
              }
            : (r: Row) => Date.parse(r.status?.since ?? '') || 0;
      const keyed = filtered.map((r) => ({ k: key(r), n: rank.get(r.id)!, r }));
      keyed.sort((a, b) => b.k - a.k || a.n - b.n);
      list = keyed.map((x) => x.r);
    }
    if (!f.group) return { items: list.map((row): Item => ({ kind: 'row', row })), shown: list.length };
    const groups = new Map<string, Row[]>();
    for (const r of list) {
      const key = r.monitor?.labels?.[f.group] ?? '';
      const g = groups.get(key);
      if (g) g.push(r);
      else groups.set(key, [r]);
    }
    const out: Item[] = [];
    for (const key of Array.from(groups.keys()).sort((a, b) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)))) {
      const g = groups.get(key)!;
      out.push({ kind: 'group', key, count: g.length, down: g.filter((r) => stateOf(r) === 'STATE_DOWN').length });
      for (const row of g) out.push({ kind: 'row', row });
    }
    return { items: out, shown: list.length };
    // A refresh of the uptime figures re-sorts only the view sorted by them.
  }, [rows, f, selector, byNameOrder, f.sort === 'uptime' ? s.uptimeVersion : 0]);

  // Marks the first render with data, for the browser test and bench/web.
  useEffect(() => {
    if (s.loaded && rows.length && !(window as unknown as { __listRenderedAt?: number }).__listRenderedAt) {
      requestAnimationFrame(() => {
        const w = window as unknown as { __listRenderedAt?: number };
        w.__listRenderedAt = performance.now();
        performance.mark('uptime:list-rendered');
      });
    }
  }, [s.loaded, rows.length]);

  useEffect(() => {
    const w = window as unknown as { __listCompleteAt?: number };
    if (s.loaded && !s.loading && rows.length && !w.__listCompleteAt) requestAnimationFrame(() => (w.__listCompleteAt = performance.now()));
  }, [s.loaded, s.loading, rows.length]);

  const rowHeight = phone ? 64 : 56;

  const header = (
    <div class="vrow vrow-head" role="row" aria-rowindex={1}>
      <span role="columnheader" class="c-state">State</span>
      <span role="columnheader" class="c-name">Monitor</span>
      <span role="columnheader" class="c-labels">Labels</span>
      <span role="columnheader" class="c-ticks">Recent checks</span>
      <span role="columnheader" class="c-uptime" title="Uptime over the last 24 hours">
        Uptime 24h
      </span>
      <span role="columnheader" class="c-latency">Latency</span>
      <span role="columnheader" class="c-since">For</span>
    </div>
  );

  const renderRow = (item: Item, i: number, style: Record<string, string>) => {
    if (item.kind === 'group') {
      return (
        <div key={'g:' + item.key} class="vrow vrow-group" role="row" aria-rowindex={i + 2} style={style}>
          <span role="cell" class="group-title">
            <span class="muted">{f.group} =</span> {item.key || <em>none</em>}
            <span class="group-count">{item.count}</span>
            {item.down > 0 && <span class="badge badge-down badge-small">{item.down} down</span>}
          </span>
        </div>
      );
    }
    const r = item.row;
    const state = stateOf(r);
    const name = r.monitor?.name ?? r.status?.monitorName ?? r.id;
    const type = typeOf(r.monitor);
    const last = r.status?.lastResult;
    const u24 = s.uptime.get(r.id);
    const up = uptimeOf(u24);
    return (
      <div key={r.id} class={`vrow vrow-monitor state-${STATE_CLASS[state]}`} role="row" aria-rowindex={i + 2} style={style}>
        <span role="cell" class="c-state">
          <StateBadge state={state} />
        </span>
        <span role="cell" class="c-name">
          <a href={`/monitors/${encodeURIComponent(r.id)}`} class="row-link">
            {name}
          </a>
          <span class="target">
            {type && <span class="type-tag">{TYPE_LABEL[type]}</span>}
            {targetOf(r.monitor)}
          </span>
        </span>
        <span role="cell" class="c-labels">
          {Object.entries(r.monitor?.labels ?? {})
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .slice(0, 3)
            .map(([k, v]) => (
              <button type="button" class="chip" key={k} title={`Filter by ${k}=${v}`} onClick={() => update({ selector: `${k}=${v}` })}>
                {k}={v}
              </button>
            ))}
        </span>
        <span role="cell" class="c-ticks">
          <TickBar ticks={r.recent} />
        </span>
        <span role="cell" class={`c-uptime${up === undefined ? '' : up < 95 ? ' uptime-bad' : up < 99 ? ' uptime-low' : ''}`} title={uptimeTitle(u24)}>
          {pct(up)}
        </span>
        <span role="cell" class={`c-latency${last && !last.success ? ' text-down' : ''}`} title={last?.errorMessage || undefined}>
          {last ? (last.success ? ms(latencyOf(r)) : errorShort(last.errorKind, last.httpStatus)) : '—'}
        </span>
        <span role="cell" class="c-since">{r.status?.since ? ago(r.status.since).replace(' ago', '') : '—'}</span>
      </div>
    );
  };

  return (
    <>
      <PageHeader
        title="Monitors"
        subtitle={
          <>
            {rows.length.toLocaleString()} monitors{s.loading && s.loaded ? ' so far, loading…' : ''}
            <span class={`live ${s.live ? 'live-on' : ''}`}>{s.live ? 'Live' : 'Connecting…'}</span>
          </>
        }
      >
        {s.canWrite && (
          <a class="btn btn-primary" href="/monitors/new">
            <span aria-hidden="true">+</span> New monitor
          </a>
        )}
      </PageHeader>

      <div class="counts" role="group" aria-label="Filter by state">
        <button type="button" class={`count count-all ${f.state === '' ? 'active' : ''}`} aria-pressed={f.state === ''} onClick={() => update({ state: '' })}>
          <span class="count-n">{rows.length.toLocaleString()}</span>
          <span class="count-l">All</span>
        </button>
        {STATES.map((st) => (
          <button
            type="button"
            key={st}
            class={`count count-${STATE_CLASS[st]} ${f.state === st ? 'active' : ''}`}
            aria-pressed={f.state === st}
            onClick={() => update({ state: f.state === st ? '' : st })}
          >
            <span class="count-n">{(counts[st] ?? 0).toLocaleString()}</span>
            <span class="count-l">{STATE_LABEL[st]}</span>
          </button>
        ))}
      </div>

      <div class="toolbar" role="search">
        <label class="search">
          <span class="sr-only">Search monitors</span>
          <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
            <circle cx="8.5" cy="8.5" r="5.5" fill="none" stroke="currentColor" stroke-width="2" />
            <path d="M13 13l4 4" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
          </svg>
          <input type="search" placeholder="Search name, URL, label…" value={f.q} onInput={(e) => update({ q: e.currentTarget.value })} />
        </label>
        <label class="select-label">
          <span>Labels</span>
          <input
            type="text"
            class={`selector ${f.selector && !selector ? 'invalid' : ''}`}
            placeholder="env=prod,team!=web"
            value={f.selector}
            aria-invalid={!!f.selector && !selector}
            onInput={(e) => update({ selector: e.currentTarget.value })}
          />
        </label>
        <label class="select-label">
          <span>Sort</span>
          <select value={f.sort} onChange={(e) => update({ sort: e.currentTarget.value as SortKey })}>
            <option value="state">Worst first</option>
            <option value="name">Name</option>
            <option value="latency">Slowest first</option>
            <option value="uptime">Lowest 24h uptime first</option>
            <option value="changed">Recently changed</option>
          </select>
        </label>
        <label class="select-label">
          <span>Group by</span>
          <select value={f.group} onChange={(e) => update({ group: e.currentTarget.value })}>
            <option value="">No grouping</option>
            {labelKeys.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
      </div>

      {s.loadError && <ErrorBox error={s.loadError} onRetry={() => void s.load()} />}
      {(!s.loaded || (s.loading && rows.length === 0)) && !s.loadError ? (
        <Spinner label="Loading monitors" />
      ) : rows.length === 0 ? (
        <Empty title="No monitors yet">
          <p>Add a monitor to start checking a website, API, port or DNS name.</p>
          {s.canWrite && (
            <a class="btn btn-primary" href="/monitors/new">
              New monitor
            </a>
          )}
        </Empty>
      ) : shown === 0 ? (
        <Empty title="Nothing matches">
          <p>No monitor matches these filters.</p>
          <button type="button" class="btn" onClick={() => update({ q: '', state: '', selector: '' })}>
            Clear filters
          </button>
        </Empty>
      ) : (
        <>
          <p class="result-count" aria-live="polite">
            {shown === rows.length ? `${shown.toLocaleString()} monitors` : `${shown.toLocaleString()} of ${rows.length.toLocaleString()} monitors`}
          </p>
          <VirtualList
            items={items}
            rowHeight={rowHeight}
            renderRow={renderRow}
            label="Monitors"
            header={header}
            onRange={(a, b) => s.wantRecent(items.slice(a, b).flatMap((i) => (i.kind === 'row' ? [i.row.id] : [])))}
          />
        </>
      )}
    </>
  );
}

function errorShort(kind: string | undefined, http: number | undefined): string {
  if (kind === 'ERROR_KIND_STATUS' && http) return `HTTP ${http}`;
  if (!kind || kind === 'ERROR_KIND_UNSPECIFIED') return 'Failed';
  const k = kind.replace('ERROR_KIND_', '').toLowerCase().replace('_', ' ');
  return k.charAt(0).toUpperCase() + k.slice(1);
}
