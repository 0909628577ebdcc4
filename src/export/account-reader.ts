import type Database from 'better-sqlite3';
import { CONVERSATION_STATUS } from '../store/codes.js';
import { listTranscriptAccounts, TranscriptQueries } from '../store/transcripts.js';
import {
  bareJid,
  conversationTitle,
  isGroupConversation,
  toInt,
  viewMessage,
  type MessageRow,
  type MessageView,
} from './message-view.js';

/** One account of a database (a profile or a backup's scratch database), as the exports see it. */
export interface AccountSummary {
  uuid: string;
  jid: string;
  displayName: string | null;
}

export interface ConversationSummary {
  uuid: string;
  /** 1-based position in the export's order (most recent activity first). */
  ordinal: number;
  /** The conversation's stored name (room or contact name), if any. */
  name: string | null;
  /** What to call it: the name, else the JID. */
  title: string;
  /** Bare JID of the contact or the room. */
  jid: string;
  group: boolean;
  archived: boolean;
  created: number | null;
  messageCount: number;
  firstTime: number | null;
  lastTime: number | null;
  last: MessageView | null;
}

export function listDatabaseAccounts(db: Database.Database): AccountSummary[] {
  return listTranscriptAccounts(db).map((r) => ({
    uuid: r.uuid,
    jid: `${r.username ?? ''}@${r.server ?? ''}`,
    displayName: r.display_name,
  }));
}

/**
 * Reads one account's conversations and messages with ordered queries. Messages come from an
 * iterator (one row in memory at a time); only the list of conversations is held in memory.
 * better-sqlite3 allows one open iterator per connection, so iterate one conversation at a time.
 */
export class AccountReader {
  readonly conversations: ConversationSummary[];
  private readonly queries: TranscriptQueries;
  private readonly groups = new Map<string, boolean>();

  constructor(
    db: Database.Database,
    readonly account: AccountSummary,
  ) {
    this.queries = new TranscriptQueries(db);
    this.conversations = this.loadConversations();
  }

  private loadConversations(): ConversationSummary[] {
    const rows = this.queries.conversations(this.account.uuid);
    const list = rows.map((c) => {
      const group = isGroupConversation(c);
      this.groups.set(c.uuid, group);
      const s = this.queries.stats(c.uuid);
      const lastRow = this.queries.lastMessage(c.uuid);
      return {
        uuid: c.uuid,
        ordinal: 0,
        name: c.name,
        title: conversationTitle(c),
        jid: c.contactJid ? bareJid(c.contactJid) : '',
        group,
        archived: toInt(c.status) === CONVERSATION_STATUS.archived,
        created: c.created === null ? null : toInt(c.created),
        messageCount: s.n,
        firstTime: s.first === null ? null : toInt(s.first),
        lastTime: s.last === null ? null : toInt(s.last),
        last: lastRow ? this.view(lastRow, group) : null,
      } satisfies ConversationSummary;
    });
    list.sort(
      (a, b) =>
        (b.lastTime ?? b.created ?? 0) - (a.lastTime ?? a.created ?? 0) ||
        (a.jid < b.jid ? -1 : a.jid > b.jid ? 1 : 0) ||
        (a.uuid < b.uuid ? -1 : 1),
    );
    list.forEach((c, i) => (c.ordinal = i + 1));
    return list;
  }

  private view(row: MessageRow, group: boolean): MessageView {
    return viewMessage(row, { group, accountJid: this.account.jid });
  }

  /** The conversation's messages, oldest first (ties in insertion order). */
  *messages(conversation: ConversationSummary): Generator<MessageView> {
    const group = conversation.group;
    for (const row of this.queries.messages(conversation.uuid)) {
      yield this.view(row, group);
    }
  }
}
