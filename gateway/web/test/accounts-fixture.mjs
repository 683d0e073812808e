// The accounts browser test's fixture (accounts.browser.test.mjs): the mock
// gateway, or uptime-coordinator and uptime-gateway with users and monitors
// seeded through the API; Chromium; and the helpers every group of steps
// uses (check, step, pages at laptop and phone sizes, screenshots, sign-in).
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually, freePort, launchChromium, portOpen, start, startPostgres, stopAll } from './harness.mjs';
import { startMock } from './mock-gateway.mjs';
import { PASSWORD } from './mock-accounts.mjs';

const here = dirname(fileURLToPath(import.meta.url));

// Starts everything from the command line's options (see the test's header);
// `failures` counts what check, step and page errors found.
export async function startAccountsTest(args) {
  const opt = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
  const ARTIFACTS = opt('--artifacts', join(here, '..', 'dist', 'screenshots'));
  const CHROMIUM = opt('--chromium', process.env.CHROMIUM ?? '/usr/bin/chromium');

  const t = { failures: 0 };
  const log = (...a) => console.log('[accounts]', ...a);
  function check(ok, what) {
    if (ok) log('ok  ', what);
    else {
      t.failures++;
      console.error('[accounts] FAIL', what);
    }
  }
  async function step(name, fn) {
    try {
      await fn();
    } catch (e) {
      t.failures++;
      console.error(`[accounts] FAIL ${name}:`, e.message.split('\n').slice(0, 8).join('\n'));
    }
  }

  mkdirSync(ARTIFACTS, { recursive: true });
  // Children (PostgreSQL, the binaries) stop however the test ends.
  process.on('exit', stopAll);
  const REAL = !!opt('--gateway');
  const ADMIN = REAL ? 'A-admin-token-for-tests' : 'admin';
  let mock = null;
  let base;
  if (REAL) {
    const gw = opt('--gateway'), co = opt('--coordinator');
    for (const [n, b] of [['gateway', gw], ['coordinator', co]]) if (!b || !existsSync(b)) throw new Error(`--${n} binary ${b} not found`);
    const cport = await freePort();
    const gport = await freePort();
    const postgres = await startPostgres();
    start(co, ['--listen', `127.0.0.1:${cport}`, '--postgres', postgres, '--admin-token', ADMIN, '--read-token', 'R-read-token-for-tests', '--agent-token', 'G-agent', '--metrics-listen', '127.0.0.1:0'], 'coordinator');
    await eventually('the coordinator port', () => portOpen(cport));
    start(gw, ['--listen', `127.0.0.1:${gport}`, '--coordinator', `127.0.0.1:${cport}`, '--token', 'R-read-token-for-tests'], 'gateway');
    base = `http://127.0.0.1:${gport}`;
    await eventually('the gateway', async () => (await fetch(base + '/api/v1/caller', { headers: { Authorization: `Bearer ${ADMIN}` } })).ok, 20000);
  } else {
    mock = await startMock({ dist: opt('--dist', join(here, '..', 'dist')), monitors: 30, throttleAfter: 3, throttleSeconds: 90 });
    base = `http://127.0.0.1:${mock.port}`;
  }
  async function rest(method, path, body) {
    const res = await fetch(base + '/api/v1' + path, {
      method,
      headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
    return text ? JSON.parse(text) : {};
  }
  const userNamed = async (name) => ((await rest('GET', '/users?page_size=1000')).users ?? []).find((u) => u.username === name);
  if (REAL) {
    for (const [username, role] of [['alice', 'ROLE_ADMIN'], ['erin', 'ROLE_EDITOR'], ['victor', 'ROLE_VIEWER']]) {
      await rest('POST', '/users', { username, role, password: PASSWORD(username), displayName: `${username[0].toUpperCase()}${username.slice(1)}` });
    }
    // Monitors to edit, and (sign-ins) more than a page of audit events.
    for (let i = 0; i < 5; i++) await rest('POST', '/monitors', { name: `checkout-api-${i}`, http: { url: `http://127.0.0.1:9/health/${i}` }, interval: '60s' });
    for (let i = 0; i < 55; i++) {
      const res = await fetch(base + '/api/v1/auth:login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'erin', password: PASSWORD('erin') }) });
      if (!res.ok) throw new Error(`seeding sign-ins: HTTP ${res.status} ${await res.text()}`);
    }
  }
  const browser = await launchChromium(CHROMIUM);
  const cspErrors = [];
  const laptop = { viewport: { width: 1366, height: 900 } };
  const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

  async function newPage(opts = laptop) {
    const ctx = await browser.newContext({ colorScheme: 'light', ...opts });
    const page = await ctx.newPage();
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
      // 401s of a signed-out /caller and deliberate refusals are expected.
      if (!/status of 40[0-9]|status of 429/.test(m.text())) log('console error:', m.text());
    });
    page.on('pageerror', (e) => {
      t.failures++;
      console.error('[accounts] FAIL page error:', e.message);
    });
    return page;
  }
  const shot = async (page, name, fullPage = false) => {
    const p = join(ARTIFACTS, `${name}.png`);
    await page.waitForTimeout(250);
    await page.screenshot({ path: p, fullPage });
    log('screenshot', p);
  };
  async function login(page, user, password = PASSWORD(user)) {
    await page.goto(base + '/');
    await page.getByLabel('Username').fill(user);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Monitors', exact: true }).waitFor();
  }
  const nav = (page) => page.getByRole('navigation', { name: 'Main' });

  Object.assign(t, { REAL, ADMIN, mock, base, rest, userNamed, browser, cspErrors, laptop, phone, log, check, step, newPage, shot, login, nav });
  return t;
}
