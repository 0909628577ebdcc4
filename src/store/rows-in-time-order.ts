import type Database from 'better-sqlite3';
import type { DbRow, DbValue } from '@ferry/ceb-format/header';

const QUERIES: [DbRow['table'], string][] = [
  ['accounts', 'SELECT * FROM accounts WHERE uuid = ?'],
  ['conversations', 'SELECT * FROM conversations WHERE accountUuid = ?'],
  [
    'messages',
    `SELECT messages.* FROM messages
     JOIN conversations ON conversations.uuid = messages.conversationUuid
     WHERE conversations.accountUuid = ?
     ORDER BY messages.conversationUuid, messages.timeSent, messages.rowid`,
  ],
  ['prekeys', 'SELECT * FROM prekeys WHERE account = ?'],
  ['signed_prekeys', 'SELECT * FROM signed_prekeys WHERE account = ?'],
  ['sessions', 'SELECT * FROM sessions WHERE account = ?'],
  ['identities', 'SELECT * FROM identities WHERE account = ?'],
];

/**
 * The account's rows like `readBackupRows` (backup order, every column, integers as bigint, read
 * lazily), but with each conversation's messages oldest first — for writers of other clients that
 * order a chat by insertion (Dino orders by whole seconds, then by row id).
 */
export function* readAccountRowsInTimeOrder(
  db: Database.Database,
  accountUuid: string,
): Generator<DbRow> {
  for (const [table, sql] of QUERIES) {
    const stmt = db.prepare(sql).safeIntegers(true);
    for (const values of stmt.iterate(accountUuid) as Iterable<Record<string, DbValue>>)
      yield { table, values };
  }
}
