// A list that renders only the rows near the viewport, so 10,000 rows cost
// what 40 do. It scrolls with the page (no nested scroll box, which is awkward
// on phones); rows have one fixed height.

import type { JSX } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

export function VirtualList<T>(props: {
  items: T[];
  rowHeight: number;
  renderRow: (item: T, index: number, style: Record<string, string>) => JSX.Element;
  overscan?: number;
  label: string;
  header?: JSX.Element;
  // Told the rendered range after it changes (and settles for 150 ms).
  onRange?: (start: number, end: number) => void;
}) {
  const { items, rowHeight } = props;
  const overscan = props.overscan ?? 10;
  const body = useRef<HTMLDivElement>(null);
  // The first render guesses the list starts near the top of the window:
  // each extra row costs DOM (24 ticks each in the monitor list).
  const [range, setRange] = useState(() => ({ start: 0, end: Math.ceil(window.innerHeight / rowHeight) + overscan }));
  // The list's offset in the document. Measured on scroll and resize only:
  // measuring on every data change would force a layout per live update.
  const docTop = useRef<number | null>(null);

  useLayoutEffect(() => {
    let frame = 0;
    const update = (measure: boolean) => {
      frame = 0;
      const el = body.current;
      if (!el) return;
      if (measure || docTop.current === null) docTop.current = el.getBoundingClientRect().top + window.scrollY;
      const top = docTop.current - window.scrollY;
      const start = Math.max(0, Math.floor(-top / rowHeight) - overscan);
      const end = Math.min(items.length, Math.ceil((window.innerHeight - top) / rowHeight) + overscan);
      setRange((r) => (r.start === start && r.end === end ? r : { start, end }));
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(() => update(true));
    };
    update(false);
    window.addEventListener('scroll', schedule, { passive: true });
    window.addEventListener('resize', schedule);
    return () => {
      cancelAnimationFrame(frame);
      window.removeEventListener('scroll', schedule);
      window.removeEventListener('resize', schedule);
    };
  }, [items.length, rowHeight, overscan]);

  const { onRange } = props;
  useEffect(() => {
    if (!onRange) return;
    const t = setTimeout(() => onRange(range.start, Math.min(range.end, items.length)), 150);
    return () => clearTimeout(t);
  }, [range.start, range.end, items]);

  const end = Math.min(range.end, items.length);
  const rows: JSX.Element[] = [];
  for (let i = range.start; i < end; i++) {
    rows.push(props.renderRow(items[i]!, i, { transform: `translateY(${i * rowHeight}px)`, height: `${rowHeight}px` }));
  }
  return (
    <div class="vlist" role="table" aria-label={props.label} aria-rowcount={items.length + 1}>
      {props.header}
      <div ref={body} class="vlist-body" role="rowgroup" style={{ height: `${items.length * rowHeight}px` }}>
        {rows}
      </div>
    </div>
  );
}
