#!/usr/bin/env node
// The dashboard benchmark proper, against a system bench/web/run.sh started:
// creates the monitors (and the local target they check), waits for the
// gateway to report them all, then drives Debian's Chromium through
// playwright-core (from gateway/web/node_modules) and measures
//   (a) navigation -> the list rendered: rows in the DOM and the "All" count
//       showing N, cold (fresh context) and warm (signed-in tab, cached assets);
//   (b) target flips to failing -> the row's badge shows Down, no reload;
//   (c) JS/CSS weight of `/` and `/status/{slug}`;
// plus RSS of the processes named by --pid. Prints a table; JSON to --out.
//
//   node web_bench.mjs --base URL --admin-token-env VAR --read-token-env VAR
//     [--monitors N] [--runs R] [--chromium PATH] [--out FILE]
//     [--pid name=PID ...] [--ctl UPTIMECTL --api HOST:PORT]
// Tokens come from environment variables so they never show up in `ps`.
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { eventually } from '../../gateway/web/test/harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { chromium } = createRequire(join(here, '..', '..', 'gateway', 'web', 'package.json'))('playwright-core');

const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const optAll = (n) => args.flatMap((a, i) => (a === n ? [args[i + 1]] : []));
const BASE = opt('--base');
const ADMIN = process.env[opt('--admin-token-env', 'BENCH_ADMIN')];
const READ = process.env[opt('--read-token-env', 'BENCH_READ')];
const N = Number(opt('--monitors', 10000));
const RUNS = Number(opt('--runs', 5));
const CHROMIUM = opt('--chromium', '/usr/bin/chromium');
const OUT = opt('--out', join(here, '..', '..', 'build', 'bench', 'web.json'));
const PIDS = Object.fromEntries(optAll('--pid').map((p) => p.split('=')));
const CTL = opt('--ctl');
const API = opt('--api');
for (const [name, v] of [['--base', BASE], ['admin token', ADMIN], ['read token', READ]]) {
  if (!v) throw new Error(`${name}: required`);
}
if (!(N >= 2) || !(RUNS >= 1)) throw new Error(`--monitors (>= 2) and --runs (>= 1): got ${N}, ${RUNS}`);

// Loose enough that 10,000 monitors cost about 170 checks/s on the machine.
const INTERVAL = '60s';
// The monitor whose target flips: checked every second, Down at the first failure.
const FLIP = { name: 'bench-flip', path: '/flip', interval: '1s', failureThreshold: 1, recoveryThreshold: 1 };
const SLUG = 'web-bench';

const log = (...a) => console.log('[web]', ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const ms = (v) => (Number.isFinite(v) ? `${Math.round(v)} ms` : 'n/a');
const max = (xs) => (xs.some(Number.isFinite) ? Math.max(...xs.filter(Number.isFinite)) : NaN);

async function rest(method, path, body, token = ADMIN) {
  const res = await fetch(BASE + '/api/v1' + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw Object.assign(new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`), { status: res.status });
  return text ? JSON.parse(text) : {};
}

// The target every monitor checks: HTTP 200 at once, 500 for paths in
// `failing`; TCP monitors only connect to the same port.
const failing = new Set();
function startTarget() {
  const server = createServer((req, res) => {
    const bad = failing.has(req.url.split('?')[0]);
    res.writeHead(bad ? 500 : 200, { 'Content-Type': 'text/plain' });
    res.end(bad ? 'failing on purpose' : 'ok');
  });
  server.keepAliveTimeout = 65000;
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

async function createMonitors(targetPort) {
  const teams = ['payments', 'search', 'identity', 'platform', 'growth'];
  const target = `http://127.0.0.1:${targetPort}`;
  const flip = await rest('POST', '/monitors', {
    name: FLIP.name,
    labels: { env: 'prod', team: 'bench' },
    http: { url: target + FLIP.path },
    interval: FLIP.interval,
    failureThreshold: FLIP.failureThreshold,
    recoveryThreshold: FLIP.recoveryThreshold,
  });
  let next = 1;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < N) {
        const i = next++;
        const team = teams[i % teams.length];
        const spec =
          i % 2 ? { tcp: { host: '127.0.0.1', port: targetPort } } : { http: { url: `${target}/${team}/health/${i}` } };
        await rest('POST', '/monitors', {
          name: `${team}-service-${String(i).padStart(5, '0')}`,
          labels: { env: i % 7 === 0 ? 'staging' : 'prod', team },
          ...spec,
          interval: INTERVAL,
        });
        if (i % 2000 === 0) log(`  ${i} monitors created`);
      }
    }),
  );
  return { flip, createSeconds: (Date.now() - t0) / 1000 };
}

async function statusesTotal() {
  const s = await rest('GET', '/statuses:summary', undefined, READ).catch(() => null);
  if (s && typeof s.total === 'number') return s.total;
  let have = 0;
  for (let token = ''; ; ) {
    const page = await rest('GET', `/statuses?page_size=1000${token ? '&page_token=' + token : ''}`, undefined, READ);
    have += (page.statuses ?? []).length;
    if (!(token = page.nextPageToken)) return have;
  }
}

function rss(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number((new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s) ?? [])[1] ?? NaN);
    return { rss_mib: kb('VmRSS') / 1024, peak_rss_mib: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

// A status page showing some monitors, through REST if the gateway has the
// route yet, else uptimectl; null when neither can (then (c) says n/a).
async function createStatusPage() {
  const page = { slug: SLUG, title: 'Web bench', groups: [{ name: 'Payments', labelSelector: 'team=payments' }] };
  for (const path of ['/statusPages', '/status-pages']) {
    try {
      await rest('POST', path, page);
      return `REST POST /api/v1${path}`;
    } catch (e) {
      if (e.status !== 404 && e.status !== 405) log(`note: ${e.message}`);
    }
  }
  if (CTL && API) {
    const ok = await new Promise((r) =>
      execFile(CTL, ['--addr', API, 'status-pages', 'create', '--slug', SLUG, '--title', 'Web bench', '--group-selector', 'Payments=team=payments'],
        { env: { ...process.env, UPTIME_TOKEN: ADMIN } }, (err, _out, stderr) => {
          if (err) log(`note: uptimectl status-pages create: ${(stderr || err.message).trim().split('\n')[0]}`);
          r(!err);
        }),
    );
    if (ok) return 'uptimectl status-pages create';
  }
  return null;
}

// Runs at document start of every page: records when the list is on screen
// (rows in the DOM and the "All" count equal to N), at the next frame.
function listProbe(n) {
  const check = () => {
    if (window.__benchListAt) return;
    const count = document.querySelector('.count-all .count-n')?.textContent ?? '';
    if (count.replace(/\D/g, '') === String(n) && document.querySelector('.vrow-monitor')) {
      window.__benchListAt = -1;
      requestAnimationFrame(() => (window.__benchListAt = performance.now()));
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true });
}

const JS = /\.m?js(\?|$)/;
const CSS = /\.css(\?|$)/;
// JS and CSS a page loaded: bytes on the wire (Chromium's transferSize and
// encodedBodySize), raw (decodedBodySize), and what gzip -6 would make.
async function pageWeight(page) {
  const entries = await page.evaluate(() =>
    performance.getEntriesByType('resource').map((e) => ({
      name: e.name, transfer: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize, type: e.initiatorType,
    })),
  );
  const out = { js: { files: [], transfer: 0, raw: 0, gzip: 0 }, css: { files: [], transfer: 0, raw: 0, gzip: 0 }, api_json: { requests: 0, transfer: 0, raw: 0 } };
  for (const e of entries) {
    const path = new URL(e.name).pathname;
    const kind = JS.test(path) ? 'js' : CSS.test(path) ? 'css' : null;
    if (kind) {
      const body = Buffer.from(await (await fetch(e.name)).arrayBuffer());
      const gz = gzipSync(body, { level: 6 }).length;
      out[kind].files.push({ path, transfer: e.transfer, encoded: e.encoded, raw: e.decoded || body.length, gzip: gz });
      out[kind].transfer += e.transfer;
      out[kind].raw += e.decoded || body.length;
      out[kind].gzip += gz;
    } else if (path.startsWith('/api/v1/') && path !== '/api/v1/events') {
      out.api_json.requests++;
      out.api_json.transfer += e.transfer;
      out.api_json.raw += e.decoded;
    }
  }
  return out;
}

async function main() {
  const target = await startTarget();
  const port = target.address().port;
  log(`target on 127.0.0.1:${port}; creating ${N} monitors (${N - 1} every ${INTERVAL}, one every ${FLIP.interval})`);
  const { flip, createSeconds } = await createMonitors(port);
  log(`created ${N} monitors in ${createSeconds.toFixed(1)} s`);
  const tStatuses = Date.now();
  await eventually(`the gateway's /api/v1/statuses to report ${N} monitors`, async () => (await statusesTotal()) >= N, 180000, 500);
  log(`the gateway reports all ${N} statuses (${((Date.now() - tStatuses) / 1000).toFixed(1)} s after the last create)`);
  // Measure the steady state: every monitor checked once, so the first
  // wave of PENDING -> UP changes is not part of the page loads.
  const tUp = Date.now();
  let summary = null;
  await eventually('every monitor to leave PENDING', async () => {
    summary = await rest('GET', '/statuses:summary', undefined, READ);
    return (summary.counts?.STATE_PENDING ?? 0) === 0 && (summary.total ?? 0) >= N;
  }, 180000, 1000).then(
    () => log(`all ${N} monitors checked at least once (${((Date.now() - tUp) / 1000).toFixed(1)} s later): ${JSON.stringify(summary.counts)}`),
    (e) => log(`note: ${e.message}; measuring anyway (${JSON.stringify(summary?.counts)})`),
  );
  const statusPageVia = await createStatusPage();

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const laptop = { viewport: { width: 1366, height: 768 }, colorScheme: 'light', locale: 'en-US' };
  const pageErrors = [];
  const watch = (page) => page.on('pageerror', (e) => pageErrors.push(e.message));
  const result = {
    monitors: N, runs: RUNS, cores: (await import('node:os')).cpus().length,
    loadavg_before: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number),
    create_seconds: createSeconds, states_before: summary?.counts ?? null, flip_monitor: { ...FLIP, id: flip.id },
  };
  const timeList = async (page, label, i) => {
    await page.goto(BASE + '/', { waitUntil: 'commit' });
    await page.waitForFunction(() => window.__benchListAt > 0, null, { timeout: 120000, polling: 50 });
    // The app's own marks are set from effects, which run a frame later.
    await page.waitForFunction(() => window.__listCompleteAt, null, { timeout: 5000, polling: 50 }).catch(() => {});
    const t = await page.evaluate(() => ({
      all: window.__benchListAt, first: window.__listRenderedAt ?? null, complete: window.__listCompleteAt ?? null,
      html: performance.getEntriesByType('navigation')[0]?.responseEnd ?? null,
      marks: Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)])),
      // Where the time goes: every request's start and end, ms after navigation start.
      requests: performance.getEntriesByType('resource').map((e) => [new URL(e.name).pathname + new URL(e.name).search, Math.round(e.startTime), Math.round(e.responseEnd)]),
    }));
    if (process.env.BENCH_DEBUG) log(JSON.stringify(t.marks), JSON.stringify(t.requests));
    log(`(a) ${label} run ${i + 1}: list with all ${N} at ${t.all.toFixed(0)} ms (first screen ${ms(t.first)}, load complete ${ms(t.complete)}, HTML ${ms(t.html)})`);
    return t;
  };

  // (a) cold: every run a fresh context (empty cache), signed in with the
  // read token already in session storage, where the sign-in form puts it.
  const cold = [];
  let weightRoot = null;
  for (let i = 0; i < RUNS; i++) {
    const ctx = await browser.newContext(laptop);
    await ctx.addInitScript((token) => sessionStorage.setItem('uptime.token', token), READ);
    await ctx.addInitScript(listProbe, N);
    const page = await ctx.newPage();
    watch(page);
    cold.push(await timeList(page, 'cold', i));
    if (i === 0) weightRoot = await pageWeight(page);
    await ctx.close();
  }

  // (a) warm: sign in through the form as the browser test does, then
  // navigate again in the same tab (assets cached, token in the tab).
  const ctx = await browser.newContext(laptop);
  await ctx.addInitScript(listProbe, N);
  const page = await ctx.newPage();
  watch(page);
  await page.goto(BASE + '/');
  // Password sign-in is the default form; the token one is a click away.
  await page.getByRole('button', { name: 'Sign in with an API token' }).click();
  await page.getByLabel('API token').fill(READ);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Monitors', exact: true }).waitFor();
  const warm = [];
  for (let i = 0; i < RUNS; i++) warm.push(await timeList(page, 'warm', i));
  const domRows = await page.locator('.vrow-monitor').count();

  // (b) the flip monitor's row, alone on screen through the search box.
  const search = page.getByPlaceholder('Search name, URL, label…');
  await search.fill(FLIP.name);
  // Arms a watch in the page, before anything changes: window.__benchBadge
  // resolves with Date.now() at the first frame the badge shows `label`.
  const armBadge = (label) =>
    page.evaluate(
      ([id, label]) => {
        window.__benchBadge = new Promise((resolve) => {
          const is = () =>
            (document.querySelector(`.vrow-monitor a[href="/monitors/${encodeURIComponent(id)}"]`)?.closest('.vrow-monitor')?.querySelector('.c-state')?.textContent ?? '').trim() === label;
          const done = () => {
            obs.disconnect();
            requestAnimationFrame(() => resolve(Date.now()));
          };
          const obs = new MutationObserver(() => is() && done());
          obs.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
          if (is()) done();
        });
      },
      [flip.id, label],
    );
  const badgeShown = () => page.evaluate(() => window.__benchBadge);
  const withTimeout = (p, ms, what) => Promise.race([p, sleep(ms).then(() => Promise.reject(new Error(`timed out after ${ms} ms: ${what}`)))]);
  await armBadge('Up');
  await withTimeout(badgeShown(), 60000, 'the flip monitor to show Up');
  const flips = [];
  for (let i = 0; i < RUNS; i++) {
    // A random phase against the 1 s check cadence.
    await sleep(200 + Math.random() * 1000);
    await armBadge('Down');
    failing.add(FLIP.path);
    const t0 = Date.now();
    const shownAt = await withTimeout(badgeShown(), 30000, 'the badge to show Down');
    const st = await rest('GET', `/statuses/${flip.id}`, undefined, READ).catch(() => null);
    const decided = st?.since && st.state === 'STATE_DOWN' ? Date.parse(st.since) : NaN;
    const r = { flip_to_badge_ms: shownAt - t0, decided_to_badge_ms: shownAt - decided, flip_to_decided_ms: decided - t0 };
    flips.push(r);
    log(`(b) run ${i + 1}: target failing -> badge Down ${r.flip_to_badge_ms} ms (coordinator decided after ${r.flip_to_decided_ms} ms, on screen ${r.decided_to_badge_ms} ms later)`);
    await armBadge('Up');
    failing.delete(FLIP.path);
    await withTimeout(badgeShown(), 30000, 'the badge to show Up again');
  }
  await search.fill('');
  await ctx.close();

  // (c) the public status page, without a token.
  let weightStatus = null;
  let statusHttp = null;
  {
    const res = await fetch(`${BASE}/status/${SLUG}`);
    statusHttp = res.status;
    await res.arrayBuffer();
    if (res.ok) {
      const sctx = await browser.newContext(laptop);
      const spage = await sctx.newPage();
      watch(spage);
      await spage.goto(`${BASE}/status/${SLUG}`, { waitUntil: 'load' });
      await sleep(1000);
      weightStatus = await pageWeight(spage);
      await sctx.close();
    }
  }
  await browser.close();
  target.close();

  result.list_cold = cold;
  result.list_warm = warm;
  result.dom_rows = domRows;
  result.state_change = flips;
  result.weight_root = weightRoot;
  result.status_page = { created_via: statusPageVia, http_status: statusHttp, weight: weightStatus };
  result.rss = Object.fromEntries(Object.entries(PIDS).map(([name, pid]) => [name, rss(pid)]));
  result.page_errors = pageErrors;
  result.loadavg_after = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);

  const kb = (v) => `${(v / 1024).toFixed(1)} KiB`;
  const coldAll = cold.map((t) => t.all), warmAll = warm.map((t) => t.all);
  const down = flips.map((f) => f.flip_to_badge_ms), shown = flips.map((f) => f.decided_to_badge_ms).filter(Number.isFinite);
  const w = (x, k) => (x ? `${kb(x[k].raw)} raw, ${kb(x[k].gzip)} gzip, ${kb(x[k].transfer)} sent` : 'n/a');
  const rows = [
    [`(a) navigation -> list of ${N} rendered, cold`, ms(median(coldAll)), ms(max(coldAll)), 'about 1 s (<= 1 s)'],
    [`(a) navigation -> list of ${N} rendered, warm`, ms(median(warmAll)), ms(max(warmAll)), 'about 1 s (<= 1 s)'],
    ['    first screen of rows (cold)', ms(median(cold.map((t) => t.first))), ms(max(cold.map((t) => t.first))), ''],
    [`(b) target failing -> badge Down (interval ${FLIP.interval}, threshold ${FLIP.failureThreshold})`, ms(median(down)), ms(max(down)), 'check cadence + <= 1 s'],
    ['    coordinator decided -> badge Down', ms(median(shown)), ms(max(shown)), '<= 1 s'],
    ['(c) `/` JS', w(weightRoot, 'js'), '', ''],
    ['(c) `/` CSS', w(weightRoot, 'css'), '', ''],
    [`(c) \`/\` API JSON for the list (${weightRoot?.api_json.requests ?? 0} requests)`, weightRoot ? `${kb(weightRoot.api_json.raw)} raw, ${kb(weightRoot.api_json.transfer)} sent` : 'n/a', '', ''],
    [`(c) \`/status/${SLUG}\` JS`, weightStatus ? w(weightStatus, 'js') : `n/a (HTTP ${statusHttp})`, '', ''],
    [`(c) \`/status/${SLUG}\` CSS`, weightStatus ? w(weightStatus, 'css') : `n/a (HTTP ${statusHttp})`, '', ''],
    ...Object.entries(result.rss).map(([name, r]) => [`RSS ${name} after the load`, r ? `${r.rss_mib.toFixed(0)} MiB` : 'n/a', r ? `${r.peak_rss_mib.toFixed(0)} MiB peak` : '', '']),
  ];
  console.log();
  console.log('| what | median | max | target |');
  console.log('|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  // Where a cold navigation spends its time (medians over the runs).
  const phase = (f) => ms(median(cold.map(f)));
  const endOf = (t, re) => max(t.requests.filter(([p]) => re.test(p)).map(([, , end]) => end));
  const firstMonitors = (t) => t.requests.find(([p]) => p.startsWith('/api/v1/monitors?'))?.[2] ?? NaN;
  const breakdown =
    `cold navigation, medians: JS and CSS loaded ${phase((t) => endOf(t, /\.(m?js|css)$/))}, ` +
    `app started loading ${phase((t) => t.marks['uptime:load-start'] ?? NaN)}, first page of monitors received ${phase(firstMonitors)}, ` +
    `first rows on screen ${phase((t) => t.first)}, all ${N} loaded ${phase((t) => t.marks['uptime:load-complete'] ?? NaN)}, count shows ${N} ${phase((t) => t.all)}`;
  console.log();
  console.log(breakdown);
  result.cold_breakdown = breakdown;
  const worstA = Math.max(median(coldAll), median(warmAll));
  const verdict =
    `verdict: list of ${N} in ${ms(worstA)} (median, worse of cold/warm) ${worstA <= 1000 ? 'meets' : 'misses'} the 1 s target; ` +
    `state change on screen ${ms(median(shown))} after the coordinator decided (${ms(median(down))} from the target failing, checked every ${FLIP.interval})` +
    (pageErrors.length ? `; ${pageErrors.length} page error(s)` : '');
  console.log();
  console.log(verdict);
  result.verdict = verdict;
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify(result, null, 2) + '\n');
  log(`raw numbers in ${OUT}`);
}

try {
  await main();
  process.exit(0);
} catch (e) {
  console.error('[web] FAILED:', e.stack ?? e);
  process.exit(1);
}
