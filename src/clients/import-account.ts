import { accountJid, disableAccount } from '../store/accounts.js';
import { BackupRowInserter, type BackupRowCounts, type DbRow } from '../store/backup-rows.js';
import { withProfileLock } from '../store/lock.js';
import { openProfileDatabase, type Profile } from '../store/profile.js';
import { beginTransaction } from '../store/transactions.js';
import { checkNotPresent } from './handover.js';
import type { TransferSummary } from './summary.js';

/**
 * An account read from another client, as rows of Conversations' tables (the first one the
 * `accounts` row), ready for the profile — then `ferry backup create` makes a `.ceb` of it.
 */
export interface ClientAccount {
  jid: string;
  /** The rows, in backup order: accounts, conversations, messages, prekeys, signed_prekeys, sessions, identities. */
  rows: Iterable<DbRow>;
  summary: TransferSummary;
}

export interface ClientImportResult {
  jid: string;
  accountUuid: string;
  counts: BackupRowCounts;
  summary: TransferSummary;
}

/**
 * Puts an account read from another client into the profile, all or nothing: one transaction on
 * a connection of its own under the profile's lock. Refuses an account the profile already has;
 * the account stays disabled (the never-clone rule: enable it once the other client stopped).
 */
export async function importClientAccount(
  profile: Profile,
  account: ClientAccount,
): Promise<ClientImportResult> {
  checkNotPresent(profile.db, account.jid);
  return withProfileLock(profile, 'import from another client', () => {
    const db = openProfileDatabase(profile.dir);
    try {
      const tx = beginTransaction(db, { immediate: true });
      try {
        checkNotPresent(db, account.jid);
        const inserter = new BackupRowInserter(db);
        let accountUuid: string | undefined;
        for (const row of account.rows) {
          if (row.table === 'accounts') {
            const jid = accountJid({
              username: String(row.values.username),
              server: String(row.values.server),
            });
            checkNotPresent(db, jid);
            accountUuid = String(row.values.uuid);
          }
          inserter.insert(row);
        }
        if (accountUuid === undefined) throw new Error('the client reader gave no account row');
        disableAccount(db, accountUuid);
        tx.commit();
        return { jid: account.jid, accountUuid, counts: inserter.counts, summary: account.summary };
      } catch (err) {
        tx.rollback();
        throw err;
      }
    } finally {
      db.close();
    }
  });
}
