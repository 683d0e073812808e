#!/usr/bin/env node
// Generates the flag tables of docs/configuration.md from the binaries' --help output.
//
//   node docs/gen_configuration.mjs                 # rewrite docs/configuration.md from build/bin
//   node docs/gen_configuration.mjs --check         # exit 1 with a diff when the doc is stale
//   node docs/gen_configuration.mjs --bin-dir DIR   # binaries elsewhere (default: build/bin)
//
// Only the text between each pair of markers
//   <!-- BEGIN GENERATED: NAME --help -->  ...  <!-- END GENERATED: NAME -->
// is rewritten; everything else in the file is hand-written and kept as it is.
// uptimectl's subcommands are found from the "Subcommands:" section of each help page.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const docPath = path.join(here, 'configuration.md');
const BINARIES = ['uptime-coordinator', 'uptime-agent', 'uptime-gateway', 'uptimectl'];

const args = process.argv.slice(2);
const check = args.includes('--check');
const binIdx = args.indexOf('--bin-dir');
const binDir = binIdx >= 0 ? path.resolve(args[binIdx + 1]) : path.join(repo, 'build', 'bin');

// Run `bin args... --help` with no UPTIME_* variables, so nothing of the caller's environment
// leaks into the help text.
function help(bin, sub) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('UPTIME_')) env[k] = v;
  const exe = path.join(binDir, bin);
  if (!fs.existsSync(exe)) throw new Error(`${exe} not found: build it first (cmake --build build)`);
  return execFileSync(exe, [...sub, '--help'], { env, encoding: 'utf8' });
}

// Values that depend on the machine the help was printed on.
function normalize(bin, text) {
  let t = text.replace(/^Usage: \S*\//m, 'Usage: ');
  const host = os.hostname();
  t = t.replace(/^(\s+--agent-id TEXT)=(\S+)/m, (m, a, v) => (v === host ? `${a}=<host name>` : m));
  return t;
}

// CLI11's help: "Title:" section headers, items indented by two spaces, descriptions from
// column 30 (on the item's line or the next ones).
function parse(text) {
  const lines = text.split('\n');
  const out = { description: '', usage: '', sections: [] };
  let i = 0;
  const head = [];
  for (; i < lines.length && !lines[i].startsWith('Usage: '); i++) if (lines[i].trim()) head.push(lines[i].trim());
  out.description = head.join(' ');
  out.usage = (lines[i] || '').replace(/^Usage: /, '');
  let section = null;
  for (i++; i < lines.length; i++) {
    const line = lines[i];
    if (!line.trim()) continue;
    if (!line.startsWith(' ') && line.trimEnd().endsWith(':')) {
      section = { title: line.trim().replace(/:$/, ''), items: [] };
      out.sections.push(section);
      continue;
    }
    if (!section) continue;
    if (/^ {30}\S/.test(line) && section.items.length) {
      const item = section.items[section.items.length - 1];
      item.desc = (item.desc ? item.desc + ' ' : '') + line.trim();
      continue;
    }
    const m = line.match(/^ {2}(\S.*?)(?: {2,}(\S.*))?$/);
    if (!m) throw new Error(`cannot parse help line: ${JSON.stringify(line)}`);
    section.items.push({ spec: m[1].trim(), desc: (m[2] || '').trim() });
  }
  return out;
}

function splitSpec(spec) {
  let s = spec;
  let env = '';
  const e = s.match(/\s*\(Env:(\w+)\)/);
  if (e) {
    env = e[1];
    s = s.replace(e[0], '');
  }
  const sp = s.indexOf(' ');
  const names = sp < 0 ? s : s.slice(0, sp);
  let rest = sp < 0 ? '' : s.slice(sp + 1).trim();
  let def = '';
  const d = rest.match(/^([^=]*)=(.*)$/);
  if (d) {
    rest = d[1];
    def = d[2];
  }
  // "INT:INT in [1 - 3650]" -> "INT in [1 - 3650]"; "TEXT:{a,b}" -> "{a,b}"
  rest = rest.replace(/^(\w+):\1 /, '$1 ').replace(/^TEXT:(\{.*\})/, '$1');
  return { names, type: rest, def, env };
}

const code = (s) => (s ? '`' + s.replace(/\|/g, '\\|') + '`' : '');
const cell = (s) => s.replace(/\|/g, '\\|');

function render(bin, sub, page) {
  const out = [];
  const name = [bin, ...sub].join(' ');
  if (sub.length) out.push(`#### \`${name}\``, '');
  if (sub.length && page.description) out.push(page.description, '');
  out.push('```', `${page.usage}`, '```', '');
  const subcommands = [];
  for (const section of page.sections) {
    if (section.title === 'Subcommands') {
      out.push('| subcommand | what |', '|---|---|');
      for (const it of section.items) {
        out.push(`| ${code(it.spec)} | ${cell(it.desc)} |`);
        subcommands.push(it.spec.split(',')[0].trim());
      }
      out.push('');
      continue;
    }
    const items = section.items.filter((it) => !/^-h,--help\b/.test(it.spec));
    if (!items.length) continue;
    out.push(`${section.title}:`, '');
    if (section.title === 'Exit codes') {
      // uptimectl's help footer: "  CODE   meaning"
      out.push('| code | meaning |', '|---|---|');
      for (const it of items) out.push(`| ${code(it.spec)} | ${cell(it.desc)} |`);
    } else if (section.title === 'Positionals') {
      out.push('| argument | type | description |', '|---|---|---|');
      for (const it of items) {
        const sp = it.spec.indexOf(' ');
        out.push(`| ${code(it.spec.slice(0, sp))} | ${code(it.spec.slice(sp + 1))} | ${cell(it.desc)} |`);
      }
    } else {
      out.push('| flag | value | default | environment | description |', '|---|---|---|---|---|');
      for (const it of items) {
        const f = splitSpec(it.spec);
        out.push(`| ${code(f.names)} | ${code(f.type)} | ${code(f.def)} | ${code(f.env)} | ${cell(it.desc)} |`);
      }
    }
    out.push('');
  }
  for (const s of subcommands) {
    const p = parse(normalize(bin, help(bin, [...sub, s])));
    out.push(...render(bin, [...sub, s], p));
  }
  return out;
}

function generate(bin) {
  const page = parse(normalize(bin, help(bin, [])));
  const lines = render(bin, [], page);
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n');
}

function rewrite(doc) {
  let result = doc;
  for (const bin of BINARIES) {
    const begin = `<!-- BEGIN GENERATED: ${bin} --help -->`;
    const end = `<!-- END GENERATED: ${bin} -->`;
    const a = result.indexOf(begin);
    const b = result.indexOf(end);
    if (a < 0 || b < a) throw new Error(`${docPath}: markers for ${bin} missing or out of order`);
    result = result.slice(0, a + begin.length) + '\n' + generate(bin) + '\n' + result.slice(b);
  }
  return result;
}

// A small line diff (longest common subsequence) so a stale doc says what changed.
function diff(a, b) {
  const x = a.split('\n');
  const y = b.split('\n');
  const n = x.length;
  const m = y.length;
  const L = Array.from({ length: n + 1 }, () => new Int32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) L[i][j] = x[i] === y[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const out = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      i++;
      j++;
    } else if (j < m && (i >= n || L[i][j + 1] >= L[i + 1][j])) {
      out.push(`+${j + 1}: ${y[j]}`);
      j++;
    } else {
      out.push(`-${i + 1}: ${x[i]}`);
      i++;
    }
  }
  return out.join('\n');
}

const current = fs.readFileSync(docPath, 'utf8');
const fresh = rewrite(current);
if (check) {
  if (fresh !== current) {
    console.error('docs/configuration.md is stale: the binaries\' --help differs from the doc.');
    console.error('Lines to remove (-, line in the doc) and to add (+, line in the regenerated doc):');
    console.error(diff(current, fresh));
    console.error('\nRegenerate with: node docs/gen_configuration.mjs  (after building the binaries)');
    process.exit(1);
  }
  console.log('docs/configuration.md matches --help of ' + BINARIES.join(', '));
} else if (fresh !== current) {
  fs.writeFileSync(docPath, fresh);
  console.log('rewrote docs/configuration.md');
} else {
  console.log('docs/configuration.md already up to date');
}
