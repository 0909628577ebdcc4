/**
 * What the Dino tests share: a ferry device (profile + engine with OMEMO) on the test Prosody,
 * reading Dino's database while it runs, waiting, and cleaning up in reverse order.
 */
import Database from '../../../store/sqlite.js';
import { closeSync, existsSync, mkdirSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addAccount, findAccountByJid } from '../../../store/accounts.js';
import { findConversation } from '../../../store/conversations.js';
import {
  listMessages,
  MESSAGE_ENCRYPTION,
  MESSAGE_STATUS,
  type MessageRow,
} from '../../../store/messages.js';
import { openProfile, type Profile } from '../../../store/profile.js';
import { OmemoCrypto, type OmemoEvent } from '../../../omemo/omemo-crypto.js';
import { Engine } from '../../../xmpp/engine.js';
import { waitUntil } from '../../../xmpp/testing/contact.js';
import { dinoDbPath, omemoDbPath } from '../layout.js';
import { Cleanup } from '../../../testing/cleanup.js';
import type { RunningDino } from './dino.js';

export { waitUntil };

export { Cleanup };

/**
 * With `FERRY_DINO_DEBUG` set (Dino then prints every stanza and its debug messages; see also
 * `FERRY_PROSODY_LOG=debug`), writes `log()` to `test-output/dino/<name>-<time>.log` at clean-up.
 */
export function keepLog(c: Cleanup, name: string, log: () => string): void {
  if (process.env.FERRY_DINO_DEBUG === undefined) return;
  c.after(() => {
    mkdirSync(LOGS, { recursive: true });
    writeFileSync(join(LOGS, `${name}-${Date.now()}.log`), log());
  });
}
const LOGS = join('test-output', 'dino');

export interface FerryDevice {
  profile: Profile;
  engine: Engine;
  events: OmemoEvent[];
  jid: string;
  stop(): Promise<void>;
}

const fast = { backoff: { initialMs: 50, maxMs: 400 }, watchAccountsMs: 0 };

/** A profile with one account on the test server: over TLS, or plain text with the opt-in. */
export function newProfile(
  c: Cleanup,
  dir: string,
  jid: string,
  password: string,
  port: number,
  resource: string,
  plaintext: boolean,
): Profile {
  const profile = openProfile(dir);
  c.after(() => profile.close());
  addAccount(profile.db, {
    jid,
    password,
    hostname: '127.0.0.1',
    port,
    resource,
    ...(plaintext ? { allowPlaintextLoopback: true } : {}),
  });
  return profile;
}

/** Starts ferry's engine on the profile (trusting the test CA); resolves once caught up. */
export async function startFerry(
  c: Cleanup,
  profile: Profile,
  jid: string,
  caPem: string,
): Promise<FerryDevice> {
  const events: OmemoEvent[] = [];
  const engine = new Engine(profile, {
    ...fast,
    extraCaCertificates: [caPem],
    crypto: new OmemoCrypto(profile.db, (e) => events.push(e)),
  });
  const caught = new Promise((resolve) => engine.once('catchup-done', resolve));
  await engine.start();
  await caught;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await engine.stop();
  };
  c.after(stop);
  return { profile, engine, events, jid, stop };
}

export function chatWith(profile: Profile, accountJid: string, contact: string): MessageRow[] {
  const account = findAccountByJid(profile.db, accountJid);
  const conversation = account && findConversation(profile.db, account.uuid, contact);
  return conversation ? listMessages(profile.db, conversation.uuid) : [];
}

/**
 * Whether the database file is in WAL mode (header bytes 18–19 are 2), read from the file without
 * opening it in SQLite, so without taking any lock.
 */
function inWalMode(file: string): boolean {
  const header = Buffer.alloc(20);
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    return readSync(fd, header, 0, 20, 0) === 20 && header[18] === 2 && header[19] === 2;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Reads one of the Dino home's databases while Dino may be running; nothing (an empty list) until
 * the file is in WAL mode. Dino sets no busy timeout: a reader holding a shared lock while it
 * creates its tables or switches the file to WAL (both need the file to itself) makes its SQLite
 * call fail with "database is locked", and Dino aborts. Once in WAL mode, readers never block it.
 */
export function queryDino<T>(
  home: string,
  which: 'dino' | 'omemo',
  sql: string,
  ...params: unknown[]
): T[] {
  const file = which === 'dino' ? dinoDbPath(home) : omemoDbPath(home);
  if (!existsSync(file) || !inWalMode(file)) return [];
  const db = new Database(file, { readonly: true });
  try {
    db.pragma('busy_timeout = 5000');
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

export interface DinoMessageRow {
  id: number;
  body: string;
  direction: number;
  encryption: number;
  /** Dino's delivery state: 4 unsent, 5 won't send, 6 sending, 7 sent, 1–3 received/read/acked. */
  marked: number;
  /** The content item's flag; null while Dino has stored the message but not yet its item. */
  hide: number | null;
  server_id: string | null;
  stanza_id: string | null;
  bare_jid: string;
}

/** Dino's messages with their content item's `hide` flag, oldest first. */
export function dinoMessages(home: string): DinoMessageRow[] {
  return queryDino<DinoMessageRow>(
    home,
    'dino',
    `SELECT m.id, m.body, m.direction, m.encryption, m.marked, m.server_id, m.stanza_id, ci.hide, j.bare_jid
     FROM message m JOIN jid j ON j.id = m.counterpart_id
     LEFT JOIN content_item ci ON ci.content_type = 1 AND ci.foreign_id = m.id
     ORDER BY m.time, m.id`,
  );
}

/** Whether `device` holds `text` from `from`, received and decrypted (OMEMO). */
export function decrypted(device: FerryDevice, from: string, text: string): boolean {
  return chatWith(device.profile, device.jid, from).some(
    (m) =>
      m.body === text &&
      m.status === MESSAGE_STATUS.received &&
      m.encryption === MESSAGE_ENCRYPTION.omemo,
  );
}

/** Waits (90 s at most) until `device` has received and decrypted `text` from `from`. */
export async function received(device: FerryDevice, from: string, text: string): Promise<void> {
  await waitUntil(
    () => decrypted(device, from, text),
    90_000,
    `${device.jid} decrypting "${text}"`,
  );
}

/** Dino's `message.marked` for a message it has not sent yet (its `Message.Marked.UNSENT`). */
export const DINO_UNSENT = 4;

/**
 * Waits (90 s at most) until `delivered` holds: the contact decrypted the message `body` that Dino
 * sent. When it doesn't, the error says what Dino did with it (its `marked` state, and whether it
 * took the network for offline after logging in: then it stores what it sends as UNSENT, see
 * `offlineAfterLogin` in testing/dino.ts).
 */
export async function dinoDelivered(opts: {
  home: string;
  body: string;
  delivered: () => boolean;
  dino: RunningDino;
}): Promise<void> {
  try {
    await waitUntil(opts.delivered, 90_000, `the contact decrypting Dino's "${opts.body}"`);
  } catch (err) {
    const marked = dinoMessages(opts.home).find((m) => m.body === opts.body)?.marked;
    const state =
      marked === undefined
        ? 'Dino has not stored it'
        : `Dino stored it with marked = ${marked}${marked === DINO_UNSENT ? ' (UNSENT)' : ''}`;
    const offline = opts.dino.reportedOffline()
      ? '; Dino reported the network offline after logging in'
      : '';
    throw new Error(`${(err as Error).message}: ${state}${offline}`);
  }
}
