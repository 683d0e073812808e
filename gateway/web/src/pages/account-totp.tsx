// The account page's two-factor card: setting up TOTP (QR code, the secret
// to type by hand, a code to confirm) and turning it off with the password.

import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { QrCode } from '../components/qr';
import { Card, ErrorBox, Field } from '../components/ui';
import { store } from '../store';
import type { TotpEnrollment, User } from '../types';

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
export function TotpCard({ user, onChanged }: { user: User; onChanged: () => void }) {
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
