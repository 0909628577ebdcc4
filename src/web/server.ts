import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openProfile } from '../store/profile.js';
import { installAccessGuard, newAccessSecrets, type AccessSecrets } from './access.js';
import { IMPORT_MAP, publicDir, readVendorModule } from './assets.js';
import { JobRegistry } from './jobs.js';
import { describeUserError } from './user-errors.js';
import { registerJobRoutes } from './routes/jobs.js';
import { registerAccountRoutes } from './routes/accounts.js';
import { registerBackupRoutes } from './routes/backups.js';
import { registerImportRoutes } from './routes/imports.js';
import { registerChatRoutes } from './routes/chats.js';
import { registerExportRoutes } from './routes/exports.js';
import { registerCloudRoutes } from './routes/cloud.js';
import { LiveAccounts } from './live-accounts.js';
import { UploadStore } from './uploads.js';
import { OmemoCrypto } from '../omemo/omemo-crypto.js';
import type { WebAppOptions, WebContext } from './context.js';

export type { WebAppOptions } from './context.js';

export interface RunningWebApp {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** The address to open, with the access token: `http://127.0.0.1:PORT/?token=…` */
  url: string;
  port: number;
  /** Stops the XMPP connections and the server and closes the profile. */
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

function renderIndex(template: string, nonce: string, secrets: AccessSecrets): string {
  return template
    .replace('%IMPORT_MAP%', IMPORT_MAP)
    .replaceAll('%NONCE%', nonce)
    .replace('%CSRF%', secrets.csrf);
}

/** Builds the app (routes, guard, assets) without listening; `allowedHosts` names Host values. */
export async function buildWebApp(
  ctx: WebContext,
  secrets: AccessSecrets,
  allowedHosts: () => string[],
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false, // never log requests: bodies carry passwords
    forceCloseConnections: true,
    bodyLimit: 1024 * 1024,
  });
  installAccessGuard(app, secrets, allowedHosts);
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
    return payload;
  });
  app.setErrorHandler((err, _request, reply) => {
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      const message = err instanceof Error ? err.message : 'The request was refused.';
      return reply.code(status).send({ error: message, hint: 'Check what was entered.' });
    }
    const described = describeUserError(err);
    return reply
      .code(500)
      .send({ error: described.message, hint: described.hint, kind: described.kind });
  });
  await app.register(fastifyMultipart, {
    limits: { fileSize: 4 * 1024 * 1024 * 1024, files: 1, fields: 4 },
  });

  const dir = publicDir();
  const template = readFileSync(join(dir, 'index.html'), 'utf8');
  const sendIndex = async (
    _request: unknown,
    reply: import('fastify').FastifyReply,
  ): Promise<void> => {
    const nonce = randomBytes(16).toString('base64');
    await reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header(
        'content-security-policy',
        `default-src 'self'; script-src 'self' 'nonce-${nonce}'; style-src 'self'; img-src 'self' data:; ` +
          `connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
      )
      .send(renderIndex(template, nonce, secrets));
  };
  app.get('/', sendIndex);
  await app.register(fastifyStatic, { root: dir, prefix: '/app/', index: false, wildcard: true });
  app.get<{ Params: { name: string } }>('/vendor/:name', async (request, reply) => {
    const text = readVendorModule(request.params.name);
    if (text === undefined) return reply.code(404).send({ error: 'not found', hint: '' });
    return reply.header('content-type', 'text/javascript; charset=utf-8').send(text);
  });

  registerJobRoutes(app, ctx);
  registerAccountRoutes(app, ctx);
  registerBackupRoutes(app, ctx);
  registerImportRoutes(app, ctx);
  registerChatRoutes(app, ctx);
  registerExportRoutes(app, ctx);
  registerCloudRoutes(app, ctx);
  return app;
}

/** Opens the profile and serves the web app on 127.0.0.1. */
export async function startWebApp(opts: WebAppOptions): Promise<RunningWebApp> {
  const profile = openProfile(opts.profileDir);
  const jobs = new JobRegistry();
  const uploads = new UploadStore(opts.uploadParent);
  const crypto = opts.crypto === undefined ? new OmemoCrypto(profile.db) : opts.crypto;
  const live = new LiveAccounts(profile, crypto ? { crypto } : {});
  const ctx: WebContext = { profile, jobs, live, uploads, options: opts };
  const secrets = newAccessSecrets();
  let port = 0;
  const app = await buildWebApp(ctx, secrets, () => [`127.0.0.1:${port}`, `localhost:${port}`]);
  try {
    await app.listen({ host: '127.0.0.1', port: opts.port ?? 0 });
  } catch (err) {
    profile.close();
    throw err;
  }
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  port = address.port;
  if (opts.connect !== false) live.start();
  const origin = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;
  return {
    origin,
    url: `${origin}/?token=${secrets.token}`,
    port,
    close() {
      closing ??= (async () => {
        await live.stop();
        await app.close();
        await jobs.idle();
        uploads.clear();
        profile.close();
      })();
      return closing;
    },
  };
}
