/**
 * A synthetic Conversations account as database rows (values as SQLite returns them), in the order
 * Conversations exports them: account, conversations, messages, prekeys, signed prekeys, sessions,
 * identities. Deterministic (seeded), lazy (memory stays flat for any number of messages).
 * Used by benchmarks: `syntheticAccountRows({ jid, password, messages: 1_000_000 })`.
 */
import type { DbRow } from '@ferry/ceb-format';

export interface SyntheticAccount {
  jid: string;
  password: string;
  messages: number;
  /** Default: 20 (every fifth one a group chat). */
  conversations?: number;
  /** PRNG seed; default 1. */
  seed?: number;
}

const BODIES = [
  'Hi! Are we still on for tonight?',
  "Sure, I'll be there at 8 — don't be late 😉",
  'He said "hi" and then "bye".',
  'Line one\nLine two\nLine three',
  'Grüße aus Köln! Ça va? ¿Qué tal? Привет! 你好 🌍🚲',
  "It's the 'quoted' one; with ''doubled'' quotes.",
  'https://example.org/some/path?x=1&y=2',
  '12345',
  'ok',
  'Can you send me the file again? The last one was broken.\r\nThanks!',
  'مرحبا بالعالم \u200f(right-to-left)\u200f',
  'SELECT * FROM messages; -- not SQL, just a message',
  '{"json": "lookalike", "n": [1, 2, 3]}',
  'a longer message that goes on for a while, as people sometimes write when they have a lot to say about the day, the weather, the train that was late again, and what they plan for the weekend',
];
const NAMES = ['jonas', 'zoe', 'marie', 'li.wei', 'björn', 'ana', 'olu', 'sasha', 'kim', 'noor'];
const SERVERS = ['conversations.im', 'jabber.de', '404.city', 'disroot.org', 'example.org'];

/** Small, fast, seeded PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuid(rand: () => number): string {
  const h = (): string =>
    Math.floor(rand() * 4294967296)
      .toString(16)
      .padStart(8, '0');
  const a = h();
  const b = h();
  const c = h();
  const d = h();
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-a${c.slice(1, 4)}-${c.slice(4, 8)}${d}`;
}

function base64(rand: () => number, bytes: number): string {
  const buf = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) buf[i] = Math.floor(rand() * 256);
  return buf.toString('base64');
}

export function* syntheticAccountRows(opts: SyntheticAccount): Generator<DbRow> {
  const rand = prng(opts.seed ?? 1);
  const [username = 'user', server = 'example.org'] = opts.jid.split('@');
  const accountUuid = uuid(rand);
  const start = 1577836800000;
  yield {
    table: 'accounts',
    values: {
      uuid: accountUuid,
      username,
      server,
      password: opts.password,
      display_name: null,
      status: null,
      status_message: null,
      rosterversion: 'ver-1',
      options: 192,
      avatar: null,
      keys: JSON.stringify({ axolotl_cur_prekey_id: '100', axolotl_reg_id: '123456789' }),
      hostname: null,
      resource: 'Conversations.Bench',
      pinned_mechanism: 'SCRAM-SHA-256',
      pinned_channel_binding: null,
      fast_mechanism: null,
      fast_token: null,
      port: 5222,
    },
  };
  const count = Math.max(1, opts.conversations ?? 20);
  const conversations: { uuid: string; jid: string; group: boolean }[] = [];
  for (let i = 0; i < count; i++) {
    const group = i % 5 === 4;
    const name = NAMES[i % NAMES.length] as string;
    const host = SERVERS[i % SERVERS.length] as string;
    const jid = group ? `room${i}@conference.${host}` : `${name}${i}@${host}`;
    const conv = { uuid: uuid(rand), jid, group };
    conversations.push(conv);
    yield {
      table: 'conversations',
      values: {
        uuid: conv.uuid,
        name: group ? `Room ${i}` : null,
        contactUuid: null,
        accountUuid,
        contactJid: jid,
        created: start + i * 1000,
        status: 0,
        mode: group ? 1 : 0,
        attributes: '{}',
      },
    };
  }
  for (let i = 0; i < opts.messages; i++) {
    const conv = conversations[i % conversations.length] as (typeof conversations)[number];
    const sent = rand() < 0.5;
    const body = BODIES[Math.floor(rand() * BODIES.length)] as string;
    const nick = NAMES[Math.floor(rand() * NAMES.length)] as string;
    yield {
      table: 'messages',
      values: {
        uuid: uuid(rand),
        conversationUuid: conv.uuid,
        timeSent: start + i * 7000,
        counterpart: conv.group ? `${conv.jid}/${nick}` : `${conv.jid}/phone`,
        trueCounterpart: null,
        body,
        encryption: rand() < 0.3 ? 5 : 0,
        status: sent ? 8 : 0,
        type: 0,
        relativeFilePath: null,
        serverMsgId: uuid(rand),
        axolotl_fingerprint: null,
        carbon: 0,
        edited: null,
        read: 1,
        oob: 0,
        errorMsg: null,
        readByMarkers: '[]',
        markable: 1,
        remoteMsgId: uuid(rand),
        deleted: 0,
        bodyLanguage: null,
        occupantId: null,
        reactions: null,
      },
    };
  }
  for (let id = 1; id <= 100; id++) {
    yield { table: 'prekeys', values: { account: accountUuid, id, key: base64(rand, 70) } };
  }
  yield {
    table: 'signed_prekeys',
    values: { account: accountUuid, id: 1, key: base64(rand, 140) },
  };
  for (const conv of conversations.filter((c) => !c.group)) {
    yield {
      table: 'sessions',
      values: {
        account: accountUuid,
        name: conv.jid.split('/')[0] ?? conv.jid,
        device_id: 1000 + conversations.indexOf(conv),
        key: base64(rand, 600),
      },
    };
  }
  yield {
    table: 'identities',
    values: {
      account: accountUuid,
      name: opts.jid,
      ownkey: 1,
      fingerprint: base64(rand, 33),
      certificate: null,
      trust: 'TRUSTED',
      active: 1,
      last_activation: start,
      key: base64(rand, 70),
    },
  };
}
