// Test helpers of the hostile-input tests: real backups made by ferry's own writer from a real
// profile, and hostile ones crafted with the format library's writer (real encryption).
import { join } from 'node:path';
import { createBackupWriter } from '@ferry/ceb-format';
import type { DbRow, FormatVersion } from '@ferry/ceb-format/header';
import { createBackups } from '../../migration/create-backup.js';
import { tempProfile } from '../../migration/testing/fixtures.js';
import { addSyntheticAccount } from '../../migration/testing/synthetic-profile.js';
import { Writable } from 'node:stream';

/**
 * A real-sized backup (`messages` messages over a few conversations) written by `backup create`
 * from a real profile; the file is at `file` under `dir` until `cleanup()`.
 */
export async function realBackup(
  jid: string,
  password: string,
  messages: number,
  format: FormatVersion = 2,
): Promise<{ file: string; dir: string; cleanup(): void }> {
  const source = tempProfile('hostile-source');
  addSyntheticAccount(source.profile, jid, password, messages);
  const out = join(source.dir, 'out');
  const result = await createBackups(source.profile, { outDir: out, format });
  const file = result.written[0]?.file;
  if (file === undefined) throw new Error('no backup was written');
  return { file, dir: source.dir, cleanup: source.cleanup };
}

/** The bytes of a correctly encrypted backup holding exactly `rows`, as ferry's writer writes them. */
export async function writtenBackup(
  rows: DbRow[],
  opts: { jid: string; password: string; version?: FormatVersion; timestamp?: bigint },
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  const writer = await createBackupWriter(sink, opts);
  for (const row of rows) await writer.write(row);
  await writer.finish();
  return Buffer.concat(chunks);
}

/** Resolves with what `work` settled with, or rejects when it is still pending after `ms`. */
export async function settlesWithin<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} had not ended after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The rows of an account with `messages` messages of varied text (little redundancy, so the
 * compressed body is large: a 20,000-message body spans several read chunks).
 */
export function variedAccountRows(jid: string, messages: number): DbRow[] {
  const [username, server] = jid.split('@') as [string, string];
  const rows: DbRow[] = [
    { table: 'accounts', values: { uuid: 'acc-1', username, server, password: 'pw', options: 2 } },
    {
      table: 'conversations',
      values: { uuid: 'conv-1', accountUuid: 'acc-1', contactJid: 'lee@example.org', mode: 0 },
    },
  ];
  let seed = 7;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
  for (let i = 0; i < messages; i++) {
    const words = Array.from({ length: 4 + (next() % 12) }, () => next().toString(36));
    rows.push({
      table: 'messages',
      values: {
        uuid: `msg-${i}-${next().toString(16)}`,
        conversationUuid: 'conv-1',
        timeSent: 1700000000000 + i * 1000,
        body: words.join(' '),
        status: i % 2 === 0 ? 0 : 2,
      },
    });
  }
  return rows;
}
