import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { readHeader, visibleText } from '@ferry/ceb-format';
import { findAccountByJid } from '../../store/accounts.js';
import { scanBackupFolders } from '../../migration/find-backups.js';
import { importBackup, type ImportResult } from '../../migration/import-backup.js';
import { companionAfterImport } from '../../migration/media/backup-media.js';
import { companionPathFor } from '../../migration/media/layout.js';
import { checkCompanionFor } from '../companion-check.js';
import type {
  BackupChoice,
  ImportResultView,
  ImportSource,
  MediaOutcomeView,
} from '../api-types.js';
import type { WebContext } from '../context.js';
import { errorBody } from '../user-errors.js';
import { route } from './route.js';

export type { BackupChoice } from '../api-types.js';

/** What the media step of an import did, for the page (see `companionAfterImport`). */
function presentMedia(media: ImportResult['media'], shownName?: string): MediaOutcomeView | null {
  if (media === undefined || media === null || media.companion === null) return null;
  const companion = shownName ?? basename(media.companion);
  if ('error' in media) return { companion, error: media.error };
  return {
    companion,
    restored: media.restored,
    alreadyPresent: media.alreadyPresent,
    conflicts: media.conflicts,
    damaged: media.damaged,
    refused: media.refused,
  };
}

/** The import's result for the page; `companionName` is the name an uploaded companion had. */
function presentImport(r: ImportResult, companionName?: string): ImportResultView {
  return {
    jid: visibleText(r.jid),
    app: visibleText(r.app),
    format: r.format,
    createdAt: r.createdAt,
    counts: [
      { label: r.conversations === 1 ? 'conversation' : 'conversations', count: r.conversations },
      { label: r.messages === 1 ? 'message' : 'messages', count: r.messages },
      {
        label: r.omemoKeys === 1 ? 'OMEMO key or session' : 'OMEMO keys and sessions',
        count: r.omemoKeys,
      },
    ],
    missingCount: r.missingMedia.count,
    missingFolder: r.missingMedia.folder,
    missingFiles: r.missingMedia.examples.map((e) => e.expectedAt),
    media: presentMedia(r.media, companionName),
  };
}

/** Import backup: files found in the usual places, upload from anywhere, import as a job. */
export function registerImportRoutes(app: FastifyInstance, ctx: WebContext): void {
  const scan = () =>
    scanBackupFolders(
      ctx.profile,
      ctx.options.extraBackupDirs ?? [],
      ctx.options.home !== undefined ? { home: ctx.options.home } : {},
    );

  route(app, 'GET /api/imports/found', async () => {
    const { backups, searched } = await scan();
    return {
      searched,
      backups: backups.map((b): BackupChoice => ({
        source: { found: b.path },
        jid: visibleText(b.jid),
        app: visibleText(b.app),
        format: b.format,
        timestamp: Date.parse(b.createdAt),
        size: b.size,
        path: visibleText(b.path),
        exists: b.accountExists,
        companion: existsSync(companionPathFor(b.path)) ? basename(companionPathFor(b.path)) : null,
      })),
    };
  });

  route(app, 'POST /api/imports/upload', async (request, reply) => {
    const part = await request.file();
    if (!part)
      return reply
        .code(400)
        .send({ error: 'No file was chosen.', hint: 'Choose a .ceb backup file.' });
    const saved = await ctx.uploads.save(part.filename, part.file);
    if (part.file.truncated) {
      // A refused upload does not wait in the temporary folder until the app stops.
      await ctx.uploads.discard(saved.id);
      return reply
        .code(413)
        .send({ error: 'The file is too large.', hint: 'A backup file is at most 4 GB.' });
    }
    try {
      const { header, fileSize } = await readHeader(saved.path);
      const choice: BackupChoice = {
        source: { upload: saved.id },
        jid: visibleText(header.jid),
        app: visibleText(header.app),
        format: header.version,
        timestamp: Number(header.timestamp),
        size: fileSize,
        path: visibleText(saved.name),
        exists: findAccountByJid(ctx.profile.db, header.jid) !== undefined,
        companion: null,
      };
      return { backup: choice };
    } catch (err) {
      await ctx.uploads.discard(saved.id);
      return reply.code(422).send(errorBody(err));
    }
  });

  // The media companion (`.ceb.media`) chosen together with an uploaded backup.
  route(app, 'POST /api/imports/upload/:id/media', async (request, reply) => {
    const backup = ctx.uploads.get(request.params.id);
    if (!backup) {
      return reply.code(404).send({
        error: 'The backup file for this media file is no longer here.',
        hint: 'Choose the backup file again, then its media file.',
      });
    }
    const part = await request.file();
    if (!part)
      return reply
        .code(400)
        .send({ error: 'No file was chosen.', hint: 'Choose the .ceb.media file.' });
    const saved = await ctx.uploads.saveCompanion(backup.id, part.filename, part.file);
    if (part.file.truncated || saved === undefined) {
      await ctx.uploads.dropCompanion(backup.id);
      return reply
        .code(413)
        .send({ error: 'The media file is too large.', hint: 'It can be at most 4 GB.' });
    }
    const { header } = await readHeader(backup.path);
    const checked = await checkCompanionFor(saved.path, header.jid);
    if ('problem' in checked) {
      await ctx.uploads.dropCompanion(backup.id);
      const p = checked.problem;
      return reply.code(422).send({ error: p.message, hint: p.hint, kind: p.kind });
    }
    return { media: { name: saved.name, jid: checked.meta.jid, backup: checked.meta.backup } };
  });

  route(app, 'POST /api/imports', async (request, reply) => {
    const { source, password } = request.body ?? {};
    if (typeof password !== 'string' || password === '') {
      return reply
        .code(400)
        .send({ error: 'Enter the account password.', hint: 'The backup is encrypted with it.' });
    }
    let file: string | undefined;
    let companion: { name: string; path: string } | undefined;
    if (typeof source?.upload === 'string') {
      const uploaded = ctx.uploads.get(source.upload);
      file = uploaded?.path;
      companion = uploaded?.companion;
    } else if (typeof source?.found === 'string') {
      // Only files the scan lists: the page cannot make the server read any path it likes.
      const wanted = source.found;
      file = (await scan()).backups.find((b) => b.path === wanted)?.path;
    }
    if (file === undefined) {
      return reply.code(404).send({
        error: 'This backup file is no longer there.',
        hint: 'Reload the list or choose the file again.',
      });
    }
    let header;
    try {
      ({ header } = await readHeader(file));
    } catch (err) {
      return reply.code(422).send(errorBody(err));
    }
    const described: ImportSource = {
      source: source as ImportSource['source'], // the upload or the found file just checked
      jid: header.jid,
      app: header.app,
      format: header.version,
      timestamp: Number(header.timestamp),
      // Shown again if the password dialog reopens (wrong password).
      companion:
        companion?.name ??
        (existsSync(companionPathFor(file)) ? basename(companionPathFor(file)) : null),
    };
    const importFile = file;
    const job = ctx.jobs.start(
      'import-backup',
      async (tracker) => {
        tracker.report(header.jid, {
          label: visibleText(header.jid),
          done: 0,
          total: null,
          phase: 'decrypting',
        });
        const result = await importBackup(ctx.profile, importFile, password, {
          // Restores the companion uploaded with it, else <backup>.media beside it, if there.
          ...companionAfterImport(companion?.path),
          onProgress(event) {
            if (event.kind === 'rows') {
              tracker.report(header.jid, {
                label: visibleText(header.jid),
                done: event.rows,
                total: null,
                phase: 'restoring the chats and keys',
              });
            } else if (event.kind === 'committed') {
              tracker.report(header.jid, {
                label: visibleText(header.jid),
                done: event.rows,
                total: event.rows,
                phase: 'saved',
              });
            }
          },
        });
        await ctx.live.refresh();
        return result;
      },
      {
        present: (result: ImportResult) => presentImport(result, companion?.name),
        source: described,
      },
    );
    return { job };
  });
}
