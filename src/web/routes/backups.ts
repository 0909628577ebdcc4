import type { FastifyInstance } from 'fastify';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createBackups, type CreateBackupResult } from '../../migration/create-backup.js';
import { companionAfterBackup } from '../../migration/media/backup-media.js';
import type { WebContext } from '../server.js';

interface CreateBody {
  format?: unknown;
  deactivate?: unknown;
  /** true: also write each backup's media companion (`--with-media`). */
  withMedia?: unknown;
}

/** A file the page may download: listed in a finished job's result. */
export interface DownloadableFile {
  name: string;
  path: string;
  bytes: number;
  download: string;
}

/**
 * The files a create job made, each downloadable by its index: every backup, and after it its media
 * companion (`kind: 'media'`, `backup` naming the .ceb it belongs to) when one was written.
 */
function presentFiles(result: CreateBackupResult, jobId: string): Record<string, unknown>[] {
  const files: Record<string, unknown>[] = [];
  const download = (): string => `/api/jobs/${jobId}/files/${files.length}`;
  for (const w of result.written) {
    const name = basename(w.file);
    files.push({
      kind: 'backup',
      jid: w.jid,
      name,
      path: w.file,
      bytes: w.bytes,
      format: w.format,
      download: download(),
    });
    const media = w.media;
    if (media !== undefined) {
      files.push({
        kind: 'media',
        jid: w.jid,
        backup: name,
        name: basename(media.file),
        path: media.file,
        bytes: media.bytes,
        files: media.files,
        notOnThisDevice: media.notOnThisDevice.length,
        download: download(),
      });
    }
  }
  return files;
}

/** Create backup: start (as a job), per-account progress, the files made with download links. */
export function registerBackupRoutes(app: FastifyInstance, ctx: WebContext): void {
  app.post<{ Body: CreateBody }>('/api/backups', async (request, reply) => {
    const format = request.body?.format ?? 2;
    if (format !== 1 && format !== 2) {
      return reply.code(400).send({ error: 'Choose format 1 or 2.', hint: '' });
    }
    const deactivate = request.body?.deactivate === true;
    const job = ctx.jobs.start(
      'create-backup',
      async (tracker) => {
        const rowsPerAccount = new Map<string, number>();
        const result = await createBackups(ctx.profile, {
          format,
          deactivate,
          ...(request.body?.withMedia === true ? companionAfterBackup() : {}),
          ...(ctx.options.backupDir !== undefined ? { outDir: ctx.options.backupDir } : {}),
          onProgress(event) {
            switch (event.kind) {
              case 'account-start':
                rowsPerAccount.set(event.jid, event.rows);
                tracker.report(event.jid, {
                  label: event.jid,
                  done: 0,
                  total: event.rows,
                  phase: 'writing',
                });
                break;
              case 'rows':
                tracker.report(event.jid, {
                  label: event.jid,
                  done: event.done,
                  total: event.total,
                  phase: 'writing',
                });
                break;
              case 'account-done': {
                const total = rowsPerAccount.get(event.jid) ?? 1;
                tracker.report(event.jid, { label: event.jid, done: total, total, phase: 'done' });
                break;
              }
              case 'skipped':
                tracker.report(event.jid, {
                  label: event.jid,
                  done: 0,
                  total: 0,
                  phase: 'skipped',
                });
                break;
            }
          },
        });
        await ctx.live.refresh();
        return result;
      },
      {
        present: (result: CreateBackupResult, jobId: string) => ({
          outDir: result.outDir,
          files: presentFiles(result, jobId),
          skipped: result.skipped,
          deactivated: result.deactivated,
          stillEnabled: result.stillEnabled,
        }),
      },
    );
    return { job };
  });

  app.get<{ Params: { id: string; n: string } }>(
    '/api/jobs/:id/files/:n',
    async (request, reply) => {
      const job = ctx.jobs.get(request.params.id);
      const files =
        (job?.state === 'done'
          ? (job.result as { files?: DownloadableFile[] })?.files
          : undefined) ?? [];
      const file = files[Number(request.params.n)];
      if (!file) return reply.code(404).send({ error: 'No such file.', hint: 'Create it again.' });
      try {
        await stat(file.path);
      } catch {
        return reply.code(404).send({
          error: 'The file is no longer there.',
          hint: 'It was moved or deleted; create it again.',
        });
      }
      const type = file.name.endsWith('.ceb')
        ? 'application/vnd.conversations.backup'
        : 'application/octet-stream';
      return reply
        .header('content-type', type)
        .header(
          'content-disposition',
          `attachment; filename="${file.name.replace(/["\\\r\n]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file.name)}`,
        )
        .header('cache-control', 'no-store')
        .send(createReadStream(file.path));
    },
  );
}
