// Small shared pieces: state badges, fields with server errors, dialogs.

import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { STATE_CLASS, STATE_LABEL } from '../format';
import type { State } from '../types';
import type { Tick } from '../store';
import { RECENT_TICKS } from '../store';
import type { Async } from '../hooks';

export function StateBadge({ state }: { state: State }) {
  return (
    <span class={`badge badge-${STATE_CLASS[state]}`}>
      <span class="dot" aria-hidden="true" />
      {STATE_LABEL[state]}
    </span>
  );
}

// The last checks as little bars; height follows latency, colour success.
export function TickBar({ ticks }: { ticks: Tick[] }) {
  const max = Math.max(1, ...ticks.map((t) => t.ms));
  const pad = RECENT_TICKS - ticks.length;
  const fails = ticks.filter((t) => !t.ok).length;
  const label = ticks.length ? `Last ${ticks.length} checks: ${fails} failed` : 'No checks yet';
  return (
    <span class="ticks" role="img" aria-label={label} title={label}>
      {Array.from({ length: pad }, (_, i) => (
        <span key={'p' + i} class="tick tick-empty" />
      ))}
      {ticks.map((t, i) => (
        // A style object is set through the CSSOM (allowed by the CSP) and
        // diffed: only a changed height touches the DOM, where a ref callback
        // would run for all 24 ticks of every row on every render.
        <span key={i} class={t.ok ? 'tick tick-ok' : 'tick tick-fail'} style={{ '--h': String(t.ok ? 0.35 + 0.65 * (t.ms / max) : 1) }} />
      ))}
    </span>
  );
}

export function Field(props: {
  label: string;
  error?: string | null | undefined;
  hint?: string;
  children: (id: string, describedBy: string | undefined) => JSX.Element;
  id: string;
  wide?: boolean;
}) {
  const errId = props.error ? `${props.id}-error` : undefined;
  const hintId = props.hint ? `${props.id}-hint` : undefined;
  const describedBy = [errId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${props.error ? ' field-invalid' : ''}${props.wide ? ' field-wide' : ''}`}>
      <label for={props.id}>{props.label}</label>
      {props.children(props.id, describedBy)}
      {props.hint && !props.error && (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p class="field-error" id={errId} role="alert">
          {props.error}
        </p>
      )}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <svg viewBox="0 0 48 48" width="48" height="48" aria-hidden="true">
        <circle cx="24" cy="24" r="20" fill="none" stroke="currentColor" stroke-width="2" opacity=".35" />
        <path d="M14 26h6l3-7 4 13 3-6h4" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" />
      </svg>
      <h3>{title}</h3>
      {children}
    </div>
  );
}

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return (
    <div class="spinner-wrap" role="status">
      <span class="spinner" aria-hidden="true" />
      <span>{label}…</span>
    </div>
  );
}

export function ErrorBox({ error, onRetry }: { error: Error | string; onRetry?: () => void }) {
  return (
    <div class="alert alert-error" role="alert">
      <span>{typeof error === 'string' ? error : error.message}</span>
      {onRetry && (
        <button type="button" class="btn btn-small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

// A modal confirmation on <dialog> (focus trap and Escape come with it).
export function Confirm(props: { title: string; body: string; confirm: string; danger?: boolean; onConfirm: () => void; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog ref={ref} class="dialog" onClose={props.onClose} aria-labelledby="confirm-title">
      <h2 id="confirm-title">{props.title}</h2>
      <p>{props.body}</p>
      <div class="dialog-actions">
        <button type="button" class="btn" onClick={() => ref.current?.close()}>
          Cancel
        </button>
        <button
          type="button"
          class={props.danger ? 'btn btn-danger' : 'btn btn-primary'}
          onClick={() => {
            props.onConfirm();
            ref.current?.close();
          }}
        >
          {props.confirm}
        </button>
      </div>
    </dialog>
  );
}

export function PageHeader({ title, subtitle, children }: { title: ComponentChildren; subtitle?: ComponentChildren; children?: ComponentChildren }) {
  return (
    <header class="page-header">
      <div class="page-title">
        <h1>{title}</h1>
        {subtitle && <p class="subtitle">{subtitle}</p>}
      </div>
      {children && <div class="page-actions">{children}</div>}
    </header>
  );
}

export function Card({ title, children, class: cls, actions }: { title?: string; children: ComponentChildren; class?: string; actions?: ComponentChildren }) {
  return (
    <section class={`card ${cls ?? ''}`} aria-label={title}>
      {(title || actions) && (
        <div class="card-head">
          {title && <h2>{title}</h2>}
          {actions}
        </div>
      )}
      {children}
    </section>
  );
}

// What a page shows for data it is fetching: the error with a retry, a
// spinner on the first load, the empty state, or `children` with the data.
export function Loaded<T>(props: {
  q: Async<T>;
  label: string;
  isEmpty: (data: T) => boolean;
  empty: ComponentChildren;
  children: (data: T) => ComponentChildren;
}) {
  const { q } = props;
  if (q.error) return <ErrorBox error={q.error} onRetry={q.reload} />;
  if (q.loading && !q.data) return <Spinner label={props.label} />;
  if (!q.data || props.isEmpty(q.data)) return <>{props.empty}</>;
  return <>{props.children(q.data)}</>;
}

// A modal on <dialog> for forms; Escape and "Cancel" call onClose, which
// unmounts it.
export function Modal(props: { title: string; children: ComponentChildren; onClose: () => void; class?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog ref={ref} class={`dialog ${props.class ?? ''}`} onClose={props.onClose} aria-labelledby="modal-title">
      <h2 id="modal-title">{props.title}</h2>
      {props.children}
    </dialog>
  );
}

// A secret shown once: read-only, selected on focus, with a copy button.
export function CopyField({ id, label, value }: { id: string; label: string; value: string }) {
  const ref = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // No clipboard permission (or no secure context): the selection lets
      // the person press Ctrl+C.
      ref.current?.select();
      document.execCommand?.('copy');
    }
    setCopied(true);
  };
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <div class="copy-field">
        <input id={id} ref={ref} class="mono" readOnly value={value} onFocus={(e) => e.currentTarget.select()} spellcheck={false} />
        <button type="button" class="btn" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </div>
  );
}
