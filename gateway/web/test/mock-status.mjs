// The public status-page side of test/mock-gateway.mjs: the admin API
// (POST/GET /api/v1/status-pages), the public JSON and SSE
// (/api/v1/public/status-pages/{slug}[/events]), and /status/{slug} with its
// feeds and badges, in the shapes of the gateway's contract. Optionally seeds
// a realistic demo page ("acme": 3 groups, 12 monitors, one down, an open
// incident, an announcement, planned maintenance, 90 days of bars).
import { createHash } from 'node:crypto';

const DAY = 86400e3;
const PUBLIC_STATE = { STATE_UP: 'up', STATE_DOWN: 'down', STATE_PENDING: 'pending', STATE_UNSPECIFIED: 'pending', STATE_PAUSED: 'paused', STATE_MAINTENANCE: 'maintenance' };
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

// A small deterministic PRNG, so a monitor's bars are the same on every load.
function rng(seed) {
  let h = 2166136261;
  for (const c of seed) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return () => {
    h = Math.imul(h ^ (h >>> 15), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    return ((h ^= h >>> 16) >>> 0) / 4294967296;
  };
}

export function installStatusPages({ db, now, iso, newId, addMonitor, send, err, body, statusDemo, setState }) {
  const pages = new Map(); // slug -> StatusPage (proto JSON)
  const streams = new Map(); // slug -> Set<res>
  let seq = 0;
  const history = new Map(); // monitor id -> days override (demo)

  function days(id) {
    if (history.has(id)) return history.get(id);
    const r = rng(id);
    const mon = db.monitors.get(id);
    const created = Date.parse(mon?.createTime ?? iso(now()));
    const today = Math.floor(now() / DAY) * DAY;
    const out = [];
    for (let i = 89; i >= 0; i--) {
      const t = today - i * DAY;
      if (t + DAY <= created) {
        out.push({ day: iso(t).slice(0, 10), checks: 0, failures: 0, uptimePercent: 0 });
        continue;
      }
      const checks = 1440;
      const x = r();
      // Mostly clean days: a rare bad one, a few with a failed check or two.
      const failures = i === 0 ? 0 : x < 0.008 ? Math.floor(20 + r() * 100) : x < 0.025 ? Math.floor(2 + r() * 8) : x < 0.08 ? 1 : 0;
      out.push({ day: iso(t).slice(0, 10), checks, failures, uptimePercent: (100 * (checks - failures)) / checks });
    }
    return out;
  }

  function pageMonitorIds(p) {
    return [...new Set(p.groups.flatMap((g) => g.monitorIds ?? []).filter((id) => db.monitors.has(id)))];
  }

  function overall(states) {
    const active = states.filter((s) => s !== 'paused');
    const down = active.filter((s) => s === 'down').length;
    if (down) return down === active.length ? 'outage' : 'degraded';
    if (active.includes('maintenance')) return 'maintenance';
    return 'operational';
  }

  function publicPage(p) {
    const ids = pageMonitorIds(p);
    const stateOf = (id) => PUBLIC_STATE[db.statuses.get(id)?.state] ?? 'pending';
    const showLatency = !p.hideResponseTimes;
    const monitor = (id) => {
      const mon = db.monitors.get(id);
      const st = db.statuses.get(id);
      const d = days(id);
      const win = (n) => {
        const s = d.slice(-n).filter((x) => x.checks);
        const c = s.reduce((a, x) => a + x.checks, 0);
        return c ? (100 * (c - s.reduce((a, x) => a + x.failures, 0))) / c : undefined;
      };
      const out = { id, name: mon.name, state: stateOf(id), since: st?.since };
      if (p.showTargets) out.target = mon.http?.url ?? (mon.tcp ? `${mon.tcp.host}:${mon.tcp.port}` : mon.dns?.name ?? mon.icmp?.host ?? '');
      if (showLatency && Number(st?.lastResult?.latencyUs) > 0) out.latencyMs = Math.round(Number(st.lastResult.latencyUs) / 100) / 10;
      const uptime = {};
      for (const [k, n] of [['24h', 1], ['7d', 7], ['30d', 30], ['90d', 90]]) if (win(n) !== undefined) uptime[k] = win(n);
      if (Object.keys(uptime).length) out.uptime = uptime;
      out.days = d;
      return out;
    };
    const cutoff = now() - 30 * DAY;
    const names = new Map(ids.map((id) => [id, db.monitors.get(id).name]));
    const incidents = db.incidents
      .filter((i) => names.has(i.monitorId) && (!i.resolved || Date.parse(i.resolved) >= cutoff))
      .sort((a, b) => Number(!!a.resolved) - Number(!!b.resolved) || Date.parse(b.started) - Date.parse(a.started))
      .slice(0, 50)
      .map((i) => ({ id: i.id, monitorId: i.monitorId, monitorName: names.get(i.monitorId), started: i.started, ...(i.resolved ? { resolved: i.resolved } : {}), ...(p.showIncidentCauses && i.cause ? { cause: i.cause } : {}) }));
    const covers = (w) => (w.monitorIds ?? []).some((id) => names.has(id)) || (w.labelSelector && ids.some((id) => w.labelSelector.split(',').every((t) => { const [k, v] = t.split('='); return db.monitors.get(id).labels?.[k] === v; })));
    const maintenance = [...db.windows.values()]
      .filter((w) => covers(w))
      .map((w) => ({ id: w.id, name: w.name, description: w.description, start: w.active ? w.startTime ?? iso(now() - 3600e3) : w.nextOccurrence?.startTime, end: w.active ? w.endTime ?? iso(now() + 3600e3) : w.nextOccurrence?.endTime, active: !!w.active }))
      .filter((w) => w.start && (w.active || Date.parse(w.start) < now() + 7 * DAY));
    const out = {
      slug: p.slug, title: p.title, description: p.description ?? '', logoUrl: p.logoUrl ?? '', homepageUrl: p.homepageUrl ?? '',
      overall: overall(ids.map(stateOf)), updatedAt: iso(now()), showResponseTimes: showLatency,
      groups: p.groups.map((g) => ({ name: g.name, monitors: (g.monitorIds ?? []).filter((id) => db.monitors.has(id)).map(monitor) })),
      incidents, maintenance,
    };
    const a = p.announcement;
    if (a?.text && !(a.expireTime && Date.parse(a.expireTime) < now())) out.announcement = { text: a.text, level: (a.level ?? 'ANNOUNCEMENT_LEVEL_INFO').replace('ANNOUNCEMENT_LEVEL_', '').replace('UNSPECIFIED', 'INFO').toLowerCase() };
    return out;
  }

  function validate(p) {
    if (!p || typeof p !== 'object') return 'status_page: malformed JSON';
    if (!SLUG.test(p.slug ?? '')) return `status_page.slug: '${p.slug ?? ''}' must be 1..63 characters of a-z, 0-9 and '-'`;
    if (!p.title) return 'status_page.title: is required';
    if (!Array.isArray(p.groups) || !p.groups.length) return 'status_page.groups: at least one group is required';
    for (const [i, g] of p.groups.entries()) {
      if (!g.name) return `status_page.groups[${i}].name: is required`;
      for (const id of g.monitorIds ?? []) if (!db.monitors.has(id)) return `status_page.groups[${i}].monitor_ids: no monitor '${id}'`;
      if (!(g.monitorIds ?? []).length && !g.labelSelector) return `status_page.groups[${i}]: monitor_ids or label_selector is required`;
    }
    return null;
  }

  function create(p) {
    const t = iso(now());
    const page = { ...p, id: `sp-${createHash('sha1').update(p.slug).digest('hex').slice(0, 16)}`, createTime: t, updateTime: t };
    page.groups = p.groups.map((g) => ({ ...g, resolvedMonitorIds: g.monitorIds ?? [] }));
    pages.set(p.slug, page);
    return page;
  }

  // Cacheable answers carry a strong ETag and answer If-None-Match with 304.
  function cached(req, res, type, text, cache) {
    const etag = `"${createHash('sha256').update(text).digest('hex').slice(0, 20)}"`;
    const h = { 'Content-Type': type, 'Cache-Control': cache, ETag: etag };
    if (req.headers['if-none-match'] === etag) return res.writeHead(304, h), res.end();
    res.writeHead(200, h);
    res.end(text);
  }

  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  function feed(req, res, p, kind, base) {
    const pub = publicPage(p);
    const items = pub.incidents.map((i) => ({ id: i.id, title: `${i.monitorName} ${i.resolved ? 'was down' : 'is down'}`, time: i.resolved ?? i.started, text: i.resolved ? `Down from ${i.started} to ${i.resolved}.` : `Down since ${i.started}.` }));
    const link = `${base}/status/${p.slug}`;
    const text = kind === 'atom'
      ? `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>${esc(p.title)}</title><id>${link}</id><link href="${link}"/><updated>${pub.updatedAt}</updated>${items.map((i) => `<entry><id>${link}#${i.id}</id><title>${esc(i.title)}</title><updated>${i.time}</updated><summary>${esc(i.text)}</summary></entry>`).join('')}</feed>\n`
      : `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>${esc(p.title)}</title><link>${link}</link><description>${esc(p.title)}</description>${items.map((i) => `<item><guid>${link}#${i.id}</guid><title>${esc(i.title)}</title><pubDate>${new Date(i.time).toUTCString()}</pubDate><description>${esc(i.text)}</description></item>`).join('')}</channel></rss>\n`;
    cached(req, res, kind === 'atom' ? 'application/atom+xml; charset=utf-8' : 'application/rss+xml; charset=utf-8', text, 'public, max-age=60, stale-while-revalidate=300');
  }
  function badge(req, res, p) {
    const o = publicPage(p).overall;
    const [msg, color] = { operational: ['operational', '#16a34a'], degraded: ['partial outage', '#d97706'], outage: ['major outage', '#dc2626'], maintenance: ['maintenance', '#2563eb'] }[o];
    const lw = 50, mw = 8 + msg.length * 7;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${lw + mw}" height="20" role="img" aria-label="status: ${msg}"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${mw}" height="20" fill="${color}"/><g fill="#fff" font-family="Verdana,sans-serif" font-size="11"><text x="6" y="14">status</text><text x="${lw + 4}" y="14">${msg}</text></g></svg>`;
    cached(req, res, 'image/svg+xml', svg, 'public, max-age=30, stale-while-revalidate=120');
  }

  function broadcast(slug, event, data) {
    const frame = `id: ${++seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of streams.get(slug) ?? []) c.write(frame);
  }

  // Called by the mock after every state change.
  function onStateChange(id) {
    for (const p of pages.values()) {
      if (!pageMonitorIds(p).includes(id)) continue;
      const pub = publicPage(p);
      broadcast(p.slug, 'state', { id, state: PUBLIC_STATE[db.statuses.get(id).state] ?? 'pending', since: db.statuses.get(id).since, overall: pub.overall });
    }
  }

  // Public routes (no token): true when handled.
  function handlePublic(req, res, url, serveStatusHtml) {
    let m;
    if ((m = /^\/api\/v1\/public\/status-pages\/([^/]+)(\/events)?$/.exec(url.pathname))) {
      const p = pages.get(decodeURIComponent(m[1]));
      if (!p) return err(res, 404, 'NOT_FOUND', 'not found'), true;
      if (!m[2]) return cached(req, res, 'application/json', JSON.stringify(publicPage(p)), 'public, max-age=10, stale-while-revalidate=60'), true;
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
      res.write('retry: 3000\n: ping\n\n');
      if (!streams.has(p.slug)) streams.set(p.slug, new Set());
      streams.get(p.slug).add(res);
      // Without Last-Event-ID replay, a reconnecting client must refetch.
      if (req.headers['last-event-id']) res.write(`id: ${++seq}\nevent: resync\ndata: {}\n\n`);
      const hb = setInterval(() => res.write(': ping\n\n'), 15000);
      req.on('close', () => {
        streams.get(p.slug)?.delete(res);
        clearInterval(hb);
      });
      return true;
    }
    if ((m = /^\/status\/([^/]+)\/?(feed\.atom|feed\.rss|badge\.svg|shields\.json)?$/.exec(url.pathname))) {
      const p = pages.get(decodeURIComponent(m[1]));
      if (!m[2]) return serveStatusHtml(res, p ? 200 : 404), true;
      if (!p) return err(res, 404, 'NOT_FOUND', 'not found'), true;
      const base = `http://${req.headers.host}`;
      if (m[2] === 'feed.atom' || m[2] === 'feed.rss') return feed(req, res, p, m[2].slice(5), base), true;
      if (m[2] === 'badge.svg') return badge(req, res, p), true;
      const o = publicPage(p).overall;
      return cached(req, res, 'application/json', JSON.stringify({ schemaVersion: 1, label: 'status', message: o, color: { operational: 'brightgreen', degraded: 'orange', outage: 'red', maintenance: 'blue' }[o] }), 'public, max-age=30, stale-while-revalidate=120'), true;
    }
    if (url.pathname === '/demo/acme-logo.svg') {
      res.writeHead(200, { 'Content-Type': 'image/svg+xml' });
      res.end(LOGO);
      return true;
    }
    return false;
  }

  // Admin API under /api/v1 (already authenticated): a promise of true when handled.
  async function handleApi(req, res, p, role) {
    let m;
    if (p === '/status-pages' && req.method === 'GET') return send(res, 200, { statusPages: [...pages.values()], nextPageToken: '' }), true;
    if (p === '/status-pages' && req.method === 'POST') {
      if (role !== 'ROLE_ADMIN') return err(res, 403, 'PERMISSION_DENIED', 'this token may only read'), true;
      const b = await body(req);
      const v = validate(b);
      if (v) return err(res, 400, 'INVALID_ARGUMENT', v), true;
      if (pages.has(b.slug)) return err(res, 409, 'ALREADY_EXISTS', `status_page.slug: '${b.slug}' is taken`), true;
      return send(res, 200, create(b)), true;
    }
    if ((m = /^\/status-pages\/([^/:]+)$/.exec(p))) {
      const page = [...pages.values()].find((x) => x.id === m[1] || x.slug === m[1]);
      if (!page) return err(res, 404, 'NOT_FOUND', 'status page not found'), true;
      if (req.method === 'GET') return send(res, 200, page), true;
      if (req.method === 'DELETE') {
        pages.delete(page.slug);
        for (const c of streams.get(page.slug) ?? []) c.end();
        return send(res, 200, {}), true;
      }
      if (req.method === 'PATCH') {
        const b = await body(req);
        const next = { ...page, ...b, id: page.id, slug: b.slug ?? page.slug };
        const v = validate(next);
        if (v) return err(res, 400, 'INVALID_ARGUMENT', v), true;
        pages.delete(page.slug);
        pages.set(next.slug, next);
        broadcast(next.slug, 'resync', {});
        return send(res, 200, next), true;
      }
    }
    return false;
  }

  const demo = { flapId: null };
  if (statusDemo) seedDemo();

  function seedDemo() {
    const mk = (name, url, team, latencyMs, state = 'STATE_UP') => {
      const mon = addMonitor({ name, labels: { team, env: 'prod', public: 'yes' }, http: { url, method: 'GET' }, interval: '30s' });
      // Monitored for months: 90 days of history.
      mon.createTime = iso(now() - 200 * DAY);
      const st = db.statuses.get(mon.id);
      st.state = state;
      st.since = iso(now() - (state === 'STATE_DOWN' ? 23 * 60e3 : 11 * DAY + Math.random() * 5 * DAY));
      st.agentIds = ['agent-1'];
      st.lastResult = { monitorId: mon.id, startTimeUs: String(now() * 1000), success: state !== 'STATE_DOWN', latencyUs: String(Math.round(latencyMs * 1000)), httpStatus: state === 'STATE_DOWN' ? 503 : 200 };
      return mon;
    };
    const web = [
      mk('Website', 'https://www.acme.example/', 'web', 84.2),
      mk('Customer dashboard', 'https://app.acme.example/healthz', 'web', 132.7),
      mk('Mobile app backend', 'https://m.acme.example/v2/health', 'mobile', 96.1),
      mk('Documentation', 'https://docs.acme.example/', 'web', 41.9),
    ];
    const api = [
      mk('Public REST API', 'https://api.acme.example/v1/health', 'api', 118.4),
      mk('Webhooks delivery', 'https://hooks.acme.example/health', 'api', 203.5),
      mk('Sign-in and SSO', 'https://login.acme.example/health', 'auth', 157.0),
      mk('Search API', 'https://search.acme.example/health', 'api', 64.8),
    ];
    const pay = [
      mk('Checkout', 'https://pay.acme.example/checkout/health', 'payments', 241.3),
      mk('Card payments', 'https://cards.acme.example/health', 'payments', 0, 'STATE_DOWN'),
      mk('Invoicing', 'https://billing.acme.example/invoices/health', 'payments', 176.5),
      mk('Payouts', 'https://billing.acme.example/payouts/health', 'payments', 188.9),
    ];
    const cards = pay[1];
    // A few bad days: an outage 12 days ago on card payments, a slow week on webhooks.
    const shape = (mon, bad) => {
      const d = days(mon.id).map((x) => ({ ...x }));
      for (const [ago, failures] of bad) {
        const x = d[89 - ago];
        x.checks = 1440;
        x.failures = failures;
        x.uptimePercent = (100 * (1440 - failures)) / 1440;
      }
      history.set(mon.id, d);
    };
    shape(cards, [[0, 23 * 2], [12, 240], [13, 31], [47, 3]]);
    shape(api[1], [[3, 9], [4, 17], [5, 6]]);
    shape(pay[0], [[12, 44]]);
    // The documentation site was added 40 days ago: no data before.
    history.set(web[3].id, days(web[3].id).map((x, i) => (i < 50 ? { ...x, checks: 0, failures: 0, uptimePercent: 0 } : x)));
    const inc = (mon, startedAgo, durMin, cause) => {
      const started = now() - startedAgo;
      const i = { id: newId('inc'), monitorId: mon.id, started: iso(started), cause, alertsSent: 1 };
      if (durMin !== null) i.resolved = iso(started + durMin * 60e3);
      db.incidents.push(i);
      return i;
    };
    db.statuses.get(cards.id).openIncidentId = inc(cards, 23 * 60e3, null, 'HTTP 503 Service Unavailable from eu-west and us-east').id;
    inc(api[1], 3 * DAY + 5 * 3600e3, 14, 'timeout: no answer within 10s from us-east');
    inc(cards, 12 * DAY + 2 * 3600e3, 238, 'HTTP 502 Bad Gateway from eu-west');
    inc(pay[0], 12 * DAY + 2 * 3600e3 + 600e3, 44, 'HTTP 500 Internal Server Error from eu-west');
    inc(web[1], 26 * DAY, 3, 'connect: connection refused from ap-south');
    inc(api[0], 41 * DAY, 9, 'timeout'); // older than 30 days: not shown
    const w = { id: newId('mw'), name: 'Billing database upgrade', description: 'PostgreSQL major version upgrade. Invoices and payouts may be delayed by up to 30 minutes; no data is affected.', monitorIds: [pay[2].id, pay[3].id], active: false, nextOccurrence: { startTime: iso(Math.floor((now() + 2 * DAY) / 3600e3) * 3600e3), endTime: iso(Math.floor((now() + 2 * DAY) / 3600e3) * 3600e3 + 2 * 3600e3) } };
    db.windows.set(w.id, w);
    create({
      slug: 'acme',
      title: 'Acme Cloud Status',
      description: 'Live status of the Acme website, API and payments.',
      logoUrl: '/demo/acme-logo.svg',
      homepageUrl: 'https://acme.example/',
      showTargets: false,
      showIncidentCauses: true,
      announcement: { text: 'We are investigating failed card payments in Europe and North America. Checkout with other payment methods works. Next update within 30 minutes.', level: 'ANNOUNCEMENT_LEVEL_WARNING' },
      groups: [
        { name: 'Website and apps', monitorIds: web.map((m) => m.id) },
        { name: 'API', monitorIds: api.map((m) => m.id) },
        { name: 'Payments', monitorIds: pay.map((m) => m.id) },
      ],
    });
    demo.flapId = api[3].id;
  }

  let flapTimer = null;
  return {
    pages,
    handlePublic,
    handleApi,
    onStateChange,
    // Flips the demo's "Search API" between up and down every few seconds.
    startFlap(ms = 4000) {
      if (!demo.flapId) return;
      flapTimer = setInterval(() => {
        const st = db.statuses.get(demo.flapId);
        setState(demo.flapId, st.state === 'STATE_DOWN' ? 'STATE_UP' : 'STATE_DOWN', 'status flap');
      }, ms);
    },
    close() {
      clearInterval(flapTimer);
      for (const set of streams.values()) for (const c of set) c.destroy();
    },
  };
}

const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" width="114" height="36" viewBox="0 0 114 36"><rect x="0" y="2" width="32" height="32" rx="9" fill="#4f46e5"/><path d="M9 25l7-16 7 16M11.5 20h9" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/><text x="41" y="26" font-family="system-ui,-apple-system,Segoe UI,Roboto,sans-serif" font-size="22" font-weight="700" fill="#6366f1">acme</text></svg>`;
