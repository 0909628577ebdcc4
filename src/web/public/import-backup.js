// @ts-check
// Import backup: backups found in the usual places or chosen from anywhere, password, progress, result.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, post, upload, formatBytes, formatDate } from './api.js';
import { html, ErrorBox, JobProgress, Outcome, plural } from './ui.js';
import { useLatestJob } from './jobs.js';
import { CloudDownload } from './cloud.js';

/** @typedef {import('../api-types.js').BackupChoice} BackupChoice */
/** @typedef {import('../api-types.js').ImportSource} ImportSource */
/** @typedef {import('../api-types.js').MediaOutcomeView} MediaOutcomeView */
/** @typedef {import('../api-types.js').UploadedMediaReply} UploadedMediaReply */
/** @typedef {import('../api-types.js').Jobs['import-backup']} ImportJob */
/** @typedef {import('./ui.js').ShownError} ShownError */
/** @typedef {import('preact').TargetedEvent<HTMLInputElement, Event>} InputEvent */
/** @typedef {import('preact').TargetedEvent<HTMLFormElement, SubmitEvent>} FormEvent */
/**
 * The backup the password dialog is for: one chosen in the list or uploaded, or (after a wrong
 * password) the one the failed job was importing.
 * @typedef {BackupChoice | ImportSource} ChosenBackup
 */

/** @param {{ backups: BackupChoice[], onChoose: (backup: BackupChoice) => void }} props */
function BackupList({ backups, onChoose }) {
  if (backups.length === 0) {
    return html`<p>No backup files were found in the usual places.</p>`;
  }
  return html`<div class="table-wrap">
    <table class="backups">
      <caption>
        Backup files found on this device
      </caption>
      <thead>
        <tr>
          <th scope="col">Account</th>
          <th scope="col">App</th>
          <th scope="col">Date</th>
          <th scope="col">Size</th>
          <th scope="col"><span class="sr-only">Action</span></th>
        </tr>
      </thead>
      <tbody>
        ${backups.map(
          (b) =>
            html`<tr class=${b.exists ? 'exists' : ''}>
              <td>
                <span class="jid">${b.jid}</span><br /><code class="path">${b.path}</code>
                ${
                  b.companion
                    ? html`<br /><span class="note">with its media file ${b.companion}</span>`
                    : null
                }
              </td>
              <td>${b.app}</td>
              <td>${formatDate(b.timestamp)}</td>
              <td>${formatBytes(b.size)}</td>
              <td>
                ${
                  b.exists
                    ? html`<span class="marked">Account already set up here</span>`
                    : html`<button
                        type="button"
                        onClick=${() => onChoose(b)}
                        aria-label=${`Import the backup of ${b.jid} from ${formatDate(b.timestamp)}`}
                      >
                        Import
                      </button>`
                }
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

/** The optional media companion of an uploaded backup: a second file input, and what was chosen. */
/**
 * @param {{ media: UploadedMediaReply['media'] | null, error: ShownError | null,
 *   onFile: (file: File) => void }} props
 */
function MediaChooser({ media, error, onFile }) {
  /** @param {InputEvent} e */
  const change = (e) => {
    const file = e.currentTarget.files?.[0];
    e.currentTarget.value = '';
    if (file) onFile(file);
  };
  return html`<div class="chosen-media">
    <label class="file-button">
      Media file (optional, .ceb.media)…
      <input type="file" accept=".media" onChange=${change} />
    </label>
    ${
      media
        ? html`<p role="status">
            Chosen: <code class="path">${media.name}</code> — its photos and files are restored too.
          </p>`
        : html`<p class="note">
            If the backup was made with its media files, choose the file ending in .ceb.media to
            restore the photos and files too.
          </p>`
    }
    <${ErrorBox} error=${error} />
  </div>`;
}

/**
 * @param {{ backup: ChosenBackup | null, error: ShownError | null,
 *   media: UploadedMediaReply['media'] | null, mediaError: ShownError | null,
 *   onMedia: (file: File) => void, onSubmit: (password: string) => void,
 *   onCancel: () => void }} props
 */
function PasswordDialog({ backup, error, media, mediaError, onMedia, onSubmit, onCancel }) {
  const ref = useRef(/** @type {HTMLDialogElement | null} */ (null));
  useEffect(() => {
    const dialog = ref.current;
    if (backup && dialog && !dialog.open) dialog.showModal();
    if (!backup && dialog?.open) dialog.close();
  }, [backup]);
  /** @param {FormEvent} e */
  const submit = (e) => {
    e.preventDefault();
    const input = /** @type {HTMLInputElement} */ (e.currentTarget.elements.namedItem('password'));
    const password = input.value;
    input.value = '';
    onSubmit(password);
  };
  return html`<dialog
    ref=${ref}
    aria-labelledby="pw-title"
    onCancel=${onCancel}
    onClose=${onCancel}
  >
    <form method="dialog" onSubmit=${submit}>
      <h3 id="pw-title">Enter the password</h3>
      ${backup ? html`<p>Enter the password of <span class="jid">${backup.jid}</span> to decrypt the backup.</p>` : null}
      ${
        backup?.source?.upload
          ? html`<${MediaChooser} media=${media} error=${mediaError} onFile=${onMedia} />`
          : backup?.companion
            ? html`<p>
                Its media file <code class="path">${backup.companion}</code> is beside it: the
                photos and files are restored too.
              </p>`
            : null
      }
      <${ErrorBox} error=${error} />
      <label
        >Account password
        <input name="password" type="password" autocomplete="current-password" required autofocus
      /></label>
      <div class="buttons">
        <button type="button" onClick=${onCancel}>Cancel</button>
        <button type="submit" class="primary">Import</button>
      </div>
    </form>
  </dialog>`;
}

/** What the media file restored: restored, skipped (already here), damaged, still missing. */
/** @param {{ media: MediaOutcomeView | null | undefined, missing: number | undefined }} props */
function MediaResult({ media: outcome, missing }) {
  if (!outcome) return null;
  if (outcome.error) {
    return html`<div class="error" role="alert">
      <strong>The photos and files in ${outcome.companion} were not restored.</strong>
      <p>${outcome.error}. The chats are imported all the same.</p>
    </div>`;
  }
  const media = /** @type {import('../api-types.js').MediaRestoredView} */ (outcome);
  const skipped = media.alreadyPresent.length + media.conflicts.length + media.refused.length;
  /** @param {string[]} items */
  const list = (items) =>
    html`<ul>
      ${items.map((p) => html`<li><code class="path">${p}</code></li>`)}
    </ul>`;
  return html`<section class="media-result" aria-labelledby="media-done">
    <h4 id="media-done">Photos and files</h4>
    <ul class="counts">
      <li>${media.restored.length} restored</li>
      <li>${skipped} skipped</li>
      <li>${media.damaged.length} damaged</li>
      <li>${missing ?? 0} still missing</li>
    </ul>
    <p class="note">From <code class="path">${media.companion}</code>.</p>
    ${
      media.alreadyPresent.length > 0
        ? html`<p>Skipped, already on this device:</p>
            ${list(media.alreadyPresent)}`
        : null
    }
    ${
      media.conflicts.length > 0
        ? html`<p>Skipped, a different file is already at its place (kept as it is):</p>
            ${list(media.conflicts)}`
        : null
    }
    ${
      media.refused.length > 0
        ? html`<p>Skipped, the place would be outside the media folder:</p>
            ${list(media.refused)}`
        : null
    }
    ${
      media.damaged.length > 0
        ? html`<div class="warning">
            <p>Lost, because the media file is damaged there:</p>
            ${list(media.damaged.map((d) => d.path ?? `unknown files (${d.reason})`))}
          </div>`
        : null
    }
  </section>`;
}

/** @param {{ job: ImportJob, go: (screen: string) => void }} props */
function ImportResult({ job, go }) {
  /** @type {Partial<import('../api-types.js').ImportResultView>} */
  const r = job.result ?? {};
  const [enabled, setEnabled] = useState(false);
  const [error, setError] = useState(/** @type {ShownError | null} */ (null));
  const enable = async () => {
    setError(null);
    try {
      // Shown only for a finished import, whose result names the account.
      await post(`/api/accounts/${encodeURIComponent(/** @type {string} */ (r.jid))}/enable`);
      setEnabled(true);
    } catch (err) {
      setError(/** @type {ShownError} */ (err));
    }
  };
  return html`<section class="card result" aria-labelledby="import-done">
    <h3 id="import-done">The backup of <span class="jid">${r.jid}</span> is imported</h3>
    <ul class="counts">
      ${(r.counts ?? []).map((c) => html`<li>${c.count} ${c.label}</li>`)}
    </ul>
    <${MediaResult} media=${r.media} missing=${r.missingCount} />
    ${
      r.missingCount
        ? html`<div class="warning">
            <p>
              ${
                r.media
                  ? `Still missing: ${plural(r.missingCount, 'file')} of the chats ${r.missingCount === 1 ? 'is' : 'are'} not on this device. `
                  : `The backup holds only text and keys: ${plural(r.missingCount, 'file')} of the chats ${r.missingCount === 1 ? 'is' : 'are'} not on this device yet. `
              }
              Copy ${r.missingCount === 1 ? 'it' : 'them'} from the old device into${' '}
              <code class="path">${r.missingFolder}</code>, in the same places, for example:
            </p>
            <ul class="missing">
              ${(r.missingFiles ?? []).map((f) => html`<li><code class="path">${f}</code></li>`)}
            </ul>
          </div>`
        : html`<p>No files of the chats are missing on this device.</p>`
    }
    <${ErrorBox} error=${error} />
    <h4>Next step</h4>
    ${
      enabled
        ? html`<p role="status">
            The account is enabled and connects now.
            <a href="#chats" onClick=${() => go('chats')}>Check if chats work.</a>
          </p>`
        : html`<p>The account was restored disabled. Remember to activate it:</p>
            <button type="button" class="primary" onClick=${enable}>Enable ${r.jid}</button>`
    }
  </section>`;
}

/** @param {{ go: (screen: string) => void }} props */
export function ImportBackupScreen({ go }) {
  const [found, setFound] = useState(/** @type {BackupChoice[] | null} */ (null));
  const [error, setError] = useState(/** @type {ShownError | null} */ (null));
  const [chosen, setChosen] = useState(/** @type {ChosenBackup | null} */ (null));
  const [passwordError, setPasswordError] = useState(/** @type {ShownError | null} */ (null));
  const [media, setMedia] = useState(/** @type {UploadedMediaReply['media'] | null} */ (null));
  const [mediaError, setMediaError] = useState(/** @type {ShownError | null} */ (null));
  const [job, track, setJob] = useLatestJob('import-backup');
  // Which part of the screen the last action belongs to: the local import ('local') or the cloud
  // folder ('cloud'). Only that part shows an outcome, so no earlier outcome contradicts a new one.
  const [active, setActive] = useState('local');
  /** @param {'local' | 'cloud'} part */
  const startAction = (part) => {
    setActive(part);
    setError(null);
    if (part === 'cloud') setJob(null);
  };
  const load = () =>
    get('/api/imports/found')
      .then((r) => setFound(r.backups))
      .catch(setError);
  useEffect(() => {
    load();
  }, []);
  useEffect(() => {
    if (job?.state === 'failed' && job.error?.kind === 'wrong-password' && job.source && !chosen) {
      // A wrong password: ask again for the same file.
      setChosen(job.source);
      setPasswordError(job.error);
    }
    if (job?.state === 'done') load();
  }, [job?.state]);
  /**
   * @param {ChosenBackup} backup an uploaded one (only those have a media chooser)
   * @param {File} file
   */
  const uploadMedia = async (backup, file) => {
    setMediaError(null);
    try {
      const id = /** @type {string} */ (backup.source.upload);
      setMedia((await upload(`/api/imports/upload/${encodeURIComponent(id)}/media`, file)).media);
    } catch (err) {
      setMedia(null);
      setMediaError(/** @type {ShownError} */ (err));
    }
  };
  /** @param {InputEvent} e */
  const onFile = async (e) => {
    // The backup, and optionally its media file chosen together with it.
    const files = [...(e.currentTarget.files ?? [])];
    e.currentTarget.value = '';
    const file = files.find((f) => !f.name.endsWith('.media')) ?? files[0];
    const mediaFile = files.find((f) => f !== file && f.name.endsWith('.media'));
    if (!file) return;
    startAction('local');
    setJob(null);
    setMedia(null);
    setMediaError(null);
    try {
      const { backup } = await upload('/api/imports/upload', file);
      if (mediaFile && !backup.exists) await uploadMedia(backup, mediaFile);
      if (backup.exists) {
        setError({
          message: `The account ${backup.jid} is already set up on this device.`,
          hint: 'A backup restores an account that is not here yet; importing it would clone the account.',
        });
      } else {
        setPasswordError(null);
        setChosen(backup);
      }
    } catch (err) {
      setError(/** @type {ShownError} */ (err));
    }
  };
  /** @param {string} password */
  const submitPassword = async (password) => {
    // The dialog, and so this, is there only while a backup is chosen.
    const backup = /** @type {ChosenBackup} */ (chosen);
    setChosen(null);
    setPasswordError(null);
    startAction('local');
    try {
      const { job: started } = await post('/api/imports', { source: backup.source, password });
      track(started);
    } catch (err) {
      setError(/** @type {ShownError} */ (err));
    }
  };
  return html`<section aria-labelledby="import-title">
    <h2 id="import-title">Import backup</h2>
    <p>Step 3 of the move, on the new device.</p>
    <div class="warning" role="note">
      <strong>Warning:</strong> do not use the restore backup feature in an attempt to clone (run
      simultaneously) an installation. Restoring a backup is only meant for migrations or in case
      you’ve lost the original device.
    </div>
    ${
      found === null
        ? html`<p>Looking for backup files…</p>`
        : html`<${BackupList}
            backups=${found}
            onChoose=${(/** @type {BackupChoice} */ b) => {
              startAction('local');
              setPasswordError(null);
              setMedia(null);
              setMediaError(null);
              setJob(null);
              setChosen(b);
            }}
          />`
    }
    <div class="card picker">
      <p>If your backup file is not listed, choose it from where you saved it.</p>
      <label class="file-button">
        Choose a backup file…
        <input
          type="file"
          multiple
          accept=".ceb,.media,application/vnd.conversations.backup"
          onChange=${onFile}
        />
      </label>
      <p class="note">
        Was it made with its media files (a second file ending in .ceb.media)? Choose both files
        together, or add the media file in the next step.
      </p>
    </div>
    <${Outcome}>
      ${active === 'local' ? html`<${ErrorBox} error=${error} />` : null}
      ${active === 'local' ? html`<${JobProgress} job=${job} />` : null}
      ${
        active === 'local' && job?.state === 'failed' && job.error?.kind !== 'wrong-password'
          ? html`<${ErrorBox} error=${job.error} />`
          : null
      }
      ${active === 'local' && job?.state === 'done' ? html`<${ImportResult} job=${job} go=${go} />` : null}
    </${Outcome}>
    <${CloudDownload}
      onDownloaded=${load}
      active=${active === 'cloud'}
      onStart=${() => startAction('cloud')}
    />
    <${PasswordDialog}
      backup=${chosen}
      error=${passwordError}
      media=${media}
      mediaError=${mediaError}
      onMedia=${(/** @type {File} */ file) => chosen && uploadMedia(chosen, file)}
      onSubmit=${submitPassword}
      onCancel=${() => {
        setChosen(null);
        // The wrong password said in the dialog is not left behind on the page.
        if (job?.state === 'failed' && job.error?.kind === 'wrong-password') setJob(null);
      }}
    />
  </section>`;
}
