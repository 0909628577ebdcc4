// Create backup: the seed's checklist, format choice, per-account progress, the files made.
import { useEffect, useState } from 'preact/hooks';
import { get, post, formatBytes } from './api.js';
import { html, ErrorBox, JobProgress } from './ui.js';
import { useLatestJob } from './jobs.js';
import { stateWords } from './accounts.js';

export function CreateBackupScreen() {
  const [accounts, setAccounts] = useState(null);
  const [error, setError] = useState(null);
  const [knowPasswords, setKnowPasswords] = useState(false);
  const [format, setFormat] = useState('2');
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
      setError(err);
    }
  };
  const start = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      const { job: started } = await post('/api/backups', { format: Number(format) });
      track(started);
    } catch (err) {
      setError(err);
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
              onChange=${(e) => setKnowPasswords(e.currentTarget.checked)}
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
    <${JobProgress} job=${job} />
    ${job?.state === 'failed' ? html`<${ErrorBox} error=${job.error} />` : null}
    ${job?.state === 'done' ? html`<${BackupResult} job=${job} />` : null}
  </section>`;
}

function BackupResult({ job }) {
  const { files = [], skipped = [] } = job.result ?? {};
  return html`<section class="card result" aria-labelledby="backup-done">
    <h3 id="backup-done">The backup is finished</h3>
    ${
      files.length > 0
        ? html`<p>
              One file per account. Copy them to the new device (USB cable, cloud storage,
              anything).
            </p>
            <ul class="files">
              ${files.map(
                (f) =>
                  html`<li>
                    <span class="jid">${f.jid}</span>
                    <code class="path">${f.path}</code>
                    <span class="size">${formatBytes(f.bytes)}</span>
                    <a href=${f.download} download=${f.name}>Download ${f.name}</a>
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
