// Chart tests: node chart_test.mjs CHECK, run by ctest from the directory setup_tools.sh filled
// (helm, node_modules and these scripts). Environment: UPTIME_SOURCE_DIR (the repository),
// UPTIME_BIN_DIR (build/bin). CHECK is one of:
//   lint-render   helm lint --strict and helm template over every helm/uptime-monitor/ci/*.yaml
//   schema        values.schema.json rejects wrong types and misspelt keys
//   objects       every rendered object is valid against the Kubernetes API, unknown fields rejected
//   check-config  every container's args and env pass its binary's --check-config
//   notes         NOTES.txt renders, with the commands it promises
// Exits 1 with the reasons when a check fails.
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { validateObject } from './k8s_validate.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = process.env.UPTIME_SOURCE_DIR ?? path.resolve(here, '../..');
const binDir = process.env.UPTIME_BIN_DIR ?? path.join(source, 'build/bin');
const chart = path.join(source, 'helm/uptime-monitor');
const helmBin = path.join(here, 'helm');
const valueSets = fs.readdirSync(path.join(chart, 'ci')).filter((f) => f.endsWith('.yaml')).sort();

const failures = [];
function fail(message) {
  failures.push(message);
  console.log(`FAIL ${message}`);
}

function helm(args) {
  const r = spawnSync(helmBin, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { ok: r.status === 0, out: r.stdout, err: r.stderr };
}

function template(valuesFile, extra = []) {
  const args = ['template', 'uptime', chart, '--namespace', 'monitoring'];
  if (valuesFile) args.push('-f', path.join(chart, 'ci', valuesFile));
  return helm([...args, ...extra]);
}

// YAML 1.1 as Kubernetes reads it (0440 is octal there).
function parseObjects(text) {
  return YAML.parseAllDocuments(text, { version: '1.1' })
    .map((d) => {
      if (d.errors.length) throw new Error(d.errors.map((e) => e.message).join('; '));
      return d.toJS();
    })
    .filter((o) => o !== null && o !== undefined);
}

function renderObjects(valuesFile, extra = []) {
  const r = template(valuesFile, extra);
  if (!r.ok) throw new Error(`helm template -f ci/${valuesFile}: ${r.err.trim()}`);
  return parseObjects(r.out);
}

// ---- lint-render -------------------------------------------------------------------------------

function checkLintRender() {
  for (const f of valueSets) {
    const lint = helm(['lint', '--strict', chart, '-f', path.join(chart, 'ci', f)]);
    if (!lint.ok) fail(`helm lint --strict -f ci/${f}:\n${lint.out}${lint.err}`);
    const r = template(f);
    if (!r.ok) {
      fail(`helm template -f ci/${f}: ${r.err.trim()}`);
      continue;
    }
    const kinds = parseObjects(r.out).map((o) => o.kind);
    console.log(`ok   ci/${f}: ${kinds.length} objects`);
  }
  // What the issue promises of the default install.
  const objects = renderObjects('default-values.yaml');
  const find = (kind, suffix) => objects.find((o) => o.kind === kind && o.metadata.name.endsWith(suffix));
  const coordinator = find('Deployment', '-coordinator');
  if (coordinator?.spec.replicas !== 2) fail('the coordinator Deployment should run 2 replicas');
  const probe = coordinator?.spec.template.spec.containers[0].readinessProbe;
  if (!probe?.grpc) fail('the coordinator readiness probe should be the native gRPC probe');
  for (const [kind, suffix] of [
    ['PodDisruptionBudget', '-coordinator'], ['PodDisruptionBudget', '-agent-default'],
    ['PodDisruptionBudget', '-gateway'], ['HorizontalPodAutoscaler', '-gateway'],
    ['StatefulSet', '-postgresql'], ['StatefulSet', '-redis'], ['Job', '-test'],
    ['Secret', '-tokens'], ['NetworkPolicy', '-coordinator'],
  ]) {
    if (!find(kind, suffix)) fail(`the default values should render ${kind} *${suffix}`);
  }
  // One coordinator has no standby: no budget. Two or more: the budget that keeps the leader.
  const pdb = find('PodDisruptionBudget', '-coordinator');
  if (pdb && (pdb.spec.maxUnavailable !== 1 || pdb.spec.unhealthyPodEvictionPolicy !== 'AlwaysAllow')) {
    fail(`the coordinator budget should be maxUnavailable 1 with AlwaysAllow: ${JSON.stringify(pdb.spec)}`);
  }
  const single = renderObjects('default-values.yaml', ['--set', 'coordinator.replicas=1']);
  if (single.some((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name.endsWith('-coordinator'))) {
    fail('one coordinator should get no PodDisruptionBudget');
  }
  const argsOf = (o) => o.spec.template.spec.containers[0].args;
  const gatewayArgs = argsOf(find('Deployment', '-gateway'));
  for (const arg of ['--results-stream=on-demand', '--results-linger=30s']) {
    if (!gatewayArgs.includes(arg)) fail(`the default gateway should run with ${arg}: ${gatewayArgs.join(' ')}`);
  }
  if (!argsOf(find('Deployment', '-agent-default')).includes('--loops=0')) fail('the default agents should run with --loops=0');
  const multi = renderObjects('multi-region-values.yaml');
  const agents = multi.filter((o) => o.kind === 'Deployment' && /-agent-/.test(o.metadata.name));
  if (agents.length !== 3) fail(`multi-region: expected 3 agent Deployments, got ${agents.length}`);
  // A group's loops replace agents.loops; the others take it.
  for (const [group, loops] of [['eu-west', 4], ['us-east', 2], ['ap-south', 2]]) {
    const d = agents.find((o) => o.metadata.name.endsWith(`-agent-${group}`));
    if (!d || !argsOf(d).includes(`--loops=${loops}`)) fail(`multi-region: group ${group} should run --loops=${loops}`);
  }
  // An unquoted `off` is YAML's false: still --results-stream=off.
  const tlsGateway = renderObjects('tls-values.yaml').find((o) => o.kind === 'Deployment' && o.metadata.name.endsWith('-gateway'));
  if (!argsOf(tlsGateway).includes('--results-stream=off')) fail('gateway.resultsStream: off should render --results-stream=off');
  if (multi.filter((o) => o.kind === 'HorizontalPodAutoscaler').length !== 3) {
    fail('multi-region: expected an HPA for each of 2 autoscaled groups and the gateway');
  }
  // Every pod of ours: non-root, read-only, no capabilities, seccomp, requests and limits,
  // a checksum annotation.
  for (const f of valueSets) {
    for (const o of renderObjects(f)) {
      const pod = o.spec?.template?.spec;
      if (!pod) continue;
      const where = `ci/${f}: ${o.kind}/${o.metadata.name}`;
      if (pod.securityContext?.runAsNonRoot !== true) fail(`${where}: runAsNonRoot`);
      if (pod.securityContext?.seccompProfile?.type !== 'RuntimeDefault') fail(`${where}: seccomp RuntimeDefault`);
      for (const c of pod.containers) {
        const sc = c.securityContext ?? {};
        if (sc.readOnlyRootFilesystem !== true) fail(`${where}/${c.name}: readOnlyRootFilesystem`);
        if (sc.allowPrivilegeEscalation !== false) fail(`${where}/${c.name}: allowPrivilegeEscalation`);
        if (!(sc.capabilities?.drop ?? []).includes('ALL')) fail(`${where}/${c.name}: capabilities drop ALL`);
        if (!c.resources?.requests || !c.resources?.limits) fail(`${where}/${c.name}: requests and limits`);
      }
      if (['Deployment'].includes(o.kind) && !o.spec.template.metadata.annotations?.['checksum/config']) {
        fail(`${where}: no checksum/config annotation`);
      }
    }
  }
  // Generated tokens are looked up, so `helm upgrade` keeps them.
  const tokens = fs.readFileSync(path.join(chart, 'templates/secret-tokens.yaml'), 'utf8');
  if (!/lookup "v1" "Secret"/.test(tokens)) fail('secret-tokens.yaml should keep tokens with lookup');
}

// ---- schema ------------------------------------------------------------------------------------

function checkSchema() {
  const mustFail = [
    [['--set', 'coordinator.replicsa=3'], /replicsa/, 'a misspelt key'],
    [['--set', 'gatway.enabled=false'], /gatway/, 'a misspelt top-level key'],
    [['--set', 'coordinator.image.tga=1.0'], /tga/, 'a misspelt nested key'],
    [['--set-string', 'coordinator.replicas=two'], /coordinator\.replicas/, 'a string for an integer'],
    [['--set', 'gateway.enabled=maybe'], /gateway\.enabled/, 'a string for a boolean'],
    [['--set', 'coordinator.logFormat=xml'], /logFormat/, 'a value outside an enum'],
    [['--set', 'agents.groups[0].name=eu,agents.groups[0].replcas=2'], /replcas/, 'a misspelt key in an agent group'],
    [['--set', 'agents.groups[0].name=Bad_Name'], /name/, 'an agent group name that is no DNS label'],
    [['--set', 'coordinator.extraArgs[0]=listen'], /extraArgs/, 'an extra arg without --'],
    [['--set', 'coordinator.replicas=3', '--set', 'postgresql.enabled=false'], /leader election/,
      'several coordinators without PostgreSQL'],
    [['--set', 'tls.enabled=true'], /tls.existingSecret/, 'TLS without a certificate'],
    [['--set-string', 'agents.loops=four'], /agents\.loops/, 'a string for agents.loops'],
    [['--set', 'agents.loops=1000'], /agents\.loops/, 'more agent event loops than the agent takes'],
    [['--set', 'agents.groups[0].name=eu', '--set-string', 'agents.groups[0].loops=2x'], /groups\.0\.loops/,
      'a string for a group\'s loops'],
    [['--set', 'gateway.resultsStream=on_demand'], /resultsStream/, 'a misspelt gateway.resultsStream'],
    [['--set-string', 'gateway.resultsLinger=30'], /resultsLinger/, 'a gateway.resultsLinger without a unit'],
  ];
  for (const [args, expected, what] of mustFail) {
    const r = template(null, args);
    if (r.ok) fail(`helm template ${args.join(' ')} should fail (${what})`);
    else if (!expected.test(r.err)) fail(`helm template ${args.join(' ')}: error should name ${expected}: ${r.err.trim()}`);
    else console.log(`ok   rejected ${what}: ${r.err.split('\n').find((l) => expected.test(l)).trim()}`);
  }
  // Every key of values.yaml is in the schema, and every value set passes it (lint covers that).
  const schema = JSON.parse(fs.readFileSync(path.join(chart, 'values.schema.json'), 'utf8'));
  const closed = (node, at) => {
    if (!node || typeof node !== 'object') return;
    if (node.type === 'object' && node.properties && node.additionalProperties !== false) {
      fail(`values.schema.json: ${at} takes unknown keys (additionalProperties: false missing)`);
    }
    for (const [k, v] of Object.entries(node.properties ?? {})) closed(v, `${at}.${k}`);
    for (const [k, v] of Object.entries(node.definitions ?? {})) closed(v, `definitions.${k}`);
    if (node.items) closed(node.items, `${at}[]`);
  };
  closed(schema, 'values');
}

// ---- objects -----------------------------------------------------------------------------------

function checkObjects() {
  for (const f of valueSets) {
    let objects;
    try {
      objects = renderObjects(f);
    } catch (e) {
      fail(e.message);
      continue;
    }
    let problems = 0;
    for (const o of objects) {
      for (const e of validateObject(o)) {
        fail(`ci/${f}: ${e}`);
        problems++;
      }
    }
    if (!problems) console.log(`ok   ci/${f}: ${objects.length} objects valid`);
  }
  // The validator must see a misspelt field, in a built-in kind and in a custom resource.
  const probe = renderObjects('multi-region-values.yaml');
  const deployment = structuredClone(probe.find((o) => o.kind === 'Deployment'));
  deployment.spec.template.spec.containers[0].imagePullPolcy = 'Always';
  const monitor = structuredClone(probe.find((o) => o.kind === 'ServiceMonitor'));
  monitor.spec.endpoints[0].intervall = '10s';
  const route = structuredClone(probe.find((o) => o.kind === 'HTTPRoute'));
  route.spec.rules[0].backendRefs[0].prot = 8080;
  for (const [o, field] of [[deployment, 'imagePullPolcy'], [monitor, 'intervall'], [route, 'prot']]) {
    if (!validateObject(o).some((e) => e.includes(field))) fail(`the validator missed the unknown field ${field} in ${o.kind}`);
    else console.log(`ok   unknown field ${field} in ${o.kind} rejected`);
  }
  const badType = structuredClone(deployment);
  delete badType.spec.template.spec.containers[0].imagePullPolcy;
  badType.spec.replicas = 'two';
  if (!validateObject(badType).some((e) => e.includes('replicas'))) fail('the validator missed a string for spec.replicas');
}

// ---- check-config ------------------------------------------------------------------------------

// Placeholder contents of Secrets the chart expects to exist (existingSecret and the like).
let pem;
function testPem() {
  if (!pem) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uptime-pem-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-days', '1', '-subj', '/CN=uptime-test', '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`], { stdio: 'ignore' });
    pem = { cert: fs.readFileSync(`${dir}/cert.pem`, 'utf8'), key: fs.readFileSync(`${dir}/key.pem`, 'utf8') };
    fs.rmSync(dir, { recursive: true });
  }
  return pem;
}

function placeholder(key) {
  if (/\.crt$/.test(key)) return testPem().cert;
  if (/\.key$/.test(key)) return testPem().key;
  if (/dsn|connection/i.test(key)) return 'host=db.example port=5432 user=uptime dbname=uptime';
  if (/address/i.test(key)) return 'redis.example:6379';
  if (/url/i.test(key)) return `https://hooks.example.com/placeholder-${crypto.randomBytes(6).toString('hex')}`;
  return `placeholder-${key}-${crypto.randomBytes(6).toString('hex')}`;
}

function secretValue(secrets, name, key) {
  const s = secrets.get(name);
  if (!s) return placeholder(key);  // made outside the chart
  if (s.stringData?.[key] !== undefined) return s.stringData[key];
  if (s.data?.[key] !== undefined) return Buffer.from(s.data[key], 'base64').toString('utf8');
  throw new Error(`Secret ${name} has no key ${key}`);
}

const BINARIES = ['uptime-coordinator', 'uptime-agent', 'uptime-gateway', 'uptimectl'];

// How one container would start: binary, args and env with mounted files made real.
// `configMaps`: the rendered ConfigMaps by name (one made outside the chart mounts empty).
function containerRun(container, pod, secrets, scratch, configMaps = new Map()) {
  const binary = BINARIES.find((b) => container.image.split(':')[0].split('/').pop() === b);
  if (!binary) return null;
  const mounts = [];
  for (const m of container.volumeMounts ?? []) {
    const volume = pod.volumes.find((v) => v.name === m.name);
    const dir = fs.mkdtempSync(path.join(scratch, `${m.name}-`));
    if (volume.secret) {
      const items = volume.secret.items ?? Object.keys(secrets.get(volume.secret.secretName)?.data ?? {})
        .map((k) => ({ key: k, path: k }));
      // A Secret made outside the chart, mounted whole: the keys a kubernetes.io/tls Secret has.
      const all = items.length ? items : ['tls.crt', 'tls.key', 'ca.crt'].map((k) => ({ key: k, path: k }));
      for (const item of all) fs.writeFileSync(path.join(dir, item.path), secretValue(secrets, volume.secret.secretName, item.key));
    } else if (volume.configMap) {
      const data = configMaps.get(volume.configMap.name)?.data ?? {};
      for (const [key, text] of Object.entries(data)) fs.writeFileSync(path.join(dir, key), text);
    }
    mounts.push([m.mountPath, dir]);
  }
  mounts.sort((a, b) => b[0].length - a[0].length);
  const localize = (s) => {
    for (const [from, to] of mounts) {
      if (s.includes(from)) return s.replaceAll(from, to);
    }
    return s;
  };
  const env = { PATH: process.env.PATH, HOME: process.env.HOME ?? '/root' };
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = localize(String(e.value));
    else if (e.valueFrom?.secretKeyRef) env[e.name] = secretValue(secrets, e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key);
    else if (e.valueFrom?.fieldRef) env[e.name] = 'uptime-pod-0';
    else throw new Error(`env ${e.name}: no value`);
  }
  const args = [...(container.command?.slice(1) ?? []), ...(container.args ?? [])].map(localize);
  return { binary, args, env };
}

// --check-config where the binary has it. uptimectl (a client) parses its flags through `version`;
// an `apply` Job's documents go through `validate` (offline, the server's rules) with the Job's env.
function uptimectlCheckArgs(args) {
  const applyAt = args.indexOf('apply');
  if (applyAt < 0) return [...args.filter((a) => a.startsWith('-')), 'version'];
  const files = args.slice(applyAt + 1).filter((a) => a.startsWith('--filename=') || a.startsWith('-f'));
  return [...args.slice(0, applyAt), 'validate', ...files];
}

function runCheck(run) {
  const args = run.binary === 'uptimectl' ? uptimectlCheckArgs(run.args) : [...run.args, '--check-config'];
  const r = spawnSync(path.join(binDir, run.binary), args, { env: run.env, encoding: 'utf8', timeout: 20000 });
  if (r.error) return { ok: false, status: null, out: `cannot run ${run.binary}: ${r.error.message}`, args };
  return { ok: r.status === 0 && (run.binary === 'uptimectl' || /config ok/.test(r.stdout)), status: r.status, out: `${r.stdout}${r.stderr}`.trim(), args };
}

function checkContainers(objects, label, onResult) {
  const secrets = new Map(objects.filter((o) => o.kind === 'Secret').map((o) => [o.metadata.name, o]));
  const configMaps = new Map(objects.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, o]));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'uptime-chart-'));
  try {
    for (const o of objects) {
      const pod = o.spec?.template?.spec;
      if (!pod) continue;
      for (const c of pod.containers) {
        const run = containerRun(c, pod, secrets, scratch, configMaps);
        if (!run) continue;
        if (!fs.existsSync(path.join(binDir, run.binary))) {
          onResult(`${label} ${o.kind}/${o.metadata.name}`, null, run);
          continue;
        }
        onResult(`${label} ${o.kind}/${o.metadata.name}`, runCheck(run), run);
      }
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function checkCheckConfig() {
  const skipped = new Set();
  for (const f of valueSets) {
    checkContainers(renderObjects(f), `ci/${f}:`, (where, r, run) => {
      if (r === null) {
        skipped.add(run.binary);
        return;
      }
      if (r.ok) console.log(`ok   ${where} ${run.binary}`);
      else fail(`${where} ${run.binary} ${r.args.join(' ')} exited ${r.status}: ${r.out}`);
    });
  }
  for (const b of skipped) {
    console.log(`SKIP ${b}: ${path.join(binDir, b)} does not exist yet, so its containers' args and env are NOT checked`);
  }
  // A misspelt flag, a misspelt environment key and a bad value must each fail.
  const mistakes = [
    [['--set', 'coordinator.extraArgs[0]=--admin-tokn-file=/x'], 'uptime-coordinator', 'a misspelt coordinator flag'],
    [['--set', 'coordinator.extraEnv[0].name=UPTIME_LOG_LEVL', '--set-string', 'coordinator.extraEnv[0].value=info'], 'uptime-coordinator', 'a misspelt coordinator env key'],
    [['--set', 'coordinator.heartbeatInterval=10ms'], 'uptime-coordinator', 'a heartbeat interval under 100ms'],
    [['--set', 'agents.extraArgs[0]=--capacty=3'], 'uptime-agent', 'a misspelt agent flag'],
    [['--set', 'agents.extraEnv[0].name=UPTIME_MAX_CONCURENCY', '--set-string', 'agents.extraEnv[0].value=5'], 'uptime-agent', 'a misspelt agent env key'],
    [['--set', 'agents.extraArgs[0]=--tls-ca=/etc/uptime/tokens/agent-token'], 'uptime-agent', 'a CA file for an agent without --tls'],
    [['--set', 'gateway.extraArgs[0]=--threds=2'], 'uptime-gateway', 'a misspelt gateway flag'],
    [['--set', 'manifests.enabled=true', '--set-string',
      // No commas: --set splits on them.
      'manifests.files.bad\\.yaml=apiVersion: uptime.dev/v1\nkind: Monitor\nmetadata:\n  name: web\nspec:\n  intervall: 30s\n  http:\n    url: https://example.com\n'],
     'uptimectl', 'a misspelt field in a monitor document'],
  ];
  for (const [args, binary, what] of mistakes) {
    if (!fs.existsSync(path.join(binDir, binary))) {
      console.log(`SKIP ${what}: ${binary} does not exist yet`);
      continue;
    }
    const r = template('default-values.yaml', args);
    if (!r.ok) {
      console.log(`ok   ${what}: rejected by the chart itself: ${r.err.trim().split('\n').pop()}`);
      continue;
    }
    let caught = false;
    checkContainers(parseObjects(r.out), what, (where, result, run) => {
      if (run.binary === binary && result && !result.ok) {
        caught = true;
        if (result.status !== 2) fail(`${what}: ${binary} exited ${result.status}, not 2: ${result.out}`);
        else console.log(`ok   ${what}: ${result.out.split('\n')[0]}`);
      }
    });
    if (!caught) fail(`${what} was not caught by ${binary} --check-config`);
  }
}

// ---- notes -------------------------------------------------------------------------------------

// helm renders NOTES.txt only at install; render it here through a copy of the chart.
function checkNotes() {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'uptime-notes-'));
  try {
    fs.cpSync(chart, copy, { recursive: true });
    const notes = fs.readFileSync(path.join(copy, 'templates/NOTES.txt'), 'utf8');
    fs.rmSync(path.join(copy, 'templates/NOTES.txt'));
    fs.writeFileSync(path.join(copy, 'templates/_notes_preview.tpl'), `{{- define "notes.preview" -}}\n${notes}\n{{- end -}}\n`);
    fs.writeFileSync(path.join(copy, 'templates/notes-preview.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes-preview\ndata:\n  notes: {{ include "notes.preview" . | quote }}\n');
    for (const f of valueSets) {
      const r = helm(['template', 'uptime', copy, '--namespace', 'monitoring', '-f', path.join(chart, 'ci', f),
        '--show-only', 'templates/notes-preview.yaml']);
      if (!r.ok) {
        fail(`NOTES.txt with ci/${f}: ${r.err.trim()}`);
        continue;
      }
      const text = parseObjects(r.out)[0].data.notes;
      const expected = [/port-forward svc\/uptime-uptime-monitor-coordinator 7070/, /grpcurl .*GetClusterInfo/, /uptimectl --addr localhost:7070/, /helm test uptime/];
      if (!/minimal/.test(f)) expected.push(/https?:\/\/[^ ]+\//);
      for (const re of expected) {
        if (!re.test(text)) fail(`NOTES.txt with ci/${f} lacks ${re}:\n${text}`);
      }
      console.log(`ok   NOTES.txt with ci/${f}`);
    }
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
}

const checks = {
  'lint-render': checkLintRender,
  schema: checkSchema,
  objects: checkObjects,
  'check-config': checkCheckConfig,
  notes: checkNotes,
};
const name = process.argv[2];
if (!checks[name]) {
  console.error(`usage: node chart_test.mjs ${Object.keys(checks).join('|')}`);
  process.exit(2);
}
try {
  checks[name]();
} catch (e) {
  fail(e.stack ?? String(e));
}
if (failures.length) {
  console.log(`\n${failures.length} failure(s)`);
  process.exit(1);
}
console.log(`\n${name}: all passed`);
