/** A profile with an account and some history, as on an old device, for the web app's tests. */
import type Database from 'better-sqlite3';
import { addAccount } from '../../store/accounts.js';
import { findOrCreateConversation } from '../../store/conversations.js';
import { insertMessage, MESSAGE_ENCRYPTION, MESSAGE_STATUS } from '../../store/messages.js';

export interface SeedAccount {
  jid: string;
  password: string;
  hostname?: string;
  port?: number;
  /**
   * The account's explicit opt-in for a plaintext test server on loopback; spreading a test
   * Prosody's `server.accountOptions` sets it (with hostname and port) when that server has no TLS.
   */
  allowPlaintextLoopback?: boolean;
  /** The contact the history is with. */
  peer: string;
}

/** Adds the account and a chat over two days, with an OMEMO message and an undecryptable one. */
export function seedOldDevice(db: Database.Database, seed: SeedAccount): { accountUuid: string } {
  const account = addAccount(db, {
    jid: seed.jid,
    password: seed.password,
    ...(seed.hostname !== undefined ? { hostname: seed.hostname } : {}),
    ...(seed.port !== undefined ? { port: seed.port } : {}),
    ...(seed.allowPlaintextLoopback ? { allowPlaintextLoopback: true } : {}),
  });
  const { conversation } = findOrCreateConversation(db, {
    accountUuid: account.uuid,
    contactJid: seed.peer,
    mode: 0,
    created: Date.UTC(2026, 10, 20, 9, 0),
  });
  const day1 = Date.UTC(2026, 10, 20, 10, 0);
  const day2 = Date.UTC(2026, 10, 21, 18, 30);
  const history: { t: number; out: boolean; body: string; enc?: number }[] = [
    { t: day1, out: false, body: 'Hi! Are you moving to the new phone today?' },
    { t: day1 + 60_000, out: true, body: 'Yes — making the backup now.' },
    { t: day2, out: false, body: 'Did the move work?', enc: MESSAGE_ENCRYPTION.omemo },
    { t: day2 + 60_000, out: false, body: 'ciphertext', enc: MESSAGE_ENCRYPTION.omemoFailed },
  ];
  for (const m of history) {
    insertMessage(db, {
      conversationUuid: conversation.uuid,
      timeSent: m.t,
      status: m.out ? MESSAGE_STATUS.sentReceived : MESSAGE_STATUS.received,
      counterpart: seed.peer,
      body: m.body,
      encryption: m.enc ?? MESSAGE_ENCRYPTION.none,
      read: 1,
    });
  }
  return { accountUuid: account.uuid };
}
