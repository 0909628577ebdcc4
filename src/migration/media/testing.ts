import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { mediaFilePath } from './layout.js';

/** Test helper: an account with a chat holding image and file messages, and their files on disk. */
export interface SeededMedia {
  accountUuid: string;
  jid: string;
  files: Map<string, Buffer>;
}

export async function seedAccountWithMedia(
  profileDir: string,
  db: Database.Database,
  opts: { jid?: string; password?: string; files?: [string, Buffer][]; missing?: string[] } = {},
): Promise<SeededMedia> {
  const jid = opts.jid ?? 'alice@example.org';
  const [username, server] = jid.split('@') as [string, string];
  const accountUuid = randomUUID();
  db.prepare(
    `INSERT INTO accounts (uuid, username, server, password, options, keys) VALUES (?, ?, ?, ?, 0, '{}')`,
  ).run(accountUuid, username, server, opts.password ?? 'secret');
  const conversationUuid = randomUUID();
  db.prepare(
    `INSERT INTO conversations (uuid, accountUuid, name, contactJid, created, status, mode, attributes)
     VALUES (?, ?, 'Bob', 'bob@example.org', 1700000000000, 0, 0, '{}')`,
  ).run(conversationUuid, accountUuid);
  const files =
    opts.files ??
    ([
      ['IMG_20231201_101010.jpg', randomBytes(40_000)],
      ['Conversations Documents/report (final).pdf', randomBytes(1_500_000)],
      [
        '/storage/emulated/0/Conversations/Media/Conversations Images/Grüße 😀.png',
        randomBytes(3000),
      ],
    ] as [string, Buffer][]);
  const insert = db.prepare(
    `INSERT INTO messages (uuid, conversationUuid, timeSent, counterpart, body, encryption, status, type,
       relativeFilePath) VALUES (?, ?, ?, 'bob@example.org', ?, 0, ?, ?, ?)`,
  );
  let time = 1700000000000;
  insert.run(randomUUID(), conversationUuid, time++, 'hello', 0, 0, null);
  for (const [path, bytes] of files) {
    const type = /\.(jpe?g|png|gif|webp)$/i.test(path) ? 1 : 2;
    insert.run(
      randomUUID(),
      conversationUuid,
      time++,
      `https://upload.example.org/x|${bytes.length}`,
      2,
      type,
      path,
    );
    const at = mediaFilePath(profileDir, path);
    await mkdir(dirname(at), { recursive: true });
    await writeFile(at, bytes);
  }
  for (const path of opts.missing ?? []) {
    insert.run(
      randomUUID(),
      conversationUuid,
      time++,
      'https://upload.example.org/y|10',
      0,
      2,
      path,
    );
  }
  return { accountUuid, jid, files: new Map(files) };
}
