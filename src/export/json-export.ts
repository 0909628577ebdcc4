import { join } from 'node:path';
import type { AccountReader, ConversationSummary } from './account-reader.js';
import { checkReplaceableFile } from './account-folder.js';
import { FileSink } from './file-sink.js';
import type { MessageView } from './message-view.js';
import { safeSegment } from './path-names.js';
import type { ZonedClock } from './zoned-time.js';

/** Version of the schema documented in docs/export-json.md; raised only on incompatible changes. */
export const JSON_EXPORT_SCHEMA_VERSION = 1;

/**
 * Writes `OUT/ACCOUNT.json` in the schema of docs/export-json.md, streamed: the document is written
 * piece by piece (one message per line), never built in memory.
 */
export function exportAccountAsJson(
  reader: AccountReader,
  outDir: string,
  clock: ZonedClock,
  opts: { exportedAt?: number; onMessage?: () => void } = {},
): { file: string; messages: number } {
  const file = join(outDir, `${safeSegment(reader.account.jid)}.json`);
  checkReplaceableFile(file);
  const sink = new FileSink(file);
  let messages = 0;
  try {
    const head = {
      schema: 'ferry-export',
      schemaVersion: JSON_EXPORT_SCHEMA_VERSION,
      exportedAt: clock.iso(opts.exportedAt ?? Date.now()),
      timeZone: clock.timeZone,
      account: { jid: reader.account.jid, displayName: reader.account.displayName },
    };
    const headText = JSON.stringify(head, null, 2);
    sink.write(`${headText.slice(0, -2)},\n  "conversations": [`);
    reader.conversations.forEach((conversation, i) => {
      sink.write(i === 0 ? '\n' : ',\n');
      const c = conversationJson(conversation, clock);
      const cText = JSON.stringify(c, null, 2).replace(/\n/g, '\n    ');
      sink.write(`    ${cText.slice(0, -6)},\n      "messages": [`);
      let first = true;
      for (const message of reader.messages(conversation)) {
        sink.write(first ? '\n        ' : ',\n        ');
        first = false;
        sink.write(JSON.stringify(messageJson(message, clock)));
        messages++;
        opts.onMessage?.();
      }
      sink.write(first ? ']\n    }' : '\n      ]\n    }');
    });
    sink.write(reader.conversations.length === 0 ? ']\n}\n' : '\n  ]\n}\n');
    sink.close();
  } catch (err) {
    sink.abort();
    throw err;
  }
  return { file, messages };
}

export function conversationJson(c: ConversationSummary, clock: ZonedClock) {
  return {
    id: c.uuid,
    jid: c.jid,
    name: c.name,
    title: c.title,
    kind: c.group ? 'group' : 'one-to-one',
    archived: c.archived,
    created: c.created === null ? null : clock.iso(c.created),
    messageCount: c.messageCount,
    firstMessageAt: c.firstTime === null ? null : clock.iso(c.firstTime),
    lastMessageAt: c.lastTime === null ? null : clock.iso(c.lastTime),
  };
}

export function messageJson(m: MessageView, clock: ZonedClock) {
  return {
    id: m.id,
    time: clock.iso(m.time),
    timestamp: m.time,
    direction: m.direction,
    sender: m.sender,
    senderJid: m.senderJid,
    nick: m.nick,
    type: m.type,
    body: m.body,
    status: m.status,
    encryption: m.encryption,
    readable: !m.undecryptable,
    edited: m.edited,
    deleted: m.deleted,
    file: m.file,
    serverId: m.serverId,
    remoteId: m.remoteId,
  };
}
