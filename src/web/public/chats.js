// @ts-check
// Chats: conversations with last message and unread count; a conversation with history; sending.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, post, liveEvents } from './api.js';
import { html, ErrorBox, Lock, Clip } from './ui.js';

/** @typedef {import('../api-types.js').ChatSummary} ChatSummary */
/** @typedef {import('../api-types.js').ChatReply} ChatReply */
/** @typedef {import('../api-types.js').MessageView} MessageView */
/** @typedef {import('../api-types.js').FileView} FileView */
/** @typedef {import('./ui.js').ShownError} ShownError */

const UNABLE = 'Unable to decrypt';

/** @param {ChatSummary['lastMessage']} last */
function preview(last) {
  if (!last) return 'No messages yet';
  if (last.security === 'unable-to-decrypt') return UNABLE;
  return `${last.direction === 'out' ? 'You: ' : ''}${last.body ?? ''}`;
}

/** @param {number} ms */
function time(ms) {
  return new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** @param {number} ms */
function day(ms) {
  return new Date(ms).toLocaleDateString(undefined, {
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  });
}

/**
 * When the last message was: the time today, else the date (short, so it fits beside the name).
 * @param {number} ms
 */
function when(ms) {
  const d = new Date(ms);
  const today = new Date();
  if (d.toDateString() === today.toDateString()) return time(ms);
  return d.toLocaleDateString(undefined, {
    day: 'numeric',
    month: 'short',
    ...(d.getFullYear() === today.getFullYear() ? {} : { year: 'numeric' }),
  });
}

/**
 * A file message: its name, size and picture size, as the HTML export shows it.
 * @param {{ file: FileView }} props
 */
function FileLine({ file }) {
  return html`<span class="file"
    ><${Clip} />
    <span class="file-name">${file.name}</span>${file.details ? ` (${file.details})` : ''}${
      file.onThisDevice ? '' : ' — file not on this device'
    }${file.url ? html` · <a href=${file.url} rel="noreferrer noopener" target="_blank">download link</a>` : null}</span
  >`;
}

/** @param {{ chats: ChatSummary[], onOpen: (uuid: string) => void }} props */
function ChatList({ chats, onOpen }) {
  if (chats.length === 0)
    return html`<p>
      No chats yet. Import a backup, enable the account and the chats appear here.
    </p>`;
  return html`<ul class="chats">
    ${chats.map(
      (c) =>
        html`<li>
          <button type="button" class="chat" onClick=${() => onOpen(c.uuid)}>
            <span class="chat-name"
              >${c.name}${c.group ? html` <span class="tag">group</span>` : null}</span
            >
            <span class="chat-account">${c.account}</span>
            <span
              class=${`chat-last ${c.lastMessage?.security === 'unable-to-decrypt' ? 'undecryptable' : ''}`}
              >${preview(c.lastMessage)}</span
            >
            ${c.lastMessage ? html`<span class="chat-time">${when(c.lastMessage.time)}</span>` : null}
            ${c.unread > 0 ? html`<span class="unread" aria-label=${`${c.unread} unread`}>${c.unread}</span>` : null}
          </button>
        </li>`,
    )}
  </ul>`;
}

/** @param {{ m: MessageView, group: boolean }} props */
function Message({ m, group }) {
  if (m.kind === 'status') return null;
  const cls = `message ${m.direction} ${m.security === 'unable-to-decrypt' ? 'undecryptable' : ''}`;
  return html`<li class=${cls}>
    ${group && m.direction === 'in' && m.sender ? html`<span class="sender">${m.sender.split('/')[1] ?? m.sender}</span>` : null}
    <span class="body">
      ${
        m.security === 'unable-to-decrypt'
          ? html`<em>${UNABLE}</em>`
          : m.kind === 'call'
            ? html`<em>Call</em>`
            : m.kind === 'file'
              ? html`<${FileLine} file=${m.file} />`
              : m.body
      }
    </span>
    <span class="meta">
      ${time(m.time)}${m.security === 'omemo' ? html` <${Lock} label="Encrypted with OMEMO" />` : null}${m.edited ? ' (edited)' : ''}${m.failed ? html` <strong>not sent</strong>` : ''}
    </span>
  </li>`;
}

/** @param {{ uuid: string, onBack: () => void, refreshKey: number }} props */
function Conversation({ uuid, onBack, refreshKey }) {
  const [data, setData] = useState(/** @type {ChatReply | null} */ (null));
  const [error, setError] = useState(/** @type {ShownError | null} */ (null));
  const [sending, setSending] = useState(false);
  const listRef = useRef(/** @type {HTMLOListElement | null} */ (null));
  const load = () =>
    get(`/api/chats/${encodeURIComponent(uuid)}`)
      .then(setData)
      .catch(setError);
  useEffect(() => {
    load();
  }, [uuid, refreshKey]);
  useEffect(() => {
    const el = listRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [data]);
  /** @param {import('preact').TargetedEvent<HTMLFormElement, SubmitEvent>} e */
  const send = async (e) => {
    e.preventDefault();
    const input = /** @type {HTMLInputElement} */ (e.currentTarget.elements.namedItem('text'));
    const text = input.value;
    if (!text.trim()) return;
    setSending(true);
    setError(null);
    try {
      await post(`/api/chats/${encodeURIComponent(uuid)}/messages`, { text });
      input.value = '';
      await load();
    } catch (err) {
      setError(/** @type {ShownError} */ (err));
    } finally {
      setSending(false);
      input.focus();
    }
  };
  if (!data)
    return html`<${ErrorBox} error=${error} />
      <p>Loading…</p>`;
  const c = data.conversation;
  let lastDay = '';
  const items = [];
  for (const m of data.messages) {
    const d = day(m.time);
    if (d !== lastDay) {
      items.push(html`<li class="day" role="separator"><span>${d}</span></li>`);
      lastDay = d;
    }
    items.push(html`<${Message} m=${m} group=${c.group} />`);
  }
  return html`<section class="conversation" aria-labelledby="conv-title">
    <div class="conv-head">
      <button type="button" onClick=${onBack}>← Chats</button>
      <div>
        <h3 id="conv-title">${c.name}</h3>
        <p class="conv-account">${c.with} · via ${c.account}</p>
      </div>
      <span class=${`omemo omemo-${c.encryption}`}
        >${
          c.encryption === 'omemo'
            ? html`<${Lock} label="" /> OMEMO encrypted`
            : c.encryption === 'mixed'
              ? html`<${Lock} label="" /> Partly OMEMO encrypted (the messages with the lock)`
              : 'Not encrypted'
        }</span
      >
      ${
        c.group && c.encryption !== 'omemo' && c.encryptionReason
          ? html`<p class="omemo-reason">Because ${c.encryptionReason}.</p>`
          : null
      }
    </div>
    <${ErrorBox} error=${error} />
    <ol class="messages" ref=${listRef} aria-label="Messages" aria-live="polite">
      ${items}
    </ol>
    <form class="composer" onSubmit=${send}>
      <label class="sr-only" for="composer-text">Message</label>
      <input
        id="composer-text"
        name="text"
        type="text"
        autocomplete="off"
        placeholder="Write a message"
      />
      <button type="submit" class="primary" disabled=${sending}>Send</button>
    </form>
  </section>`;
}

export function ChatsScreen() {
  const [chats, setChats] = useState(/** @type {ChatSummary[] | null} */ (null));
  const [open, setOpen] = useState(/** @type {string | null} */ (null));
  const [error, setError] = useState(/** @type {ShownError | null} */ (null));
  const [refreshKey, setRefreshKey] = useState(0);
  const load = () =>
    get('/api/chats')
      .then((r) => setChats(r.conversations))
      .catch(setError);
  useEffect(() => {
    load();
    return liveEvents({
      message: () => {
        load();
        setRefreshKey((k) => k + 1);
      },
    });
  }, []);
  if (open) {
    return html`<${Conversation}
      uuid=${open}
      refreshKey=${refreshKey}
      onBack=${() => {
        setOpen(null);
        load();
      }}
    />`;
  }
  return html`<section aria-labelledby="chats-title">
    <h2 id="chats-title">Chats</h2>
    <p>Step 4: check if chats work.</p>
    <${ErrorBox} error=${error} />
    ${chats === null ? html`<p>Loading…</p>` : html`<${ChatList} chats=${chats} onOpen=${setOpen} />`}
  </section>`;
}
