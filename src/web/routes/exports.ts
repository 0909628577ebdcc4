import type { FastifyInstance } from 'fastify';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { exportProfileAccount } from '../../export/export-chats.js';
import {
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportResult,
} from '../../export/render-account.js';
import { accountJid, listAccounts } from '../../store/accounts.js';
import type { DownloadableFile, ExportResultView } from '../api-types.js';
import type { WebContext } from '../context.js';
import { zipFolder } from '../zip.js';
import { route } from './route.js';

const FORMAT_LABELS: Record<ExportFormat, string> = {
  html: 'Web pages (HTML) — open in any browser',
  txt: 'Plain text — one file per chat',
  json: 'JSON — for programs',
  sqlite: 'SQLite database — Conversations’ tables, without password and keys',
};

async function listFiles(root: string): Promise<string[]> {
  const st = await stat(root);
  if (st.isFile()) return [root];
  const out: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const p = join(root, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(p)));
    else if (entry.isFile()) out.push(p);
  }
  return out.sort();
}

function stamp(date: Date): string {
  return date.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
}

/** Export: the chats of an account as html/txt/json/sqlite files, made as a job, downloadable. */
export function registerExportRoutes(app: FastifyInstance, ctx: WebContext): void {
  const exportsDir = (): string => ctx.options.exportDir ?? join(ctx.profile.dir, 'Exports');

  route(app, 'GET /api/exports/options', async () => ({
    accounts: listAccounts(ctx.profile.db).map(accountJid),
    formats: (['html', 'txt', 'json', 'sqlite'] as const)
      .filter((f) => (EXPORT_FORMATS as readonly string[]).includes(f))
      .map((id) => ({ id, label: FORMAT_LABELS[id] })),
    folder: exportsDir(),
  }));

  route(app, 'POST /api/exports', async (request, reply) => {
    const { account, format } = request.body ?? {};
    if (typeof format !== 'string' || !(EXPORT_FORMATS as readonly string[]).includes(format)) {
      return reply.code(400).send({ error: 'Choose an export format.', hint: '' });
    }
    const jid = typeof account === 'string' ? account : '';
    if (
      !listAccounts(ctx.profile.db).some((a) => accountJid(a).toLowerCase() === jid.toLowerCase())
    ) {
      return reply
        .code(400)
        .send({ error: 'Choose one of the accounts on this device.', hint: '' });
    }
    const outDir = join(
      exportsDir(),
      `${jid.replace(/[^\p{L}\p{N}@._-]/gu, '_')}-${format}-${stamp(new Date())}`,
    );
    const job = ctx.jobs.start(
      'export',
      async (tracker) => {
        tracker.report(jid, { label: jid, done: 0, total: null, phase: 'reading' });
        const result = await exportProfileAccount(ctx.profile.dir, jid, {
          format: format as ExportFormat,
          outDir,
          onProgress(event) {
            tracker.report(jid, {
              label: jid,
              done: event.done,
              total: event.total ?? null,
              phase: event.stage,
            });
          },
        });
        tracker.report(jid, { label: jid, done: 1, total: 1, phase: 'done' });
        const files: { path: string; bytes: number }[] = [];
        for (const p of await listFiles(result.path))
          files.push({ path: p, bytes: (await stat(p)).size });
        return { result, files };
      },
      {
        present: (
          r: { result: ExportResult; files: { path: string; bytes: number }[] },
          jobId: string,
        ): ExportResultView => ({
          account: r.result.account,
          format: r.result.format,
          folder: r.result.path,
          conversations: r.result.conversations,
          messages: r.result.messages,
          files: r.files.map((f, i): DownloadableFile => ({
            name: r.files.length === 1 ? basename(f.path) : relative(outDir, f.path),
            path: f.path,
            bytes: f.bytes,
            download: `/api/jobs/${jobId}/files/${i}`,
          })),
          view: r.result.format === 'html' ? `/api/exports/${jobId}/view/index.html` : undefined,
          // A folder of files (the HTML site, the text files) is offered as one archive.
          archive:
            r.files.length > 1
              ? {
                  name: `${basename(outDir)}.zip`,
                  files: r.files.length,
                  bytes: r.files.reduce((sum, f) => sum + f.bytes, 0),
                  download: `/api/exports/${jobId}/archive.zip`,
                }
              : undefined,
        }),
      },
    );
    return { job };
  });

  route(app, 'GET /api/exports/:id/archive.zip', async (request, reply) => {
    const job = ctx.jobs.get(request.params.id);
    const folder = job?.kind === 'export' && job.state === 'done' ? job.result?.folder : undefined;
    if (!folder) return reply.code(404).send({ error: 'No such export.', hint: 'Export again.' });
    let archive;
    try {
      archive = await zipFolder(folder, basename(folder));
    } catch {
      return reply.code(404).send({
        error: 'The exported files are no longer there.',
        hint: 'They were moved or deleted; export again.',
      });
    }
    const name = `${basename(folder)}.zip`;
    return reply
      .header('content-type', 'application/zip')
      .header(
        'content-disposition',
        `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      )
      .header('cache-control', 'no-store')
      .code(200)
      .send(archive);
  });

  // An HTML export opened in the browser, its links (chat pages, styles) resolved in its folder.
  route(app, 'GET /api/exports/:id/view/*', async (request, reply) => {
    const job = ctx.jobs.get(request.params.id);
    const folder = job?.kind === 'export' && job.state === 'done' ? job.result?.folder : undefined;
    if (!folder) return reply.code(404).send({ error: 'No such export.', hint: '' });
    const root = resolve(folder);
    const target = resolve(root, request.params['*']);
    if (target !== root && !target.startsWith(root + sep))
      return reply.code(404).send({ error: 'Not found.', hint: '' });
    try {
      if (!(await stat(target)).isFile()) throw new Error('not a file');
    } catch {
      return reply.code(404).send({ error: 'Not found.', hint: '' });
    }
    const type = target.endsWith('.html')
      ? 'text/html; charset=utf-8'
      : target.endsWith('.css')
        ? 'text/css; charset=utf-8'
        : target.endsWith('.js')
          ? 'text/javascript; charset=utf-8'
          : target.endsWith('.txt')
            ? 'text/plain; charset=utf-8'
            : 'application/octet-stream';
    return reply
      .header('content-type', type)
      .header(
        'content-security-policy',
        "default-src 'self'; script-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'",
      )
      .code(200)
      .send(createReadStream(target));
  });
}
