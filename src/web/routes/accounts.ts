import type { FastifyInstance } from 'fastify';
import {
  accountJid,
  addAccount,
  hasStoredPassword,
  isAccountEnabled,
  listAccounts,
  setAccountEnabled,
  type AccountRow,
} from '../../store/accounts.js';
import type { WebContext } from '../server.js';
import { openEventStream } from '../sse.js';
import { describeUserError } from '../user-errors.js';

/** An account as the Accounts screen shows it. */
export interface AccountView {
  jid: string;
  enabled: boolean;
  /** disabled | enabled (not connected yet) | connecting | online | offline | login-failed | unreachable */
  state: string;
  error?: string;
  hasPassword: boolean;
}

export function accountView(ctx: WebContext, row: AccountRow): AccountView {
  const jid = accountJid(row);
  const enabled = isAccountEnabled(row);
  const live = ctx.live.connection(jid);
  return {
    jid,
    enabled,
    state: !enabled ? 'disabled' : (live?.state ?? 'enabled'),
    ...(enabled && live?.error ? { error: live.error } : {}),
    hasPassword: hasStoredPassword(row),
  };
}

interface AddAccountBody {
  jid?: unknown;
  password?: unknown;
  hostname?: unknown;
  port?: unknown;
}

/** Accounts: list with state, add, enable, disable; live state changes as server-sent events. */
export function registerAccountRoutes(app: FastifyInstance, ctx: WebContext): void {
  app.get('/api/accounts', async () => ({
    accounts: listAccounts(ctx.profile.db).map((row) => accountView(ctx, row)),
  }));

  app.post<{ Body: AddAccountBody }>('/api/accounts', async (request, reply) => {
    const { jid, password, hostname, port } = request.body ?? {};
    if (typeof jid !== 'string' || typeof password !== 'string' || password === '') {
      return reply.code(400).send({
        error: 'Enter the account address and its password.',
        hint: 'The address looks like kim@example.org.',
      });
    }
    const portNumber = typeof port === 'string' && port !== '' ? Number(port) : port;
    if (
      portNumber !== undefined &&
      portNumber !== null &&
      (typeof portNumber !== 'number' ||
        !Number.isInteger(portNumber) ||
        portNumber < 1 ||
        portNumber > 65535)
    ) {
      return reply.code(400).send({
        error: 'The port must be a number from 1 to 65535.',
        hint: 'Leave it empty for 5222.',
      });
    }
    try {
      const row = addAccount(ctx.profile.db, {
        jid,
        password,
        ...(typeof hostname === 'string' && hostname !== '' ? { hostname } : {}),
        ...(typeof portNumber === 'number' ? { port: portNumber } : {}),
      });
      await ctx.live.refresh();
      return { account: accountView(ctx, row) };
    } catch (err) {
      const e = describeUserError(err);
      return reply
        .code(e.kind === 'failed' ? 500 : 409)
        .send({ error: e.message, hint: e.hint, kind: e.kind });
    }
  });

  for (const enabled of [true, false]) {
    app.post<{ Params: { jid: string } }>(
      `/api/accounts/:jid/${enabled ? 'enable' : 'disable'}`,
      async (request, reply) => {
        try {
          const row = setAccountEnabled(ctx.profile.db, request.params.jid, enabled);
          await ctx.live.refresh();
          return { account: accountView(ctx, row) };
        } catch (err) {
          const e = describeUserError(err);
          return reply
            .code(e.kind === 'failed' ? 500 : 404)
            .send({ error: e.message, hint: e.hint, kind: e.kind });
        }
      },
    );
  }

  /** Live events for the whole app: account states and new messages. */
  app.get('/api/events', async (request, reply) => {
    const onState = (event: unknown): void => send('account-state', event);
    const onMessage = (event: unknown): void => send('message', event);
    const send = openEventStream(request, reply, () => {
      ctx.live.off('account-state', onState);
      ctx.live.off('message', onMessage);
    });
    ctx.live.on('account-state', onState);
    ctx.live.on('message', onMessage);
    return reply;
  });
}
