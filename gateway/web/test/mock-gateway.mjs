#!/usr/bin/env node
// A stand-in for uptime-gateway for developing the dashboard without the C++
// build: serves a built dist/ with the gateway's CSP and SPA fallback, and an
// in-memory /api/v1 with the proto JSON shapes (a few validation rules, SSE
// state changes), and the public status pages (test/mock-status.mjs). Not a
// test of the gateway: test/browser.test.mjs runs the real binaries.
//
//   node test/mock-gateway.mjs --dist DIR [--port 8089] [--monitors 10000] [--flap] [--no-status-demo]
// The command line seeds a demo status page at /status/acme; --flap also flips
// one of its monitors every 4 s (live `state` events).
// Tokens: "admin" (ROLE_ADMIN), "edit" (ROLE_EDITOR), "read" (ROLE_VIEWER);
// users, sessions, API keys and the audit log: test/mock-accounts.mjs.
import { createServer } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { join, extname } from 'node:path';
import { installStatusPages } from './mock-status.mjs';
import { installAccounts } from './mock-accounts.mjs';

export function startMock({ dist, port = 0, monitors = 50, flap = false, statusDemo = false, throttleAfter = 5, throttleSeconds = 60 } = {}) {
  const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";
  const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
  const now = () => Date.now();
  const iso = (t) => new Date(t).toISOString();
  const db = { names: new Set(), monitors: new Map(), statuses: new Map(), results: new Map(), incidents: [], channels: new Map(), windows: new Map(), seq: 0 };
  const clients = new Set();
  let idn = 0;
  const newId = (p) => `${p}-${(++idn).toString(16).padStart(8, '0')}`;

  const regions = ['eu-west', 'us-east', 'ap-south'];
  const teams = ['payments', 'search', 'identity', 'platform', 'growth'];
  function addMonitor(m) {
    const id = newId('mon');
    const t = iso(now());
    const mon = { ...m, id, createTime: t, updateTime: t, interval: m.interval ?? '60s' };
    db.monitors.set(id, mon);
    db.names.add(mon.name);
    db.statuses.set(id, { monitorId: id, monitorName: mon.name, state: 'STATE_PENDING', since: t, agentIds: [] });
    return mon;
  }
  function fakeResult(id, t, ok) {
    const dns = 2 + Math.random() * 8, conn = 5 + Math.random() * 20, tls = 10 + Math.random() * 30, fb = 30 + Math.random() * 120;
    const total = dns + conn + tls + fb + Math.random() * 20;
    const us = (x) => String(Math.round(x * 1000));
    return {
      monitorId: id, agentId: 'agent-1', location: regions[Math.floor(Math.random() * 3)], startTimeUs: String(t * 1000), success: ok,
      latencyUs: us(ok ? total : 10000), dnsUs: us(dns), connectUs: us(conn), tlsUs: us(tls), firstByteUs: us(fb),
      httpStatus: ok ? 200 : 503, errorKind: ok ? undefined : 'ERROR_KIND_STATUS', errorMessage: ok ? undefined : 'HTTP 503 Service Unavailable',
      tlsCertExpiryUnix: String(Math.floor(now() / 1000) + 40 * 86400),
    };
  }
  for (let i = 0; i < monitors; i++) {
    const team = teams[i % teams.length];
    const m = addMonitor({
      name: `${team}-${['api', 'web', 'db', 'cache', 'worker'][i % 5]}-${i}`,
      labels: { env: i % 7 === 0 ? 'staging' : 'prod', team, region: regions[i % 3] },
      ...(i % 5 === 2 ? { tcp: { host: `db-${i}.internal`, port: 5432 } } : { http: { url: `https://${team}.example.com/health/${i}`, method: 'GET' } }),
    });
    const st = db.statuses.get(m.id);
    const r = Math.random();
    st.state = i % 97 === 3 ? 'STATE_DOWN' : i % 53 === 5 ? 'STATE_MAINTENANCE' : i % 61 === 7 ? 'STATE_PAUSED' : r < 0.01 ? 'STATE_PENDING' : 'STATE_UP';
    if (st.state === 'STATE_PAUSED') m.paused = true;
    st.since = iso(now() - Math.random() * 86400e3 * 3);
    st.agentIds = ['agent-1'];
    if (st.state !== 'STATE_PENDING') st.lastResult = fakeResult(m.id, now() - Math.random() * 60e3, st.state !== 'STATE_DOWN');
    if (st.state === 'STATE_DOWN') {
      const inc = { id: newId('inc'), monitorId: m.id, started: st.since, cause: 'status: HTTP 503 from eu-west', alertsSent: 1 };
      db.incidents.unshift(inc);
      st.openIncidentId = inc.id;
    }
  }
  db.incidents.push({ id: newId('inc'), monitorId: [...db.monitors.keys()][0], started: iso(now() - 86400e3), resolved: iso(now() - 86000e3), cause: 'timeout: no answer within 10s from us-east', alertsSent: 2 });
  const ch = { id: newId('ch'), name: '#on-call', type: 'slack', config: { webhook_url: '****a1b2', channel: '#on-call' }, createTime: iso(now()) };
  db.channels.set(ch.id, ch);
  const w = { id: 'mw-00000000000000a1', name: 'Weekly DB maintenance', description: 'Postgres minor upgrades', labelSelector: 'team=platform', recurrence: { days: ['WEEKDAY_SUNDAY'], startTimeOfDay: '03:00', duration: '7200s', timeZone: 'Europe/Berlin' }, active: false, nextOccurrence: { startTime: iso(now() + 3 * 86400e3), endTime: iso(now() + 3 * 86400e3 + 7200e3) } };
  db.windows.set(w.id, w);

  function send(res, status, body, headers = {}) {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Security-Policy': CSP, ...headers });
    res.end(text);
  }
  const err = (res, status, code, message) => send(res, status, { code, message, details: [] });
  function page(list, q, key) {
    const size = Math.min(1000, Number(q.get('page_size')) || 100);
    const start = Number(q.get('page_token') || 0);
    const items = list.slice(start, start + size);
    return { [key]: items, nextPageToken: start + size < list.length ? String(start + size) : '' };
  }
  function validateMonitor(m) {
    if (!m.name) return 'monitor.name: is required';
    if (m.http) {
      if (!m.http.url) return 'monitor.http.url: is required';
      if (!/^https?:\/\//.test(m.http.url)) return `monitor.http.url: '${m.http.url}' is not an absolute URL (http:// or https://)`;
    } else if (m.tcp) {
      if (!m.tcp.host) return 'monitor.tcp.host: is required';
      if (!(m.tcp.port >= 1 && m.tcp.port <= 65535)) return 'monitor.tcp.port: must be 1..65535';
    } else if (!m.dns && !m.grpc && !m.icmp) return 'monitor: one of http, tcp, dns, grpc or icmp is required';
    const iv = parseFloat(m.interval ?? '60');
    if (!(iv >= 1 && iv <= 86400)) return 'monitor.interval: must be 1s..24h';
    if (m.timeout && parseFloat(m.timeout) >= iv) return 'monitor.timeout: must be less than the interval';
    return null;
  }
  function publish(stateChange) {
    const id = ++db.seq;
    const frame = `id: ${id}\nevent: state_change\ndata: ${JSON.stringify({ stateChange })}\n\n`;
    for (const c of clients) c.write(frame);
  }
  // Incidents open when a monitor goes down and close when it leaves Down.
  function trackIncident(id, from, to, cause) {
    const st = db.statuses.get(id);
    if (to === 'STATE_DOWN') {
      const inc = { id: newId('inc'), monitorId: id, started: st.since, cause: `${cause}`, alertsSent: 1 };
      db.incidents.unshift(inc);
      st.openIncidentId = inc.id;
    } else if (from === 'STATE_DOWN' && st.openIncidentId) {
      const inc = db.incidents.find((i) => i.id === st.openIncidentId);
      if (inc) inc.resolved = st.since;
      delete st.openIncidentId;
    }
  }
  function setState(id, to, cause) {
    const st = db.statuses.get(id);
    if (!st || st.state === to) return;
    const from = st.state;
    st.state = to;
    st.since = iso(now());
    st.lastResult = fakeResult(id, now(), to !== 'STATE_DOWN');
    trackIncident(id, from, to, cause);
    publish({ monitorId: id, monitorName: st.monitorName, fromState: from, toState: to, time: st.since, cause });
    statusPages.onStateChange(id);
  }
  const statusPages = installStatusPages({ db, now, iso, newId, addMonitor, send, err, body, statusDemo, setState });

  async function body(req) {
    let s = '';
    for await (const c of req) s += c;
    try {
      return s ? JSON.parse(s) : {};
    } catch {
      return null;
    }
  }

  const accounts = installAccounts({ now, iso, send, err, body, throttleAfter, throttleSeconds });

  async function api(req, res, url) {
    const p = url.pathname.slice('/api/v1'.length);
    const q = url.searchParams;
    // Signs in and out, answers /caller, /users, /apiKeys and /auditEvents,
    // and refuses what the caller's role may not do.
    const ok = await accounts.handle(req, res, p, q);
    if (!ok) return;
    const { caller } = ok;
    const r = caller.role;
    let m;
    if (p === '/status-pages' || p.startsWith('/status-pages/')) {
      if (await statusPages.handleApi(req, res, p, r)) return;
    }
    if (p === '/events') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      res.write(': hb\n\n');
      clients.add(res);
      const hb = setInterval(() => res.write(': hb\n\n'), 15000);
      // include_results with monitor_ids: a result (no id, like the
      // gateway's) for each watched monitor every second.
      const watched = q.get('include_results') === 'true' ? q.getAll('monitor_ids') : [];
      const results = watched.length
        ? setInterval(() => {
            for (const id of watched) {
              const st = db.statuses.get(id);
              if (!st || st.state === 'STATE_PAUSED') continue;
              const r = fakeResult(id, now(), st.state !== 'STATE_DOWN');
              st.lastResult = r;
              res.write(`event: result\ndata: ${JSON.stringify({ result: r })}\n\n`);
            }
          }, 1000)
        : undefined;
      req.on('close', () => {
        clients.delete(res);
        clearInterval(hb);
        clearInterval(results);
      });
      return;
    }
    if (p === '/monitors' && req.method === 'GET') return send(res, 200, page([...db.monitors.values()], q, 'monitors'));
    if (p === '/monitors' && req.method === 'POST') {
      const b = await body(req);
      if (!b) return err(res, 400, 'INVALID_ARGUMENT', 'monitor: malformed JSON');
      const v = validateMonitor(b);
      if (v) return err(res, 400, 'INVALID_ARGUMENT', v);
      if (db.names.has(b.name)) return err(res, 409, 'ALREADY_EXISTS', `monitor.name: '${b.name}' is taken`);
      const mon = addMonitor(b);
      accounts.audit(caller, 'monitor.create', 'monitor', mon.id, null, mon, req);
      return send(res, 200, mon);
    }
    if ((m = /^\/monitors\/([^/:]+):(pause|resume)$/.exec(p))) {
      const mon = db.monitors.get(m[1]);
      if (!mon) return err(res, 404, 'NOT_FOUND', 'monitor not found');
      mon.paused = m[2] === 'pause';
      setState(mon.id, mon.paused ? 'STATE_PAUSED' : 'STATE_PENDING', m[2]);
      return send(res, 200, mon);
    }
    if ((m = /^\/monitors\/([^/:]+)\/results$/.exec(p))) {
      const size = Number(q.get('page_size')) || 100;
      const start = q.get('start_time') ? Date.parse(q.get('start_time')) : now() - 3600e3;
      const out = [];
      const st = db.statuses.get(m[1]);
      for (let t = now() - 20e3, i = 0; t > start && out.length < size; t -= 60e3, i++) out.push(fakeResult(m[1], t, st?.state === 'STATE_DOWN' ? i > 3 : Math.random() > 0.02));
      return send(res, 200, { results: out, nextPageToken: '' });
    }
    if ((m = /^\/monitors\/([^/:]+)\/uptime$/.exec(p))) {
      const bars = Array.from({ length: 90 }, (_, i) => {
        const f = Math.random() < 0.06 ? Math.floor(Math.random() * 30) : 0;
        return { day: iso(now() - (89 - i) * 86400e3), checks: i < 10 ? '0' : '1440', failures: i < 10 ? '0' : String(f), uptimePercent: i < 10 ? 100 : 100 - (f * 100) / 1440 };
      });
      return send(res, 200, { monitorId: m[1], windows: ['24h', '7d', '30d', '90d'].map((w, i) => ({ window: w, checks: String(1440 * [1, 7, 30, 90][i]), failures: String(i * 3), uptimePercent: 100 - i * 0.013, meanLatencyMs: 120 + i * 4, p95LatencyMs: 240 })), dailyBars: bars });
    }
    if ((m = /^\/monitors\/([^/:]+)$/.exec(p))) {
      const mon = db.monitors.get(m[1]);
      if (!mon) return err(res, 404, 'NOT_FOUND', `monitor ${m[1]} not found`);
      if (req.method === 'GET') return send(res, 200, mon);
      if (req.method === 'DELETE') {
        accounts.audit(caller, 'monitor.delete', 'monitor', mon.id, mon, null, req);
        db.monitors.delete(m[1]);
        db.statuses.delete(m[1]);
        return send(res, 200, {});
      }
      if (req.method === 'PATCH') {
        const b = await body(req);
        const mask = (q.get('update_mask') ?? '').split(',').filter(Boolean);
        const next = { ...mon };
        for (const f of mask) {
          const k = f.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
          if (['http', 'tcp', 'dns', 'grpc', 'icmp'].includes(k)) ['http', 'tcp', 'dns', 'grpc', 'icmp'].forEach((x) => delete next[x]);
          if (b[k] === undefined) delete next[k];
          else next[k] = b[k];
        }
        const v = validateMonitor(next);
        if (v) return err(res, 400, 'INVALID_ARGUMENT', v);
        next.updateTime = iso(now());
        accounts.audit(caller, 'monitor.update', 'monitor', mon.id, mon, next, req);
        db.monitors.set(mon.id, next);
        db.statuses.get(mon.id).monitorName = next.name;
        return send(res, 200, next);
      }
    }
    if (p === '/statuses') return send(res, 200, page([...db.statuses.values()], q, 'statuses'));
    // ListUptime: a 24h figure per monitor, stable per id (mostly 100%, a few lower).
    if (p === '/uptimes') {
      if (q.get('window') && q.get('window') !== '24h') return err(res, 400, 'INVALID_ARGUMENT', 'window: only "24h" is summarised for many monitors; use GetUptime for other windows');
      const uptimes = [...db.monitors.values()].map((mon) => {
        const h = [...mon.id].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7);
        const failures = h % 9 === 0 ? h % 60 : 0;
        return { monitorId: mon.id, checks: '1440', failures: String(failures), uptimePercent: 100 - (failures * 100) / 1440, meanLatencyMs: 80 + (h % 200) };
      });
      return send(res, 200, { window: '24h', ...page(uptimes, q, 'uptimes'), computedAt: iso(now()) });
    }
    if (p === '/statuses:summary') {
      const counts = {};
      for (const s of db.statuses.values()) counts[s.state] = (counts[s.state] ?? 0) + 1;
      return send(res, 200, { total: db.statuses.size, counts });
    }
    if ((m = /^\/statuses\/([^/]+)$/.exec(p))) return db.statuses.get(m[1]) ? send(res, 200, db.statuses.get(m[1])) : err(res, 404, 'NOT_FOUND', 'not found');
    if (p === '/incidents') {
      let list = db.incidents;
      if (q.get('monitor_id')) list = list.filter((i) => i.monitorId === q.get('monitor_id'));
      if (q.get('open_only') === 'true') list = list.filter((i) => !i.resolved);
      return send(res, 200, page(list, q, 'incidents'));
    }
    if (p === '/agents')
      return send(res, 200, { agents: regions.map((reg, i) => ({ agentId: `agent-${reg}-${i + 1}`, labels: { region: reg }, version: '0.1.0', capacity: 5000, connectedSince: iso(now() - 7200e3 * (i + 1)), lastHeartbeat: iso(now() - 2000), monitorsAssigned: Math.floor(db.monitors.size / 3), checksPerSecond: db.monitors.size / 180, inFlight: 3 + i, peer: `10.0.0.${i + 10}:5${i}123` })) });
    if (p === '/cluster') return send(res, 200, { version: '0.1.0', coordinatorId: 'coordinator-0', isLeader: true, started: iso(now() - 86400e3), monitors: db.monitors.size, agents: 3 });
    if (p === '/channels' && req.method === 'GET') return send(res, 200, { channels: [...db.channels.values()], nextPageToken: '' });
    if (p === '/channels' && req.method === 'POST') {
      const b = await body(req);
      if (!b?.name) return err(res, 400, 'INVALID_ARGUMENT', 'channel.name: is required');
      if (b.type === 'slack' && !/^https:\/\//.test(b.config?.webhook_url ?? '')) return err(res, 400, 'INVALID_ARGUMENT', 'channel.config.webhook_url: must be an https:// URL');
      const c = { ...b, id: newId('ch'), createTime: iso(now()) };
      db.channels.set(c.id, c);
      return send(res, 200, c);
    }
    if ((m = /^\/channels\/([^/:]+):test$/.exec(p))) return send(res, 200, { delivered: true });
    if ((m = /^\/channels\/([^/:]+)$/.exec(p))) {
      const c = db.channels.get(m[1]);
      if (!c) return err(res, 404, 'NOT_FOUND', 'channel not found');
      if (req.method === 'GET') return send(res, 200, c);
      if (req.method === 'DELETE') return db.channels.delete(m[1]), send(res, 200, {});
      const b = await body(req);
      Object.assign(c, b);
      return send(res, 200, c);
    }
    if (p === '/maintenanceWindows' && req.method === 'GET') return send(res, 200, { windows: [...db.windows.values()], nextPageToken: '' });
    if (p === '/maintenanceWindows' && req.method === 'POST') {
      const b = await body(req);
      if (!b?.name) return err(res, 400, 'INVALID_ARGUMENT', 'window.name: is required');
      if (!b.monitorIds?.length && !b.labelSelector) return err(res, 400, 'INVALID_ARGUMENT', 'window.label_selector: monitor_ids or label_selector is required');
      const x = { ...b, id: newId('mw'), active: false, nextOccurrence: b.recurrence ? undefined : { startTime: b.startTime, endTime: b.endTime } };
      db.windows.set(x.id, x);
      return send(res, 200, x);
    }
    if ((m = /^\/maintenanceWindows\/([^/:]+)$/.exec(p))) {
      const x = db.windows.get(m[1]);
      if (!x) return err(res, 404, 'NOT_FOUND', 'window not found');
      if (req.method === 'GET') return send(res, 200, x);
      if (req.method === 'DELETE') return db.windows.delete(m[1]), send(res, 200, {});
      Object.assign(x, await body(req));
      return send(res, 200, x);
    }
    return err(res, 404, 'NOT_FOUND', `no route for ${req.method} ${url.pathname}`);
  }

  // The status page's HTML shell, also for an unknown slug (with a 404).
  const serveStatusHtml = (res, status) => {
    res.writeHead(status, { 'Content-Type': TYPES['.html'], 'Content-Security-Policy': CSP, 'Cache-Control': 'public, max-age=60' });
    res.end(readFileSync(join(dist, 'status.html')));
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (statusPages.handlePublic(req, res, url, serveStatusHtml)) return;
    if (url.pathname.startsWith('/api/v1/')) return void api(req, res, url).catch((e) => err(res, 500, 'INTERNAL', String(e)));
    let file = join(dist, url.pathname);
    if (url.pathname === '/' || !extname(url.pathname) || !existsSync(file)) {
      if (extname(url.pathname) && url.pathname !== '/') return err(res, 404, 'NOT_FOUND', 'no such file');
      file = join(dist, 'index.html');
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Security-Policy': CSP });
    res.end(readFileSync(file));
  });
  let flapTimer = null;
  if (flap) {
    const ids = [...db.monitors.keys()];
    flapTimer = setInterval(() => {
      const id = ids[Math.floor(Math.random() * ids.length)];
      const st = db.statuses.get(id);
      if (st && st.state !== 'STATE_PAUSED') setState(id, st.state === 'STATE_DOWN' ? 'STATE_UP' : 'STATE_DOWN', 'flap');
    }, 2000);
  }
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () =>
      resolve({
        port: server.address().port,
        db,
        accounts,
        setState,
        statusPages,
        close: () => {
          clearInterval(flapTimer);
          statusPages.close();
          for (const c of clients) c.destroy();
          server.close();
        },
      }),
    ),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const a = process.argv.slice(2);
  const opt = (n, d) => (a.includes(n) ? a[a.indexOf(n) + 1] : d);
  const s = await startMock({ dist: opt('--dist', new URL('../dist', import.meta.url).pathname), port: Number(opt('--port', 8089)), monitors: Number(opt('--monitors', 200)), flap: a.includes('--flap'), statusDemo: !a.includes('--no-status-demo') });
  if (a.includes('--flap')) s.statusPages.startFlap();
  console.log(`mock gateway on http://127.0.0.1:${s.port} (tokens: admin, edit, read; users alice/erin/victor/carol, password <name>-password-1; status page: /status/acme)`);
}
