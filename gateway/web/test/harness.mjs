// What the browser tests share for running the real system: free ports,
// child processes with their last output kept for failures, waiting with a
// deadline, and Chromium through playwright-core.
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export function portOpen(port) {
  return new Promise((r) => {
    const s = connect(port, '127.0.0.1', () => (s.destroy(), r(true)));
    s.on('error', () => r(false));
  });
}

// Children started here are stopped by stopAll().
const children = [];
export function start(bin, argv, name, log = console.error) {
  const p = spawn(bin, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  const keep = (d) => {
    lines.push(...d.toString().split('\n'));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  p.stdout.on('data', keep);
  p.stderr.on('data', keep);
  p.on('exit', (code, sig) => {
    if (!p.stopping) log(`${name} exited early (${code ?? sig}); last output:\n${lines.slice(-30).join('\n')}`);
  });
  children.push(p);
  return p;
}
export function stopAll() {
  for (const c of children) {
    c.stopping = true;
    c.kill('SIGTERM');
  }
}

// A throwaway PostgreSQL (Debian's packages) on a free port, in a temp dir
// removed at exit; returns the coordinator's --postgres connection string.
// PostgreSQL refuses to run as root, so as root it runs as the `postgres`
// system user (runuser), which owns the temp dir.
export async function startPostgres(log = console.error) {
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort() : [];
  const bin = versions.map((v) => `/usr/lib/postgresql/${v}/bin`).reverse().find((b) => existsSync(`${b}/postgres`));
  if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (scripts/bootstrap.sh installs them)');
  const dir = mkdtempSync(join(tmpdir(), 'uptime-browser-pg-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const root = process.getuid?.() === 0;
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const asPg = (cmd, argv) => (root ? ['runuser', ['-u', 'postgres', '--', cmd, ...argv]] : [cmd, argv]);
  const data = join(dir, 'data');
  execFileSync(...asPg(`${bin}/initdb`, ['-D', data, '-A', 'trust', '-U', 'uptime', '-E', 'UTF8', '--locale=C', '--no-sync']), { stdio: 'ignore' });
  const port = await freePort();
  start(...asPg(`${bin}/postgres`, ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off']), 'postgres', log);
  await eventually('PostgreSQL', () => portOpen(port), 30000);
  // The coordinator creates its tables in the default database.
  return `host=127.0.0.1 port=${port} user=uptime dbname=postgres`;
}

export async function eventually(what, fn, timeoutMs = 15000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? ': ' + last.message : ''}`);
}

// Flags that work as root on Debian's Chromium (docs: ENVIRONMENT.md);
// playwright gives every launch a fresh, temporary --user-data-dir.
export function launchChromium(executablePath) {
  return chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
