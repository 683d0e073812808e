// The app shell: navigation, theme toggle, connection state, toasts.

import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { useStore } from './hooks';
import { navigate } from './router';
import { store } from './store';
import type { Theme } from './store';

export function Logo() {
  return (
    <svg class="logo" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
      <rect width="32" height="32" rx="8" fill="var(--accent)" />
      <path d="M6 17h5l3-7 4 13 3-6h5" fill="none" stroke="#fff" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}

// `admin`: shown to admins only (the pages refuse others too).
const NAV = [
  { href: '/', label: 'Monitors' },
  { href: '/incidents', label: 'Incidents' },
  { href: '/maintenance', label: 'Maintenance' },
  { href: '/channels', label: 'Channels' },
  { href: '/agents', label: 'Agents' },
  { href: '/users', label: 'Users', admin: true },
  { href: '/audit', label: 'Audit log', admin: true },
];

const ROLE_NAME: Record<string, string> = { ROLE_VIEWER: 'Viewer', ROLE_EDITOR: 'Editor', ROLE_ADMIN: 'Admin' };
export function roleName(r: string | undefined): string {
  return ROLE_NAME[r ?? ''] ?? 'No access';
}

function signOut(): void {
  void store.logout();
  navigate('/signin', true);
}

const THEMES: { t: Theme; label: string }[] = [
  { t: 'light', label: 'Light' },
  { t: 'dark', label: 'Dark' },
  { t: 'system', label: 'System' },
];

export function Shell({ path, children }: { path: string; children: ComponentChildren }) {
  const s = useStore();
  const [menu, setMenu] = useState(false);
  const down = s.downCount();
  const active = (href: string) => (href === '/' ? path === '/' || path.startsWith('/monitors') : path.startsWith(href));
  const nextTheme = THEMES[(THEMES.findIndex((x) => x.t === s.theme) + 1) % THEMES.length]!;
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a href="/" class="brand" aria-label="Uptime Monitor home">
          <Logo />
          <span>Uptime</span>
        </a>
        <button type="button" class="menu-btn" aria-expanded={menu} aria-controls="nav" onClick={() => setMenu(!menu)}>
          <span class="sr-only">Menu</span>
          <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
            <path d="M4 7h16M4 12h16M4 17h16" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
          </svg>
        </button>
        <nav id="nav" class={`nav ${menu ? 'open' : ''}`} aria-label="Main" onClick={() => setMenu(false)}>
          {NAV.filter((n) => !n.admin || s.isAdmin).map((n) => (
            <a key={n.href} href={n.href} class={active(n.href) ? 'active' : ''} aria-current={active(n.href) ? 'page' : undefined}>
              {n.label}
              {n.href === '/' && down > 0 && (
                <span class="nav-count" aria-label={`${down} down`}>
                  {down}
                </span>
              )}
            </a>
          ))}
          <a href="/account" class={`nav-phone ${active('/account') ? 'active' : ''}`}>
            Account
          </a>
          <button type="button" class="nav-signout" onClick={signOut}>
            Sign out
          </button>
        </nav>
        <div class="topbar-end">
          {s.caller && !s.canWrite && <span class="pill" title="You can read but not change anything">Read-only</span>}
          <button type="button" class="icon-btn" onClick={() => s.setTheme(nextTheme.t)} aria-label={`Theme: ${s.theme}. Switch to ${nextTheme.label.toLowerCase()}`} title={`Theme: ${s.theme}`}>
            {s.theme === 'dark' ? (
              <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                <path d="M20 14.5A8 8 0 019.5 4 8 8 0 1020 14.5z" fill="currentColor" />
              </svg>
            ) : s.theme === 'light' ? (
              <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                <circle cx="12" cy="12" r="4.5" fill="currentColor" />
                <path d="M12 2v2.5M12 19.5V22M2 12h2.5M19.5 12H22M4.9 4.9l1.8 1.8M17.3 17.3l1.8 1.8M4.9 19.1l1.8-1.8M17.3 6.7l1.8-1.8" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
              </svg>
            ) : (
              <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                <circle cx="12" cy="12" r="8" fill="none" stroke="currentColor" stroke-width="2" />
                <path d="M12 4a8 8 0 010 16z" fill="currentColor" />
              </svg>
            )}
          </button>
          {s.caller && (
            <a href="/account" class={`user-chip ${active('/account') ? 'active' : ''}`} title={`${s.caller.name ?? ''} · ${roleName(s.caller.role)}`}>
              <span class="avatar" aria-hidden="true">
                {(s.caller.name ?? '?').charAt(0).toUpperCase()}
              </span>
              <span class="user-chip-text">
                <span class="user-chip-name">{s.caller.name}</span>
                <span class="user-chip-role">{roleName(s.caller.role)}</span>
              </span>
              <span class="sr-only">Account</span>
            </a>
          )}
          <button type="button" class="btn btn-small btn-ghost" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      {s.caller?.mustChangePassword && path !== '/account' && (
        <div class="banner" role="status">
          Your password was reset by an admin. <a href="/account#password">Choose a new password</a>
        </div>
      )}
      <main id="main" class="main" tabIndex={-1}>
        {children}
      </main>
      {s.toast && (
        <div class={`toast toast-${s.toast.kind}`} role={s.toast.kind === 'error' ? 'alert' : 'status'}>
          {s.toast.text}
        </div>
      )}
    </div>
  );
}
