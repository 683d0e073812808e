// Helpers over Monitor: its type, target, and label selectors.

import type { Monitor } from './types';

export type MonitorType = 'http' | 'tcp' | 'dns' | 'grpc' | 'icmp';
export const MONITOR_TYPES: MonitorType[] = ['http', 'tcp', 'dns', 'grpc', 'icmp'];
export const TYPE_LABEL: Record<MonitorType, string> = { http: 'HTTP', tcp: 'TCP', dns: 'DNS', grpc: 'gRPC', icmp: 'Ping' };

export function typeOf(m: Monitor | null | undefined): MonitorType | null {
  if (!m) return null;
  for (const t of MONITOR_TYPES) if (m[t]) return t;
  return null;
}

export function targetOf(m: Monitor | null | undefined): string {
  if (!m) return '';
  if (m.http) return `${m.http.method && m.http.method !== 'GET' ? m.http.method + ' ' : ''}${m.http.url ?? ''}`;
  if (m.tcp) return `${m.tcp.host ?? ''}:${m.tcp.port ?? ''}`;
  if (m.dns) return `${m.dns.name ?? ''} ${(m.dns.recordType ?? 'DNS_RECORD_TYPE_A').replace('DNS_RECORD_TYPE_', '').replace('UNSPECIFIED', 'A')}`;
  if (m.grpc) return `${m.grpc.target ?? ''}${m.grpc.service ? ' / ' + m.grpc.service : ''}`;
  if (m.icmp) return m.icmp.host ?? '';
  return '';
}

type Term = (labels: Record<string, string>) => boolean;

// Compiles a label selector ("env=prod,team!=web,tier,!canary"); null if malformed.
export function compileSelector(text: string): Term | null {
  const terms: Term[] = [];
  for (const raw of text.split(',').map((t) => t.trim()).filter(Boolean)) {
    let m: RegExpExecArray | null;
    if ((m = /^([^=!\s]+)\s*!=\s*(.*)$/.exec(raw))) {
      const [, k, v] = m as unknown as [string, string, string];
      terms.push((l) => l[k] !== v);
    } else if ((m = /^([^=!\s]+)\s*==?\s*(.*)$/.exec(raw))) {
      const [, k, v] = m as unknown as [string, string, string];
      terms.push((l) => l[k] === v);
    } else if ((m = /^!\s*([^=!\s]+)$/.exec(raw))) {
      const k = m[1]!;
      terms.push((l) => !(k in l));
    } else if ((m = /^([^=!\s]+)$/.exec(raw))) {
      const k = m[1]!;
      terms.push((l) => k in l);
    } else return null;
  }
  return (l) => terms.every((t) => t(l));
}
