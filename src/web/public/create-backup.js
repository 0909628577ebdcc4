// @ts-check
// Create backup: the seed's checklist, format choice, per-account progress, the files made.
import { useEffect, useState } from 'preact/hooks';
import { get, post, formatBytes } from './api.js';
import { html, ErrorBox, JobProgress, Outcome, plural } from './ui.js';
import { useLatestJob } from './jobs.js';
import { stateWords } from './accounts.js';
import { CloudUpload } from './cloud.js';

/** @typedef {import('../api-types.js').AccountView} AccountView */
/** @typedef {import('../api-types.js').Jobs['create-backup']} CreateBackupJob */
/** @typedef {import('../api-types.js').MediaFileMade} MediaFileMade */
/** @typedef {import('../api-types.js').BackupFileMade} BackupFileMade */
/** @typedef {import('./ui.js').ShownError} ShownError */
/** @typedef {import('preact').TargetedEvent<HTMLInputElement, Event>} InputEvent */

export function CreateBackupScreen() {
  const [accounts, setAccounts] = useState(/** @type {AccountView[] | null} */ (null));
  const [error, setError] = useState(/** @type {ShownError | null} */ (null));
  const [knowPasswords, setKnowPasswords] = useState(false);
  const [format, setFormat] = useState('2');
  const [withMedia, setWithMedia] = useState(false);
  const [job, track] = useLatestJob('create-backup');
  const load = () =>
    get('/api/accounts')
      .then((r) => setAccounts(r.accounts))
      .catch(setError);
  useEffect(() => {
    load();
  }, []);
  const enabled = (accounts ?? []).filter((a) => a.enabled);
  const deactivate = async () => {
    setError(null);
    try {
      for (const a of enabled) await post(`/api/accounts/${encodeURIComponent(a.jid)}/disable`);
      await load();
    } catch (err) {
      setError(/** @type {ShownError} */ (err));
    }
  };
  /** @param {SubmitEvent} e */
  const start = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      const { job: started } = await post('/api/backups', {
        format: /** @type {1 | 2} */ (Number(format)),
        withMedia,
      });
      track(started);
    } catch (err) {
      setError(/** @type {ShownError} */ (err));
    }
  };
  const running = job?.state === 'running';
  return html`<section aria-labelledby="backup-title">
    <h2 id="backup-title">Create backup</h2>
    <p>
      Step 1 of the move, on the old device. The backup holds your text chats and the encryption
      keys, one file per account.
    </p>
    <${ErrorBox} error=${error} />
    <form class="card" onSubmit=${start}>
      <ol class="checklist">
        <li>
          <label class="check">
            <input
              type="checkbox"
              checked=${knowPasswords}
              onChange=${(/** @type {InputEvent} */ e) => setKnowPasswords(e.currentTarget.checked)}
            />
            Make sure that you know the password to your account(s)! You will need it later to
            decrypt your backup.
          </label>
        </li>
        <li>
          <p>
            Deactivate all your account(s), so this device stops receiving messages that would miss
            the backup.
          </p>
          ${
            accounts === null
              ? html`<p>Loading accounts…</p>`
              : html`<ul class="plain">
                  ${accounts.map((a) => html`<li><span class="jid">${a.jid}</span>: <span class=${`state state-${a.state}`}>${stateWords(a)}</span></li>`)}
                </ul>`
          }
          <button type="button" onClick=${deactivate} disabled=${enabled.length === 0}>
            ${enabled.length === 0 ? 'All accounts are deactivated' : 'Deactivate all accounts'}
          </button>
        </li>
        <li>
          <fieldset>
            <legend>Backup format</legend>
            <label class="check"
              ><input
                type="radio"
                name="format"
                value="2"
                checked=${format === '2'}
                onChange=${() => setFormat('2')}
              />
              Format 2 — Conversations 2.13 and later (recommended)</label
            >
            <label class="check"
              ><input
                type="radio"
                name="format"
                value="1"
                checked=${format === '1'}
                onChange=${() => setFormat('1')}
              />
              Format 1 — older Conversations (up to 2.12)</label
            >
          </fieldset>
        </li>
        <li>
          <label class="check">
            <input
              type="checkbox"
              checked=${withMedia}
              onChange=${(/** @type {InputEvent} */ e) => setWithMedia(e.currentTarget.checked)}
            />
            Include media files (photos, files) in a companion file
          </label>
          <p class="note">
            A second file beside each backup, encrypted with the same password. Without it, copy the
            files to the new device by hand.
          </p>
        </li>
        <li>
          <p>Create the backup, and wait until it is finished.</p>
          <button
            type="submit"
            class="primary"
            disabled=${!knowPasswords || running || !accounts?.length}
          >
            Create backup
          </button>
          ${!knowPasswords ? html`<p class="note">Tick the first step to continue.</p>` : null}
        </li>
      </ol>
    </form>
    <${Outcome}>
      <${JobProgress} job=${job} />
      ${job?.state === 'failed' ? html`<${ErrorBox} error=${job.error} />` : null}
      ${job?.state === 'done' ? html`<${BackupResult} job=${job} />` : null}
    </${Outcome}>
    ${job?.state === 'done' ? html`<${CloudUpload} createJob=${job} />` : null}
  </section>`;
}

/**
 * The media companion written beside a backup: where it is, what it holds, its download link.
 * @param {{ media: MediaFileMade }} props
 */
function CompanionFile({ media }) {
  return html`<div class="companion">
    <span class="label">Media file:</span>
    <code class="path">${media.path}</code>
    <span class="size"
      >${formatBytes(media.bytes)}, ${media.files} file${media.files === 1 ? '' : 's'}</span
    >
    <a href=${media.download} download=${media.name}>Download ${media.name}</a>
    ${
      media.notOnThisDevice > 0
        ? html`<p class="note">
            ${plural(media.notOnThisDevice, 'file')} the chats point to
            ${media.notOnThisDevice === 1 ? 'is' : 'are'} not on this device, so
            ${media.notOnThisDevice === 1 ? 'it is' : 'they are'} not in it.
          </p>`
        : null
    }
  </div>`;
}

/** @param {{ job: CreateBackupJob }} props */
function BackupResult({ job }) {
  const { files: all = [], skipped = [] } = job.result ?? {};
  const files = all.filter((f) => f.kind !== 'media');
  /** @param {BackupFileMade | MediaFileMade} f */
  const companionOf = (f) =>
    all.find(/** @returns {m is MediaFileMade} */ (m) => m.kind === 'media' && m.backup === f.name);
  return html`<section class="card result" aria-labelledby="backup-done">
    <h3 id="backup-done">The backup is finished</h3>
    ${
      files.length > 0
        ? html`<p>
              One file per account${all.length > files.length ? ', each with its media file' : ''}.
              Copy them to the new device (USB cable, cloud storage,
              anything)${all.length > files.length ? ', and keep each media file beside its backup' : ''}.
            </p>
            <ul class="files">
              ${files.map(
                (f) =>
                  html`<li>
                    <span class="jid">${f.jid}</span>
                    <code class="path">${f.path}</code>
                    <span class="size">${formatBytes(f.bytes)}</span>
                    <a href=${f.download} download=${f.name}>Download ${f.name}</a>
                    ${companionOf(f) ? html`<${CompanionFile} media=${companionOf(f)} />` : null}
                  </li>`,
              )}
            </ul>`
        : html`<p>No backup file was made.</p>`
    }
    ${
      skipped.length > 0
        ? html`<p>Skipped:</p>
            <ul>
              ${skipped.map((s) => html`<li><span class="jid">${s.jid}</span>: ${s.reason}</li>`)}
            </ul>`
        : null
    }
    <p>Next: on the new device, open <a href="#import">Import backup</a>.</p>
  </section>`;
}
