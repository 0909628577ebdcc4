// @ts-check
// Small shared pieces of the page.
import { h } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import htm from 'htm';

/** @typedef {import('../api-types.js').JobProgress} JobProgressItem */
/** @typedef {import('../api-types.js').JobSnapshot} JobSnapshot */
/** @typedef {import('preact').ComponentChildren} Children */
/**
 * What an error box shows: an {@link import('./api.js').ApiError}, a failed job's `error`, or words
 * of the page itself.
 * @typedef {{ message: string, hint?: string }} ShownError
 */

export const html = htm.bind(h);

/**
 * An error in the user's words: what happened and what to do.
 * @param {{ error: ShownError | null | undefined }} props
 */
export function ErrorBox({ error }) {
  if (!error) return null;
  return html`<div class="error" role="alert">
    <strong>${error.message}</strong>
    ${error.hint ? html`<p>${error.hint}</p>` : null}
  </div>`;
}

/**
 * One progress bar with its label, e.g. per account.
 * @param {{ item: JobProgressItem }} props
 */
export function ProgressRow({ item }) {
  const pct = item.total ? Math.round((100 * item.done) / item.total) : null;
  return html`<div class="progress-row">
    <label>
      <span>${item.label} — ${item.phase}${pct !== null ? ` (${pct}%)` : ''}</span>
      <progress
        max=${item.total ?? undefined}
        value=${item.total ? item.done : undefined}
      ></progress>
    </label>
  </div>`;
}

/** @param {{ job: JobSnapshot | null | undefined }} props */
export function JobProgress({ job }) {
  // A failed job shows its error instead (ErrorBox); a half-filled bar would only confuse, and a
  // finished one says so once, without its last phase ("verifying (100%)") still showing.
  if (!job || job.state === 'failed') return null;
  const items = job.state === 'running' ? Object.values(job.progress ?? {}) : [];
  return html`<section class="job" aria-live="polite" aria-busy=${job.state === 'running'}>
    <p role="status" class="job-state">
      ${job.state === 'running' ? 'Working…' : job.state === 'done' ? 'Finished.' : 'Stopped with an error.'}
    </p>
    ${items.map((item) => html`<${ProgressRow} item=${item} />`)}
  </section>`;
}

/** A paper clip for file messages (drawn, so it shows without an emoji font). */
export function Clip() {
  return html`<svg class="clip" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
    <path
      d="M10.5 4.5 5.2 9.8a1.6 1.6 0 0 0 2.3 2.3l5.6-5.6a3 3 0 0 0-4.3-4.3L3.2 7.8a4.4 4.4 0 0 0 6.2 6.2l4.1-4.1"
      fill="none"
      stroke="currentColor"
      stroke-width="1.5"
      stroke-linecap="round"
    />
  </svg>`;
}

/**
 * A small padlock (drawn, so it shows without an emoji font).
 * @param {{ label?: string }} props
 */
export function Lock({ label }) {
  const a11y = label ? { role: 'img', 'aria-label': label } : { 'aria-hidden': 'true' };
  return html`<svg class="lock" viewBox="0 0 16 16" width="14" height="14" ...${a11y}>
    ${label ? html`<title>${label}</title>` : null}
    <path d="M4.5 7V5a3.5 3.5 0 0 1 7 0v2" fill="none" stroke="currentColor" stroke-width="1.6" />
    <rect x="2.5" y="7" width="11" height="8" rx="1.5" fill="currentColor" />
  </svg>`;
}

/**
 * "1 file", "4 files".
 * @param {number} n
 * @param {string} one
 */
export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * Where the outcome of the last action shows (progress, result or error): one place per screen part,
 * so a new action replaces the earlier outcome instead of piling up below it. Whenever what it says
 * changes, it is scrolled into view: the person sees the outcome without searching for it.
 * @param {{ children?: Children }} props
 */
export function Outcome({ children }) {
  const ref = useRef(/** @type {HTMLDivElement | null} */ (null));
  const said = useRef('');
  useEffect(() => {
    const el = ref.current;
    const text = el?.textContent ?? '';
    if (el && text !== said.current && text.trim() !== '') el.scrollIntoView({ block: 'nearest' });
    said.current = text;
  });
  return html`<div class="outcome" ref=${ref}>${children}</div>`;
}
