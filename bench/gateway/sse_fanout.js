// SSE fan-out latency: CLIENTS event streams on /api/v1/events, then ROUNDS
// times a monitor is paused through the REST API (admin token); for each
// round, the time from sending the pause request to each client reading
// the monitor's state_change event. Prints one line per round and a final
// JSON line: {"rounds": [...], "p50": ms, "p99": ms, "max": ms, ...}.
//
//   node sse_fanout.js BASE_URL READ_TOKEN ADMIN_TOKEN CLIENTS ID1,ID2,...
//
// All clients live in this one process (one event loop), so the numbers
// include the time this process takes to read 1,000 sockets: an upper bound
// on what the gateway alone costs.
'use strict';
const http = require('http');

const [base, readToken, adminToken, clientsArg, idsArg] = process.argv.slice(2);
const CLIENTS = parseInt(clientsArg, 10);
const IDS = idsArg.split(',');
const url = new URL(base);
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
const now = () => Number(process.hrtime.bigint()) / 1e6;  // ms

let waiting = null;  // {id, t0, got: Float64Array, left, done}
const clients = [];

function connect(i) {
  return new Promise((resolve, reject) => {
    const req = http.get({
      host: url.hostname, port: url.port, path: '/api/v1/events', agent,
      headers: { Authorization: 'Bearer ' + readToken, Accept: 'text/event-stream' },
    }, (res) => {
      if (res.statusCode !== 200) return reject(new Error('events: HTTP ' + res.statusCode));
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk) => {
        const t = now();
        buf += chunk;
        let end;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const w = waiting;
          if (w && Number.isNaN(w.got[i]) && frame.includes('event: state_change') &&
              frame.includes(w.id)) {
            w.got[i] = t - w.t0;
            if (--w.left === 0) w.done();
          }
        }
      });
      res.on('end', () => { clients[i].closed = true; });
      resolve();
    });
    req.on('error', reject);
    clients[i] = { req, closed: false };
  });
}

function pause(id) {
  return new Promise((resolve, reject) => {
    const body = '{}';
    const req = http.request({
      host: url.hostname, port: url.port, method: 'POST', agent,
      path: '/api/v1/monitors/' + encodeURIComponent(id) + ':pause',
      headers: { Authorization: 'Bearer ' + adminToken, 'Content-Type': 'application/json',
                 'Content-Length': body.length },
    }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error('pause: HTTP ' + res.statusCode))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p / 100) - 1)];
}

async function main() {
  // Connect in batches so the accept queue is not the thing measured.
  for (let i = 0; i < CLIENTS; i += 100) {
    const batch = [];
    for (let j = i; j < Math.min(CLIENTS, i + 100); ++j) batch.push(connect(j));
    await Promise.all(batch);
  }
  await new Promise((r) => setTimeout(r, 500));
  const rounds = [];
  const all = [];
  let missing = 0;
  for (const id of IDS) {
    const got = new Float64Array(CLIENTS).fill(NaN);
    const done = new Promise((resolve) => {
      waiting = { id, t0: 0, got, left: CLIENTS, done: resolve };
    });
    waiting.t0 = now();
    const timeout = new Promise((r) => setTimeout(r, 5000));
    await pause(id);
    await Promise.race([done, timeout]);
    const ms = Array.from(got).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
    missing += CLIENTS - ms.length;
    const r = { p50: pct(ms, 50), p99: pct(ms, 99), max: ms[ms.length - 1], received: ms.length };
    rounds.push(r);
    all.push(...ms);
    console.error(`round ${rounds.length}: ${r.received}/${CLIENTS} clients, p50 ${r.p50.toFixed(1)} ms, ` +
                  `p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms`);
    waiting = null;
    await new Promise((r) => setTimeout(r, 300));
  }
  all.sort((a, b) => a - b);
  const worst = (k) => Math.max(...rounds.map((r) => r[k]));
  const median = (k) => rounds.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(rounds.length / 2)];
  console.log(JSON.stringify({
    clients: CLIENTS, rounds: rounds.length, missing,
    p50: pct(all, 50), p99: pct(all, 99), max: all[all.length - 1],
    median_round_p99: median('p99'), worst_round_p99: worst('p99'),
  }));
  for (const c of clients) c.req.destroy();
  process.exit(0);
}

main().catch((e) => { console.error(e.message); process.exit(1); });
