// `/channels`: where alerts go, with "send test"; `/channels/new` and
// `/channels/{id}/edit`: the form.

import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { Card, Confirm, Empty, ErrorBox, Field, Loaded, PageHeader, Spinner } from '../components/ui';
import { focusFirstError, formErrors } from '../forms';
import { act, useAsync, useStore, useTitle } from '../hooks';
import { navigate } from '../router';
import { store } from '../store';
import type { Channel } from '../types';

interface ConfigField { key: string; label: string; placeholder?: string; secret?: boolean; required?: boolean }
const TYPES: Record<string, { label: string; fields: ConfigField[] }> = {
  slack: {
    label: 'Slack',
    fields: [
      { key: 'webhook_url', label: 'Incoming webhook URL', placeholder: 'https://hooks.slack.com/services/…', secret: true, required: true },
      { key: 'channel', label: 'Channel', placeholder: '#on-call (optional)' },
      { key: 'username', label: 'Bot name', placeholder: 'optional' },
    ],
  },
  webhook: {
    label: 'Webhook',
    fields: [
      { key: 'url', label: 'URL', placeholder: 'https://example.com/hooks/uptime', required: true },
      { key: 'secret', label: 'Signing secret (HMAC-SHA256)', secret: true },
    ],
  },
  pagerduty: {
    label: 'PagerDuty',
    fields: [
      { key: 'routing_key', label: 'Routing key', secret: true, required: true },
      { key: 'severity', label: 'Severity', placeholder: 'critical' },
    ],
  },
  email: {
    label: 'Email',
    fields: [
      { key: 'url', label: 'SMTP server', placeholder: 'smtps://smtp.example.com:465', required: true },
      { key: 'from', label: 'From', placeholder: 'uptime@example.com', required: true },
      { key: 'to', label: 'To', placeholder: 'oncall@example.com, ops@example.com', required: true },
      { key: 'username', label: 'Username' },
      { key: 'password', label: 'Password', secret: true },
      { key: 'starttls', label: 'STARTTLS', placeholder: 'required, try or off' },
    ],
  },
};

export function ChannelsPage() {
  useTitle('Channels');
  const s = useStore();
  const q = useAsync(() => api.listChannels(), []);
  const [confirm, setConfirm] = useState<Channel | null>(null);
  const [testing, setTesting] = useState<string | null>(null);

  const test = async (c: Channel) => {
    setTesting(c.id ?? null);
    try {
      const r = await api.testChannel(c.id!);
      if (r.delivered) store.notify(`Test message sent to ${c.name}`);
      else store.notify(`Test to ${c.name} failed: ${r.error || 'not delivered'}`, 'error');
    } catch (e) {
      store.notify((e as Error).message, 'error');
    } finally {
      setTesting(null);
    }
  };
  const remove = async (c: Channel) => {
    if (await act(() => api.deleteChannel(c.id!), `Deleted ${c.name}`)) q.reload();
  };

  return (
    <>
      <PageHeader title="Alert channels" subtitle="Where alerts go when a monitor goes down and recovers.">
        {s.isAdmin && (
          <a class="btn btn-primary" href="/channels/new">
            <span aria-hidden="true">+</span> New channel
          </a>
        )}
      </PageHeader>
      {confirm && (
        <Confirm
          title={`Delete ${confirm.name}?`}
          body="Monitors that alert through this channel must be changed first."
          confirm="Delete channel"
          danger
          onConfirm={() => void remove(confirm)}
          onClose={() => setConfirm(null)}
        />
      )}
      <Loaded
        q={q}
        label="Loading channels"
        isEmpty={(channels) => channels.length === 0}
        empty={
          <Empty title="No channels yet">
            <p>Add Slack, a webhook, PagerDuty or email to hear about outages.</p>
          </Empty>
        }
      >
        {(channels) => (
        <Card>
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Type</th>
                  <th scope="col">Settings</th>
                  {s.isAdmin && <th scope="col"><span class="sr-only">Actions</span></th>}
                </tr>
              </thead>
              <tbody>
                {channels.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <strong>{c.name}</strong>
                    </td>
                    <td>
                      <span class="type-tag">{TYPES[c.type ?? '']?.label ?? c.type}</span>
                    </td>
                    <td class="wrap mono small">
                      {Object.entries(c.config ?? {})
                        .map(([k, v]) => `${k}: ${v}`)
                        .join(' · ')}
                    </td>
                    {s.isAdmin && (
                      <td class="actions">
                        <button type="button" class="btn btn-small" disabled={testing === c.id} onClick={() => void test(c)}>
                          {testing === c.id ? 'Sending…' : 'Send test'}
                        </button>
                        <a class="btn btn-small" href={`/channels/${encodeURIComponent(c.id ?? '')}/edit`}>
                          Edit
                        </a>
                        <button type="button" class="btn btn-small btn-danger-outline" onClick={() => setConfirm(c)}>
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

export function ChannelForm({ id }: { id?: string }) {
  const editing = !!id;
  useTitle(editing ? 'Edit channel' : 'New channel');
  // Re-renders when the caller's role is known.
  useStore();
  const existing = useAsync(() => (id ? api.getChannel(id) : Promise.resolve(null)), [id]);
  const [name, setName] = useState('');
  const [type, setType] = useState('slack');
  const [config, setConfig] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    const c = existing.data;
    if (c) {
      setName(c.name ?? '');
      setType(c.type ?? 'slack');
      // Redacted secrets ("****abcd") are left out: empty means "unchanged".
      setConfig(Object.fromEntries(Object.entries(c.config ?? {}).filter(([, v]) => !v.startsWith('****'))));
    }
  }, [existing.data]);

  if (store.caller && !store.isAdmin) return <ErrorBox error="Only admins can change alert channels." />;
  if (existing.error) return <ErrorBox error={existing.error} onRetry={existing.reload} />;
  if (editing && existing.loading) return <Spinner label="Loading channel" />;
  const spec = TYPES[type] ?? { label: type, fields: [] };

  const submit = async (e: Event) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!name.trim()) local.name = 'Give the channel a name';
    setFormError(null);
    setErrors(local);
    if (Object.keys(local).length) return focusFirstError();
    const cfg = Object.fromEntries(Object.entries(config).filter(([, v]) => v.trim() !== ''));
    const ch: Channel = { name: name.trim(), type, config: cfg };
    setSaving(true);
    try {
      if (editing) {
        // Keep redacted secrets the user did not retype.
        const merged = { ...Object.fromEntries(Object.entries(existing.data?.config ?? {})), ...cfg };
        await api.updateChannel(id!, { ...ch, id, config: merged }, ['name', 'type', 'config']);
      } else await api.createChannel(ch);
      store.notify(editing ? 'Channel saved' : `Created ${ch.name}`);
      navigate('/channels');
    } catch (ex) {
      const keys = ['name', 'type', 'config', ...spec.fields.map((f) => `config.${f.key}`)];
      const { fields, form } = formErrors(ex, 'channel', keys);
      setErrors(fields);
      setFormError(form);
      focusFirstError();
    } finally {
      setSaving(false);
    }
  };

  return (
    <>
      <nav class="breadcrumb" aria-label="Breadcrumb">
        <a href="/channels">Channels</a> <span aria-hidden="true">/</span> <span aria-current="page">{editing ? existing.data?.name : 'New channel'}</span>
      </nav>
      <PageHeader title={editing ? 'Edit channel' : 'New channel'} />
      <form class="form" onSubmit={(e) => void submit(e)} noValidate aria-label={editing ? 'Edit channel' : 'New channel'}>
        {formError && <ErrorBox error={formError} />}
        <Card>
          <div class="fields">
            <Field id="c-name" label="Name" error={errors.name}>
              {(fid, d) => <input id={fid} value={name} aria-invalid={!!errors.name} aria-describedby={d} onInput={(e) => setName(e.currentTarget.value)} placeholder="#on-call" />}
            </Field>
            <Field id="c-type" label="Type" error={errors.type}>
              {(fid, d) => (
                <select id={fid} value={type} aria-describedby={d} onChange={(e) => setType(e.currentTarget.value)}>
                  {Object.entries(TYPES).map(([k, t]) => (
                    <option key={k} value={k}>
                      {t.label}
                    </option>
                  ))}
                  {!TYPES[type] && <option value={type}>{type}</option>}
                </select>
              )}
            </Field>
            {spec.fields.map((f) => {
              const key = `config.${f.key}`;
              const redacted = editing && existing.data?.config?.[f.key]?.startsWith('****');
              return (
                <Field key={key} id={`c-${f.key}`} label={f.label + (f.required ? '' : ' (optional)')} error={errors[key] ?? (errors.config && f.required ? errors.config : undefined)} {...(redacted ? { hint: `Saved (${existing.data?.config?.[f.key]}); leave empty to keep it` } : {})} wide={f.key.includes('url')}>
                  {(fid, d) => (
                    <input
                      id={fid}
                      type={(f.secret ? 'password' : 'text') as 'text'}
                      class="mono"
                      autoComplete="off"
                      value={config[f.key] ?? ''}
                      placeholder={f.placeholder}
                      aria-invalid={!!errors[key]}
                      aria-describedby={d}
                      onInput={(e) => setConfig({ ...config, [f.key]: e.currentTarget.value })}
                    />
                  )}
                </Field>
              );
            })}
          </div>
        </Card>
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={saving}>
            {saving ? 'Saving…' : editing ? 'Save changes' : 'Create channel'}
          </button>
          <a class="btn" href="/channels">
            Cancel
          </a>
        </div>
      </form>
    </>
  );
}
