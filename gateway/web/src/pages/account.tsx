// `/account`: who you are, your password, your second factor (TOTP,
// account-totp.tsx) and your API keys (account-keys.tsx: created with a name,
// role and expiry; the key itself shown once).

import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { Card, ErrorBox, Field, PageHeader, Spinner } from '../components/ui';
import { ago, dateTime } from '../format';
import { useAsync, useStore, useTitle } from '../hooks';
import { roleName } from '../layout';
import { store } from '../store';
import { KeysCard } from './account-keys';
import { TotpCard } from './account-totp';

// The users page imports these from here.
export { KeysTable } from './account-keys';
export { groupSecret } from './account-totp';
export { RoleOptions, ROLES } from './role-options';

const KIND: Record<string, string> = {
  CREDENTIAL_KIND_SESSION: 'Password (browser session)',
  CREDENTIAL_KIND_API_KEY: 'API key',
  CREDENTIAL_KIND_STATIC_TOKEN: 'Static token',
};

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
