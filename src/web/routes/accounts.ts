import type { FastifyInstance } from 'fastify';
import {
  accountJid,
  addAccount,
  findAccountByJid,
  hasStoredPassword,
  isAccountEnabled,
  listAccounts,
  setAccountEnabled,
  type AccountRow,
} from '../../store/accounts.js';
import {
  connectionSettings,
  normaliseFingerprint,
  pinCertificate,
  setServerSettings,
} from '../../store/account-settings.js';
import type { AccountView, LiveEvents } from '../api-types.js';
import type { WebContext } from '../context.js';
import { openEventStream } from '../sse.js';
import { errorBody } from '../user-errors.js';
import { route } from './route.js';

export type { AccountView } from '../api-types.js';

export function accountView(ctx: WebContext, row: AccountRow): AccountView {
  const jid = accountJid(row);
  const enabled = isAccountEnabled(row);
  const live = ctx.live.connection(jid);
  const settings = connectionSettings(row);
  return {
    jid,
    enabled,
    state: !enabled ? 'disabled' : (live?.state ?? 'enabled'),
    ...(enabled && live?.error ? { error: live.error } : {}),
    ...(enabled && live?.hint ? { hint: live.hint } : {}),
    ...(enabled && live?.retryAt ? { retryAt: live.retryAt } : {}),
    ...(enabled && live?.fingerprint ? { fingerprint: live.fingerprint } : {}),
    hasPassword: hasStoredPassword(row),
    hostname: settings.hostname,
    port: settings.hostname ? settings.port : null,
    plaintextLoopback: settings.allowPlaintextLoopback,
  };
}

/** Accounts: list with state, add, enable, disable; live state changes as server-sent events. */
export function registerAccountRoutes(app: FastifyInstance, ctx: WebContext): void {
  route(app, 'GET /api/accounts', async () => ({
    accounts: listAccounts(ctx.profile.db).map((row) => accountView(ctx, row)),
  }));

  route(app, 'POST /api/accounts', async (request, reply) => {
    const { jid, password, hostname, port } = request.body ?? {};
    if (typeof jid !== 'string' || typeof password !== 'string' || password === '') {
      return reply.code(400).send({
        error: 'Enter the account address and its password.',
        hint: 'The address looks like kim@example.org.',
      });
    }
    const portNumber = parsePortField(port);
    if (portNumber === 'invalid') {
      return reply.code(400).send({
        error: 'The port must be a number from 1 to 65535.',
        hint: 'Leave it empty for 5222.',
      });
    }
    try {
      const row = addAccount(ctx.profile.db, {
        jid,
        password,
        ...(typeof hostname === 'string' && hostname.trim() !== ''
          ? { hostname: hostname.trim() }
          : {}),
        ...(typeof portNumber === 'number' ? { port: portNumber } : {}),
      });
      await ctx.live.refresh();
      return { account: accountView(ctx, row) };
    } catch (err) {
      const body = errorBody(err);
      return reply.code(body.kind === 'failed' ? 500 : 409).send(body);
    }
  });

  for (const enabled of [true, false]) {
    route(
      app,
      enabled ? 'POST /api/accounts/:jid/enable' : 'POST /api/accounts/:jid/disable',
      async (request, reply) => {
        try {
          const row = setAccountEnabled(ctx.profile.db, request.params.jid, enabled);
          await ctx.live.refresh();
          return { account: accountView(ctx, row) };
        } catch (err) {
          const body = errorBody(err);
          return reply.code(body.kind === 'failed' ? 500 : 404).send(body);
        }
      },
    );
  }

  /** Points an account at its server: `{ hostname, port }`, empty fields clear them (DNS again). */
  route(app, 'POST /api/accounts/:jid/server', async (request, reply) => {
    const { hostname, port } = request.body ?? {};
    const portNumber = parsePortField(port);
    if (
      portNumber === 'invalid' ||
      (hostname !== undefined && hostname !== null && typeof hostname !== 'string')
    ) {
      return reply.code(400).send({
        error: 'The port must be a number from 1 to 65535.',
        hint: 'Leave both fields empty to find the server through DNS.',
      });
    }
    try {
      const host = typeof hostname === 'string' && hostname.trim() !== '' ? hostname.trim() : null;
      const row = setServerSettings(ctx.profile.db, request.params.jid, {
        hostname: host,
        port: host ? (portNumber ?? 5222) : null,
      });
      await ctx.live.reconnect(accountJid(row));
      return { account: accountView(ctx, row) };
    } catch (err) {
      const body = errorBody(err);
      return reply.code(body.kind === 'failed' ? 500 : 404).send(body);
    }
  });

  /** Trusts one server certificate for the account (the fingerprint ferry showed), then reconnects. */
  route(app, 'POST /api/accounts/:jid/trust-cert', async (request, reply) => {
    const raw = request.body?.fingerprint;
    const fingerprint = typeof raw === 'string' ? normaliseFingerprint(raw) : undefined;
    if (!fingerprint) {
      return reply.code(400).send({
        error: 'That is not a SHA-256 fingerprint.',
        hint: 'Use the fingerprint ferry showed for the refused certificate.',
      });
    }
    try {
      pinCertificate(ctx.profile.db, request.params.jid, fingerprint);
      const row = findAccountByJid(ctx.profile.db, request.params.jid)!;
      await ctx.live.reconnect(accountJid(row));
      return { account: accountView(ctx, row) };
    } catch (err) {
      const body = errorBody(err);
      return reply.code(body.kind === 'failed' ? 500 : 404).send(body);
    }
  });

  /** Live events for the whole app: account states and new messages. */
  route(app, 'GET /api/events', async (request, reply) => {
    const onState = (event: LiveEvents['account-state']): void => send('account-state', event);
    const onMessage = (event: LiveEvents['message']): void => send('message', event);
    const send = openEventStream<LiveEvents>(request, reply, () => {
      ctx.live.off('account-state', onState);
      ctx.live.off('message', onMessage);
    });
    ctx.live.on('account-state', onState);
    ctx.live.on('message', onMessage);
    return reply;
  });
}

/** A port field from a form or JSON: empty/absent → undefined (5222), else 1..65535, else 'invalid'. */
function parsePortField(port: unknown): number | undefined | 'invalid' {
  if (port === undefined || port === null) return undefined;
  if (typeof port === 'string' && port.trim() === '') return undefined;
  const n = typeof port === 'string' ? Number(port.trim()) : port;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535) return 'invalid';
  return n;
}
