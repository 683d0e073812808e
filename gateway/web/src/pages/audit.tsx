// `/audit` (admins): who changed what and when, newest first, filtered by
// actor and resource, a page at a time; a row opens to show what changed.

import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { diffJson } from '../audit-diff';
import { Card, Empty, ErrorBox, PageHeader, Spinner } from '../components/ui';
import { ago, dateTime } from '../format';
import { useStore, useTitle } from '../hooks';
import type { AuditEvent } from '../types';

const PAGE = 50;
const TYPES = ['monitor', 'maintenance_window', 'status_page', 'channel', 'user', 'api_key', 'session'];
interface Filter { actor: string; resource_type: string; resource_id: string }

export function AuditPage() {
  useTitle('Audit log');
  const s = useStore();
  const [draft, setDraft] = useState<Filter>({ actor: '', resource_type: '', resource_id: '' });
  const [filter, setFilter] = useState<Filter>(draft);
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [next, setNext] = useState('');
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error | null>(null);
  const [open, setOpen] = useState<Set<string>>(new Set());
  const [n, reload] = useState(0);

  const fetchPage = async (token: string, replace: boolean) => {
    setLoading(true);
    setError(null);
    try {
      const r = await api.listAuditEvents({ ...filter, page_size: PAGE, page_token: token || undefined });
      setEvents((old) => (replace ? r.events ?? [] : [...old, ...(r.events ?? [])]));
      setNext(r.nextPageToken ?? '');
    } catch (e) {
      setError(e as Error);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    if (!s.isAdmin) return;
    setOpen(new Set());
    void fetchPage('', true);
  }, [filter, n, s.isAdmin]);

  if (s.caller && !s.isAdmin) return <ErrorBox error="Only admins can read the audit log." />;

  const toggle = (id: string) => {
    const o = new Set(open);
    if (!o.delete(id)) o.add(id);
    setOpen(o);
  };
  const filtered = !!(filter.actor || filter.resource_type || filter.resource_id);
  const apply = (f: Filter) => {
    setDraft(f);
    setFilter(f);
  };

  return (
    <>
      <PageHeader title="Audit log" subtitle="Every change made through the API and every sign-in, newest first." />
      <form
        class="toolbar audit-filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          apply({ actor: draft.actor.trim(), resource_type: draft.resource_type, resource_id: draft.resource_id.trim() });
        }}
      >
        <label class="select-label">
          Actor
          <input value={draft.actor} placeholder="username or token" onInput={(e) => setDraft({ ...draft, actor: e.currentTarget.value })} />
        </label>
        <label class="select-label">
          Resource type
          <select value={draft.resource_type} onChange={(e) => apply({ ...draft, resource_type: e.currentTarget.value })}>
            <option value="">Any</option>
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {t.replace('_', ' ')}
              </option>
            ))}
          </select>
        </label>
        <label class="select-label">
          Resource ID
          <input value={draft.resource_id} placeholder="m-0123…" spellcheck={false} onInput={(e) => setDraft({ ...draft, resource_id: e.currentTarget.value })} />
        </label>
        <button type="submit" class="btn">
          Filter
        </button>
        {filtered && (
          <button type="button" class="btn btn-ghost" onClick={() => apply({ actor: '', resource_type: '', resource_id: '' })}>
            Clear
          </button>
        )}
      </form>
      {error && <ErrorBox error={error} onRetry={() => reload(n + 1)} />}
      {!error && loading && !events.length ? (
        <Spinner label="Loading the audit log" />
      ) : !error && !events.length ? (
        <Empty title={filtered ? 'No events match' : 'Nothing recorded yet'}>{filtered && <p>Try fewer filters.</p>}</Empty>
      ) : (
        events.length > 0 && (
          <Card>
            <div class="table-wrap">
              <table class="table audit-table stack-table">
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Actor</th>
                    <th scope="col">Action</th>
                    <th scope="col">Resource</th>
                    <th scope="col" class="hide-phone">Client</th>
                    <th scope="col">
                      <span class="sr-only">Details</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {events.map((e) => {
                    const id = String(e.id);
                    const isOpen = open.has(id);
                    return [
                      <tr key={id} class={isOpen ? 'row-open' : ''}>
                        <td title={dateTime(e.time)}>
                          {dateTime(e.time)}
                          <div class="muted small">{ago(e.time)}</div>
                        </td>
                        <td>
                          <button type="button" class="link-btn" title={`Only ${e.actor}`} onClick={() => apply({ ...filter, actor: e.actor ?? '' })}>
                            {e.actor}
                          </button>
                          <div class="muted small">{e.credential}</div>
                        </td>
                        <td>
                          <span class={`action-tag ${/fail|delete|revoke/.test(e.action ?? '') ? 'action-bad' : /create|login$/.test(e.action ?? '') ? 'action-good' : ''}`}>{e.action}</span>
                        </td>
                        <td class="wrap">
                          {e.resourceType && <span class="muted">{e.resourceType.replace('_', ' ')} </span>}
                          {e.resourceId && (
                            <button type="button" class="link-btn mono" title="Only this resource" onClick={() => apply({ ...filter, resource_type: e.resourceType ?? '', resource_id: e.resourceId ?? '' })}>
                              {e.resourceId}
                            </button>
                          )}
                        </td>
                        <td class="hide-phone mono small">{e.clientAddress || <span class="muted">—</span>}</td>
                        <td class="actions">
                          {(e.beforeJson || e.afterJson) && (
                            <button type="button" class="btn btn-small btn-ghost" aria-expanded={isOpen} aria-controls={`audit-${id}`} onClick={() => toggle(id)}>
                              {isOpen ? 'Hide' : 'Changes'}
                              <svg class={`chev ${isOpen ? 'chev-open' : ''}`} viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
                                <path d="M4 6l4 4 4-4" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
                              </svg>
                            </button>
                          )}
                        </td>
                      </tr>,
                      isOpen && (
                        <tr key={id + '-d'} class="audit-detail" id={`audit-${id}`}>
                          <td colSpan={6}>
                            <Diff e={e} />
                          </td>
                        </tr>
                      ),
                    ];
                  })}
                </tbody>
              </table>
            </div>
          </Card>
        )
      )}
      {next && !error && (
        <div class="more">
          <button type="button" class="btn" disabled={loading} onClick={() => void fetchPage(next, false)}>
            {loading ? 'Loading…' : 'Load older events'}
          </button>
        </div>
      )}
    </>
  );
}

function Diff({ e }: { e: AuditEvent }) {
  const changes = diffJson(e.beforeJson, e.afterJson);
  if (!changes.length) return <p class="muted small">No field changed.</p>;
  return (
    <div class="diff" role="table" aria-label="Changes">
      <div class="diff-row diff-head" role="row">
        <span role="columnheader">Field</span>
        <span role="columnheader">Before</span>
        <span role="columnheader">After</span>
      </div>
      {changes.map((c) => (
        <div class="diff-row" role="row" key={c.path}>
          <span role="cell" class="mono diff-path">
            {c.path}
          </span>
          <span role="cell" class={`mono ${c.before !== undefined ? 'diff-old' : 'diff-none'}`}>
            {c.before ?? '—'}
          </span>
          <span role="cell" class={`mono ${c.after !== undefined ? 'diff-new' : 'diff-none'}`}>
            {c.after ?? '—'}
          </span>
        </div>
      ))}
    </div>
  );
}
