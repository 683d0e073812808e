// `/monitors/new` and `/monitors/{id}/edit`. The server validates; its error
// is shown on the field it names.

import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { Card, ErrorBox, Field, PageHeader, Spinner } from '../components/ui';
import { formatInterval, labelsText, parseDuration, parseLabels, toDuration } from '../format';
import { focusFirstError, formErrors } from '../forms';
import { useAsync, useStore, useTitle } from '../hooks';
import { MONITOR_TYPES, TYPE_LABEL, typeOf, type MonitorType } from '../monitors';
import { navigate } from '../router';
import { store } from '../store';
import type { DnsRecordType, Monitor } from '../types';

interface Values {
  name: string;
  type: MonitorType;
  url: string;
  method: string;
  keyword: string;
  keywordAbsent: string;
  statuses: string;
  followRedirects: boolean;
  insecure: boolean;
  host: string;
  port: string;
  dnsName: string;
  recordType: DnsRecordType;
  expectedAnswer: string;
  resolver: string;
  grpcTarget: string;
  grpcService: string;
  grpcTls: boolean;
  interval: string;
  timeout: string;
  failureThreshold: string;
  recoveryThreshold: string;
  labels: string;
  locSelector: string;
  locCount: string;
  locQuorum: string;
  channelIds: string[];
  renotify: string;
  tlsWarn: string;
}

const KEYS = [
  'name', 'labels', 'http', 'http.url', 'http.method', 'http.keyword', 'http.keyword_absent', 'http.accepted_statuses',
  'tcp', 'tcp.host', 'tcp.port', 'dns', 'dns.name', 'dns.record_type', 'dns.expected_answer', 'dns.resolver',
  'grpc', 'grpc.target', 'grpc.service', 'icmp', 'icmp.host', 'interval', 'timeout', 'failure_threshold', 'recovery_threshold',
  'locations', 'locations.selector', 'locations.count', 'locations.quorum', 'channel_ids', 'renotify_interval', 'tls_expiry_warning_days',
];

function fromMonitor(m: Monitor | null): Values {
  const secs = (d: string | undefined) => (d ? formatInterval(parseDuration(d)) : '');
  return {
    name: m?.name ?? '',
    type: typeOf(m) ?? 'http',
    url: m?.http?.url ?? '',
    method: m?.http?.method || 'GET',
    keyword: m?.http?.keyword ?? '',
    keywordAbsent: m?.http?.keywordAbsent ?? '',
    statuses: (m?.http?.acceptedStatuses ?? []).map((r) => (r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`)).join(', '),
    followRedirects: m?.http?.followRedirects ?? true,
    insecure: m?.http?.insecureSkipTlsVerify ?? m?.grpc?.insecureSkipTlsVerify ?? false,
    host: m?.tcp?.host ?? m?.icmp?.host ?? '',
    port: m?.tcp?.port ? String(m.tcp.port) : '',
    dnsName: m?.dns?.name ?? '',
    recordType: m?.dns?.recordType ?? 'DNS_RECORD_TYPE_A',
    expectedAnswer: m?.dns?.expectedAnswer ?? '',
    resolver: m?.dns?.resolver ?? '',
    grpcTarget: m?.grpc?.target ?? '',
    grpcService: m?.grpc?.service ?? '',
    grpcTls: m?.grpc?.tls ?? false,
    interval: m ? secs(m.interval) || '60s' : '1m',
    timeout: secs(m?.timeout),
    failureThreshold: String(m?.failureThreshold || 1),
    recoveryThreshold: String(m?.recoveryThreshold || 1),
    labels: labelsText(m?.labels),
    locSelector: m?.locations?.selector ?? '',
    locCount: String(m?.locations?.count || 1),
    locQuorum: String(m?.locations?.quorum || 1),
    channelIds: m?.channelIds ?? [],
    renotify: secs(m?.renotifyInterval),
    tlsWarn: String(m?.tlsExpiryWarningDays ?? 14),
  };
}

// Builds the Monitor; client-side problems are returned per field. Settings
// the form does not show (request headers and body, the location label) are
// kept from `base`, the monitor being edited.
function toMonitor(v: Values, base: Monitor | null): { monitor: Monitor; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const int = (s: string) => (s.trim() === '' ? 0 : Number(s));
  const m: Monitor = { name: v.name.trim() };
  const labels = parseLabels(v.labels);
  if (labels === null) errors.labels = 'Use key=value pairs separated by commas';
  else m.labels = labels;
  switch (v.type) {
    case 'http': {
      const ranges = v.statuses
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean)
        .map((t) => {
          const [a, b] = t.split('-').map((x) => Number(x.trim()));
          return { min: a!, max: b ?? a! };
        });
      if (ranges.some((r) => !Number.isInteger(r.min) || !Number.isInteger(r.max))) errors['http.accepted_statuses'] = 'Use codes or ranges like 200-299, 301';
      m.http = {
        ...(base?.http ?? {}),
        url: v.url.trim(),
        method: v.method,
        keyword: v.keyword,
        keywordAbsent: v.keywordAbsent,
        acceptedStatuses: ranges,
        followRedirects: v.followRedirects,
        insecureSkipTlsVerify: v.insecure,
      };
      break;
    }
    case 'tcp':
      m.tcp = { host: v.host.trim(), port: int(v.port) };
      break;
    case 'dns':
      m.dns = { name: v.dnsName.trim(), recordType: v.recordType, expectedAnswer: v.expectedAnswer.trim(), resolver: v.resolver.trim() };
      break;
    case 'grpc':
      m.grpc = { target: v.grpcTarget.trim(), service: v.grpcService.trim(), tls: v.grpcTls, insecureSkipTlsVerify: v.insecure };
      break;
    case 'icmp':
      m.icmp = { host: v.host.trim() };
      break;
  }
  const dur = (text: string, key: string, field: keyof Monitor) => {
    if (!text.trim()) return;
    const d = toDuration(text);
    if (d === null) errors[key] = 'Use a duration like 30s, 5m or 1h';
    else (m as Record<string, unknown>)[field] = d;
  };
  dur(v.interval, 'interval', 'interval');
  dur(v.timeout, 'timeout', 'timeout');
  dur(v.renotify, 'renotify_interval', 'renotifyInterval');
  m.failureThreshold = int(v.failureThreshold);
  m.recoveryThreshold = int(v.recoveryThreshold);
  m.locations = { ...(base?.locations ?? {}), selector: v.locSelector.trim(), count: int(v.locCount), quorum: int(v.locQuorum) };
  m.channelIds = v.channelIds;
  m.tlsExpiryWarningDays = int(v.tlsWarn);
  return { monitor: m, errors };
}

export function MonitorForm({ id }: { id?: string }) {
  const editing = !!id;
  useTitle(editing ? 'Edit monitor' : 'New monitor');
  // Re-renders when the caller's role is known.
  useStore();
  const existing = useAsync(() => (id ? api.getMonitor(id) : Promise.resolve(null)), [id]);
  const channels = useAsync(() => api.listChannels(), []);
  const [v, setV] = useState<Values | null>(editing ? null : fromMonitor(null));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [advanced, setAdvanced] = useState(false);

  useEffect(() => {
    if (editing && existing.data) setV(fromMonitor(existing.data));
  }, [existing.data]);

  if (!store.canWrite && store.caller) {
    return <ErrorBox error="You can read monitors but not change them: that needs the editor role." />;
  }
  if (existing.error) return <ErrorBox error={existing.error} onRetry={existing.reload} />;
  if (!v) return <Spinner label="Loading monitor" />;

  const set = <K extends keyof Values>(k: K, val: Values[K]) => setV({ ...v, [k]: val });
  const err = (k: string) => errors[k];

  const submit = async (e: Event) => {
    e.preventDefault();
    const { monitor, errors: local } = toMonitor(v, existing.data ?? null);
    if (!monitor.name) local.name = 'Give the monitor a name';
    setFormError(null);
    if (Object.keys(local).length) {
      setErrors(local);
      focusFirstError();
      return;
    }
    setErrors({});
    setSaving(true);
    try {
      const mask = ['name', 'labels', v.type, 'interval', 'timeout', 'failure_threshold', 'recovery_threshold', 'locations', 'channel_ids', 'renotify_interval', 'tls_expiry_warning_days'];
      const saved = editing ? await api.updateMonitor(id!, { ...monitor, id }, mask) : await api.createMonitor(monitor);
      store.upsertMonitor(saved);
      store.notify(editing ? 'Monitor saved' : `Created ${saved.name ?? 'monitor'}`);
      navigate(`/monitors/${encodeURIComponent(saved.id ?? id ?? '')}`);
    } catch (ex) {
      const { fields, form } = formErrors(ex, 'monitor', KEYS);
      // An error on the spec as a whole ("monitor.http") goes on its main field.
      const main: Record<MonitorType, string> = { http: 'http.url', tcp: 'tcp.host', dns: 'dns.name', grpc: 'grpc.target', icmp: 'icmp.host' };
      for (const t of MONITOR_TYPES) if (fields[t]) (fields[main[t]] = fields[t]), delete fields[t];
      if (fields.locations) (fields['locations.selector'] = fields.locations), delete fields.locations;
      if (['locations.count', 'locations.quorum', 'renotify_interval', 'tls_expiry_warning_days', 'http.accepted_statuses', 'http.keyword_absent', 'dns.resolver'].some((k) => fields[k])) setAdvanced(true);
      setErrors(fields);
      setFormError(form);
      focusFirstError();
    } finally {
      setSaving(false);
    }
  };

  const text = (key: string, label: string, value: string, onInput: (s: string) => void, opts: { placeholder?: string; hint?: string; type?: 'text' | 'url'; mono?: boolean; wide?: boolean; inputMode?: string } = {}) => (
    <Field id={`f-${key.replace(/\./g, '-')}`} label={label} error={err(key)} {...(opts.hint ? { hint: opts.hint } : {})} wide={!!opts.wide}>
      {(fid, describedBy) => (
        <input
          id={fid}
          name={key}
          type={(opts.type ?? 'text') as 'text'}
          class={opts.mono ? 'mono' : ''}
          value={value}
          placeholder={opts.placeholder}
          inputMode={opts.inputMode as 'numeric' | undefined}
          aria-invalid={!!err(key)}
          aria-describedby={describedBy}
          onInput={(e) => onInput(e.currentTarget.value)}
          autoComplete="off"
          spellcheck={false}
        />
      )}
    </Field>
  );

  return (
    <>
      <nav class="breadcrumb" aria-label="Breadcrumb">
        <a href="/">Monitors</a> <span aria-hidden="true">/</span>{' '}
        {editing && (
          <>
            <a href={`/monitors/${encodeURIComponent(id!)}`}>{existing.data?.name}</a> <span aria-hidden="true">/</span>{' '}
          </>
        )}
        <span aria-current="page">{editing ? 'Edit' : 'New monitor'}</span>
      </nav>
      <PageHeader title={editing ? `Edit ${existing.data?.name ?? 'monitor'}` : 'New monitor'} subtitle="What to check, how often, and who hears about it." />
      <form class="form" onSubmit={(e) => void submit(e)} noValidate aria-label={editing ? 'Edit monitor' : 'New monitor'}>
        {formError && <ErrorBox error={formError} />}
        <Card title="What to check">
          <div class="field field-wide">
            <span class="label" id="type-label">
              Type
            </span>
            <div class="segmented" role="radiogroup" aria-labelledby="type-label">
              {MONITOR_TYPES.map((t) => (
                <button type="button" role="radio" key={t} aria-checked={v.type === t} class={v.type === t ? 'active' : ''} onClick={() => set('type', t)}>
                  {TYPE_LABEL[t]}
                </button>
              ))}
            </div>
          </div>
          <div class="fields">
            {text('name', 'Name', v.name, (s) => set('name', s), { placeholder: 'Checkout API', wide: true })}
            {v.type === 'http' && (
              <>
                {text('http.url', 'URL', v.url, (s) => set('url', s), { placeholder: 'https://example.com/health', mono: true, wide: true, type: 'url' })}
                <Field id="f-http-method" label="Method" error={err('http.method')}>
                  {(fid, d) => (
                    <select id={fid} value={v.method} aria-describedby={d} onChange={(e) => set('method', e.currentTarget.value)}>
                      {['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map((m) => (
                        <option key={m}>{m}</option>
                      ))}
                    </select>
                  )}
                </Field>
                {text('http.keyword', 'Must contain', v.keyword, (s) => set('keyword', s), { placeholder: 'optional text in the body' })}
              </>
            )}
            {(v.type === 'tcp' || v.type === 'icmp') && text(v.type === 'tcp' ? 'tcp.host' : 'icmp.host', 'Host', v.host, (s) => set('host', s), { placeholder: 'db.internal or 10.0.0.5', mono: true })}
            {v.type === 'tcp' && text('tcp.port', 'Port', v.port, (s) => set('port', s), { placeholder: '5432', inputMode: 'numeric' })}
            {v.type === 'dns' && (
              <>
                {text('dns.name', 'Name to resolve', v.dnsName, (s) => set('dnsName', s), { placeholder: 'example.com', mono: true })}
                <Field id="f-dns-record_type" label="Record type" error={err('dns.record_type')}>
                  {(fid) => (
                    <select id={fid} value={v.recordType} onChange={(e) => set('recordType', e.currentTarget.value as DnsRecordType)}>
                      {['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS'].map((t) => (
                        <option key={t} value={`DNS_RECORD_TYPE_${t}`}>
                          {t}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                {text('dns.expected_answer', 'Expected answer', v.expectedAnswer, (s) => set('expectedAnswer', s), { placeholder: 'optional, e.g. 93.184.216.34', mono: true })}
              </>
            )}
            {v.type === 'grpc' && (
              <>
                {text('grpc.target', 'Target', v.grpcTarget, (s) => set('grpcTarget', s), { placeholder: 'api.internal:443', mono: true })}
                {text('grpc.service', 'Service', v.grpcService, (s) => set('grpcService', s), { placeholder: 'empty: the whole server' })}
                <label class="check">
                  <input type="checkbox" checked={v.grpcTls} onChange={(e) => set('grpcTls', e.currentTarget.checked)} /> Use TLS
                </label>
              </>
            )}
          </div>
        </Card>

        <Card title="Schedule and alerting">
          <div class="fields">
            {text('interval', 'Check every', v.interval, (s) => set('interval', s), { placeholder: '1m', hint: '1s to 24h, e.g. 30s, 5m' })}
            {text('timeout', 'Timeout', v.timeout, (s) => set('timeout', s), { placeholder: 'default: 10s', hint: 'Less than the interval' })}
            {text('failure_threshold', 'Down after', v.failureThreshold, (s) => set('failureThreshold', s), { hint: 'consecutive failures', inputMode: 'numeric' })}
            {text('recovery_threshold', 'Up after', v.recoveryThreshold, (s) => set('recoveryThreshold', s), { hint: 'consecutive successes', inputMode: 'numeric' })}
            {text('labels', 'Labels', v.labels, (s) => set('labels', s), { placeholder: 'env=prod, team=payments', wide: true, mono: true })}
          </div>
          <fieldset class="field field-wide channels">
            <legend>Alert channels</legend>
            {channels.loading ? (
              <span class="muted">Loading channels…</span>
            ) : (channels.data ?? []).length === 0 ? (
              <span class="muted">
                No channels yet. <a href="/channels/new">Add one</a>.
              </span>
            ) : (
              (channels.data ?? []).map((c) => (
                <label class="check" key={c.id}>
                  <input
                    type="checkbox"
                    checked={v.channelIds.includes(c.id ?? '')}
                    onChange={(e) => set('channelIds', e.currentTarget.checked ? [...v.channelIds, c.id ?? ''] : v.channelIds.filter((x) => x !== c.id))}
                  />{' '}
                  {c.name} <span class="muted">({c.type})</span>
                </label>
              ))
            )}
            {err('channel_ids') && (
              <p class="field-error" role="alert">
                {err('channel_ids')}
              </p>
            )}
          </fieldset>
        </Card>

        <details class="card advanced" open={advanced} onToggle={(e) => setAdvanced((e.currentTarget as HTMLDetailsElement).open)}>
          <summary>Advanced</summary>
          <div class="fields">
            {v.type === 'http' && (
              <>
                {text('http.accepted_statuses', 'Accepted statuses', v.statuses, (s) => set('statuses', s), { placeholder: 'default: 200-399' })}
                {text('http.keyword_absent', 'Must not contain', v.keywordAbsent, (s) => set('keywordAbsent', s), {})}
                <label class="check">
                  <input type="checkbox" checked={v.followRedirects} onChange={(e) => set('followRedirects', e.currentTarget.checked)} /> Follow redirects
                </label>
              </>
            )}
            {(v.type === 'http' || v.type === 'grpc') && (
              <label class="check">
                <input type="checkbox" checked={v.insecure} onChange={(e) => set('insecure', e.currentTarget.checked)} /> Skip TLS verification
              </label>
            )}
            {v.type === 'dns' && text('dns.resolver', 'Resolver', v.resolver, (s) => set('resolver', s), { placeholder: 'system resolver', mono: true })}
            {text('locations.selector', 'Agents', v.locSelector, (s) => set('locSelector', s), { placeholder: 'region=eu-west', hint: 'Agent label selector; empty: any agent', mono: true })}
            {text('locations.count', 'Locations', v.locCount, (s) => set('locCount', s), { inputMode: 'numeric' })}
            {text('locations.quorum', 'Failing locations for down', v.locQuorum, (s) => set('locQuorum', s), { inputMode: 'numeric' })}
            {text('renotify_interval', 'Re-notify every', v.renotify, (s) => set('renotify', s), { placeholder: 'off', hint: 'While down; at least 1m' })}
            {text('tls_expiry_warning_days', 'Certificate warning (days)', v.tlsWarn, (s) => set('tlsWarn', s), { inputMode: 'numeric' })}
          </div>
        </details>

        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={saving}>
            {saving ? 'Saving…' : editing ? 'Save changes' : 'Create monitor'}
          </button>
          <a class="btn" href={editing ? `/monitors/${encodeURIComponent(id!)}` : '/'}>
            Cancel
          </a>
        </div>
      </form>
    </>
  );
}
