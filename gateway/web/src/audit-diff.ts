// What an audit event changed: the before and after JSON flattened to
// field paths ("http.url", "labels.team", "channelIds[0]") and compared.

export interface Change { path: string; before?: string; after?: string }

function flatten(v: unknown, path: string, out: Map<string, string>): void {
  if (Array.isArray(v)) {
    if (!v.length) out.set(path, '[]');
    v.forEach((x, i) => flatten(x, `${path}[${i}]`, out));
  } else if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (!entries.length && path) out.set(path, '{}');
    for (const [k, x] of entries) flatten(x, path ? `${path}.${k}` : k, out);
  } else if (path) {
    out.set(path, typeof v === 'string' ? v : JSON.stringify(v));
  }
}

function parse(json: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!json) return out;
  try {
    flatten(JSON.parse(json), '', out);
  } catch {
    out.set('(unparsed)', json);
  }
  return out;
}

// The fields that differ, in path order: only `after` for a creation, only
// `before` for a deletion.
export function diffJson(beforeJson: string | undefined, afterJson: string | undefined): Change[] {
  const b = parse(beforeJson);
  const a = parse(afterJson);
  const paths = [...new Set([...b.keys(), ...a.keys()])].sort();
  const out: Change[] = [];
  for (const path of paths) {
    const before = b.get(path);
    const after = a.get(path);
    if (before === after) continue;
    const c: Change = { path };
    if (before !== undefined) c.before = before;
    if (after !== undefined) c.after = after;
    out.push(c);
  }
  return out;
}
