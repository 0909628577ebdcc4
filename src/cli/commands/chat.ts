/**
 * `ferry sync [JID]`, `ferry run`, `ferry send JID TEXT`, `ferry chats`, `ferry chat JID`: the
 * seed's last step, "check if chats work".
 */
import type { Command } from 'commander';
import type { Profile } from '../../store/profile.js';
import {
  accountJid,
  findAccountByJid,
  isAccountEnabled,
  listAccounts,
  type AccountRow,
} from '../../store/accounts.js';
import {
  bareJid,
  findConversation,
  listConversationSummaries,
  type ConversationRow,
} from '../../store/conversations.js';
import { CONVERSATION_MODE, CONVERSATION_STATUS } from '../../store/codes.js';
import { listMessages, markConversationRead, MESSAGE_STATUS } from '../../store/messages.js';
import { readAccountState } from '../../store/account-state.js';
import { retryWords } from '../../xmpp/login-errors.js';
import { storedRoomEncryption } from '../../xmpp/rooms.js';
import {
  Engine,
  EngineError,
  type EngineOptions,
  type StoredMessageEvent,
} from '../../xmpp/engine.js';
import type { AccountStateEvent } from '../../xmpp/account-connection.js';
import { OmemoCrypto, type OmemoEvent } from '../../omemo/omemo-crypto.js';
import { EXIT, UserFacingError } from '../failure.js';
import { withCommandProfile } from './account.js';
import { localTime, messageLine, shownBody } from './chat-format.js';

interface EngineFlags {
  omemo?: boolean;
  history?: number;
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new UserFacingError(
      `"${value}" is not a number of messages`,
      'Use a whole number ≥ 0.',
      EXIT.usage,
    );
  }
  return n;
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

function asEngineFailure(err: unknown): unknown {
  if (!(err instanceof EngineError)) return err;
  switch (err.code) {
    case 'unknown-account':
      return new UserFacingError(err.message, 'See `ferry account list`.', EXIT.usage);
    case 'account-disabled':
      return new UserFacingError(
        err.message,
        `Enable it first: ferry account enable ${err.jid ?? 'JID'}`,
        EXIT.usage,
      );
    case 'not-joined':
      return new UserFacingError(
        err.message,
        'The room may be gone, members-only, or your nickname taken; check with another client.',
        EXIT.network,
      );
    case 'not-connected':
      return new UserFacingError(err.message, 'Check `ferry account list` for why.', EXIT.network);
  }
}

/** The account to send from / look in: --from, else the only enabled one, else the one chatting with `peer`. */
function chooseAccount(profile: Profile, from: string | undefined, peer?: string): AccountRow {
  if (from) {
    const row = findAccountByJid(profile.db, bareJid(from));
    if (!row)
      throw new UserFacingError(
        `there is no account ${from} on this device`,
        'See `ferry account list`.',
        EXIT.usage,
      );
    return row;
  }
  const enabled = listAccounts(profile.db).filter(isAccountEnabled);
  const candidates = enabled.length > 0 ? enabled : listAccounts(profile.db);
  if (candidates.length === 1 && candidates[0]) return candidates[0];
  if (candidates.length === 0) {
    throw new UserFacingError(
      'there is no account on this device',
      'Add one (ferry account add) or import a backup (ferry backup import).',
      EXIT.usage,
    );
  }
  if (peer) {
    const withPeer = candidates.filter((a) => findConversation(profile.db, a.uuid, peer));
    if (withPeer.length === 1 && withPeer[0]) return withPeer[0];
  }
  throw new UserFacingError(
    'this device has several accounts',
    `Choose one with --from (${candidates.map(accountJid).join(', ')}).`,
    EXIT.usage,
  );
}

function conversationOf(profile: Profile, account: AccountRow, jid: string): ConversationRow {
  const conversation = findConversation(profile.db, account.uuid, jid);
  if (!conversation) {
    throw new UserFacingError(
      `${accountJid(account)} has no conversation with ${bareJid(jid)}`,
      'See `ferry chats` for the conversations on this device.',
      EXIT.usage,
    );
  }
  return conversation;
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

function messageJson(e: StoredMessageEvent) {
  const m = e.message;
  // The user's own messages are from the account; received ones from the contact (or the room
  // occupant).
  const incoming = m.status === MESSAGE_STATUS.received;
  return {
    account: e.accountJid,
    conversation: e.conversationJid,
    group: e.group,
    source: e.source,
    uuid: m.uuid,
    direction: incoming ? 'in' : 'out',
    from: incoming ? m.counterpart : e.accountJid,
    to: incoming ? e.accountJid : m.counterpart,
    time: new Date(m.timeSent).toISOString(),
    body: m.body,
    encryption: m.encryption,
    status: m.status,
    serverMsgId: m.serverMsgId,
  };
}

export function registerChatCommands(program: Command): void {
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
          const reports = await engine.sync(jid).catch((err: unknown) => {
            throw asEngineFailure(err);
          });
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
            const sent = await engine.sendMessage(jid, to, text).catch((err: unknown) => {
              throw asEngineFailure(err);
            });
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

  program
    .command('chats')
    .description('the conversations on this device, with their last message and unread count')
    .option('--json', 'print them as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await withCommandProfile(cmd, (profile) => {
        const summaries = listConversationSummaries(profile.db);
        if (opts.json) {
          process.stdout.write(
            JSON.stringify(
              summaries.map((s) => ({
                account: s.accountJid,
                jid: bareJid(s.conversation.contactJid),
                name: s.conversation.name,
                group: s.conversation.mode === CONVERSATION_MODE.group,
                ...(s.conversation.mode === CONVERSATION_MODE.group
                  ? { encryption: storedRoomEncryption(s.conversation) }
                  : {}),
                archived: s.conversation.status === CONVERSATION_STATUS.archived,
                unread: s.unread,
                last: s.lastMessage
                  ? {
                      time: new Date(s.lastMessage.timeSent).toISOString(),
                      body: shownBody(s.lastMessage),
                    }
                  : null,
              })),
              null,
              2,
            ) + '\n',
          );
          return;
        }
        if (summaries.length === 0) {
          process.stdout.write('no conversations yet\n');
          return;
        }
        const several = new Set(summaries.map((s) => s.accountJid)).size > 1;
        for (const s of summaries) {
          const jid = bareJid(s.conversation.contactJid);
          const name =
            s.conversation.name && s.conversation.name !== ''
              ? `${s.conversation.name} <${jid}>`
              : jid;
          const tags = [
            s.conversation.mode === CONVERSATION_MODE.group ? 'group' : '',
            s.conversation.mode === CONVERSATION_MODE.group
              ? roomEncryptionTag(s.conversation)
              : '',
            s.conversation.status === CONVERSATION_STATUS.archived ? 'archived' : '',
            s.unread > 0 ? `${s.unread} unread` : '',
            several ? `via ${s.accountJid}` : '',
          ].filter((x) => x !== '');
          const last = s.lastMessage
            ? `  ${localTime(s.lastMessage.timeSent)}  ${shownBody(s.lastMessage).split('\n')[0]?.slice(0, 60) ?? ''}`
            : '';
          process.stdout.write(`${name}${tags.length ? `  (${tags.join(', ')})` : ''}${last}\n`);
        }
      });
    });

  program
    .command('chat <jid>')
    .description("a conversation's history (marks it read)")
    .option('--last <n>', 'only the last N messages', parseCount)
    .option('--from <account>', 'the account whose conversation (when the device has several)')
    .option('--json', 'print the messages as JSON')
    .action(
      async (jid: string, opts: { last?: number; from?: string; json?: boolean }, cmd: Command) => {
        await withCommandProfile(cmd, (profile) => {
          const account = chooseAccount(profile, opts.from, jid);
          const conversation = conversationOf(profile, account, jid);
          const group = conversation.mode === CONVERSATION_MODE.group;
          const messages = listMessages(profile.db, conversation.uuid, opts.last);
          markConversationRead(profile.db, conversation.uuid);
          if (opts.json) {
            process.stdout.write(
              JSON.stringify(
                messages
                  .map((m) =>
                    messageJson({
                      accountJid: accountJid(account),
                      conversationJid: bareJid(conversation.contactJid),
                      group,
                      source: 'mam',
                      message: m,
                    }),
                  )
                  .map(({ source: _source, ...rest }) => rest),
                null,
                2,
              ) + '\n',
            );
            return;
          }
          for (const m of messages) process.stdout.write(`${messageLine(m, group)}\n`);
        });
      },
    );
}

/** A group chat's encryption for `ferry chats`: "OMEMO", or why not. */
function roomEncryptionTag(conversation: Parameters<typeof storedRoomEncryption>[0]): string {
  const { state, reason } = storedRoomEncryption(conversation);
  if (state === 'omemo') return 'OMEMO';
  if (state === 'none') return `not encrypted: ${reason ?? 'unknown reason'}`;
  return 'encryption not known yet (join the room once: ferry sync)';
}
