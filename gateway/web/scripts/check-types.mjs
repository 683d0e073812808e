#!/usr/bin/env node
// Checks src/types.ts against proto/uptime/v1/*.proto: every interface named
// like a proto message must have exactly the message's fields (in their JSON
// names, lowerCamelCase; oneof members included), and every string-union type
// named like a proto enum must list exactly the enum's values. Run by
// build.mjs, so a proto change that the dashboard has not followed fails the
// build. Usage: node check-types.mjs [PROTO_DIR] [TYPES_TS]
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const protoDir = process.argv[2] ?? join(here, '..', '..', '..', 'proto', 'uptime', 'v1');
const typesTs = process.argv[3] ?? join(here, '..', 'src', 'types.ts');

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

// Messages and enums at any nesting level; fields are `[repeated|optional] type name = N;`
// or `map<..> name = N;` lines directly inside the message (oneof bodies included).
function parseProto(text) {
  text = text.replace(/\/\/[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
  const messages = new Map();
  const enums = new Map();
  const stack = [];
  const tokens = text.match(/message\s+\w+\s*\{|enum\s+\w+\s*\{|oneof\s+\w+\s*\{|service\s+\w+\s*\{|rpc[^;{]*[;{]|\{|\}|[^{};]+;/g) ?? [];
  for (const raw of tokens) {
    const t = raw.trim();
    let m;
    if ((m = /^(message|enum|oneof|service)\s+(\w+)\s*\{$/.exec(t))) {
      stack.push({ kind: m[1], name: m[2] });
      if (m[1] === 'message') messages.set(m[2], []);
      if (m[1] === 'enum') enums.set(m[2], []);
    } else if (t.startsWith('rpc')) {
      if (t.endsWith('{')) stack.push({ kind: 'rpc' });
    } else if (t === '{') stack.push({ kind: 'block' });
    else if (t === '}') stack.pop();
    else {
      const owner = [...stack].reverse().find((s) => s.kind === 'message' || s.kind === 'enum');
      const top = stack[stack.length - 1];
      if (!owner || !top || !['message', 'enum', 'oneof'].includes(top.kind)) continue;
      if (owner.kind === 'enum' && (m = /^(\w+)\s*=\s*-?\d+/.exec(t))) enums.get(owner.name).push(m[1]);
      else if (owner.kind === 'message' && (m = /^(?:repeated\s+|optional\s+)?(?:map\s*<[^>]+>|[\w.]+)\s+(\w+)\s*=\s*\d+/.exec(t))) {
        if (!/^(reserved|option)\b/.test(t)) messages.get(owner.name).push(camel(m[1]));
      }
    }
  }
  return { messages, enums };
}

const messages = new Map();
const enums = new Map();
for (const f of readdirSync(protoDir).filter((f) => f.endsWith('.proto'))) {
  const p = parseProto(readFileSync(join(protoDir, f), 'utf8'));
  p.messages.forEach((v, k) => messages.set(k, v));
  p.enums.forEach((v, k) => enums.set(k, v));
}

const ts = readFileSync(typesTs, 'utf8');
const problems = [];
let checked = 0;
for (const m of ts.matchAll(/export interface (\w+)\s*\{([^}]*)\}/g)) {
  const [, name, body] = m;
  const proto = messages.get(name);
  if (!proto) continue;
  checked++;
  const fields = [...body.matchAll(/(\w+)\?:/g)].map((x) => x[1]);
  for (const f of fields) if (!proto.includes(f)) problems.push(`${name}.${f}: not a field of message ${name}`);
  for (const f of proto) if (!fields.includes(f)) problems.push(`${name}.${f}: in the proto but missing from types.ts`);
}
for (const m of ts.matchAll(/export type (\w+)\s*=([^;]*);/g)) {
  const [, name, body] = m;
  const proto = enums.get(name);
  if (!proto) continue;
  checked++;
  const values = [...body.matchAll(/'(\w+)'/g)].map((x) => x[1]);
  for (const v of values) if (!proto.includes(v)) problems.push(`${name}: '${v}' is not a value of enum ${name}`);
  for (const v of proto) if (!values.includes(v)) problems.push(`${name}: '${v}' is missing from types.ts`);
}
if (problems.length) {
  console.error(`check-types: src/types.ts disagrees with ${protoDir}:\n  ` + problems.join('\n  '));
  process.exit(1);
}
console.log(`check-types: ${checked} types match the proto`);
