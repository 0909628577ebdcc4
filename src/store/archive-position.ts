import type Database from 'better-sqlite3';

export interface ArchivePosition {
  lastId: string;
  lastTime: number | null;
}

/**
 * ferry's own table `ferry_archive_position` (never part of a backup; created by the profile's
 * migrations): how far the archive catch-up of an account (or of a room) got. `lastId` is the archive id up to which everything is stored; a catch-up that stops
 * half-way (connection lost, server restarted) resumes from there instead of from the newest
 * message that happened to arrive live meanwhile. Without a row, the catch-up starts from the
 * newest `serverMsgId` the profile holds (after a restore: from the backup).
 */
export function readArchivePosition(
  db: Database.Database,
  accountUuid: string,
  archiveJid: string,
): ArchivePosition | undefined {
  return db
    .prepare(
      'SELECT lastId, lastTime FROM ferry_archive_position WHERE accountUuid = ? AND archiveJid = ?',
    )
    .get(accountUuid, archiveJid.toLowerCase()) as ArchivePosition | undefined;
}

export function saveArchivePosition(
  db: Database.Database,
  accountUuid: string,
  archiveJid: string,
  position: ArchivePosition,
): void {
  db.prepare(
    `INSERT INTO ferry_archive_position (accountUuid, archiveJid, lastId, lastTime, updatedAt)
     VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(accountUuid, archiveJid) DO UPDATE SET lastId = excluded.lastId,
       lastTime = excluded.lastTime, updatedAt = excluded.updatedAt`,
  ).run(accountUuid, archiveJid.toLowerCase(), position.lastId, position.lastTime, Date.now());
}
