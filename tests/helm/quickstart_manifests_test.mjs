// Checks the manifests scripts/quickstart.sh applies (deploy/quickstart/), offline:
//  - both sets it may apply pass `uptimectl validate` (the coordinator's own rules): the plain
//    monitors, and the Slack channel with the monitors that alert to it;
//  - slack/monitors.yaml is monitors.yaml plus `channels: [quickstart-slack]` in every monitor,
//    so the two cannot drift apart (the quickstart test runs the plain set only).
// Environment: UPTIME_SOURCE_DIR, UPTIME_BIN_DIR. Skips, saying so, when uptimectl is not built.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = process.env.UPTIME_SOURCE_DIR ?? path.resolve(here, '../..');
const binDir = process.env.UPTIME_BIN_DIR ?? path.join(source, 'build/bin');
const dir = path.join(source, 'deploy/quickstart');
const failures = [];
const fail = (m) => {
  failures.push(m);
  console.log(`FAIL ${m}`);
};

// The documents without the comment lines that open the file.
const body = (file) => fs.readFileSync(path.join(dir, file), 'utf8').replace(/^(#.*\n)+/, '');
const plain = body('monitors.yaml');
const slack = body('slack/monitors.yaml');
const CHANNELS = '  channels: [quickstart-slack]\n';
const monitors = (plain.match(/^kind: Monitor$/gm) ?? []).length;
if (slack.split(CHANNELS).length - 1 !== monitors) fail(`slack/monitors.yaml: every one of the ${monitors} monitors should alert to quickstart-slack`);
if (slack.replaceAll(CHANNELS, '') !== plain) fail('slack/monitors.yaml should be monitors.yaml plus the channels lines, nothing else');
else console.log(`ok   slack/monitors.yaml is monitors.yaml with ${monitors} monitors alerting to Slack`);

const uptimectl = path.join(binDir, 'uptimectl');
if (!fs.existsSync(uptimectl)) {
  console.log(`SKIP ${uptimectl} does not exist yet: the manifests are NOT validated`);
} else {
  const env = {
    PATH: process.env.PATH,
    UPTIME_QUICKSTART_API_PORT: '7070',
    UPTIME_QUICKSTART_METRICS_PORT: '9091',
    SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/placeholder',
  };
  for (const files of [['monitors.yaml', 'status-page.yaml'], ['slack', 'status-page.yaml']]) {
    const args = ['validate', ...files.flatMap((f) => ['-f', path.join(dir, f)])];
    const r = spawnSync(uptimectl, args, { env, encoding: 'utf8' });
    const out = `${r.stdout}${r.stderr}`.trim();
    if (r.status !== 0 || /warning/.test(out)) fail(`uptimectl ${args.join(' ')} exited ${r.status}: ${out}`);
    else console.log(`ok   ${files.join(' + ')}: ${out}`);
  }
}

if (failures.length) {
  console.log(`\n${failures.length} failure(s)`);
  process.exit(1);
}
console.log('\nquickstart manifests: all passed');
