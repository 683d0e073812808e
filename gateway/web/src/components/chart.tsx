// Response time with its phases, as stacked areas (uPlot). Each series is
// the running sum of the phases below it, drawn largest first so the smaller
// ones paint on top; the legend shows each phase's own value.

import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { CheckResult } from '../types';

const PHASES = [
  { key: 'dnsUs', label: 'DNS', color: '--phase-dns' },
  { key: 'connectUs', label: 'Connect', color: '--phase-connect' },
  { key: 'tlsUs', label: 'TLS', color: '--phase-tls' },
  { key: 'firstByteUs', label: 'First byte', color: '--phase-ttfb' },
] as const;

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

export function ResponseChart({ results, theme }: { results: CheckResult[]; theme: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    // Oldest first; failures break the line (null) and show as markers.
    const sorted = results.filter((r) => r.startTimeUs).sort((a, b) => Number(a.startTimeUs) - Number(b.startTimeUs));
    const xs = sorted.map((r) => Number(r.startTimeUs) / 1e6);
    const phase = (r: CheckResult, k: (typeof PHASES)[number]['key']) => Number(r[k] ?? 0) / 1000;
    const own: number[][] = PHASES.map((p) => sorted.map((r) => phase(r, p.key)));
    const total = sorted.map((r) => Number(r.latencyUs ?? 0) / 1000);
    // Time after the first byte (body transfer) is the rest of the total.
    const rest = sorted.map((_, i) => Math.max(0, total[i]! - own.reduce((s, o) => s + o[i]!, 0)));
    const layers = [...own, rest];
    const cum: (number | null)[][] = [];
    let acc = sorted.map(() => 0);
    for (const l of layers) {
      acc = acc.map((v, i) => v + l[i]!);
      cum.push(acc.map((v, i) => (sorted[i]!.success ? v : null)));
    }
    // Failures (often a timeout, far above the rest) sit on the top edge
    // instead of stretching the scale.
    const okMax = Math.max(1, ...sorted.map((r, i) => (r.success ? total[i]! : 0)));
    const failed = sorted.map((r) => (r.success ? null : okMax));
    const names = [...PHASES.map((p) => p.label), 'Transfer'];
    const colors = [...PHASES.map((p) => cssVar(p.color)), cssVar('--phase-rest')];
    // Draw the tallest (cumulative) layer first.
    const order = [4, 3, 2, 1, 0];
    const data: uPlot.AlignedData = [xs, ...order.map((i) => cum[i]!), failed] as uPlot.AlignedData;
    const grid = cssVar('--border');
    const text = cssVar('--text-muted');
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const opts: uPlot.Options = {
      width: el.clientWidth,
      height: el.clientWidth < 500 ? 200 : 260,
      cursor: { drag: { x: true, y: false }, points: { size: 6 } },
      legend: { live: true },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] } },
      axes: [axis, { ...axis, size: 60, values: (_u, vals) => vals.map((v) => (v >= 1000 ? `${v / 1000}s` : `${v}ms`)) }],
      series: [
        {},
        ...order.map((i) => ({
          label: names[i]!,
          stroke: colors[i]!,
          fill: colors[i]! + 'cc',
          width: 1,
          points: { show: false },
          value: (_u: uPlot, _v: number | null, _s: number, idx: number | null) =>
            idx === null || !sorted[idx]?.success ? '—' : `${layers[i]![idx]!.toFixed(1)} ms`,
        })),
        {
          label: 'Failed',
          stroke: cssVar('--down'),
          width: 0,
          points: { show: true, size: 7, fill: cssVar('--down'), stroke: cssVar('--down') },
          paths: () => null,
          value: (_u: uPlot, v: number | null) => (v === null ? '—' : 'failed'),
        },
      ],
    };
    plot.current?.destroy();
    plot.current = new uPlot(opts, data, el);
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: el.clientWidth, height: el.clientWidth < 500 ? 200 : 260 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [results, theme]);

  return <div ref={box} class="chart" role="img" aria-label="Response time by phase over the selected range" />;
}
