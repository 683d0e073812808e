// 90 thin bars of daily uptime with a tooltip. One tab stop per monitor
// (roving tabindex): arrow keys, Home and End move between days, and the
// focused day shows its tooltip; hover and tap do the same.

import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { barLevel, barText, dayText, percent, uptimeOfDays } from './logic';
import type { PublicDay } from './types';

// Narrow screens show the last 30 days (CSS hides the older bars).
const NARROW_DAYS = 30;

function visible(el: HTMLElement | null | undefined): el is HTMLElement {
  return !!el && el.getClientRects().length > 0;
}

function uptimeLabel(u: number | undefined, n: number) {
  if (u === undefined) return <span class="axis-nodata">No data yet</span>;
  return (
    <>
      {percent(u)} uptime<span class="sr-only"> over {n} days</span>
    </>
  );
}

export function UptimeBars({ name, days, uptime90, uptime30 }: { name: string; days: PublicDay[]; uptime90?: number | undefined; uptime30?: number | undefined }) {
  const [active, setActive] = useState<number | null>(null);
  const [focusIdx, setFocusIdx] = useState(days.length - 1);
  const bars = useRef<(HTMLLIElement | null)[]>([]);
  const wrap = useRef<HTMLDivElement>(null);
  const tip = useRef<HTMLDivElement>(null);

  // Centre the tooltip over its bar, kept inside the row.
  useLayoutEffect(() => {
    const bar = active === null ? null : bars.current[active];
    if (!bar || !tip.current || !wrap.current) return;
    const w = wrap.current.clientWidth;
    const tw = tip.current.offsetWidth;
    const centre = bar.offsetLeft + bar.offsetWidth / 2;
    const left = Math.max(0, Math.min(w - tw, centre - tw / 2));
    tip.current.style.left = `${left}px`;
    tip.current.style.setProperty('--arrow', `${centre - left}px`);
  }, [active]);

  const move = (to: number) => {
    const n = days.length;
    let i = Math.max(0, Math.min(n - 1, to));
    // Skip days hidden on narrow screens.
    while (i < n - 1 && !visible(bars.current[i])) i++;
    setFocusIdx(i);
    bars.current[i]?.focus();
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const i = focusIdx;
    const keys: Record<string, number> = { ArrowLeft: i - 1, ArrowRight: i + 1, Home: 0, End: days.length - 1, PageUp: i - 7, PageDown: i + 7 };
    const to = keys[e.key];
    if (to === undefined) {
      if (e.key === 'Escape') setActive(null);
      return;
    }
    e.preventDefault();
    if (e.key === 'ArrowLeft' && !visible(bars.current[i - 1])) return;
    move(to);
  };

  const shown = active === null ? null : days[active];
  const u90 = uptime90 ?? uptimeOfDays(days, days.length);
  const u30 = uptime30 ?? uptimeOfDays(days, NARROW_DAYS);
  return (
    <div class="bars-wrap" ref={wrap}>
      <ol class="bars" aria-label={`${name}: daily uptime, last ${days.length} days`} onKeyDown={onKeyDown} onMouseLeave={() => setActive(null)}>
        {days.map((d, i) => (
          <li
            key={d.day}
            ref={(el) => {
              bars.current[i] = el;
            }}
            class={`bar bar-${barLevel(d)}${i === active ? ' bar-active' : ''}`}
            tabIndex={i === focusIdx ? 0 : -1}
            aria-label={barText(d)}
            onMouseEnter={() => setActive(i)}
            onFocus={() => {
              setActive(i);
              setFocusIdx(i);
            }}
            onBlur={() => setActive((a) => (a === i ? null : a))}
          />
        ))}
      </ol>
      {shown && (
        <div class="tip" ref={tip} aria-hidden="true">
          <strong>{dayText(shown.day)}</strong>
          {shown.checks ? (
            <>
              <span class={`tip-v tip-${barLevel(shown)}`}>{percent(shown.uptimePercent)} uptime</span>
              <span class="tip-s">{shown.failures ? `${shown.failures.toLocaleString('en-US')} of ${shown.checks.toLocaleString('en-US')} checks failed` : `${shown.checks.toLocaleString('en-US')} checks, none failed`}</span>
            </>
          ) : (
            <span class="tip-s">No data</span>
          )}
        </div>
      )}
      <div class="axis">
        <span class="axis-end" aria-hidden="true">
          <span class="wide">{days.length} days ago</span>
          <span class="narrow">{NARROW_DAYS} days ago</span>
        </span>
        <span class="axis-rule" aria-hidden="true" />
        <span class="axis-uptime">
          <span class="wide">{uptimeLabel(u90, days.length)}</span>
          <span class="narrow">{uptimeLabel(u30, NARROW_DAYS)}</span>
        </span>
        <span class="axis-rule" aria-hidden="true" />
        <span class="axis-end" aria-hidden="true">
          Today
        </span>
      </div>
    </div>
  );
}
