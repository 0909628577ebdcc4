import type { FastifyInstance } from 'fastify';
import { mkdir } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  openRemoteFolder,
  parseFolderUrl,
  resolveWebdavCredentials,
  type RemoteFolder,
  type TransferProgress,
} from '../../migration/remote/index.js';
import { listRemoteBackups, pushBackups } from '../../migration/remote/remote-backups.js';
import { downloadVerified } from '../../migration/remote/transfer.js';
import { findAccountByJid } from '../../store/accounts.js';
import { profileBackupDir } from '../../store/profile.js';
import type { CloudFolderRequest } from '../api-types.js';
import type { JobContext } from '../jobs.js';
import type { WebContext } from '../context.js';
import { errorBody } from '../user-errors.js';
import { route, type Unchecked } from './route.js';

/**
 * What the page sends to reach a cloud folder (api-types.ts `CloudFolderRequest`). The user name and
 * password are used for this request only: never logged, never stored, never part of an answer or of
 * a job's snapshot.
 */
type CloudBody = Unchecked<CloudFolderRequest>;

/** Opens the folder from the page's fields; credentials only from what the page sent. */
async function folderFrom(body: CloudBody | undefined): Promise<RemoteFolder> {
  const url = parseFolderUrl(typeof body?.url === 'string' ? body.url.trim() : '');
  // Refuses user:password@ in the URL; no environment, netrc or prompt in the web app: only the
  // page's fields (given the 'prompt' source, as typed by the person).
  await resolveWebdavCredentials(url, { env: {}, netrcFile: '/dev/null' });
  const user = typeof body?.user === 'string' ? body.user.trim() : '';
  const password = typeof body?.password === 'string' ? body.password : '';
  return openRemoteFolder(url, user === '' ? null : { username: user, password, source: 'prompt' });
}

function transferReporter(tracker: JobContext, phase: string): (p: TransferProgress) => void {
  return (p) =>
    tracker.report(p.file, {
      label: p.file,
      done: p.bytesDone,
      total: p.bytesTotal,
      phase: p.bytesDone === p.bytesTotal ? `${phase}, verifying` : phase,
    });
}

function refuse(reply: import('fastify').FastifyReply, err: unknown) {
  return reply.code(422).send(errorBody(err));
}

/** Cloud (WebDAV): upload a finished backup, list a folder's backups, download one into Backup/. */
export function registerCloudRoutes(app: FastifyInstance, ctx: WebContext): void {
  route(app, 'POST /api/cloud/list', async (request, reply) => {
    try {
      const folder = await folderFrom(request.body);
      const backups = await listRemoteBackups(folder);
      return {
        folder: folder.display,
        backups: backups.map((b) => ({
          name: b.name,
          size: b.size,
          jid: b.header?.jid ?? null,
          app: b.header?.app ?? null,
          format: b.header?.version ?? null,
          timestamp: b.header ? Number(b.header.timestamp) : null,
          companion: b.companion,
          problem: b.problem ?? null,
          exists: b.header ? findAccountByJid(ctx.profile.db, b.header.jid) !== undefined : false,
        })),
      };
    } catch (err) {
      return refuse(reply, err);
    }
  });

  route(app, 'POST /api/cloud/push', async (request, reply) => {
    const body = request.body;
    const created = typeof body?.job === 'string' ? ctx.jobs.get(body.job) : undefined;
    const files =
      created?.kind === 'create-backup' && created.state === 'done'
        ? (created.result?.files ?? []).filter((f) => f.kind === 'backup').map((f) => f.path)
        : [];
    if (files.length === 0) {
      return reply.code(404).send({
        error: 'There is no finished backup to upload.',
        hint: 'Create the backup first.',
      });
    }
    const keep =
      body?.keep === undefined || body.keep === null || body.keep === ''
        ? undefined
        : Number(body.keep);
    if (keep !== undefined && (!Number.isInteger(keep) || keep < 1)) {
      return reply.code(400).send({
        error: 'Keep must be a whole number of at least 1.',
        hint: 'Leave it empty to keep every backup in the folder.',
      });
    }
    let folder: RemoteFolder;
    try {
      folder = await folderFrom(body);
    } catch (err) {
      return refuse(reply, err);
    }
    const job = ctx.jobs.start(
      'cloud-upload',
      (tracker) =>
        pushBackups(folder, files, {
          ...(keep !== undefined ? { keep } : {}),
          onProgress: transferReporter(tracker, 'uploading'),
        }),
      { source: { folder: folder.display, files: files.map((f) => basename(f)) } },
    );
    return { job };
  });

  route(app, 'POST /api/cloud/pull', async (request, reply) => {
    const name = request.body?.name;
    let folder: RemoteFolder;
    let chosen;
    try {
      folder = await folderFrom(request.body);
      chosen = (await listRemoteBackups(folder)).find((b) => b.name === name);
    } catch (err) {
      return refuse(reply, err);
    }
    if (chosen === undefined) {
      return reply.code(404).send({
        error: 'This backup is no longer in the cloud folder.',
        hint: 'Show the backups again.',
      });
    }
    const backup = chosen;
    const outDir = profileBackupDir(ctx.options.profileDir);
    const job = ctx.jobs.start(
      'cloud-download',
      async (tracker) => {
        await mkdir(outDir, { recursive: true, mode: 0o700 });
        const progress = transferReporter(tracker, 'downloading');
        // The media file first: the backup appears in the found list only once both are here.
        const downloaded = [];
        if (backup.companion) {
          const { name, size } = backup.companion;
          downloaded.push(await downloadVerified(folder, name, size, outDir, progress));
        }
        downloaded.push(await downloadVerified(folder, backup.name, backup.size, outDir, progress));
        return { folder: folder.display, outDir, downloaded };
      },
      { source: { folder: folder.display, name: backup.name, jid: backup.header?.jid ?? null } },
    );
    return { job };
  });
}
