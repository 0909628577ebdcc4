import { addAccount } from '../../store/accounts.js';
import type { Profile } from '../../store/profile.js';

/**
 * Fills a profile with one account and `messages` messages spread over a few one-to-one and group
 * conversations — realistic rows, written directly with SQL (fast), for tests that need volume.
 */
export function addSyntheticAccount(
  profile: Profile,
  jid: string,
  password: string,
  messages: number,
): string {
  const account = addAccount(profile.db, { jid, password });
  const insertConversation = profile.db.prepare(
    `INSERT INTO conversations (uuid, name, accountUuid, contactJid, created, status, mode, attributes)
     VALUES (?, NULL, ?, ?, ?, 0, ?, '{}')`,
  );
  const insertMessage = profile.db.prepare(
    `INSERT INTO messages (uuid, conversationUuid, timeSent, counterpart, body, encryption, status, type,
       serverMsgId, carbon, edited, read, oob, readByMarkers, markable, deleted, remoteMsgId)
     VALUES (?, ?, ?, ?, ?, 0, ?, 0, ?, 0, '[]', 1, 0, '[]', 1, 0, ?)`,
  );
  const words = (
    'hello see you tomorrow ok thanks 😀 שלום привет 你好 meeting lunch train late photo call ' +
    'yes no maybe tonight weekend Berlin the a is it was "quoted" it\'s fine sure great'
  ).split(' ');
  let seed = 12345;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed;
  };
  const body = (i: number): string => {
    const n = 3 + (next() % 25);
    const parts: string[] = [];
    for (let w = 0; w < n; w++) parts.push(words[next() % words.length] ?? '');
    return `${parts.join(' ')} #${i}`;
  };
  profile.db.transaction(() => {
    const conversations: { uuid: string; jid: string; group: boolean }[] = [];
    for (let c = 0; c < 8; c++) {
      const group = c % 4 === 3;
      const contact = group ? `room${c}@conference.example.org` : `friend${c}@example.net`;
      const uuid = `${account.uuid.slice(0, 8)}-conv-${c}`;
      insertConversation.run(uuid, account.uuid, contact, 1_600_000_000_000 + c, group ? 1 : 0);
      conversations.push({ uuid, jid: contact, group });
    }
    for (let i = 0; i < messages; i++) {
      const conv = conversations[i % conversations.length];
      if (!conv) continue;
      const sent = i % 3 === 0;
      insertMessage.run(
        `${account.uuid.slice(0, 8)}-msg-${i}`,
        conv.uuid,
        1_600_000_000_000 + i * 1000,
        conv.group ? `${conv.jid}/nick${i % 7}` : conv.jid,
        body(i),
        sent ? 8 : 0,
        `srv-${i}`,
        `rid-${i}`,
      );
    }
  })();
  return account.uuid;
}
