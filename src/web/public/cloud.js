// @ts-check
// Cloud (WebDAV): upload a finished backup to a cloud folder; list and download backups from one.
// The user name and password stay in this page's memory and go to the local server with each request;
// the server uses them for that request only.
import { useEffect, useState } from 'preact/hooks';
import { post, formatBytes, formatDate } from './api.js';
import { html, ErrorBox, JobProgress, Outcome } from './ui.js';
import { useLatestJob } from './jobs.js';

/** @typedef {import('../api-types.js').CloudFolderRequest} CloudFolderRequest */
/** @typedef {import('../api-types.js').CloudListing} CloudListing */
/** @typedef {import('../api-types.js').CloudBackup} CloudBackup */
/** @typedef {import('../api-types.js').Jobs['create-backup']} CreateBackupJob */
/** @typedef {import('./ui.js').ShownError} ShownError */
/** @typedef {Required<CloudFolderRequest>} CloudFieldValues */
/** @typedef {import('preact').TargetedEvent<HTMLInputElement, Event>} InputEvent */

const EXAMPLE = 'https://cloud.example.org/remote.php/dav/files/kim/Backups/';

/**
 * Folder address, user name and password, labelled; `prefix` keeps the ids unique per screen.
 * @param {{ prefix: string, value: CloudFieldValues,
 *   onChange: (value: CloudFieldValues) => void }} props
 */
function CloudFields({ prefix, value, onChange }) {
  /** @param {keyof CloudFieldValues} key */
  const field = (key) => (/** @type {InputEvent} */ e) =>
    onChange({ ...value, [key]: e.currentTarget.value });
  return html`<div class="cloud-fields">
    <label
      >Folder address (WebDAV URL)
      <input
        id=${`${prefix}-url`}
        name="url"
        type="url"
        required
        placeholder=${EXAMPLE}
        value=${value.url}
        onInput=${field('url')}
    /></label>
    <label
      >User name
      <input
        id=${`${prefix}-user`}
        name="user"
        autocomplete="username"
        value=${value.user}
        onInput=${field('user')}
    /></label>
    <label
      >Password (for Nextcloud: an app password)
      <input
        id=${`${prefix}-password`}
        name="password"
        type="password"
        autocomplete="current-password"
        value=${value.password}
        onInput=${field('password')}
    /></label>
  </div>`;
}

/** @type {CloudFieldValues} */
const emptyFields = { url: '', user: '', password: '' };

/**
 * On Create backup, after the backup: upload its files (and media files) to a cloud folder.
 * @param {{ createJob: CreateBackupJob }} props
 */
export function CloudUpload({ createJob }) {
  const [fields, setFields] = useState(emptyFields);
  const [keep, setKeep] = useState('');
  const [error, setError] = useState(/** @type {ShownError | null} */ (null));
  const [job, track] = useLatestJob('cloud-upload');
  /** @param {SubmitEvent} e */
  const start = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      const { job: started } = await post('/api/cloud/push', {
        ...fields,
        job: createJob.id,
        keep: keep === '' ? undefined : Number(keep),
      });
      track(started);
    } catch (err) {
      setError(/** @type {ShownError} */ (err));
    }
  };
  const result = job?.state === 'done' ? job.result : null;
  return html`<section class="card cloud" aria-labelledby="cloud-up-title">
    <h3 id="cloud-up-title">Upload to a cloud folder (WebDAV: Nextcloud, ownCloud, …)</h3>
    <p class="note">
      Every file is read back from the server after the upload, so an incomplete upload is caught.
      The password is used for this upload only and not kept.
    </p>
    <form onSubmit=${start}>
      <${CloudFields} prefix="up" value=${fields} onChange=${setFields} />
      <label
        >Keep only the newest backups of the account in the folder (optional)
        <input
          name="keep"
          type="number"
          min="1"
          step="1"
          inputmode="numeric"
          value=${keep}
          onInput=${(/** @type {InputEvent} */ e) => setKeep(e.currentTarget.value)}
      /></label>
      <button type="submit" class="primary" disabled=${job?.state === 'running'}>Upload</button>
    </form>
    <${ErrorBox} error=${error} />
    <${JobProgress} job=${job} />
    ${job?.state === 'failed' ? html`<${ErrorBox} error=${job.error} />` : null}
    ${
      result
        ? html`<div role="status" class="cloud-result">
            <p>In the cloud folder <code class="path">${result.folder}</code>:</p>
            <ul>
              ${result.uploaded.map(
                (u) =>
                  html`<li>
                    ${u.unchanged ? 'Already there, unchanged: ' : 'Uploaded and verified: '}<code
                      class="path"
                      >${u.name}</code
                    >
                    ${` (${formatBytes(u.bytes)})`}
                  </li>`,
              )}
              ${result.deleted.map(
                (d) => html`<li>Removed the older backup <code class="path">${d}</code></li>`,
              )}
            </ul>
          </div>`
        : null
    }
  </section>`;
}

/**
 * On Import backup: the backups in a cloud folder; download one into this device's Backup folder.
 * @param {{ onDownloaded?: () => void, active?: boolean, onStart?: () => void }} props
 */
export function CloudDownload({ onDownloaded, active = true, onStart }) {
  const [fields, setFields] = useState(emptyFields);
  const [listing, setListing] = useState(/** @type {CloudListing | null} */ (null));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {ShownError | null} */ (null));
  const [job, track, setJob] = useLatestJob('cloud-download');
  useEffect(() => {
    if (job?.state === 'done') onDownloaded?.();
  }, [job?.state]);
  useEffect(() => {
    // Another part of the screen acted: this part's earlier outcome no longer applies.
    if (!active) {
      setError(null);
      setJob(null);
      setListing(null);
    }
  }, [active]);
  /** @param {SubmitEvent} e */
  const list = async (e) => {
    e.preventDefault();
    onStart?.();
    setJob(null);
    setError(null);
    setBusy(true);
    try {
      setListing(await post('/api/cloud/list', fields));
    } catch (err) {
      setListing(null);
      setError(/** @type {ShownError} */ (err));
    } finally {
      setBusy(false);
    }
  };
  /** @param {CloudBackup} b */
  const download = async (b) => {
    onStart?.();
    setError(null);
    try {
      const { job: started } = await post('/api/cloud/pull', { ...fields, name: b.name });
      track(started);
    } catch (err) {
      setError(/** @type {ShownError} */ (err));
    }
  };
  const running = job?.state === 'running';
  return html`<section class="card cloud" aria-labelledby="cloud-down-title">
    <h3 id="cloud-down-title">Get backups from a cloud folder</h3>
    <p class="note">
      For backups uploaded to Nextcloud, ownCloud or another WebDAV folder. Only the start of each
      file is read to list it; the one you choose is downloaded (with its media file) into this
      device's Backup folder, then appears in the list above.
    </p>
    <form onSubmit=${list}>
      <${CloudFields} prefix="down" value=${fields} onChange=${setFields} />
      <button type="submit" disabled=${busy}>${busy ? 'Looking…' : 'Show backups'}</button>
    </form>
    <${Outcome}>
      <${ErrorBox} error=${error} />
      ${listing ? html`<${CloudList} listing=${listing} disabled=${running} onDownload=${download} />` : null}
      <${JobProgress} job=${job} />
      ${job?.state === 'failed' ? html`<${ErrorBox} error=${job.error} />` : null}
      ${
        job?.state === 'done'
          ? html`<p role="status" class="cloud-result">
              ${'Downloaded and verified: '}
              ${(job.result?.downloaded ?? []).map((d, i) => html`${i > 0 ? ', ' : ''}<code class="path">${d.name}</code>`)}${'. '}
              Choose it in the list of backup files found on this device (above) to import it.
            </p>`
          : null
      }
    </${Outcome}>
  </section>`;
}

/**
 * @param {{ listing: CloudListing, disabled: boolean,
 *   onDownload: (backup: CloudBackup) => void }} props
 */
function CloudList({ listing, disabled, onDownload }) {
  if (listing.backups.length === 0) {
    return html`<p>No backup files in <code class="path">${listing.folder}</code>.</p>`;
  }
  return html`<div class="table-wrap">
    <table class="backups">
      <caption>
        Backup files in the cloud folder
      </caption>
      <thead>
        <tr>
          <th scope="col">Account</th>
          <th scope="col">Date</th>
          <th scope="col">Size</th>
          <th scope="col"><span class="sr-only">Action</span></th>
        </tr>
      </thead>
      <tbody>
        ${listing.backups.map(
          (b) =>
            html`<tr class=${b.exists ? 'exists' : ''}>
              <td>
                <span class="jid">${b.jid ?? '?'}</span><br /><code class="path">${b.name}</code>
                ${
                  b.companion
                    ? html`<br /><span class="note"
                          >with its media file (${formatBytes(b.companion.size)})</span
                        >`
                    : null
                }
                ${b.problem ? html`<br /><span class="note">Not readable: ${b.problem}</span>` : null}
              </td>
              <td>${b.timestamp !== null ? formatDate(b.timestamp) : '?'}</td>
              <td>${formatBytes(b.size)}</td>
              <td>
                ${
                  b.exists
                    ? html`<span class="marked">Account already set up here</span>`
                    : html`<button
                        type="button"
                        disabled=${disabled || b.jid === null}
                        onClick=${() => onDownload(b)}
                        aria-label=${`Download the backup of ${b.jid} from ${b.timestamp !== null ? formatDate(b.timestamp) : '?'}`}
                      >
                        Download
                      </button>`
                }
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
