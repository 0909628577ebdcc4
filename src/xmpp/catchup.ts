/**
 * Catch-up from a message archive (the account's own or a room's): from the newest archive id
 * the profile knows, page forward through everything newer and store it; with no known id, fetch
 * a bounded window of the most recent messages. Progress is saved after every page, so a
 * catch-up cut short (connection lost, server restarted) resumes where it stopped.
 */
import type Database from 'better-sqlite3';
import { CONVERSATION_MODE, listConversationUuids } from '../store/conversations.js';
import { newestServerMsgId } from '../store/messages.js';
import {
  readArchivePosition,
  saveArchivePosition,
  type ArchivePosition,
} from '../store/archive-position.js';
import {
  fetchArchivePage,
  isItemNotFound,
  type ArchiveItem,
  type ArchiveTransport,
} from './archive-query.js';
import type { MessageIntake } from './message-intake.js';

export interface CatchupOptions {
  /** Messages per archive query (servers may cap it lower). Default 250. */
  pageSize: number;
  /** With no history for an archive, how many of its most recent messages to fetch. Default 100. */
  firstConnectWindow: number;
}

export const DEFAULT_CATCHUP: CatchupOptions = { pageSize: 250, firstConnectWindow: 100 };

export type StartPosition = { kind: 'after'; id: string; time: number | null } | { kind: 'window' };

function archiveKey(archiveJid: string | undefined): string {
  return archiveJid?.toLowerCase() ?? '';
}

/**
 * Decides (and saves) where the catch-up of an archive starts: the saved position, else the
 * newest archive id among the stored messages (after a restore: from the backup), else a
 * recent window. Called before any message of the session is stored, so that live messages
 * arriving meanwhile can't move the start past what is still missing.
 */
export function startPositionFor(
  db: Database.Database,
  accountUuid: string,
  room: { jid: string; conversationUuid: string } | undefined,
): StartPosition {
  const key = archiveKey(room?.jid);
  const saved = readArchivePosition(db, accountUuid, key);
  if (saved) return { kind: 'after', id: saved.lastId, time: saved.lastTime };
  const conversations = room
    ? [room.conversationUuid]
    : listConversationUuids(db, accountUuid, CONVERSATION_MODE.single);
  const newest = newestServerMsgId(db, conversations);
  if (!newest) return { kind: 'window' };
  saveArchivePosition(db, accountUuid, key, {
    lastId: newest.serverMsgId,
    lastTime: newest.timeSent,
  });
  return { kind: 'after', id: newest.serverMsgId, time: newest.timeSent };
}

export interface CatchupRun {
  db: Database.Database;
  transport: ArchiveTransport;
  intake: MessageIntake;
  accountUuid: string;
  /** The room, or undefined for the account's own archive. */
  archiveJid: string | undefined;
  start: StartPosition;
  options: CatchupOptions;
  /** False once the session this catch-up belongs to has ended. */
  isCurrent(): boolean;
  onPage?(stored: number): void;
}

/** The catch-up position after a page: its last archive id and that item's stamp. */
function positionAfter(
  items: ArchiveItem[],
  lastId: string | undefined,
): ArchivePosition | undefined {
  if (!lastId) return undefined;
  return { lastId, lastTime: items[items.length - 1]?.stamp ?? null };
}

/** Runs the catch-up; resolves with the number of archive items fetched. */
export async function catchUpArchive(run: CatchupRun): Promise<number> {
  const { transport, intake, archiveJid, options } = run;
  let fetched = 0;
  intake.setArchiveCaughtUp(archiveJid, false);

  if (run.start.kind === 'window') {
    const pages: ArchiveItem[][] = [];
    let before: string | true = true;
    let wanted = options.firstConnectWindow;
    let newestId: string | undefined;
    while (wanted > 0) {
      const page = await fetchArchivePage(transport, {
        ...(archiveJid ? { archiveJid } : {}),
        before,
        max: Math.min(wanted, options.pageSize),
      });
      if (!run.isCurrent()) return fetched;
      if (newestId === undefined) newestId = page.last;
      pages.unshift(page.items);
      wanted -= page.items.length;
      if (page.complete || page.items.length === 0 || !page.first) break;
      before = page.first;
    }
    const items = pages.flat();
    await intake.storeArchivePage(
      items,
      archiveJid,
      true,
      positionAfter(items, newestId ?? items[items.length - 1]?.archiveId),
    );
    fetched += items.length;
    run.onPage?.(items.length);
  } else {
    let after: string | undefined = run.start.id;
    let since: number | undefined;
    for (;;) {
      let page;
      try {
        page = await fetchArchivePage(transport, {
          ...(archiveJid ? { archiveJid } : {}),
          ...(after !== undefined ? { after } : {}),
          ...(since !== undefined ? { start: since } : {}),
          max: options.pageSize,
        });
      } catch (err) {
        // The server doesn't know the id (archive expired, other server): fall back to time.
        if (!isItemNotFound(err) || after === undefined || run.start.time === null) throw err;
        after = undefined;
        since = Math.max(0, run.start.time - 1000);
        continue;
      }
      if (!run.isCurrent()) return fetched;
      const lastId = page.last ?? page.items[page.items.length - 1]?.archiveId;
      // The page and the position after it are stored together (retried while the database is busy).
      await intake.storeArchivePage(
        page.items,
        archiveJid,
        false,
        positionAfter(page.items, lastId),
      );
      fetched += page.items.length;
      run.onPage?.(page.items.length);
      if (page.complete || page.items.length === 0 || !lastId) break;
      after = lastId;
      since = undefined;
    }
  }
  if (run.isCurrent()) intake.setArchiveCaughtUp(archiveJid, true);
  return fetched;
}
