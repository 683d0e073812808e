// `/account`: who you are, your password, your second factor (TOTP) and your
// API keys (created with a name, role and expiry; the key itself shown once).

import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { QrCode } from '../components/qr';
import { Card, Confirm, CopyField, ErrorBox, Field, Modal, PageHeader, Spinner } from '../components/ui';
import { ago, dateTime } from '../format';
import { act, useAsync, useStore, useTitle } from '../hooks';
import { roleName } from '../layout';
import { roleRank, store } from '../store';
import type { ApiKey, Role, TotpEnrollment, User } from '../types';

const KIND: Record<string, string> = {
  CREDENTIAL_KIND_SESSION: 'Password (browser session)',
  CREDENTIAL_KIND_API_KEY: 'API key',
  CREDENTIAL_KIND_STATIC_TOKEN: 'Static token',
};
export const ROLES: Role[] = ['ROLE_VIEWER', 'ROLE_EDITOR', 'ROLE_ADMIN'];
const ROLE_HELP: Record<string, string> = {
  ROLE_VIEWER: 'reads everything, changes nothing',
  ROLE_EDITOR: 'also monitors, maintenance windows and status pages',
  ROLE_ADMIN: 'everything, also channels, users, keys and the audit log',
};
export function RoleOptions({ max }: { max?: Role }) {
  return (
    <>
      {ROLES.filter((r) => !max || roleRank(r) <= roleRank(max)).map((r) => (
        <option key={r} value={r}>
          {roleName(r)} — {ROLE_HELP[r]}
        </option>
      ))}
    </>
  );
}

// The idle timeout, from when an idle session would end (just refreshed).
function idleFor(idleExpire: string): string {
  const min = Math.max(1, Math.round((Date.parse(idleExpire) - Date.now()) / 60000));
  return min % 60 ? `${min} min` : `${min / 60} h`;
}

export function AccountPage() {
  useTitle('Account');
  const s = useStore();
  const c = s.caller;
  const hasUser = !!c?.userId;
  const user = useAsync(() => (hasUser ? api.getUser('me') : Promise.resolve(null)), [hasUser]);
  if (!c) return <Spinner label="Loading account" />;
  const u = user.data;
  return (
    <>
      <PageHeader title="Account" subtitle={<span>Signed in as <strong>{c.name}</strong> · {roleName(c.role)}</span>} />
      {user.error && <ErrorBox error={user.error} onRetry={user.reload} />}
      <div class="grid-2 account-grid">
        <Card title="Profile">
          <dl class="props">
            <dt>Username</dt>
            <dd>{u?.username ?? c.name}</dd>
            {u?.displayName && (
              <>
                <dt>Name</dt>
                <dd>{u.displayName}</dd>
              </>
            )}
            <dt>Role</dt>
            <dd>
              <span class={`role-tag role-${(c.role ?? '').toLowerCase()}`}>{roleName(c.role)}</span>
            </dd>
            <dt>Signed in with</dt>
            <dd>{KIND[c.kind ?? ''] ?? 'Token'}</dd>
            {c.expireTime && (
              <>
                <dt>Session ends</dt>
                <dd>
                  {dateTime(c.expireTime)}
                  {c.idleExpireTime && <div class="muted small">Sooner after {idleFor(c.idleExpireTime)} without use</div>}
                </dd>
              </>
            )}
            {u && (
              <>
                <dt>Two-factor</dt>
                <dd>{u.totpEnabled ? <span class="text-up">On (authenticator app)</span> : 'Off'}</dd>
                <dt>Last sign-in</dt>
                <dd>{u.lastLoginTime ? <span title={dateTime(u.lastLoginTime)}>{ago(u.lastLoginTime)}</span> : '—'}</dd>
              </>
            )}
          </dl>
          {!hasUser && <p class="muted small pad">This is a token from the gateway's flags, not a user: it has no password or keys of its own.</p>}
        </Card>
        {hasUser && <PasswordCard />}
      </div>
      {u && <TotpCard user={u} onChanged={user.reload} />}
      {hasUser && <KeysCard />}
    </>
  );
}

function PasswordCard() {
  const s = useStore();
  const [cur, setCur] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!cur) errs.cur = 'Enter your current password';
    if (next.length < 12) errs.next = 'Use at least 12 characters';
    else if (next !== again) errs.again = 'The passwords differ';
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      await api.changePassword(cur, next);
      setCur('');
      setNext('');
      setAgain('');
      store.notify('Password changed. Your other sessions were signed out.');
      store.caller = { ...s.caller, mustChangePassword: false };
      store.changed();
    } catch (ex) {
      const msg = (ex as Error).message;
      if (ex instanceof ApiError && /^current_password/.test(msg)) setErrors({ cur: 'This is not your current password' });
      else if (ex instanceof ApiError && /^new_password/.test(msg)) setErrors({ next: msg.replace(/^new_password:\s*/, '') });
      else setErrors({ form: msg });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title="Change password">
      <form id="password" class="stack" onSubmit={(e) => void submit(e)} noValidate>
        {s.caller?.mustChangePassword && <p class="alert alert-warn">An admin reset your password: choose a new one.</p>}
        {errors.form && <ErrorBox error={errors.form} />}
        <Field id="cur-password" label="Current password" error={errors.cur}>
          {(id, d) => <input id={id} type="password" autoComplete="current-password" value={cur} aria-invalid={!!errors.cur} aria-describedby={d} onInput={(e) => setCur(e.currentTarget.value)} />}
        </Field>
        <Field id="new-password" label="New password" error={errors.next} hint="At least 12 characters.">
          {(id, d) => <input id={id} type="password" autoComplete="new-password" value={next} aria-invalid={!!errors.next} aria-describedby={d} onInput={(e) => setNext(e.currentTarget.value)} />}
        </Field>
        <Field id="again-password" label="New password, again" error={errors.again}>
          {(id, d) => <input id={id} type="password" autoComplete="new-password" value={again} aria-invalid={!!errors.again} aria-describedby={d} onInput={(e) => setAgain(e.currentTarget.value)} />}
        </Field>
        <div>
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? 'Changing…' : 'Change password'}
          </button>
        </div>
      </form>
    </Card>
  );
}

// "JBSWY3DPEHPK3PXP" -> "JBSW Y3DP EHPK 3PXP": easier to type by hand.
export function groupSecret(secret: string): string {
  return (secret.replace(/\s+/g, '').match(/.{1,4}/g) ?? []).join(' ');
}

// The secret for typing by hand; Copy copies it without the spaces, which
// some apps refuse.
function SecretField({ secret }: { secret: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      // No clipboard (no permission, or not a secure context): select the
      // text so that Ctrl+C works.
      const el = document.getElementById('totp-secret');
      if (el) window.getSelection()?.selectAllChildren(el);
    }
  };
  return (
    <div class="totp-secret">
      <code id="totp-secret" aria-label="Setup key">
        {groupSecret(secret)}
      </code>
      <button type="button" class="btn btn-small" aria-label="Copy setup key" onClick={() => void copy()}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}

// Two-factor sign-in: off (explain, "Set up"), setting up (QR code, the
// secret, a code to confirm), on ("Turn off" with the password). The code
// field is not focused on its own: on a phone the keyboard would cover the QR
// code and the key.
function TotpCard({ user, onChanged }: { user: User; onChanged: () => void }) {
  const [enrollment, setEnrollment] = useState<TotpEnrollment | null>(null);
  const [turningOff, setTurningOff] = useState(false);
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [expired, setExpired] = useState(false);
  const [busy, setBusy] = useState(false);

  const reset = () => {
    setEnrollment(null);
    setTurningOff(false);
    setCode('');
    setPassword('');
    setError(null);
    setExpired(false);
  };
  const begin = async () => {
    setBusy(true);
    setError(null);
    setExpired(false);
    setCode('');
    try {
      setEnrollment(await api.beginTotpEnrollment());
    } catch (ex) {
      setError((ex as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const confirm = async (e: Event) => {
    e.preventDefault();
    const digits = code.replace(/\s+/g, '');
    if (!/^\d{6}$/.test(digits)) {
      setError('Enter the 6 digits the app shows');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.confirmTotpEnrollment(digits);
      reset();
      store.notify('Two-factor sign-in is on. Signing in now also asks for a code from the app.');
      onChanged();
    } catch (ex) {
      if (ex instanceof ApiError && ex.status === 409) {
        setExpired(true);
        setError('This setup has expired (after 10 minutes). Start again: the app needs the new QR code.');
      } else if (ex instanceof ApiError && ex.status === 400) {
        setError('That code does not match. Enter the code the app shows now; if it keeps failing, check that the phone’s clock is right.');
      } else setError((ex as Error).message);
      setCode('');
    } finally {
      setBusy(false);
    }
  };
  const turnOff = async (e: Event) => {
    e.preventDefault();
    if (!password) {
      setError('Enter your password');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.disableTotp('me', password);
      reset();
      store.notify('Two-factor sign-in is off.');
      onChanged();
    } catch (ex) {
      setError(ex instanceof ApiError && ex.status === 400 && /^password/.test(ex.message) ? 'This is not your password' : (ex as Error).message);
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  let body;
  if (user.totpEnabled) {
    body = (
      <div class="stack totp-body">
        <p class="totp-status">
          <span class="badge badge-up badge-flat">On</span> Signing in asks for your password and a 6-digit code from your authenticator app.
        </p>
        {!turningOff ? (
          <div>
            <button type="button" class="btn btn-danger-outline" onClick={() => setTurningOff(true)}>
              Turn off
            </button>
          </div>
        ) : (
          <form class="stack totp-form" onSubmit={(e) => void turnOff(e)} noValidate>
            <Field id="totp-off-password" label="Your password" error={error} hint="Without the second factor, your password alone signs you in.">
              {(id, d) => <input id={id} type="password" autoComplete="current-password" value={password} aria-invalid={!!error} aria-describedby={d} onInput={(e) => setPassword(e.currentTarget.value)} autoFocus />}
            </Field>
            <div class="row-actions">
              <button type="button" class="btn" onClick={reset}>
                Cancel
              </button>
              <button type="submit" class="btn btn-danger" disabled={busy}>
                {busy ? 'Turning off…' : 'Turn off two-factor'}
              </button>
            </div>
          </form>
        )}
      </div>
    );
  } else if (!enrollment) {
    body = (
      <div class="stack totp-body">
        <p class="totp-status">
          <span class="badge badge-paused badge-flat">Off</span> Your password alone signs you in.
        </p>
        <p class="muted">
          With two-factor sign-in, signing in also asks for a 6-digit code from an authenticator app on your phone (Google Authenticator, Microsoft Authenticator, 1Password, Aegis, …), so a leaked password is not enough. API keys are not affected.
        </p>
        {error && <ErrorBox error={error} />}
        <div>
          <button type="button" class="btn btn-primary" disabled={busy} onClick={() => void begin()}>
            {busy ? 'Starting…' : 'Set up'}
          </button>
        </div>
      </div>
    );
  } else {
    body = (
      <div class="totp-setup">
        <div class="totp-qr">
          <QrCode text={enrollment.otpauthUrl ?? ''} label="QR code to scan with your authenticator app" />
        </div>
        <div class="stack">
          <ol class="totp-steps">
            <li>
              <strong>Scan the QR code</strong> with your authenticator app.
              <div class="muted small">Can’t scan it? Add an account by hand with this key (time-based):</div>
              <SecretField secret={enrollment.secret ?? ''} />
              <a class="totp-open-app" href={enrollment.otpauthUrl ?? ''}>
                Open in an authenticator app on this phone
              </a>
            </li>
            <li>
              <strong>Enter the code</strong> the app now shows for Uptime Monitor.
            </li>
          </ol>
          <form class="stack totp-form" onSubmit={(e) => void confirm(e)} noValidate>
            <Field id="totp-code" label="6-digit code" error={error}>
              {(id, d) => (
                <input
                  id={id}
                  class="mono totp-code"
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  pattern="[0-9]*"
                  maxLength={7}
                  value={code}
                  aria-invalid={!!error}
                  aria-describedby={d}
                  onInput={(e) => setCode(e.currentTarget.value.replace(/[^\d ]/g, ''))}
                />
              )}
            </Field>
            <div class="row-actions">
              <button type="button" class="btn" onClick={reset}>
                Cancel
              </button>
              {expired ? (
                <button type="button" class="btn btn-primary" disabled={busy} onClick={() => void begin()}>
                  Start again
                </button>
              ) : (
                <button type="submit" class="btn btn-primary" disabled={busy}>
                  {busy ? 'Checking…' : 'Confirm'}
                </button>
              )}
            </div>
          </form>
        </div>
      </div>
    );
  }
  return <Card title="Two-factor sign-in">{body}</Card>;
}

const EXPIRIES: [string, number][] = [
  ['Never', 0],
  ['In 30 days', 30],
  ['In 90 days', 90],
  ['In 1 year', 365],
];

function KeysCard() {
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
