import type Database from 'better-sqlite3';
import { StagedAccountFolder } from './account-folder.js';
import { AccountReader, type AccountSummary } from './account-reader.js';
import { exportAccountAsHtml } from './html-export.js';
import { exportAccountAsJson } from './json-export.js';
import { MediaLookup } from './media-lookup.js';
import { safeSegment } from './path-names.js';
import { exportAccountAsText } from './txt-export.js';
import type { ZonedClock } from './zoned-time.js';

export const EXPORT_FORMATS = ['txt', 'html', 'json', 'sqlite'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportProgress {
  stage: 'reading' | 'writing';
  /** Rows read from the backup (reading) or messages written (writing). */
  done: number;
  total?: number;
}

export interface ExportOptions {
  format: ExportFormat;
  outDir: string;
  /** IANA zone for the times shown; default: this computer's zone. */
  timeZone?: string;
  /** Extra folders where the files of file messages may be found (HTML links to them). */
  mediaDirs?: string[];
  /** Keep the password and OMEMO keys in a `sqlite` export (left out by default). */
  withSecrets?: boolean;
  /** The "exported at" time written into the outputs (tests pin it). */
  exportedAt?: number;
  onProgress?(event: ExportProgress): void;
}

export interface ExportResult {
  format: ExportFormat;
  account: string;
  /** The folder (txt, html) or file (json, sqlite) written. */
  path: string;
  conversations: number;
  messages: number;
}

/** Renders one account of `db` as txt, html or json. */
export function renderAccount(
  db: Database.Database,
  account: AccountSummary,
  opts: ExportOptions & { clock: ZonedClock; mediaRoots: string[] },
): ExportResult {
  const reader = new AccountReader(db, account);
  const total = reader.conversations.reduce((n, c) => n + c.messageCount, 0);
  let done = 0;
  const onMessage = opts.onProgress
    ? () => {
        done++;
        if (done % 1000 === 0 || done === total) {
          opts.onProgress?.({ stage: 'writing', done, total });
        }
      }
    : undefined;
  const base = {
    format: opts.format,
    account: account.jid,
    conversations: reader.conversations.length,
  };
  switch (opts.format) {
    case 'txt': {
      const folder = new StagedAccountFolder(opts.outDir, safeSegment(account.jid), 'txt');
      try {
        const r = exportAccountAsText(reader, folder.dir, opts.clock, onMessage);
        folder.commit();
        return { ...base, path: folder.target, messages: r.messages };
      } finally {
        folder.abort();
      }
    }
    case 'json': {
      const r = exportAccountAsJson(reader, opts.outDir, opts.clock, {
        exportedAt: opts.exportedAt,
        onMessage,
      });
      return { ...base, path: r.file, messages: r.messages };
    }
    case 'html': {
      const folder = new StagedAccountFolder(opts.outDir, safeSegment(account.jid), 'html');
      try {
        // Files beside the export: in OUT/ or the given folders (not inside the account's folder,
        // which a new export replaces as a whole).
        const media = new MediaLookup([...opts.mediaRoots, opts.outDir]);
        const r = exportAccountAsHtml(reader, folder.dir, opts.clock, {
          media,
          finalDir: folder.target,
          exportedAt: opts.exportedAt,
          onMessage,
        });
        folder.commit();
        return { ...base, path: folder.target, messages: r.messages };
      } finally {
        folder.abort();
      }
    }
    case 'sqlite':
      throw new Error('sqlite exports are written by exportBackupFile / exportProfileAccount');
  }
}
