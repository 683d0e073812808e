// Mapping a server validation error onto the form field it names.

import { ApiError } from './api';

function snake(s: string): string {
  return s.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}

// The form key (one of `keys`, proto paths like "http.url") that the error's
// field path falls under, after dropping `prefix` ("monitor."); null if none.
export function fieldKey(err: unknown, prefix: string, keys: string[]): string | null {
  if (!(err instanceof ApiError) || !err.field) return null;
  let path = snake(err.field).replace(/\[\d+\]/g, '');
  if (path.startsWith(prefix + '.')) path = path.slice(prefix.length + 1);
  // Longest key first: "locations.count" before "locations".
  const sorted = [...keys].sort((a, b) => b.length - a.length);
  return sorted.find((k) => path === k || path.startsWith(k + '.')) ?? null;
}

// Field errors and a form-level error from a failed save.
export function formErrors(err: unknown, prefix: string, keys: string[]): { fields: Record<string, string>; form: string | null } {
  const msg = err instanceof Error ? err.message : String(err);
  const key = fieldKey(err, prefix, keys);
  if (key) {
    // "monitor.http.url: 'x' is not ..." -> "'x' is not ..." on the URL field.
    const text = msg.replace(/^[\w.[\]]+\s*:\s*/, '');
    // "is required" reads better as "Is required"; "monitor_ids or ..." keeps its case.
    const cap = /^[a-z]+\b(?![_.])/.test(text) ? text.charAt(0).toUpperCase() + text.slice(1) : text;
    return { fields: { [key]: cap }, form: null };
  }
  return { fields: {}, form: msg };
}

// Focuses the first invalid field after the error renders.
export function focusFirstError(): void {
  requestAnimationFrame(() => {
    const el = document.querySelector<HTMLElement>('.field-invalid input, .field-invalid select, .field-invalid textarea');
    el?.focus();
  });
}
