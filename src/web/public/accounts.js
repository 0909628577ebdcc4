// @ts-check
// Accounts: the profile's accounts with their state; add, enable, disable.
/* global setInterval, clearInterval */
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, post, liveEvents, formFields } from './api.js';
import { html, ErrorBox } from './ui.js';

/** @typedef {import('../api-types.js').AccountView} AccountView */
/** @typedef {import('../api-types.js').AccountState} AccountState */
/** @typedef {import('../api-types.js').AddAccountRequest} AddAccountRequest */
/** @typedef {import('../api-types.js').ServerSettingsRequest} ServerSettingsRequest */
/** @typedef {import('./ui.js').ShownError} ShownError */
/** @typedef {import('preact').TargetedEvent<HTMLFormElement, SubmitEvent>} FormEvent */
/** @typedef {(error: ShownError | null) => void} SetError */

/** @type {Record<AccountState, string>} */
const STATE_WORDS = {
  disabled: 'Disabled',
  enabled: 'Enabled, not connected yet',
  connecting: 'Connecting…',
  online: 'Online',
  offline: 'Offline',
  'login-failed': 'Login failed',
  unreachable: 'Server unreachable',
  insecure: 'Refused: connection not safe',
};

/** "next try in 40 s" — the same words as the CLI (src/xmpp/login-errors.ts retryWords). */
/** @param {number} retryAt */
export function retryWords(retryAt, now = Date.now()) {
  const s = Math.max(0, Math.round((retryAt - now) / 1000));
  return s < 90 ? `next try in ${s} s` : `next try in ${Math.round(s / 60)} min`;
}

/** @param {{ at: number }} props */
function RetryIn({ at }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [at]);
  if (at <= now) return html`<span class="retry">trying again…</span>`;
  return html`<span class="retry">${retryWords(at, now)}</span>`;
}

/** @param {{ account: AccountView, onChange: (a: AccountView) => void, setError: SetError }} props */
function ServerSettings({ account, onChange, setError }) {
  const [busy, setBusy] = useState(false);
  /** @param {FormEvent} e */
  const save = async (e) => {
    e.preventDefault();
    // The form's fields are named as the request's (hostname, port).
    const data = /** @type {ServerSettingsRequest} */ (formFields(e.currentTarget));
    setBusy(true);
    setError(null);
    try {
      const { account: updated } = await post(
        `/api/accounts/${encodeURIComponent(account.jid)}/server`,
        data,
      );
      onChange(updated);
    } catch (err) {
      setError(/** @type {ShownError} */ (err));
    } finally {
      setBusy(false);
    }
  };
  return html`<details class="server-settings">
    <summary>Server settings</summary>
    <form onSubmit=${save}>
      <label
        >Host name
        <input
          name="hostname"
          type="text"
          defaultValue=${account.hostname ?? ''}
          placeholder="found through DNS"
      /></label>
      <label
        >Port
        <input
          name="port"
          type="number"
          min="1"
          max="65535"
          defaultValue=${account.port ?? ''}
          placeholder="5222"
      /></label>
      <p class="note">
        Leave both empty to find the server through DNS. Ports 5223 and 443 use direct TLS.
      </p>
      <button type="submit" disabled=${busy} aria-label=${`Save server settings of ${account.jid}`}>
        Save
      </button>
    </form>
  </details>`;
}

/** @param {Pick<AccountView, 'state'>} account */
export function stateWords(account) {
  return STATE_WORDS[account.state] ?? account.state;
}

/**
 * @param {{ account: AccountView, onChange: (a: AccountView) => void, setError: SetError,
 *   added: boolean }} props
 */
function AccountRow({ account, onChange, setError, added }) {
  const [busy, setBusy] = useState(false);
  const ref = useRef(/** @type {HTMLLIElement | null} */ (null));
  useEffect(() => {
    // A newly added account: its state is the outcome of the form, so it is brought into view.
    if (added) ref.current?.scrollIntoView({ block: 'nearest' });
  }, [added, account.state]);
  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      const action = account.enabled ? 'disable' : 'enable';
      const { account: updated } = await post(
        `/api/accounts/${encodeURIComponent(account.jid)}/${action}`,
      );
      onChange(updated);
    } catch (err) {
      setError(/** @type {ShownError} */ (err));
    } finally {
      setBusy(false);
    }
  };
  const trust = async () => {
    setBusy(true);
    setError(null);
    try {
      const { account: updated } = await post(
        `/api/accounts/${encodeURIComponent(account.jid)}/trust-cert`,
        // The button is there only when the account has a refused certificate's fingerprint.
        { fingerprint: /** @type {string} */ (account.fingerprint) },
      );
      onChange(updated);
    } catch (err) {
      setError(/** @type {ShownError} */ (err));
    } finally {
      setBusy(false);
    }
  };
  return html`<li class="account" ref=${ref}>
    <div class="account-main">
      <span class="jid">${account.jid}</span>
      <span class=${`state state-${account.state}`}>${stateWords(account)}</span>
      ${account.error ? html`<span class="why">${account.error}</span>` : null}
      ${account.hint ? html`<span class="hint">${account.hint}</span>` : null}
      ${account.retryAt ? html`<${RetryIn} at=${account.retryAt} />` : null}
      ${
        account.plaintextLoopback
          ? html`<span class="note">Plaintext allowed on loopback (test servers only)</span>`
          : null
      }
      ${
        account.fingerprint
          ? html`<button
              type="button"
              onClick=${trust}
              disabled=${busy}
              aria-label=${`Trust the certificate ${account.fingerprint} for ${account.jid}`}
            >
              Trust this certificate
            </button>`
          : null
      }
      <${ServerSettings} account=${account} onChange=${onChange} setError=${setError} />
    </div>
    <button
      type="button"
      onClick=${toggle}
      disabled=${busy}
      aria-label=${`${account.enabled ? 'Disable' : 'Enable'} ${account.jid}`}
    >
      ${account.enabled ? 'Disable' : 'Enable'}
    </button>
  </li>`;
}

/** @param {{ onAdded: (a: AccountView) => void }} props */
function AddAccountForm({ onAdded }) {
  const [error, setError] = useState(/** @type {ShownError | null} */ (null));
  const [busy, setBusy] = useState(false);
  /** @param {FormEvent} e */
  const submit = async (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    // The form's fields are named as the request's (jid, password, hostname, port).
    const data = /** @type {AddAccountRequest} */ (formFields(form));
    setBusy(true);
    setError(null);
    try {
      const { account } = await post('/api/accounts', data);
      form.reset();
      onAdded(account);
    } catch (err) {
      setError(/** @type {ShownError} */ (err));
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="card" onSubmit=${submit}>
    <h3>Add an account</h3>
    <${ErrorBox} error=${error} />
    <label
      >Address
      <input name="jid" type="text" autocomplete="username" placeholder="kim@example.org" required
    /></label>
    <label
      >Password <input name="password" type="password" autocomplete="current-password" required
    /></label>
    <details>
      <summary>Server settings (optional)</summary>
      <label>Host name <input name="hostname" type="text" placeholder="from the address" /></label>
      <label>Port <input name="port" type="number" min="1" max="65535" placeholder="5222" /></label>
    </details>
    <button type="submit" disabled=${busy}>Add account</button>
  </form>`;
}

export function AccountsScreen() {
  const [accounts, setAccounts] = useState(/** @type {AccountView[] | null} */ (null));
  const [error, setError] = useState(/** @type {ShownError | null} */ (null));
  const [added, setAdded] = useState(/** @type {string | null} */ (null));
  const load = () =>
    get('/api/accounts')
      .then((r) => setAccounts(r.accounts))
      .catch(setError);
  useEffect(() => {
    load();
    return liveEvents({ 'account-state': () => load() });
  }, []);
  /** @param {AccountView} updated */
  const replace = (updated) =>
    setAccounts((list) => {
      const others = (list ?? []).filter((a) => a.jid !== updated.jid);
      return [...others, updated].sort((a, b) => a.jid.localeCompare(b.jid));
    });
  return html`<section aria-labelledby="accounts-title">
    <h2 id="accounts-title">Accounts</h2>
    <${ErrorBox} error=${error} />
    ${
      accounts === null
        ? html`<p>Loading…</p>`
        : accounts.length === 0
          ? html`<p>No accounts on this device yet. Import a backup, or add an account below.</p>`
          : html`<ul class="accounts">
              ${accounts.map((a) => html`<${AccountRow} key=${a.jid} account=${a} onChange=${replace} setError=${setError} added=${a.jid === added} />`)}
            </ul>`
    }
    <${AddAccountForm}
      onAdded=${(/** @type {AccountView} */ a) => {
        setAdded(a.jid);
        replace(a);
      }}
    />
  </section>`;
}
