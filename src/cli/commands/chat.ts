/**
 * `ferry chats`, `ferry chat JID`: the conversations on this device, read from the profile without
 * going online; and what the chat commands share (the account chosen, a message as JSON). The
 * commands that go online — sync, run, send — are in engine-commands.ts.
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
import { storedRoomEncryption } from '../../xmpp/rooms.js';
import type { StoredMessageEvent } from '../../xmpp/message-intake.js';
import { EXIT, UserFacingError } from '../failure.js';
import { parseCount } from '../options.js';
import { withCommandProfile } from './account.js';
import { localTime, messageLine, shownBody } from './chat-format.js';

/** The account to send from / look in: --from, else the only enabled one, else the one chatting with `peer`. */
export function chooseAccount(
  profile: Profile,
  from: string | undefined,
  peer?: string,
): AccountRow {
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

/** A message as `--json` prints it (sync, run, send, chat). */
export function messageJson(e: StoredMessageEvent) {
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

/** `ferry chats` and `ferry chat JID`: the conversations on this device, read from the profile. */
export function registerLocalChatCommands(program: Command): void {
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
