// `/monitors/{id}`: one monitor's health: live state, response time by phase,
// uptime windows with daily bars, certificate, recent results, incidents.

import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { ResponseChart } from '../components/chart';
import { Card, Confirm, Empty, ErrorBox, PageHeader, Spinner, StateBadge } from '../components/ui';
import { STATE_LABEL, ago, dateTime, formatInterval, humanDuration, labelsText, ms, parseDuration, pct, usToMs } from '../format';
import { useAsync, useNow, useStore, useTitle } from '../hooks';
import { targetOf, typeOf, TYPE_LABEL } from '../monitors';
import { navigate } from '../router';
import { stateOf, store } from '../store';
import type { CheckResult, DailyBar, Incident } from '../types';

const RANGES = [
  { key: '1h', label: '1 hour', secs: 3600 },
  { key: '6h', label: '6 hours', secs: 6 * 3600 },
  { key: '24h', label: '24 hours', secs: 86400 },
  { key: '7d', label: '7 days', secs: 7 * 86400 },
];

// Up to `max` results since `start`, following pages.
async function resultsSince(id: string, startSecs: number, max = 3000): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  let token = '';
  const start_time = new Date(Date.now() - startSecs * 1000).toISOString();
  do {
    const page = await api.listResults(id, { start_time, page_size: 1000, ...(token ? { page_token: token } : {}) } as never);
    out.push(...(page.results ?? []));
    token = page.nextPageToken ?? '';
  } while (token && out.length < max);
  return out;
}

export function MonitorPage({ id }: { id: string }) {
  const s = useStore();
  useNow(10_000);
  const row = s.rows.get(id);
  const monitorQ = useAsync(() => (row?.monitor ? Promise.resolve(row.monitor) : api.getMonitor(id)), [id, !!row?.monitor]);
  const monitor = row?.monitor ?? monitorQ.data;
  const [range, setRange] = useState('6h');
  const secs = RANGES.find((r) => r.key === range)!.secs;
  const results = useAsync(() => resultsSince(id, secs), [id, secs]);
  const uptime = useAsync(() => api.uptime(id), [id]);
  const incidents = useAsync(() => api.listIncidents({ monitor_id: id, page_size: 50 }), [id, row?.status?.state]);
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  useTitle(monitor?.name ?? 'Monitor');

  // Live results for this monitor extend the chart and the table.
  const [live, setLive] = useState<CheckResult[]>([]);
  useEffect(() => {
    setLive([]);
    return store.onResult(id, (r) => setLive((l) => [r, ...l].slice(0, 500)));
  }, [id, secs]);
  const allResults = useMemo(() => {
    const base = results.data ?? [];
    const seen = new Set(base.map((r) => r.startTimeUs + '/' + r.agentId));
    const fresh = live.filter((r) => !seen.has(r.startTimeUs + '/' + r.agentId));
    const cutoff = (Date.now() - secs * 1000) * 1000;
    return [...fresh, ...base].filter((r) => Number(r.startTimeUs ?? 0) >= cutoff);
  }, [results.data, live, secs]);

  if (monitorQ.error && !monitor) {
    const nf = monitorQ.error instanceof ApiError && monitorQ.error.status === 404;
    return nf ? (
      <Empty title="Monitor not found">
        <p>It may have been deleted.</p>
        <a class="btn" href="/">
          Back to monitors
        </a>
      </Empty>
    ) : (
      <ErrorBox error={monitorQ.error} onRetry={monitorQ.reload} />
    );
  }
  if (!monitor) return <Spinner label="Loading monitor" />;

  const state = row ? stateOf(row) : monitor.paused ? 'STATE_PAUSED' : 'STATE_PENDING';
  const status = row?.status;
  const last = status?.lastResult;
  const type = typeOf(monitor);
  const certExpiry = Number(last?.tlsCertExpiryUnix ?? 0) || Number(allResults.find((r) => Number(r.tlsCertExpiryUnix ?? 0) > 0)?.tlsCertExpiryUnix ?? 0);
  const certDays = certExpiry ? (certExpiry * 1000 - Date.now()) / 86400000 : null;
  const warnDays = monitor.tlsExpiryWarningDays || 14;

  const act = async (what: 'pause' | 'resume' | 'delete') => {
    setBusy(true);
    try {
      if (what === 'delete') {
        await api.deleteMonitor(id);
        store.remove(id);
        store.notify(`Deleted ${monitor.name}`);
        navigate('/');
        return;
      }
      const m = what === 'pause' ? await api.pauseMonitor(id) : await api.resumeMonitor(id);
      store.upsertMonitor(m.id ? m : { ...monitor, paused: what === 'pause' });
      store.notify(what === 'pause' ? 'Monitor paused' : 'Monitor resumed');
    } catch (e) {
      store.notify((e as Error).message, 'error');
    } finally {
      setBusy(false);
    }
  };

  const windows = uptime.data?.windows ?? [];
  return (
    <>
      <nav class="breadcrumb" aria-label="Breadcrumb">
        <a href="/">Monitors</a> <span aria-hidden="true">/</span> <span aria-current="page">{monitor.name}</span>
      </nav>
      <PageHeader
        title={
          <>
            {monitor.name} <StateBadge state={state} />
          </>
        }
        subtitle={
          <>
            {type && <span class="type-tag">{TYPE_LABEL[type]}</span>}
            <span class="mono">{targetOf(monitor)}</span>
            {status?.since && (
              <span class="muted">
                {' '}
                · {STATE_LABEL[state].toLowerCase()} for {ago(status.since).replace(' ago', '')}
              </span>
            )}
          </>
        }
      >
        {s.canWrite && (
          <>
            {monitor.paused ? (
              <button type="button" class="btn" disabled={busy} onClick={() => void act('resume')}>
                Resume
              </button>
            ) : (
              <button type="button" class="btn" disabled={busy} onClick={() => void act('pause')}>
                Pause
              </button>
            )}
            <a class="btn" href={`/monitors/${encodeURIComponent(id)}/edit`}>
              Edit
            </a>
            <button type="button" class="btn btn-danger-outline" disabled={busy} onClick={() => setConfirm(true)}>
              Delete
            </button>
          </>
        )}
      </PageHeader>
      {confirm && (
        <Confirm
          title={`Delete ${monitor.name}?`}
          body="Its results and incidents stay in history, but it will no longer be checked. This cannot be undone."
          confirm="Delete monitor"
          danger
          onConfirm={() => void act('delete')}
          onClose={() => setConfirm(false)}
        />
      )}

      {status?.openIncidentId && state === 'STATE_DOWN' && (
        <div class="alert alert-error" role="status">
          <span>
            <strong>Down</strong> since {dateTime(status.since)}: {last?.errorMessage || 'the latest checks failed.'}
          </span>
        </div>
      )}

      <div class="stats">
        <div class="stat">
          <span class="stat-l">Response time</span>
          <span class={`stat-v ${last && !last.success ? 'text-down' : ''}`}>{!last ? '—' : last.success ? ms(usToMs(last.latencyUs)) : 'Failed'}</span>
          <span class="stat-s">{last ? `checked ${ago(Number(last.startTimeUs) / 1000)}` : 'not checked yet'}</span>
        </div>
        {['24h', '7d', '30d', '90d'].map((w) => {
          const win = windows.find((x) => x.window === w);
          // "100%" over no checks would be a claim without evidence.
          const checks = Number(win?.checks ?? 0);
          return (
            <div class="stat" key={w}>
              <span class="stat-l">Uptime {w}</span>
              <span class={`stat-v ${checks && (win?.uptimePercent ?? 100) < 99 ? 'text-down' : ''}`}>{checks ? pct(win?.uptimePercent ?? 100) : uptime.loading ? '…' : '—'}</span>
              <span class="stat-s">{checks ? `${checks.toLocaleString()} checks · ${ms(win?.meanLatencyMs)} avg` : win ? 'no checks yet' : ''}</span>
            </div>
          );
        })}
        <div class="stat">
          <span class="stat-l">Certificate</span>
          <span class={`stat-v ${certDays !== null && certDays < warnDays ? 'text-down' : ''}`}>{certDays === null ? '—' : certDays < 0 ? 'Expired' : `${Math.floor(certDays)} days`}</span>
          <span class="stat-s">{certExpiry ? `expires ${dateTime(certExpiry * 1000)}` : 'no TLS certificate seen'}</span>
        </div>
      </div>

      <Card
        title="Response time"
        actions={
          <div class="segmented" role="group" aria-label="Time range">
            {RANGES.map((r) => (
              <button type="button" key={r.key} aria-pressed={range === r.key} class={range === r.key ? 'active' : ''} onClick={() => setRange(r.key)}>
                {r.key}
              </button>
            ))}
          </div>
        }
      >
        {results.error ? (
          <ErrorBox error={results.error} onRetry={results.reload} />
        ) : results.loading && !results.data ? (
          <Spinner label="Loading results" />
        ) : allResults.length === 0 ? (
          <p class="muted pad">No results in the last {RANGES.find((r) => r.key === range)!.label}.</p>
        ) : (
          <ResponseChart results={allResults} theme={document.documentElement.dataset.theme ?? ''} />
        )}
      </Card>

      <Card title="Uptime, last 90 days">
        {uptime.error ? <ErrorBox error={uptime.error} onRetry={uptime.reload} /> : <DailyBars bars={uptime.data?.dailyBars ?? []} />}
      </Card>

      <div class="grid-2">
        <Card title="Incidents">
          <IncidentTable incidents={incidents.data?.incidents ?? []} loading={incidents.loading} />
        </Card>
        <Card title="Configuration">
          <dl class="props">
            <dt>Interval</dt>
            <dd>every {formatInterval(parseDuration(monitor.interval) || 60)}</dd>
            <dt>Timeout</dt>
            <dd>{monitor.timeout ? formatInterval(parseDuration(monitor.timeout)) : 'default'}</dd>
            <dt>Thresholds</dt>
            <dd>
              down after {monitor.failureThreshold || 1} failure{(monitor.failureThreshold || 1) > 1 ? 's' : ''}, up after {monitor.recoveryThreshold || 1} success
              {(monitor.recoveryThreshold || 1) > 1 ? 'es' : ''}
            </dd>
            <dt>Locations</dt>
            <dd>
              {monitor.locations?.count || 1} location{(monitor.locations?.count || 1) > 1 ? 's' : ''}
              {monitor.locations?.selector ? ` matching ${monitor.locations.selector}` : ''}
              {(monitor.locations?.quorum || 1) > 1 ? `, ${monitor.locations?.quorum} must fail` : ''}
            </dd>
            <dt>Checked by</dt>
            <dd>{status?.agentIds?.length ? status.agentIds.join(', ') : <span class="muted">no agent assigned</span>}</dd>
            <dt>Checked from</dt>
            <dd>{seenLocations(allResults) || <span class="muted">no results yet</span>}</dd>
            <dt>Labels</dt>
            <dd>{labelsText(monitor.labels) || <span class="muted">none</span>}</dd>
            <dt>Alerts to</dt>
            <dd>{monitor.channelIds?.length ? monitor.channelIds.join(', ') : <span class="muted">no channels</span>}</dd>
          </dl>
        </Card>
      </div>

      <Card title="Recent results">
        <ResultTable results={allResults} loading={results.loading} />
      </Card>
    </>
  );
}

// "eu-west (agent-1), us-east (agent-7)" from the recent results.
function seenLocations(results: CheckResult[]): string {
  const seen = new Map<string, Set<string>>();
  for (const r of results.slice(0, 200)) {
    const loc = r.location || '?';
    if (!seen.has(loc)) seen.set(loc, new Set());
    if (r.agentId) seen.get(loc)!.add(r.agentId);
  }
  return Array.from(seen, ([loc, agents]) => (agents.size ? `${loc} (${Array.from(agents).join(', ')})` : loc)).join(', ');
}

function DailyBars({ bars }: { bars: DailyBar[] }) {
  if (!bars.length) return <p class="muted pad">No daily statistics yet.</p>;
  return (
    <div class="daily" role="list" aria-label="Daily uptime">
      {bars.map((b) => {
        const checks = Number(b.checks ?? 0);
        const p = b.uptimePercent ?? 100;
        const cls = checks === 0 ? 'none' : p >= 99.9 ? 'up' : p >= 99 ? 'warn' : 'down';
        const day = b.day ? new Date(b.day).toLocaleDateString(undefined, { month: 'short', day: 'numeric' }) : '';
        const label = checks === 0 ? `${day}: no data` : `${day}: ${pct(p)} (${Number(b.failures ?? 0)} failed of ${checks})`;
        return <span key={b.day} role="listitem" class={`day day-${cls}`} title={label} aria-label={label} />;
      })}
    </div>
  );
}

export function IncidentTable({ incidents, loading, showMonitor }: { incidents: Incident[]; loading: boolean; showMonitor?: boolean }) {
  if (loading && !incidents.length) return <Spinner label="Loading incidents" />;
  if (!incidents.length) return <p class="muted pad">No incidents. All quiet.</p>;
  return (
    <div class="table-wrap">
      <table class="table">
        <thead>
          <tr>
            {showMonitor && <th scope="col">Monitor</th>}
            <th scope="col">Started</th>
            <th scope="col">Duration</th>
            <th scope="col">Cause</th>
          </tr>
        </thead>
        <tbody>
          {incidents.map((i) => {
            const start = Date.parse(i.started ?? '');
            const end = i.resolved ? Date.parse(i.resolved) : Date.now();
            const name = store.rows.get(i.monitorId ?? '')?.monitor?.name ?? i.monitorId;
            return (
              <tr key={i.id}>
                {showMonitor && (
                  <td>
                    <a href={`/monitors/${encodeURIComponent(i.monitorId ?? '')}`}>{name}</a>
                  </td>
                )}
                <td>{dateTime(i.started)}</td>
                <td>
                  {i.resolved ? humanDuration((end - start) / 1000) : <span class="badge badge-down badge-small">Ongoing · {humanDuration((end - start) / 1000)}</span>}
                </td>
                <td class="wrap">{i.cause || '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function ResultTable({ results: all, loading }: { results: CheckResult[]; loading: boolean }) {
  const [failuresOnly, setFailuresOnly] = useState(false);
  const [limit, setLimit] = useState(15);
  if (loading && !all.length) return <Spinner label="Loading results" />;
  if (!all.length) return <p class="muted pad">No results yet.</p>;
  const filtered = failuresOnly ? all.filter((r) => !r.success) : all;
  const results = filtered.slice(0, limit);
  return (
    <>
    <label class="check table-filter">
      <input type="checkbox" checked={failuresOnly} onChange={(e) => setFailuresOnly(e.currentTarget.checked)} /> Failures only ({all.filter((r) => !r.success).length})
    </label>
    <div class="table-wrap">
      <table class="table">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Result</th>
            <th scope="col">Latency</th>
            <th scope="col" class="hide-phone">Location</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {results.map((r) => (
            <tr key={r.startTimeUs + '/' + r.agentId}>
              <td class="nowrap">{new Date(Number(r.startTimeUs) / 1000).toLocaleTimeString()}</td>
              <td>{r.success ? <span class="badge badge-up badge-small">OK</span> : <span class="badge badge-down badge-small">Failed</span>}</td>
              <td class="num">{ms(usToMs(r.latencyUs))}</td>
              <td class="hide-phone">{r.location || r.agentId || '—'}</td>
              <td class="wrap">{r.success ? (r.httpStatus ? `HTTP ${r.httpStatus}` : '') : <span class="text-down">{r.errorMessage || r.errorKind}</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
    {filtered.length > limit && (
      <button type="button" class="btn btn-small more" onClick={() => setLimit(limit + 50)}>
        Show more ({filtered.length - limit} older)
      </button>
    )}
    </>
  );
}
