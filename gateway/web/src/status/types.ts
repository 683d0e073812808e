// JSON of the gateway's public status-page routes (no token). Not proto
// messages: the gateway assembles this view from StatusPage, the monitors'
// states, uptime and incidents (see docs/dashboard.md, "Status pages").
// Optional fields are omitted by the gateway when absent.

export type PublicState = 'up' | 'down' | 'pending' | 'paused' | 'maintenance';
export type Overall = 'operational' | 'degraded' | 'outage' | 'maintenance';
export type Level = 'info' | 'warning' | 'critical';
export type UptimeWindow = '24h' | '7d' | '30d' | '90d';

export interface PublicDay {
  day: string; // "2026-09-04", UTC
  checks: number; // 0: no data that day
  failures: number;
  uptimePercent: number;
}

export interface PublicMonitor {
  id: string;
  name: string;
  state: PublicState;
  since?: string;
  target?: string;
  latencyMs?: number;
  uptime?: Partial<Record<UptimeWindow, number>>;
  days?: PublicDay[]; // oldest first
}

export interface PublicGroup {
  name: string;
  monitors: PublicMonitor[];
}

export interface PublicIncident {
  id: string;
  monitorId: string;
  monitorName: string;
  started: string;
  resolved?: string; // absent while open
  cause?: string;
}

export interface PublicMaintenance {
  id: string;
  name: string;
  description?: string;
  start: string;
  end: string;
  active?: boolean;
}

export interface PublicStatusPage {
  slug: string;
  title: string;
  description?: string;
  logoUrl?: string;
  homepageUrl?: string;
  announcement?: { text: string; level?: Level };
  overall: Overall;
  updatedAt?: string;
  showResponseTimes?: boolean;
  groups: PublicGroup[];
  incidents?: PublicIncident[];
  maintenance?: PublicMaintenance[];
}

// SSE `state` event data.
export interface StateEvent {
  id: string;
  state: PublicState;
  since?: string;
  overall?: Overall;
}
