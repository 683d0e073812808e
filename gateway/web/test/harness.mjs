// What the browser tests share for running the real system: free ports,
// child processes with their last output kept for failures, waiting with a
// deadline, and Chromium through playwright-core.
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
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

export async function eventually(what, fn, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
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
