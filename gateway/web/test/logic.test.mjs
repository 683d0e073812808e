#!/usr/bin/env node
// Unit tests of the dashboard's pure logic (SSE parsing, label selectors,
// durations, mapping server errors to fields) and of the status page's
// (slug, live events, bars, texts), run with node's test runner
// on an esbuild bundle of the TypeScript sources: `node --test test/logic.test.mjs`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'uptime-web-test-'));
await esbuild.build({
  stdin: {
    contents: `export * from './events'; export * from './monitors'; export * from './format'; export * from './forms'; export { ApiError, fieldOf } from './api'; export * from './audit-diff'; export * as S from './status/logic';`,
    resolveDir: join(here, '..', 'src'),
    loader: 'ts',
  },
  bundle: true,
  format: 'esm',
  platform: 'node',
  outfile: join(out, 'logic.mjs'),
  logLevel: 'error',
});
const L = await import(pathToFileURL(join(out, 'logic.mjs')).href);
rmSync(out, { recursive: true, force: true });

test('SseParser: events, ids, comments, CRLF, split chunks, data-less resync', () => {
  const got = [];
  const p = new L.SseParser((m) => got.push(m));
  p.push(': hb\n\nid: 7\nevent: state_change\ndata: {"a":');
  p.push('1}\r\n\r');
  p.push('\nid: 8\nevent: resync\n\n');
  p.push('data: x\ndata: y\n\n');
  assert.deepEqual(got, [
    { id: '7', event: 'state_change', data: '{"a":1}' },
    { id: '8', event: 'resync', data: '' },
    { id: '8', event: 'message', data: 'x\ny' },
  ]);
});

test('compileSelector: =, !=, has, lacks, malformed', () => {
  const s = L.compileSelector('env=prod, team!=web, tier, !canary');
  assert.equal(s({ env: 'prod', team: 'db', tier: '1' }), true);
  assert.equal(s({ env: 'prod', team: 'web', tier: '1' }), false);
  assert.equal(s({ env: 'prod', team: 'db' }), false);
  assert.equal(s({ env: 'prod', tier: '', canary: 'y' }), false);
  assert.equal(L.compileSelector('a b'), null);
  assert.equal(L.compileSelector('=x'), null);
  assert.equal(L.compileSelector('')({}), true);
});

test('durations: parse and format', () => {
  assert.equal(L.toDuration('30s'), '30s');
  assert.equal(L.toDuration('5m'), '300s');
  assert.equal(L.toDuration('1h30m'), '5400s');
  assert.equal(L.toDuration('90'), '90s');
  assert.equal(L.toDuration('500ms'), '0.5s');
  assert.equal(L.toDuration('soon'), null);
  assert.equal(L.toDuration(''), null);
  assert.equal(L.parseDuration('1.500s'), 1.5);
  assert.equal(L.formatInterval(3600), '1h');
  assert.equal(L.formatInterval(90), '90s');
  assert.equal(L.formatInterval(300), '5m');
});

test('labels: parse and print', () => {
  assert.deepEqual(L.parseLabels('env=prod, team = web,flag'), { env: 'prod', team: 'web', flag: '' });
  assert.equal(L.parseLabels('=x'), null);
  assert.equal(L.labelsText({ env: 'prod', flag: '' }), 'env=prod, flag');
});

test('server errors land on the form field they name', () => {
  const keys = ['name', 'http.url', 'locations', 'locations.count', 'interval'];
  const err = (msg) => new L.ApiError(400, 'INVALID_ARGUMENT', msg, L.fieldOf(msg, []));
  assert.deepEqual(L.formErrors(err("monitor.http.url: 'ftp://x' is not an absolute URL"), 'monitor', keys), {
    fields: { 'http.url': "'ftp://x' is not an absolute URL" },
    form: null,
  });
  assert.deepEqual(L.formErrors(err('monitor.locations.count: must be 1..16'), 'monitor', keys).fields, { 'locations.count': 'Must be 1..16' });
  assert.deepEqual(L.formErrors(err('monitor.interval: must be 1s..24h'), 'monitor', keys).fields, { interval: 'Must be 1s..24h' });
  // camelCase paths and indices are normalised.
  assert.equal(L.fieldKey(new L.ApiError(400, 'x', 'm', 'monitor.locations[0].count'), 'monitor', keys), 'locations.count');
  // Errors naming no known field go to the form.
  assert.deepEqual(L.formErrors(err('something broke'), 'monitor', keys), { fields: {}, form: 'something broke' });
  assert.deepEqual(L.formErrors(new Error('network'), 'monitor', keys), { fields: {}, form: 'network' });
  // google.rpc.BadRequest details win over the message.
  assert.equal(L.fieldOf('bad', [{ fieldViolations: [{ field: 'monitor.name', description: 'x' }] }]), 'monitor.name');
});

test('status page: the slug comes from /status/{slug}', () => {
  assert.equal(L.S.slugFromPath('/status/acme'), 'acme');
  assert.equal(L.S.slugFromPath('/status/acme-eu-1/'), 'acme-eu-1');
  assert.equal(L.S.slugFromPath('/status/'), null);
  assert.equal(L.S.slugFromPath('/status/Acme'), null);
  assert.equal(L.S.slugFromPath('/status/-acme'), null);
  assert.equal(L.S.slugFromPath('/status/acme/feed.atom'), null);
  assert.equal(L.S.slugFromPath('/status/%E0%A4%A'), null);
  assert.equal(L.S.slugFromPath('/monitors/acme'), null);
  assert.equal(L.S.safeUrl('https://acme.example/logo.png'), 'https://acme.example/logo.png');
  assert.equal(L.S.safeUrl('/logo.svg'), '/logo.svg');
  assert.equal(L.S.safeUrl('javascript:alert(1)'), undefined);
  assert.equal(L.S.safeUrl('//evil.example/x'), undefined);
  assert.equal(L.S.safeUrl(''), undefined);
});

const statusPage = () => ({
  slug: 'acme',
  title: 'Acme',
  overall: 'operational',
  groups: [
    { name: 'API', monitors: [{ id: 'a', name: 'A', state: 'up', since: '2026-12-01T00:00:00Z' }, { id: 'b', name: 'B', state: 'up', since: '2026-12-01T00:00:00Z' }] },
    { name: 'Also', monitors: [{ id: 'a', name: 'A', state: 'up', since: '2026-12-01T00:00:00Z' }, { id: 'c', name: 'C', state: 'paused' }] },
  ],
});

test('status page: state events update every group showing the monitor, and the banner', () => {
  const p = statusPage();
  const q = L.S.applyStateEvent(p, { id: 'a', state: 'down', since: '2026-12-02T10:00:00Z', overall: 'degraded' });
  assert.equal(q.overall, 'degraded');
  assert.deepEqual(q.groups.map((g) => g.monitors.find((m) => m.id === 'a').state), ['down', 'down']);
  assert.equal(p.groups[0].monitors[0].state, 'up', 'the old page is not mutated');
  assert.equal(q.groups[1].monitors[1], p.groups[1].monitors[1], 'untouched monitors are kept');
  // Without `overall` in the event, the contract's rule decides (paused ones do not count).
  const r = L.S.applyStateEvent(q, { id: 'b', state: 'down' });
  assert.equal(r.overall, 'outage');
  assert.equal(L.S.applyStateEvent(r, { id: 'nope', state: 'down' }), r);
  assert.equal(L.S.computeOverall([{ state: 'maintenance' }, { state: 'up' }]), 'maintenance');
  assert.equal(L.S.computeOverall([{ state: 'pending' }, { state: 'paused' }]), 'operational');
});

test('status page: a refetched JSON older than an event keeps the event', () => {
  const stale = statusPage();
  const ev = { id: 'a', state: 'down', since: '2026-12-02T10:00:00Z', overall: 'degraded' };
  const merged = L.S.applyNewerEvents(stale, [ev]);
  assert.equal(merged.groups[0].monitors[0].state, 'down');
  assert.equal(merged.overall, 'degraded');
  // A newer JSON wins over an older event.
  const fresh = L.S.applyStateEvent(statusPage(), { id: 'a', state: 'up', since: '2026-12-02T11:00:00Z' });
  assert.equal(L.S.applyNewerEvents(fresh, [ev]).groups[0].monitors[0].state, 'up');
});

test('status page: bars, percentages and texts', () => {
  assert.equal(L.S.barLevel({ day: '2026-12-01', checks: 0, failures: 0, uptimePercent: 0 }), 'none');
  assert.equal(L.S.barLevel({ day: '2026-12-01', checks: 1440, failures: 1, uptimePercent: 99.93 }), 'ok');
  assert.equal(L.S.barLevel({ day: '2026-12-01', checks: 1440, failures: 5, uptimePercent: 99.65 }), 'minor');
  assert.equal(L.S.barLevel({ day: '2026-12-01', checks: 1440, failures: 60, uptimePercent: 95.8 }), 'major');
  assert.equal(L.S.barLevel({ day: '2026-12-01', checks: 1440, failures: 600, uptimePercent: 58.3 }), 'outage');
  assert.equal(L.S.percent(100), '100%');
  assert.equal(L.S.percent(99.996), '99.99%', 'never rounds up to 100%');
  assert.equal(L.S.percent(undefined), '—');
  assert.equal(L.S.barText({ day: '2026-09-04', checks: 1440, failures: 1, uptimePercent: 99.93 }), 'Sep 4, 2026: 99.93% uptime, 1 of 1,440 checks failed');
  assert.equal(L.S.barText({ day: '2026-09-04', checks: 0, failures: 0, uptimePercent: 0 }), 'Sep 4, 2026: no data');
  const days = L.S.padDays([{ day: '2026-12-02', checks: 10, failures: 1, uptimePercent: 90 }], 90);
  assert.equal(days.length, 90);
  assert.equal(days[0].day, '2026-09-04');
  assert.equal(days[88].day, '2026-12-01');
  assert.equal(days[88].checks, 0);
  assert.equal(L.S.uptimeOfDays(days, 30), 90);
  assert.equal(L.S.uptimeOfDays(days.slice(0, 10), 10), undefined);
  assert.equal(L.S.durationText(45), '45s');
  assert.equal(L.S.durationText(3700), '1h 1m');
  assert.equal(L.S.durationText(171000), '1d 23h');
  assert.equal(L.S.relativeText(new Date(Date.now() - 600e3).toISOString(), Date.now()), '10m ago');
});

test('status page: open incidents first, resolved ones of the last 30 days, current maintenance', () => {
  const now = Date.parse('2026-12-02T12:00:00Z');
  const { open, recent } = L.S.splitIncidents(
    [
      { id: '1', monitorId: 'a', monitorName: 'A', started: '2026-11-01T00:00:00Z', resolved: '2026-11-01T01:00:00Z' },
      { id: '2', monitorId: 'a', monitorName: 'A', started: '2026-12-02T11:00:00Z' },
      { id: '3', monitorId: 'b', monitorName: 'B', started: '2026-11-20T00:00:00Z', resolved: '2026-11-20T00:10:00Z' },
      { id: '4', monitorId: 'b', monitorName: 'B', started: '2026-11-25T00:00:00Z', resolved: '2026-11-25T00:10:00Z' },
    ],
    now,
  );
  assert.deepEqual(open.map((i) => i.id), ['2']);
  assert.deepEqual(recent.map((i) => i.id), ['4', '3']);
  assert.equal(L.S.incidentDuration(open[0], now), '1h');
  // An open incident of a monitor that is up again since ended then.
  const monitors = [{ id: 'a', name: 'A', state: 'up', since: '2026-12-02T11:30:00Z' }, { id: 'b', name: 'B', state: 'down', since: '2026-12-02T11:00:00Z' }];
  const fixed = L.S.reconcileIncidents(
    [
      { id: 'x', monitorId: 'a', monitorName: 'A', started: '2026-12-02T11:00:00Z' },
      { id: 'y', monitorId: 'b', monitorName: 'B', started: '2026-12-02T11:00:00Z' },
      { id: 'z', monitorId: 'a', monitorName: 'A', started: '2026-12-02T11:45:00Z' },
    ],
    monitors,
  );
  assert.deepEqual(fixed.map((i) => i.resolved), ['2026-12-02T11:30:00Z', undefined, undefined]);
  const w = L.S.sortMaintenance(
    [
      { id: 'later', name: 'x', start: '2026-12-05T00:00:00Z', end: '2026-12-05T02:00:00Z' },
      { id: 'past', name: 'x', start: '2026-12-01T00:00:00Z', end: '2026-12-01T02:00:00Z' },
      { id: 'now', name: 'x', start: '2026-12-02T11:00:00Z', end: '2026-12-02T13:00:00Z', active: true },
      { id: 'soon', name: 'x', start: '2026-12-03T00:00:00Z', end: '2026-12-03T02:00:00Z' },
    ],
    now,
  );
  assert.deepEqual(w.map((x) => x.id), ['now', 'soon', 'later']);
});

test('status page: JSON with omitted defaults and string counts is normalised', () => {
  const p = L.S.normalizePage({
    slug: 'acme',
    title: 'Acme',
    groups: [{ name: 'Empty' }, { name: 'API', monitors: [{ id: 'a', name: 'A', state: 'down', days: [{ day: '2026-12-02', checks: '1440', failures: '1440' }] }, { id: 'b', name: 'B', state: 'weird' }] }],
  });
  assert.deepEqual(p.groups[0].monitors, []);
  assert.deepEqual(p.groups[1].monitors[0].days[0], { day: '2026-12-02', checks: 1440, failures: 1440, uptimePercent: 0 });
  assert.equal(p.groups[1].monitors[1].state, 'pending');
  assert.equal(p.overall, 'degraded', 'computed when the server sent none');
  assert.deepEqual([p.incidents, p.maintenance], [[], []]);
  assert.equal(L.S.normalizePage({ groups: [] }), null);
  assert.equal(L.S.normalizePage(null), null);
});

test('diffJson lists the changed fields of an audit event', () => {
  const before = JSON.stringify({ id: 'm-1', name: 'api', interval: '60s', labels: { team: 'web' }, channelIds: ['c-1'] });
  const after = JSON.stringify({ id: 'm-1', name: 'api', interval: '30s', labels: { team: 'web', env: 'prod' }, channelIds: [] });
  assert.deepEqual(L.diffJson(before, after), [
    { path: 'channelIds', after: '[]' },
    { path: 'channelIds[0]', before: 'c-1' },
    { path: 'interval', before: '60s', after: '30s' },
    { path: 'labels.env', after: 'prod' },
  ]);
  // A creation shows every field as added; a deletion as removed.
  assert.deepEqual(L.diffJson('', '{"name":"x","paused":true}'), [{ path: 'name', after: 'x' }, { path: 'paused', after: 'true' }]);
  assert.deepEqual(L.diffJson('{"name":"x"}', ''), [{ path: 'name', before: 'x' }]);
  assert.deepEqual(L.diffJson('{"a":1}', '{"a":1}'), []);
  assert.deepEqual(L.diffJson('not json', ''), [{ path: '(unparsed)', before: 'not json' }]);
});
