// The status page's sections: header, overall banner, announcement, active
// incidents, maintenance, groups of monitors, past incidents, footer.

import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { UptimeBars } from './bars';
import {
  allMonitors,
  dateTimeText,
  incidentDuration,
  OVERALL_TEXT,
  padDays,
  rangeText,
  reconcileIncidents,
  safeUrl,
  relativeText,
  sortMaintenance,
  splitIncidents,
  STATE_TEXT,
} from './logic';
import type { Overall, PublicGroup, PublicIncident, PublicMaintenance, PublicMonitor, PublicState, PublicStatusPage } from './types';

const ICON_PATHS: Record<Overall | 'info' | 'warning' | 'critical', string> = {
  operational: 'M5 12.5l4.5 4.5L19 7.5',
  degraded: 'M12 7v6M12 16.5v.5',
  outage: 'M7.5 7.5l9 9M16.5 7.5l-9 9',
  maintenance: 'M14.7 6.3a4 4 0 0 0-5.4 5.2L4.5 16.3l3.2 3.2 4.8-4.8a4 4 0 0 0 5.2-5.4l-2.4 2.4-2.3-.3-.3-2.3z',
  info: 'M12 11v6M12 7.5v.5',
  warning: 'M12 8v5M12 16.5v.5',
  critical: 'M12 7v6M12 16.5v.5',
};

function Icon({ name }: { name: keyof typeof ICON_PATHS }) {
  return (
    <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d={ICON_PATHS[name]} fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}

function Pill({ state }: { state: PublicState }) {
  return (
    <span class={`pill pill-${state}`}>
      <span class="dot" aria-hidden="true" />
      {STATE_TEXT[state]}
    </span>
  );
}

function Header({ page }: { page: PublicStatusPage }) {
  const [logoOk, setLogoOk] = useState(true);
  const home = safeUrl(page.homepageUrl);
  const src = safeUrl(page.logoUrl);
  // A logo that fails to load (or that a Content-Security-Policy blocks) is left out.
  const logo = src && logoOk ? <img class="logo" src={src} alt={home ? `${page.title} home` : ''} onError={() => setLogoOk(false)} /> : null;
  return (
    <header class="sp-head">
      <div class="brand">
        {logo && (home ? <a href={home} class="logo-link" rel="noopener">{logo}</a> : logo)}
        <h1 class="sp-title">{page.title}</h1>
      </div>
      {home && (
        <a class="home-link" href={home} rel="noopener">
          Visit website <span aria-hidden="true">→</span>
        </a>
      )}
    </header>
  );
}

function bannerDetail(page: PublicStatusPage, monitors: PublicMonitor[]): string {
  const down = monitors.filter((m) => m.state === 'down');
  const maint = monitors.filter((m) => m.state === 'maintenance');
  const names = (l: PublicMonitor[]) => (l.length <= 3 ? l.map((m) => m.name).join(', ') : `${l.length} services`);
  if (down.length) return `${names(down)} ${down.length === 1 ? 'is' : 'are'} not responding. We are on it.`;
  if (maint.length) return `${names(maint)} ${maint.length === 1 ? 'is' : 'are'} in scheduled maintenance.`;
  return page.overall === 'operational' ? `${monitors.length} services, all running normally.` : '';
}

function Banner({ page }: { page: PublicStatusPage }) {
  const monitors = allMonitors(page);
  return (
    <div class={`banner banner-${page.overall}`} role="status" aria-live="polite" aria-atomic="true">
      <span class="banner-icon">
        <Icon name={page.overall} />
      </span>
      <div>
        <p class="banner-title">{OVERALL_TEXT[page.overall]}</p>
        <p class="banner-detail">{bannerDetail(page, monitors)}</p>
      </div>
    </div>
  );
}

function Announcement({ page }: { page: PublicStatusPage }) {
  const a = page.announcement;
  if (!a?.text) return null;
  const level = a.level ?? 'info';
  return (
    <aside class={`announce announce-${level}`} aria-label={`Announcement (${level})`}>
      <span class="announce-icon">
        <Icon name={level} />
      </span>
      <p>{a.text}</p>
    </aside>
  );
}

function Section({ title, id, children, extra }: { title: string; id: string; children: ComponentChildren; extra?: ComponentChildren }) {
  return (
    <section class="sp-section" aria-labelledby={id}>
      <div class="section-head">
        <h2 id={id}>{title}</h2>
        {extra}
      </div>
      {children}
    </section>
  );
}

function ActiveIncidents({ open, now }: { open: PublicIncident[]; now: number }) {
  if (!open.length) return null;
  return (
    <Section title="Active incidents" id="active-incidents">
      <ul class="notes">
        {open.map((i) => (
          <li key={i.id} class="note note-down">
            <p class="note-title">
              <strong>{i.monitorName}</strong> is down
            </p>
            <p class="note-meta">
              Started {dateTimeText(i.started)} · ongoing for {incidentDuration(i, now)}
            </p>
            {i.cause && <p class="note-body">{i.cause}</p>}
          </li>
        ))}
      </ul>
    </Section>
  );
}

function Maintenance({ list, now }: { list: PublicMaintenance[]; now: number }) {
  if (!list.length) return null;
  return (
    <Section title="Planned maintenance" id="maintenance">
      <ul class="notes">
        {list.map((w) => (
          <li key={w.id} class="note note-maintenance">
            <p class="note-title note-title-tag">
              <strong>{w.name}</strong>
              <span class={`tag ${w.active ? 'tag-active' : ''}`}>{w.active ? 'In progress' : 'Scheduled'}</span>
            </p>
            <p class="note-meta">
              {rangeText(w.start, w.end)}
              {w.active ? ` · ends ${relativeText(w.end, now)}` : ` · starts ${relativeText(w.start, now)}`}
            </p>
            {w.description && <p class="note-body">{w.description}</p>}
          </li>
        ))}
      </ul>
    </Section>
  );
}

function groupSummary(g: PublicGroup): { text: string; cls: string } {
  const count = (s: PublicState) => g.monitors.filter((m) => m.state === s).length;
  const down = count('down');
  if (down) return { text: down === 1 ? '1 outage' : `${down} outages`, cls: 'down' };
  const maint = count('maintenance');
  if (maint) return { text: 'Maintenance', cls: 'maintenance' };
  return { text: 'Operational', cls: 'up' };
}

function MonitorRow({ m, showLatency }: { m: PublicMonitor; showLatency: boolean }) {
  const days = padDays(m.days);
  return (
    <li class="mon">
      <div class="mon-head">
        <div class="mon-name">
          <h3>{m.name}</h3>
          {m.target && <span class="mon-target">{m.target}</span>}
        </div>
        <div class="mon-right">
          {showLatency && m.latencyMs !== undefined && (
            <span class="latency" title="Last response time">
              <span class="sr-only">Response time </span>
              {m.latencyMs < 10 ? m.latencyMs.toFixed(1) : Math.round(m.latencyMs)} ms
            </span>
          )}
          <Pill state={m.state} />
        </div>
      </div>
      <UptimeBars name={m.name} days={days} uptime90={m.uptime?.['90d']} uptime30={m.uptime?.['30d']} />
    </li>
  );
}

function Group({ g, index, showLatency }: { g: PublicGroup; index: number; showLatency: boolean }) {
  const s = groupSummary(g);
  return (
    <section class="group" aria-labelledby={`group-${index}`}>
      <div class="group-head">
        <h2 id={`group-${index}`}>{g.name}</h2>
        <span class={`group-state text-${s.cls}`}>{s.text}</span>
      </div>
      {g.monitors.length ? (
        <ul class="mons">
          {g.monitors.map((m) => (
            <MonitorRow key={m.id} m={m} showLatency={showLatency} />
          ))}
        </ul>
      ) : (
        <p class="sp-muted pad">No monitors in this group.</p>
      )}
    </section>
  );
}

function PastIncidents({ recent, now }: { recent: PublicIncident[]; now: number }) {
  return (
    <Section title="Past incidents" id="past-incidents" extra={<span class="sp-muted small">Last 30 days</span>}>
      {recent.length ? (
        <ul class="history">
          {recent.map((i) => (
            <li key={i.id}>
              <span class="history-dot" aria-hidden="true" />
              <div>
                <p class="note-title">
                  <strong>{i.monitorName}</strong> was down for {incidentDuration(i, now)}
                </p>
                <p class="note-meta">
                  {rangeText(i.started, i.resolved)}
                </p>
                {i.cause && <p class="note-body">{i.cause}</p>}
              </div>
            </li>
          ))}
        </ul>
      ) : (
        <p class="empty">No incidents in the past 30 days.</p>
      )}
    </Section>
  );
}

function Footer({ slug, live, updated }: { slug?: string; live?: boolean; updated?: number }) {
  const base = slug ? `/status/${encodeURIComponent(slug)}` : '';
  return (
    <footer class="sp-foot">
      {slug && (
        <p>
          Subscribe: <a href={`${base}/feed.atom`}>Atom</a> · <a href={`${base}/feed.rss`}>RSS</a>
        </p>
      )}
      {updated !== undefined && (
        <p>
          <span class={`live-dot ${live ? 'on' : ''}`} aria-hidden="true" />
          {live ? 'Live' : 'Reconnecting…'} · Updated <time dateTime={new Date(updated).toISOString()}>{new Date(updated).toLocaleTimeString()}</time>
        </p>
      )}
      <p>
        Powered by <strong>Uptime Monitor</strong>
      </p>
    </footer>
  );
}

export function StatusPageView({ page, now, live, updated }: { page: PublicStatusPage; now: number; live: boolean; updated: number }) {
  const { open, recent } = splitIncidents(reconcileIncidents(page.incidents, allMonitors(page)), now);
  const windows = sortMaintenance(page.maintenance, now);
  return (
    <div class="sp">
      <a class="skip" href="#services">
        Skip to services
      </a>
      <Header page={page} />
      <main>
        {page.description && <p class="sp-desc">{page.description}</p>}
        <Banner page={page} />
        <Announcement page={page} />
        <ActiveIncidents open={open} now={now} />
        <Maintenance list={windows} now={now} />
        <div id="services" class="groups" tabIndex={-1}>
          {page.groups.map((g, i) => (
            <Group key={g.name + i} g={g} index={i} showLatency={page.showResponseTimes !== false} />
          ))}
        </div>
        <PastIncidents recent={recent} now={now} />
      </main>
      <Footer slug={page.slug} live={live} updated={updated} />
    </div>
  );
}

export function NotFound() {
  return (
    <div class="sp">
      <main class="sp-center notfound">
        <p class="notfound-code" aria-hidden="true">
          404
        </p>
        <h1 class="sp-title">Status page not found</h1>
        <p class="sp-muted">There is no status page at this address. Check the link you followed, or ask the company whose status you were looking for.</p>
      </main>
      <Footer />
    </div>
  );
}
