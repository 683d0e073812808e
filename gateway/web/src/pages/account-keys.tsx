// The account page's API keys: the card listing your own keys, the table
// (also on the users page, with owners), and the dialog that creates a key
// and shows it once.

import { useState } from 'preact/hooks';
import { api } from '../api';
import { Card, Confirm, CopyField, ErrorBox, Field, Modal, Spinner } from '../components/ui';
import { ago, dateTime } from '../format';
import { act, useAsync, useStore } from '../hooks';
import { roleName } from '../layout';
import { roleRank } from '../store';
import type { ApiKey, Role } from '../types';
import { RoleOptions } from './role-options';

const EXPIRIES: [string, number][] = [
  ['Never', 0],
  ['In 30 days', 30],
  ['In 90 days', 90],
  ['In 1 year', 365],
];

// Your own keys, and the button that opens the new-key dialog.
export function KeysCard() {
  const s = useStore();
  const q = useAsync(() => api.listApiKeys(), []);
  const [creating, setCreating] = useState(false);
  return (
    <Card
      title="API keys"
      actions={
        <button type="button" class="btn btn-small btn-primary" onClick={() => setCreating(true)}>
          <span aria-hidden="true">+</span> New API key
        </button>
      }
    >
      <p class="muted card-lead">For scripts and CI: send as <code>Authorization: Bearer uk_…</code>. A key can do at most what your role allows.</p>
      {creating && <NewKeyDialog max={s.role} onClose={() => setCreating(false)} onCreated={q.reload} />}
      {q.error ? (
        <ErrorBox error={q.error} onRetry={q.reload} />
      ) : !q.data ? (
        <Spinner label="Loading keys" />
      ) : (
        <KeysTable keys={q.data.apiKeys ?? []} onRevoked={q.reload} empty="No API keys yet." />
      )}
    </Card>
  );
}

export function KeysTable({ keys, onRevoked, owner, empty }: { keys: ApiKey[]; onRevoked: () => void; owner?: boolean; empty: string }) {
  const [confirm, setConfirm] = useState<ApiKey | null>(null);
  if (!keys.length) return <p class="muted pad">{empty}</p>;
  const revoke = async (k: ApiKey) => {
    if (await act(() => api.revokeApiKey(k.id!), `Revoked ${k.name}`)) onRevoked();
  };
  const expired = (k: ApiKey) => !!k.expireTime && Date.parse(k.expireTime) < Date.now();
  return (
    <div class="table-wrap">
      {confirm && (
        <Confirm
          title={`Revoke ${confirm.name}?`}
          body="Anything using this key stops working within a second. This cannot be undone."
          confirm="Revoke key"
          danger
          onConfirm={() => void revoke(confirm)}
          onClose={() => setConfirm(null)}
        />
      )}
      <table class="table stack-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            {owner && <th scope="col">Owner</th>}
            <th scope="col">Role</th>
            <th scope="col" class="hide-phone">Created</th>
            <th scope="col">Last used</th>
            <th scope="col" class="hide-phone">Expires</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k.id}>
              <td>
                <strong>{k.name}</strong>
                <div class="muted small mono">{k.prefix ? `${k.prefix}…` : k.id}</div>
              </td>
              {owner && <td>{k.username}</td>}
              <td>
                <span class={`role-tag role-${(k.role ?? '').toLowerCase()}`}>{roleName(k.role)}</span>
              </td>
              <td class="hide-phone" title={dateTime(k.createTime)}>
                {ago(k.createTime)}
              </td>
              <td title={k.lastUsedTime ? dateTime(k.lastUsedTime) : undefined}>{k.lastUsedTime ? ago(k.lastUsedTime) : <span class="muted">Never</span>}</td>
              <td class="hide-phone">{k.expireTime ? <span class={expired(k) ? 'text-down' : ''}>{expired(k) ? 'Expired' : dateTime(k.expireTime)}</span> : <span class="muted">Never</span>}</td>
              <td class="actions">
                <button type="button" class="btn btn-small btn-danger-outline" aria-label={`Revoke ${k.name}`} onClick={() => setConfirm(k)}>
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// The form, then the key: shown once, with a copy button and a warning.
function NewKeyDialog({ max, onClose, onCreated }: { max: Role; onClose: () => void; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>(roleRank(max) >= roleRank('ROLE_EDITOR') ? 'ROLE_EDITOR' : 'ROLE_VIEWER');
  const [days, setDays] = useState(90);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState<string | null>(null);

  if (key) {
    return (
      <Modal title="Copy your new API key" onClose={onClose} class="dialog-wide">
        <div class="stack">
          <p class="alert alert-warn" role="alert">
            This is the only time the key is shown. Copy it now and keep it somewhere safe: it is stored only as a hash.
          </p>
          <CopyField id="new-key" label={`Key “${name}”`} value={key} />
          <div class="dialog-actions">
            <button type="button" class="btn btn-primary" onClick={onClose}>
              Done
            </button>
          </div>
        </div>
      </Modal>
    );
  }

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!name.trim()) {
      setError('Give the key a name, e.g. "ci deploy"');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const k: ApiKey = { name: name.trim(), role };
      if (days) k.expireTime = new Date(Date.now() + days * 86400e3).toISOString();
      const r = await api.createApiKey(k);
      setKey(r.key ?? '');
      onCreated();
    } catch (ex) {
      setError((ex as Error).message.replace(/^api_key\.name:\s*/, ''));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title="New API key" onClose={onClose} class="dialog-wide">
      <form class="stack" onSubmit={(e) => void submit(e)} noValidate>
        <Field id="key-name" label="Name" error={error} hint="What uses it, so you know what breaks when you revoke it.">
          {(id, d) => <input id={id} value={name} maxLength={100} placeholder="ci deploy" aria-invalid={!!error} aria-describedby={d} onInput={(e) => setName(e.currentTarget.value)} autoFocus />}
        </Field>
        <Field id="key-role" label="Role">
          {(id) => (
            <select id={id} value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
              <RoleOptions max={max} />
            </select>
          )}
        </Field>
        <Field id="key-expiry" label="Expires">
          {(id) => (
            <select id={id} value={String(days)} onChange={(e) => setDays(Number(e.currentTarget.value))}>
              {EXPIRIES.map(([label, d]) => (
                <option key={d} value={String(d)}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create key'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
