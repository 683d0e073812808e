#!/usr/bin/env node
// Unit tests of the dashboard's pure logic (SSE parsing, label selectors,
// durations, mapping server errors to fields), run with node's test runner
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
    contents: `export * from './events'; export * from './monitors'; export * from './format'; export * from './forms'; export { ApiError, fieldOf } from './api';`,
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
