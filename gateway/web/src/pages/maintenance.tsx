// `/maintenance`: planned windows during which monitors raise no alerts;
// `/maintenance/new` and `/maintenance/{id}/edit`: the form.

import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { Card, Confirm, Empty, ErrorBox, Field, Loaded, PageHeader, Spinner } from '../components/ui';
import { dateTime, formatInterval, parseDuration, toDuration } from '../format';
import { focusFirstError, formErrors } from '../forms';
import { act, useAsync, useNow, useStore, useTitle } from '../hooks';
import { navigate } from '../router';
import { store } from '../store';
import type { MaintenanceWindow, Weekday } from '../types';

const DAYS: Weekday[] = ['WEEKDAY_MONDAY', 'WEEKDAY_TUESDAY', 'WEEKDAY_WEDNESDAY', 'WEEKDAY_THURSDAY', 'WEEKDAY_FRIDAY', 'WEEKDAY_SATURDAY', 'WEEKDAY_SUNDAY'];
const dayShort = (d: Weekday) => d.charAt(8) + d.slice(9, 11).toLowerCase();

function describe(w: MaintenanceWindow): string {
  const r = w.recurrence;
  if (!r) return `${dateTime(w.startTime)} → ${dateTime(w.endTime)}`;
  const days = r.days?.length ? r.days.map(dayShort).join(', ') : 'Every day';
  return `${days} at ${r.startTimeOfDay} (${r.timeZone || 'UTC'}) for ${formatInterval(parseDuration(r.duration))}`;
}

export function MaintenancePage() {
  useTitle('Maintenance');
  const s = useStore();
  useNow(30_000);
  const q = useAsync(() => api.listWindows(), []);
  const [confirm, setConfirm] = useState<MaintenanceWindow | null>(null);
  const remove = async (w: MaintenanceWindow) => {
    if (await act(() => api.deleteWindow(w.id!), `Ended ${w.name}`)) q.reload();
  };
  return (
    <>
      <PageHeader title="Maintenance windows" subtitle="Monitors in a window are still checked, but raise no alerts.">
        {s.canWrite && (
          <a class="btn btn-primary" href="/maintenance/new">
            <span aria-hidden="true">+</span> New window
          </a>
        )}
      </PageHeader>
      {confirm && (
        <Confirm title={`Delete ${confirm.name}?`} body="The window ends at once; its monitors alert again." confirm="Delete window" danger onConfirm={() => void remove(confirm)} onClose={() => setConfirm(null)} />
      )}
      <Loaded
        q={q}
        label="Loading windows"
        isEmpty={(windows) => windows.length === 0}
        empty={
          <Empty title="No maintenance planned">
            <p>Plan a window before a deploy or an upgrade to keep alerts quiet.</p>
          </Empty>
        }
      >
        {(windows) => (
        <Card>
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Window</th>
                  <th scope="col">When</th>
                  <th scope="col">Covers</th>
                  <th scope="col">Next</th>
                  {s.canWrite && <th scope="col"><span class="sr-only">Actions</span></th>}
                </tr>
              </thead>
              <tbody>
                {windows.map((w) => (
                  <tr key={w.id}>
                    <td>
                      <strong>{w.name}</strong> {w.active && <span class="badge badge-maintenance badge-small">In effect</span>}
                      {w.description && <div class="muted small">{w.description}</div>}
                    </td>
                    <td class="wrap">{describe(w)}</td>
                    <td class="wrap">
                      {[w.monitorIds?.length ? `${w.monitorIds.length} monitor${w.monitorIds.length > 1 ? 's' : ''}` : '', w.labelSelector ? `labels ${w.labelSelector}` : ''].filter(Boolean).join(' + ') || '—'}
                    </td>
                    <td>{w.nextOccurrence ? `${dateTime(w.nextOccurrence.startTime)} → ${dateTime(w.nextOccurrence.endTime)}` : <span class="muted">over</span>}</td>
                    {s.canWrite && (
                      <td class="actions">
                        <a class="btn btn-small" href={`/maintenance/${encodeURIComponent(w.id ?? '')}/edit`}>
                          Edit
                        </a>
                        <button type="button" class="btn btn-small btn-danger-outline" onClick={() => setConfirm(w)}>
                          Delete
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
        )}
      </Loaded>
    </>
  );
}

// datetime-local value <-> RFC 3339 (local time of the browser).
function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (isNaN(d.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
function fromLocalInput(v: string): string | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  return isNaN(d.getTime()) ? undefined : d.toISOString();
}

const KEYS = ['name', 'description', 'monitor_ids', 'label_selector', 'start_time', 'end_time', 'recurrence', 'recurrence.days', 'recurrence.start_time_of_day', 'recurrence.duration', 'recurrence.time_zone'];

export function MaintenanceForm({ id }: { id?: string }) {
  const editing = !!id;
  useTitle(editing ? 'Edit maintenance window' : 'New maintenance window');
  const s = useStore();
  const existing = useAsync(() => (id ? api.getWindow(id) : Promise.resolve(null)), [id]);
  const [w, setW] = useState({
    name: '',
    description: '',
    selector: '',
    monitorIds: '',
    recurring: false,
    start: toLocalInput(new Date(Date.now() + 3600e3).toISOString()),
    end: toLocalInput(new Date(Date.now() + 2 * 3600e3).toISOString()),
    days: [] as Weekday[],
    timeOfDay: '02:00',
    duration: '1h',
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    const x = existing.data;
    if (!x) return;
    setW({
      name: x.name ?? '',
      description: x.description ?? '',
      selector: x.labelSelector ?? '',
      monitorIds: (x.monitorIds ?? []).join(', '),
      recurring: !!x.recurrence,
      start: toLocalInput(x.startTime),
      end: toLocalInput(x.endTime),
      days: x.recurrence?.days ?? [],
      timeOfDay: x.recurrence?.startTimeOfDay ?? '02:00',
      duration: x.recurrence ? formatInterval(parseDuration(x.recurrence.duration)) : '1h',
      timeZone: x.recurrence?.timeZone || 'UTC',
    });
  }, [existing.data]);

  if (s.caller && !s.canWrite) return <ErrorBox error="You can read maintenance windows but not change them: that needs the editor role." />;
  if (existing.error) return <ErrorBox error={existing.error} onRetry={existing.reload} />;
  if (editing && existing.loading) return <Spinner label="Loading window" />;
  const set = (patch: Partial<typeof w>) => setW({ ...w, ...patch });

  const submit = async (e: Event) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!w.name.trim()) local.name = 'Give the window a name';
    const body: MaintenanceWindow = {
      name: w.name.trim(),
      description: w.description,
      labelSelector: w.selector.trim(),
      // Names are accepted too: they are turned into ids here.
      monitorIds: w.monitorIds
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
        .map((x) => Array.from(s.rows.values()).find((r) => r.monitor?.name === x)?.id ?? x),
    };
    const start = fromLocalInput(w.start);
    const end = fromLocalInput(w.end);
    if (start) body.startTime = start;
    if (end) body.endTime = end;
    if (w.recurring) {
      const d = toDuration(w.duration);
      if (!d) local['recurrence.duration'] = 'Use a duration like 30m or 2h';
      body.recurrence = { days: w.days, startTimeOfDay: w.timeOfDay, duration: d ?? '', timeZone: w.timeZone };
    }
    setFormError(null);
    setErrors(local);
    if (Object.keys(local).length) return focusFirstError();
    setSaving(true);
    try {
      if (editing) await api.updateWindow(id!, { ...body, id }, ['name', 'description', 'label_selector', 'monitor_ids', 'start_time', 'end_time', 'recurrence']);
      else await api.createWindow(body);
      store.notify(editing ? 'Window saved' : `Planned ${body.name}`);
      navigate('/maintenance');
    } catch (ex) {
      const { fields, form } = formErrors(ex, 'window', KEYS);
      if (fields.recurrence) (fields['recurrence.start_time_of_day'] = fields.recurrence), delete fields.recurrence;
      setErrors(fields);
      setFormError(form);
      focusFirstError();
    } finally {
      setSaving(false);
    }
  };

  const input = (key: string, label: string, value: string, onInput: (v: string) => void, opts: { type?: 'text' | 'time' | 'datetime-local'; placeholder?: string; hint?: string; wide?: boolean } = {}) => (
    <Field id={`w-${key.replace(/\./g, '-')}`} label={label} error={errors[key]} {...(opts.hint ? { hint: opts.hint } : {})} wide={!!opts.wide}>
      {(fid, d) => (
        <input id={fid} type={(opts.type ?? 'text') as 'text'} value={value} placeholder={opts.placeholder} aria-invalid={!!errors[key]} aria-describedby={d} onInput={(e) => onInput(e.currentTarget.value)} />
      )}
    </Field>
  );

  return (
    <>
      <nav class="breadcrumb" aria-label="Breadcrumb">
        <a href="/maintenance">Maintenance</a> <span aria-hidden="true">/</span> <span aria-current="page">{editing ? existing.data?.name : 'New window'}</span>
      </nav>
      <PageHeader title={editing ? 'Edit maintenance window' : 'New maintenance window'} />
      <form class="form" onSubmit={(e) => void submit(e)} noValidate aria-label="Maintenance window">
        {formError && <ErrorBox error={formError} />}
        <Card title="What">
          <div class="fields">
            {input('name', 'Name', w.name, (v) => set({ name: v }), { placeholder: 'Database upgrade', wide: true })}
            {input('description', 'Description', w.description, (v) => set({ description: v }), { placeholder: 'optional', wide: true })}
            {input('label_selector', 'Monitors with labels', w.selector, (v) => set({ selector: v }), { placeholder: 'env=prod,team=db' })}
            {input('monitor_ids', 'And these monitors', w.monitorIds, (v) => set({ monitorIds: v }), { placeholder: 'names or ids, comma-separated' })}
          </div>
        </Card>
        <Card title="When">
          <div class="segmented" role="radiogroup" aria-label="Kind of window">
            <button type="button" role="radio" aria-checked={!w.recurring} class={!w.recurring ? 'active' : ''} onClick={() => set({ recurring: false })}>
              Once
            </button>
            <button type="button" role="radio" aria-checked={w.recurring} class={w.recurring ? 'active' : ''} onClick={() => set({ recurring: true })}>
              Recurring
            </button>
          </div>
          <div class="fields">
            {!w.recurring ? (
              <>
                {input('start_time', 'Starts', w.start, (v) => set({ start: v }), { type: 'datetime-local' })}
                {input('end_time', 'Ends', w.end, (v) => set({ end: v }), { type: 'datetime-local' })}
              </>
            ) : (
              <>
                <fieldset class="field field-wide">
                  <legend>Days</legend>
                  <div class="days">
                    {DAYS.map((d) => (
                      <label class="check" key={d}>
                        <input type="checkbox" checked={w.days.includes(d)} onChange={(e) => set({ days: e.currentTarget.checked ? [...w.days, d] : w.days.filter((x) => x !== d) })} /> {dayShort(d)}
                      </label>
                    ))}
                  </div>
                  <p class="hint">None selected: every day.</p>
                </fieldset>
                {input('recurrence.start_time_of_day', 'At (local time)', w.timeOfDay, (v) => set({ timeOfDay: v }), { type: 'time' })}
                {input('recurrence.duration', 'For', w.duration, (v) => set({ duration: v }), { placeholder: '2h' })}
                {input('recurrence.time_zone', 'Time zone', w.timeZone, (v) => set({ timeZone: v }), { placeholder: 'Europe/Berlin' })}
              </>
            )}
          </div>
        </Card>
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={saving}>
            {saving ? 'Saving…' : editing ? 'Save changes' : 'Plan window'}
          </button>
          <a class="btn" href="/maintenance">
            Cancel
          </a>
        </div>
      </form>
    </>
  );
}
