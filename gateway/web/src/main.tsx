// Entry point: theme, sign-in gate, routes.

import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import { setUnauthenticatedHandler } from './api';
import { Shell } from './layout';
import { AgentsPage } from './pages/agents';
import { ChannelForm, ChannelsPage } from './pages/channels';
import { IncidentsPage } from './pages/incidents';
import { MaintenanceForm, MaintenancePage } from './pages/maintenance';
import { MonitorPage } from './pages/monitor';
import { MonitorForm } from './pages/monitor-form';
import { Overview } from './pages/overview';
import { AccountPage } from './pages/account';
import { AuditPage } from './pages/audit';
import { UsersPage } from './pages/users';
import { SignIn, goNext } from './pages/signin';
import { match, navigate, onLinkClick, usePath } from './router';
import { applyTheme, store } from './store';
import { Empty } from './components/ui';
import { useStore } from './hooks';
import './styles/index.css';

applyTheme(store.theme);
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => applyTheme(store.theme));
document.addEventListener('click', onLinkClick);
setUnauthenticatedHandler(() => {
  // On the sign-in page a refused token is the form's business.
  if (location.pathname === '/signin') return;
  store.signOut();
  navigate(`/signin${location.pathname !== '/' ? `?next=${encodeURIComponent(location.pathname)}` : ''}`, true);
});

function route(path: string) {
  let p: Record<string, string> | null;
  if (match('/', path)) return <Overview />;
  if (match('/monitors/new', path)) return <MonitorForm />;
  if ((p = match('/monitors/:id/edit', path))) return <MonitorForm key={p.id} id={p.id!} />;
  if ((p = match('/monitors/:id', path))) return <MonitorPage key={p.id} id={p.id!} />;
  if (match('/incidents', path)) return <IncidentsPage />;
  if (match('/agents', path)) return <AgentsPage />;
  if (match('/account', path)) return <AccountPage />;
  if (match('/users', path)) return <UsersPage />;
  if (match('/audit', path)) return <AuditPage />;
  if (match('/maintenance', path)) return <MaintenancePage />;
  if (match('/maintenance/new', path)) return <MaintenanceForm />;
  if ((p = match('/maintenance/:id/edit', path))) return <MaintenanceForm key={p.id} id={p.id!} />;
  if (match('/channels', path)) return <ChannelsPage />;
  if (match('/channels/new', path)) return <ChannelForm />;
  if ((p = match('/channels/:id/edit', path))) return <ChannelForm key={p.id} id={p.id!} />;
  return (
    <Empty title="Page not found">
      <a class="btn" href="/">
        Go to monitors
      </a>
    </Empty>
  );
}

function App() {
  const path = usePath();
  const s = useStore();
  useEffect(() => {
    if (!s.authChecked) return;
    // Where we are now, not when this render ran: the sign-in form may have
    // navigated since (to ?next=), and an effect of an older render must not
    // send the person back to the overview.
    const here = location.pathname;
    if (!s.signedIn && here !== '/signin') navigate(`/signin${here !== '/' ? `?next=${encodeURIComponent(here)}` : ''}`, true);
    if (s.signedIn && here === '/signin') goNext();
  }, [path, s.signedIn, s.authChecked]);
  // A blank page for the one round trip that tells whether a session cookie
  // signs us in (no sign-in form flashing by).
  if (!s.authChecked) return null;
  if (!s.signedIn || path === '/signin') return <SignIn />;
  return <Shell path={path}>{route(path)}</Shell>;
}

void store.resume();
render(<App />, document.getElementById('app')!);
