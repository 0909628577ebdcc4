// Import backup: backups found in the usual places or chosen from anywhere, password, progress, result.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, post, upload, formatBytes, formatDate } from './api.js';
import { html, ErrorBox, JobProgress } from './ui.js';
import { useLatestJob } from './jobs.js';

function BackupList({ backups, onChoose }) {
  if (backups.length === 0) {
    return html`<p>
      No backup files were found in the usual places. Choose one from where you saved it (below).
    </p>`;
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
              <td><span class="jid">${b.jid}</span><br /><code class="path">${b.path}</code></td>
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

function PasswordDialog({ backup, error, onSubmit, onCancel }) {
  const ref = useRef(null);
  useEffect(() => {
    const dialog = ref.current;
    if (backup && dialog && !dialog.open) dialog.showModal();
    if (!backup && dialog?.open) dialog.close();
  }, [backup]);
  const submit = (e) => {
    e.preventDefault();
    const input = e.currentTarget.elements.namedItem('password');
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

function ImportResult({ job, go }) {
  const r = job.result ?? {};
  const [enabled, setEnabled] = useState(false);
  const [error, setError] = useState(null);
  const enable = async () => {
    setError(null);
    try {
      await post(`/api/accounts/${encodeURIComponent(r.jid)}/enable`);
      setEnabled(true);
    } catch (err) {
      setError(err);
    }
  };
  return html`<section class="card result" aria-labelledby="import-done">
    <h3 id="import-done">The backup of <span class="jid">${r.jid}</span> is imported</h3>
    <ul class="counts">
      ${(r.counts ?? []).map((c) => html`<li>${c.count} ${c.label}</li>`)}
    </ul>
    ${
      r.missingCount
        ? html`<div class="warning">
            <p>
              The backup holds only text and keys: ${r.missingCount} file(s) of the chats are not on
              this device yet. Copy them from the old device into
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

export function ImportBackupScreen({ go }) {
  const [found, setFound] = useState(null);
  const [error, setError] = useState(null);
  const [chosen, setChosen] = useState(null);
  const [passwordError, setPasswordError] = useState(null);
  const [job, track, setJob] = useLatestJob('import-backup');
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
  const onFile = async (e) => {
    const file = e.currentTarget.files?.[0];
    e.currentTarget.value = '';
    if (!file) return;
    setError(null);
    try {
      const { backup } = await upload('/api/imports/upload', file);
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
      setError(err);
    }
  };
  const submitPassword = async (password) => {
    const backup = chosen;
    setChosen(null);
    setPasswordError(null);
    setError(null);
    try {
      const { job: started } = await post('/api/imports', { source: backup.source, password });
      track(started);
    } catch (err) {
      setError(err);
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
    <${ErrorBox} error=${error} />
    ${
      found === null
        ? html`<p>Looking for backup files…</p>`
        : html`<${BackupList}
            backups=${found}
            onChoose=${(b) => {
              setPasswordError(null);
              setJob(null);
              setChosen(b);
            }}
          />`
    }
    <div class="card picker">
      <p>If your backup file is not listed, choose it from where you saved it.</p>
      <label class="file-button">
        <span aria-hidden="true">☁</span> Choose a backup file…
        <input type="file" accept=".ceb,application/vnd.conversations.backup" onChange=${onFile} />
      </label>
    </div>
    <${PasswordDialog}
      backup=${chosen}
      error=${passwordError}
      onSubmit=${submitPassword}
      onCancel=${() => setChosen(null)}
    />
    <${JobProgress} job=${job} />
    ${job?.state === 'failed' ? html`<${ErrorBox} error=${job.error} />` : null}
    ${job?.state === 'done' ? html`<${ImportResult} job=${job} go=${go} />` : null}
  </section>`;
}
