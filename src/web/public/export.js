// @ts-check
// Export: the chats as text, web page, JSON or SQLite files to read anywhere.
import { useEffect, useState } from 'preact/hooks';
import { get, post, formatBytes, formFields } from './api.js';
import { html, ErrorBox, JobProgress, Outcome, plural } from './ui.js';
import { useLatestJob } from './jobs.js';

/** @typedef {import('../api-types.js').ExportOptionsReply} ExportOptionsReply */
/** @typedef {import('../api-types.js').ExportRequest} ExportRequest */
/** @typedef {import('../api-types.js').ExportResultView} ExportResultView */
/** @typedef {import('./ui.js').ShownError} ShownError */

export function ExportScreen() {
  const [options, setOptions] = useState(/** @type {ExportOptionsReply | null} */ (null));
  const [error, setError] = useState(/** @type {ShownError | null} */ (null));
  const [job, track] = useLatestJob('export');
  useEffect(() => {
    get('/api/exports/options').then(setOptions).catch(setError);
  }, []);
  /** @param {import('preact').TargetedEvent<HTMLFormElement, SubmitEvent>} e */
  const start = async (e) => {
    e.preventDefault();
    // The form's fields are named as the request's (account, format).
    const data = /** @type {ExportRequest} */ (formFields(e.currentTarget));
    setError(null);
    try {
      const { job: started } = await post('/api/exports', data);
      track(started);
    } catch (err) {
      setError(/** @type {ShownError} */ (err));
    }
  };
  return html`<section aria-labelledby="export-title">
    <h2 id="export-title">Export</h2>
    <p>Read your chats anywhere: export them as files for a computer.</p>
    <${ErrorBox} error=${error} />
    ${
      options === null
        ? html`<p>Loading…</p>`
        : html`<form class="card" onSubmit=${start}>
            <label
              >Account
              <select name="account" required>
                ${options.accounts.map((a) => html`<option value=${a}>${a}</option>`)}
              </select>
            </label>
            <fieldset>
              <legend>Format</legend>
              ${options.formats.map(
                (f, i) =>
                  html`<label class="check"
                    ><input type="radio" name="format" value=${f.id} checked=${i === 0} />
                    ${f.label}</label
                  >`,
              )}
            </fieldset>
            <button
              type="submit"
              class="primary"
              disabled=${options.accounts.length === 0 || job?.state === 'running'}
            >
              Export
            </button>
          </form>`
    }
    <${Outcome}>
      <${JobProgress} job=${job} />
      ${job?.state === 'failed' ? html`<${ErrorBox} error=${job.error} />` : null}
      ${job?.state === 'done' ? html`<${ExportResult} result=${job.result ?? {}} />` : null}
    </${Outcome}>
  </section>`;
}

/** @param {{ result: Partial<ExportResultView> }} props */
function ExportResult({ result }) {
  const files = result.files ?? [];
  return html`<section class="card result" aria-labelledby="export-done">
    <h3 id="export-done">The export is ready</h3>
    <p>
      ${plural(result.conversations ?? 0, 'chat')}, ${plural(result.messages ?? 0, 'message')},
      in${' '}<code class="path">${result.folder}</code>
    </p>
    ${
      result.view
        ? html`<p>
            <a href=${result.view} target="_blank" rel="noopener">Open the exported chats</a>
          </p>`
        : null
    }
    ${
      result.archive
        ? html`<p>
            <a href=${result.archive.download} download=${result.archive.name}
              >Download all as one file (${result.archive.name})</a
            >${' '}
            <span class="size"
              >${plural(result.archive.files, 'file')}, ${formatBytes(result.archive.bytes)}</span
            >
          </p>`
        : html`<ul class="files">
            ${files.map(
              (f) =>
                html`<li>
                  <a href=${f.download} download=${f.name}>Download ${f.name}</a>
                  <span class="size">${formatBytes(f.bytes)}</span>
                </li>`,
            )}
          </ul>`
    }
  </section>`;
}
