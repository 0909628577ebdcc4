// Small shared pieces of the page.
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);

/** An error in the user's words: what happened and what to do. */
export function ErrorBox({ error }) {
  if (!error) return null;
  return html`<div class="error" role="alert">
    <strong>${error.message}</strong>
    ${error.hint ? html`<p>${error.hint}</p>` : null}
  </div>`;
}

/** One progress bar with its label, e.g. per account. */
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

export function JobProgress({ job }) {
  // A failed job shows its error instead (ErrorBox); a half-filled bar would only confuse.
  if (!job || job.state === 'failed') return null;
  const items = Object.values(job.progress ?? {});
  return html`<section class="job" aria-live="polite" aria-busy=${job.state === 'running'}>
    <p role="status" class="job-state">
      ${job.state === 'running' ? 'Working…' : job.state === 'done' ? 'Finished.' : 'Stopped with an error.'}
    </p>
    ${items.map((item) => html`<${ProgressRow} item=${item} />`)}
  </section>`;
}

/** A small padlock (drawn, so it shows without an emoji font). */
export function Lock({ label }) {
  const a11y = label ? { role: 'img', 'aria-label': label } : { 'aria-hidden': 'true' };
  return html`<svg class="lock" viewBox="0 0 16 16" width="14" height="14" ...${a11y}>
    ${label ? html`<title>${label}</title>` : null}
    <path d="M4.5 7V5a3.5 3.5 0 0 1 7 0v2" fill="none" stroke="currentColor" stroke-width="1.6" />
    <rect x="2.5" y="7" width="11" height="8" rx="1.5" fill="currentColor" />
  </svg>`;
}
