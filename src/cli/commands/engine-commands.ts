/**
 * `ferry sync [JID]`, `ferry run`, `ferry send JID TEXT`: the commands that bring the accounts
 * online with the XMPP engine (and OMEMO) — the seed's last step, "check if chats work". Reading
 * the chats on this device without going online is chat.ts'.
 */
import type { Command } from 'commander';
import type { Profile } from '../../store/profile.js';
import { accountJid, isAccountEnabled } from '../../store/accounts.js';
import { bareJid } from '../../store/conversations.js';
import { readAccountState } from '../../store/account-state.js';
import { retryWords } from '../../xmpp/login-errors.js';
import { Engine, type EngineOptions, type StoredMessageEvent } from '../../xmpp/engine.js';
import type { AccountStateEvent } from '../../xmpp/account-connection.js';
import { OmemoCrypto, type OmemoEvent } from '../../omemo/omemo-crypto.js';
import { EXIT, UserFacingError } from '../failure.js';
import { parseCount } from '../options.js';
import { withCommandProfile } from './account.js';
import { chooseAccount, messageJson } from './chat.js';
import { messageLine } from './chat-format.js';

interface EngineFlags {
  omemo?: boolean;
  history?: number;
}

/** An OMEMO session ferry repaired on its own (self-healing after a move), for the person to see. */
export interface RepairedSession {
  account: string;
  contact: string;
  device: number;
}

/** How `sync` and `run` say that a session was repaired. */
export function repairedLine(r: RepairedSession): string {
  return (
    `${r.account}: repaired the OMEMO session with ${r.contact} (device ${r.device}); ` +
    'messages it could not decrypt stay marked, new ones decrypt again'
  );
}

/** Collects the sessions the OMEMO layer repairs, and tells `onRepaired` about each. */
export function repairedSessions(onRepaired: (r: RepairedSession) => void = () => {}): {
  list: RepairedSession[];
  onEvent: (e: OmemoEvent) => void;
} {
  const list: RepairedSession[] = [];
  return {
    list,
    onEvent: (e) => {
      if (e.kind !== 'healed') return;
      const r = { account: e.jid, contact: e.device.name, device: e.device.deviceId };
      list.push(r);
      onRepaired(r);
    },
  };
}

function engineFor(
  profile: Profile,
  flags: EngineFlags,
  extra: EngineOptions = {},
  onOmemoEvent?: (e: OmemoEvent) => void,
): Engine {
  return new Engine(profile, {
    ...(flags.omemo === false ? {} : { crypto: new OmemoCrypto(profile.db, onOmemoEvent) }),
    ...(flags.history !== undefined ? { catchup: { firstConnectWindow: flags.history } } : {}),
    ...extra,
  });
}

function eventLine(e: StoredMessageEvent): string {
  const where = e.group ? `${e.conversationJid} ` : '';
  return `${where}${messageLine(e.message, e.group)}`;
}

function stateLine(e: AccountStateEvent): string {
  switch (e.state) {
    case 'online':
      return `${e.jid} is online`;
    case 'offline':
      return `${e.jid} is offline`;
    case 'connecting':
      return `${e.jid} is connecting…`;
    default:
      return (
        `${e.jid}: ${e.error ?? e.state}` +
        (e.retryAt ? ` (${retryWords(e.retryAt)})` : '') +
        (e.hint ? `\n  ${e.hint}` : '')
      );
  }
}

/** `ferry sync`, `ferry run`, `ferry send`: the commands that bring accounts online. */
export function registerEngineCommands(program: Command): void {
  program
    .command('sync [jid]')
    .description('connect the enabled accounts (or JID), fetch what arrived meanwhile, disconnect')
    .option('--json', 'print the result as JSON')
    .option(
      '--history <n>',
      'on the first connect of an account, fetch its last N messages (default 100)',
      parseCount,
    )
    .option('--no-omemo', 'do not decrypt or publish OMEMO keys')
    .action(
      async (jid: string | undefined, opts: EngineFlags & { json?: boolean }, cmd: Command) => {
        await withCommandProfile(cmd, async (profile) => {
          const repaired = repairedSessions();
          const engine = engineFor(profile, opts, { temporaryResource: true }, repaired.onEvent);
          const reports = await engine.sync(jid);
          if (opts.json) {
            process.stdout.write(
              JSON.stringify(
                reports.map((r) => ({
                  account: r.jid,
                  state: r.state,
                  error: r.error ?? null,
                  hint: r.hint ?? null,
                  caughtUp: r.caughtUp,
                  received: r.received.map(messageJson),
                  repairedSessions: repaired.list
                    .filter((s) => s.account === r.jid)
                    .map(({ contact, device }) => ({ contact, device })),
                })),
                null,
                2,
              ) + '\n',
            );
          } else {
            if (reports.length === 0)
              process.stdout.write('no enabled account (ferry account enable JID)\n');
            for (const r of reports) {
              if (r.error) {
                // With one account the error line on stderr says it all.
                if (reports.length > 1) process.stdout.write(`${r.jid}: ${r.error}\n`);
                continue;
              }
              const n = r.received.length;
              process.stdout.write(
                `${r.jid}: ${n === 0 ? 'nothing new' : `${n} new message${n === 1 ? '' : 's'}`}\n`,
              );
              for (const e of r.received) process.stdout.write(`  ${eventLine(e)}\n`);
              for (const s of repaired.list.filter((x) => x.account === r.jid))
                process.stdout.write(`  ${repairedLine(s)}\n`);
            }
          }
          const failed = reports.find((r) => r.error);
          if (failed) {
            const loginFailed = failed.state === 'login-failed';
            const refused = loginFailed || failed.state === 'insecure';
            throw new UserFacingError(
              `${failed.jid} did not sync: ${failed.error ?? failed.state}`,
              loginFailed
                ? 'Check the password (the one the account had on the old device); remove and add the account again to change it.'
                : (failed.hint ??
                    'Check the network and the server address (ferry account list), then run ferry sync again.'),
              refused ? EXIT.failure : EXIT.network,
            );
          }
        });
      },
    );

  program
    .command('run')
    .description(
      'stay online with the enabled accounts and print incoming messages (Ctrl-C to stop)',
    )
    .option('--json', 'print one JSON object per line for each event')
    .option(
      '--history <n>',
      'on the first connect of an account, fetch its last N messages (default 100)',
      parseCount,
    )
    .option('--no-omemo', 'do not decrypt or publish OMEMO keys')
    .action(async (opts: EngineFlags & { json?: boolean }, cmd: Command) => {
      await withCommandProfile(cmd, async (profile) => {
        const print = (line: string) => process.stdout.write(`${line}\n`);
        const repaired = repairedSessions((r) =>
          print(
            opts.json ? JSON.stringify({ event: 'omemo-session-repaired', ...r }) : repairedLine(r),
          ),
        );
        const engine = engineFor(profile, opts, {}, repaired.onEvent);
        engine.on('message', (e: StoredMessageEvent) => {
          if (e.source === 'sent') return;
          print(opts.json ? JSON.stringify({ event: 'message', ...messageJson(e) }) : eventLine(e));
        });
        engine.on('account-state', (e: AccountStateEvent) => {
          print(opts.json ? JSON.stringify({ event: 'account-state', ...e }) : stateLine(e));
        });
        engine.on('subscription-request', (e: { jid: string; from: string }) => {
          print(
            opts.json
              ? JSON.stringify({ event: 'subscription-request', ...e })
              : `${e.from} asks to see when ${e.jid} is online`,
          );
        });
        engine.on('catchup-done', (e: { jid: string }) => {
          print(
            opts.json ? JSON.stringify({ event: 'catchup-done', ...e }) : `${e.jid} is up to date`,
          );
        });
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            void engine.stop().then(resolve, resolve);
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
          void engine.start().catch(() => stop());
        });
      });
    });

  program
    .command('send <jid> <text>')
    .description('send a text message to a contact or a group chat of this device')
    .option('--from <account>', 'the account to send from (when the device has several)')
    .option('--json', 'print the stored message as JSON')
    .option('--no-omemo', 'send without OMEMO')
    .action(
      async (
        to: string,
        text: string,
        opts: EngineFlags & { from?: string; json?: boolean },
        cmd: Command,
      ) => {
        await withCommandProfile(cmd, async (profile) => {
          const account = chooseAccount(profile, opts.from, to);
          const jid = accountJid(account);
          if (!isAccountEnabled(account)) {
            throw new UserFacingError(
              `the account ${jid} is disabled`,
              `Enable it first: ferry account enable ${jid}`,
              EXIT.usage,
            );
          }
          const engine = engineFor(profile, opts, {
            accounts: [jid],
            watchAccountsMs: 0,
            temporaryResource: true,
          });
          try {
            await engine.start();
            if (!engine.connection(jid)?.online) {
              const state = readAccountState(profile.db, account.uuid);
              throw new UserFacingError(
                `could not send: ${state?.error ?? `${jid} is not connected`}`,
                state?.state === 'login-failed'
                  ? 'Check the account password.'
                  : 'Check the network and the server address, then try again.',
                state?.state === 'login-failed' ? EXIT.failure : EXIT.network,
              );
            }
            const sent = await engine.sendMessage(jid, to, text);
            await engine.flush(jid);
            if (opts.json) {
              process.stdout.write(
                JSON.stringify(
                  messageJson({
                    accountJid: jid,
                    conversationJid: bareJid(to),
                    group: false,
                    source: 'sent',
                    message: sent,
                  }),
                ) + '\n',
              );
            } else {
              process.stdout.write(`sent to ${bareJid(to)} from ${jid}\n`);
            }
          } finally {
            await engine.stop();
          }
        });
      },
    );
}
