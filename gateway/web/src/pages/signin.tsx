// Sign-in: a username and password (and a TOTP code when the account has a
// second factor) start a cookie session; "Sign in with an API token" keeps
// the token flow, the token staying in session storage (gone when the tab
// closes), never in a URL.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { Field } from '../components/ui';
import { humanDuration } from '../format';
import { useTitle } from '../hooks';
import { navigate } from '../router';
import { store } from '../store';
import { Logo } from '../layout';

// After signing in: the page the person was sent here from (`?next=`, a
// path on this site only), else the overview.
export function goNext(): void {
  const next = new URLSearchParams(location.search).get('next');
  navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', true);
}

export function SignIn() {
  useTitle('Sign in');
  const [mode, setMode] = useState<'password' | 'token'>('password');
  return (
    <main class="signin">
      <div class="signin-card">
        <div class="signin-brand">
          <Logo />
          <span>Uptime Monitor</span>
        </div>
        {mode === 'password' ? <PasswordForm /> : <TokenForm />}
        <div class="signin-alt">
          <span>or</span>
        </div>
        <button type="button" class="btn btn-block" onClick={() => setMode(mode === 'password' ? 'token' : 'password')}>
          {mode === 'password' ? 'Sign in with an API token' : 'Sign in with a username and password'}
        </button>
      </div>
    </main>
  );
}

function PasswordForm() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needTotp, setNeedTotp] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  // Throttled until this time (ms since the epoch); the button waits too.
  const [until, setUntil] = useState(0);
  const [now, setNow] = useState(Date.now());
  const [busy, setBusy] = useState(false);
  const totpRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (until <= now) return;
    const t = setTimeout(() => setNow(Date.now()), 1000);
    return () => clearTimeout(t);
  }, [until, now]);
  useEffect(() => {
    if (needTotp) totpRef.current?.focus();
  }, [needTotp]);
  const wait = Math.max(0, Math.ceil((until - now) / 1000));

  const submit = async (e: Event) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!username.trim()) errs.username = 'Enter your username';
    if (!password) errs.password = 'Enter your password';
    if (needTotp && !/^\d{6}$/.test(totp.trim())) errs.totp = 'Enter the 6-digit code from your authenticator app';
    setErrors(errs);
    setFormError(null);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      await store.login(username.trim(), password, needTotp ? totp.trim() : '');
      goNext();
    } catch (ex) {
      const err = ex instanceof ApiError ? ex : null;
      if (err && /totp_code/.test(err.message) && err.status !== 401 && err.status !== 429) {
        if (needTotp) setErrors({ totp: 'That code was not accepted. Try the current one.' });
        setNeedTotp(true);
      } else if (err?.status === 429) {
        const secs = err.retryAfter ?? 60;
        setUntil(Date.now() + secs * 1000);
        setNow(Date.now());
        setFormError(null);
      } else if (err?.status === 401) {
        setFormError('Wrong username or password.');
        setPassword('');
        setTotp('');
      } else {
        setFormError((ex as Error).message);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="signin-form" onSubmit={(e) => void submit(e)} noValidate>
      <h1>Sign in</h1>
      {wait > 0 ? (
        <div class="alert alert-error" role="alert">
          <span>
            Too many failed sign-ins. Try again in <strong>{humanDuration(wait)}</strong>.
          </span>
        </div>
      ) : (
        formError && (
          <div class="alert alert-error" role="alert">
            <span>{formError}</span>
          </div>
        )
      )}
      <Field id="username" label="Username" error={errors.username}>
        {(id, d) => (
          <input
            id={id}
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellcheck={false}
            value={username}
            aria-invalid={!!errors.username}
            aria-describedby={d}
            onInput={(e) => setUsername(e.currentTarget.value)}
            autoFocus
          />
        )}
      </Field>
      <Field id="password" label="Password" error={errors.password}>
        {(id, d) => (
          <input
            id={id}
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            aria-invalid={!!errors.password}
            aria-describedby={d}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        )}
      </Field>
      {needTotp && (
        <Field id="totp" label="Authentication code" error={errors.totp} hint="The 6-digit code from your authenticator app.">
          {(id, d) => (
            <input
              id={id}
              ref={totpRef}
              name="totp"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              value={totp}
              aria-invalid={!!errors.totp}
              aria-describedby={d}
              onInput={(e) => setTotp(e.currentTarget.value)}
            />
          )}
        </Field>
      )}
      <button type="submit" class="btn btn-primary btn-block" disabled={busy || wait > 0}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}

function TokenForm() {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!token.trim()) {
      setError('Enter your API token');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await store.signIn(token.trim());
      goNext();
    } catch (ex) {
      setError(
        ex instanceof ApiError && (ex.status === 401 || ex.status === 403)
          ? 'This token was not accepted. Check it and try again.'
          : (ex as Error).message,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="signin-form" onSubmit={(e) => void submit(e)} noValidate>
      <h1>Sign in with a token</h1>
      <p class="muted">An API key (uk_…) or a token from the gateway's flags.</p>
      <Field id="token" label="API token" error={error} hint="Kept only for this browser tab.">
        {(id, d) => (
          <input
            id={id}
            name="token"
            type="password"
            autoComplete="off"
            value={token}
            aria-invalid={!!error}
            aria-describedby={d}
            onInput={(e) => setToken(e.currentTarget.value)}
            autoFocus
          />
        )}
      </Field>
      <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
