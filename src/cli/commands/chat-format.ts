/** How `ferry sync`, `run`, `chats` and `chat` print messages for a person at a terminal. */
import { MESSAGE_ENCRYPTION, MESSAGE_STATUS, type MessageRow } from '../../store/messages.js';

/** `2026-11-28 15:40:01` in local time. */
export function localTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
  );
}

/** The text of a message as shown: undecryptable ones say so instead of showing nothing. */
export function shownBody(m: Pick<MessageRow, 'body' | 'encryption'>): string {
  if (
    m.encryption === MESSAGE_ENCRYPTION.omemoFailed ||
    m.encryption === MESSAGE_ENCRYPTION.decryptionFailed
  ) {
    return '[unable to decrypt]';
  }
  if (m.encryption === MESSAGE_ENCRYPTION.omemoNotForThisDevice) {
    return '[encrypted for another device]';
  }
  return m.body ?? '';
}

/** Delivery state of a sent message, as a short word. */
export function statusWord(status: number): string {
  switch (status) {
    case MESSAGE_STATUS.unsent:
      return 'sending';
    case MESSAGE_STATUS.sent:
      return 'sent';
    case MESSAGE_STATUS.sendFailed:
      return 'failed';
    case MESSAGE_STATUS.sentReceived:
      return 'delivered';
    case MESSAGE_STATUS.sentDisplayed:
      return 'read';
    case MESSAGE_STATUS.waiting:
      return 'waiting';
    default:
      return '';
  }
}

/** Who wrote a message: "me", the nick in a group chat, else the contact's bare JID. */
export function author(m: Pick<MessageRow, 'status' | 'counterpart'>, group: boolean): string {
  if (m.status !== MESSAGE_STATUS.received) return 'me';
  const who = m.counterpart ?? '?';
  const slash = who.indexOf('/');
  if (group) return slash === -1 ? who : who.slice(slash + 1);
  return slash === -1 ? who : who.slice(0, slash);
}

/** One line: `[time] author: text  (sent)` with 🔒 for end-to-end encrypted ones. */
export function messageLine(m: MessageRow, group: boolean): string {
  const lock = m.encryption === MESSAGE_ENCRYPTION.omemo ? ' [OMEMO]' : '';
  const status = m.status === MESSAGE_STATUS.received ? '' : `  (${statusWord(m.status)})`;
  const body = shownBody(m).replace(/\n/g, '\n    ');
  return `[${localTime(m.timeSent)}] ${author(m, group)}${lock}: ${body}${status}`;
}
