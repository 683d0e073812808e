// Sign-in with an API token. The token stays in session storage (gone when
// the tab closes), never in a URL.

import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import { useTitle } from '../hooks';
import { navigate } from '../router';
import { store } from '../store';
import { Logo } from '../layout';

export function SignIn() {
  useTitle('Sign in');
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
      const next = new URLSearchParams(location.search).get('next');
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', true);
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
    <main class="signin">
      <form class="signin-card" onSubmit={(e) => void submit(e)} noValidate>
        <div class="signin-brand">
          <Logo />
          <span>Uptime Monitor</span>
        </div>
        <h1>Sign in</h1>
        <p class="muted">Use an API token. A read token gives a read-only view.</p>
        <div class={`field ${error ? 'field-invalid' : ''}`}>
          <label for="token">API token</label>
          <input
            id="token"
            name="token"
            type="password"
            autoComplete="current-password"
            value={token}
            aria-invalid={!!error}
            aria-describedby={error ? 'token-error' : undefined}
            onInput={(e) => setToken(e.currentTarget.value)}
            autoFocus
          />
          {error && (
            <p class="field-error" id="token-error" role="alert">
              {error}
            </p>
          )}
        </div>
        <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p class="hint">The token is kept only for this browser tab.</p>
      </form>
    </main>
  );
}
