import { join } from 'node:path';
import type { AccountReader, ConversationSummary } from './account-reader.js';
import { FileSink } from './file-sink.js';
import { uniqueFolderNames } from './path-names.js';
import type { MessageView } from './message-view.js';
import type { ZonedClock } from './zoned-time.js';

/**
 * The plain-text layout of Conversations' `ceb2txt`: `ACCOUNT/1on1/CONTACT/YYYY-MM-DD.txt` and
 * `ACCOUNT/group/ROOM/YYYY-MM-DD.txt`, one line per message, `HH:mm <- body` (received) or
 * `HH:mm -> body` (sent), the nickname before the arrow in group chats, and the continuation lines
 * of a multi-line body indented to start under the body's first character. Written into
 * `accountDir`; conversation folders are named by `uniqueFolderNames` (never shared, never outside).
 */
export function exportAccountAsText(
  reader: AccountReader,
  accountDir: string,
  clock: ZonedClock,
  onMessage?: () => void,
): { files: number; messages: number } {
  const folders = new Map<ConversationSummary, string>();
  for (const group of [true, false]) {
    const names = uniqueFolderNames(
      reader.conversations.filter((c) => c.group === group),
      (c) => c.jid || c.uuid,
      (c) => c.uuid,
    );
    for (const [c, name] of names) folders.set(c, join(accountDir, group ? 'group' : '1on1', name));
  }
  let files = 0;
  let messages = 0;
  for (const conversation of reader.conversations) {
    const dir = folders.get(conversation);
    if (dir === undefined) throw new Error(`no folder for conversation ${conversation.uuid}`);
    let sink: FileSink | null = null;
    let day = '';
    try {
      for (const message of reader.messages(conversation)) {
        const date = clock.date(message.time);
        if (sink === null || date !== day) {
          sink?.close();
          day = date;
          sink = new FileSink(join(dir, `${date}.txt`));
          files++;
        }
        sink.write(textLine(message, clock));
        messages++;
        onMessage?.();
      }
      sink?.close();
      sink = null;
    } finally {
      sink?.abort();
    }
  }
  return { files, messages };
}

/** One message as a transcript line (ending in `\n`). */
export function textLine(message: MessageView, clock: ZonedClock): string {
  const nick = message.nick ?? '';
  const head = `${clock.time(message.time)} ${nick}${nick ? ' ' : ''}${
    message.direction === 'received' ? '<-' : '->'
  } `;
  const indent = ' '.repeat(9 + (nick ? [...nick].length + 1 : 0));
  const body = transcriptText(message.text).replace(/\n/g, `\n${indent}`);
  return `${head}${body}\n`;
}

/** Line breaks as LF (CR LF and lone CR too), NUL characters removed. */
export function transcriptText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r\n?/g, '\n').replace(/\u0000/g, '');
}
