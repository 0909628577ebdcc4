/**
 * Test helpers for moves between clients: ferry accounts with OMEMO on a test Prosody, what they
 * stored, and what an account has published (device list, bundle identity key) as any contact
 * sees it.
 */
import type { TestContext } from 'node:test';
import { client, xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import { addAccount, findAccountByJid } from '../../store/accounts.js';
import { findConversation } from '../../store/conversations.js';
import { listMessages, type MessageRow } from '../../store/messages.js';
import { openProfile, type Profile } from '../../store/profile.js';
import { readSession, writeAccountKey } from '../../store/omemo-keys.js';
import { BUNDLES_NODE_PREFIX, DEVICELIST_NODE } from '../../omemo/omemo-element.js';
import { OmemoCrypto, type OmemoEvent } from '../../omemo/omemo-crypto.js';
import { SessionRecordCodec } from '../../omemo/records.js';
import { Engine, type EngineOptions } from '../../xmpp/engine.js';
import type { ProsodyServer } from '../../xmpp/testing/prosody.js';

export const fast: EngineOptions = { backoff: { initialMs: 50, maxMs: 400 }, watchAccountsMs: 0 };

/** Everything a test starts, ended in reverse order after it, whatever happened. */
export function cleanupAfter(t: TestContext) {
  const steps: (() => unknown)[] = [];
  t.after(async () => {
    for (const step of steps.reverse()) {
      try {
        await step();
      } catch {
        // keep cleaning up
      }
    }
  });
  return (step: () => unknown) => steps.push(step);
}

/**
 * The test server is plaintext on loopback: the account's explicit opt-in for it (the `keys` entry
 * of issue 13's account settings; without it ferry requires TLS).
 */
export function allowPlaintextLoopback(profile: Profile, accountUuid: string): void {
  writeAccountKey(profile.db, accountUuid, 'ferry_allow_plaintext_loopback', 'true');
}

export interface FerryPeer {
  profile: Profile;
  engine: Engine;
  events: OmemoEvent[];
  /** Every stanza the account's connection received. */
  stanzas: Element[];
  stop(): Promise<void>;
}

/** A ferry profile in `dir` with the account `jid` (password `pw`), online with OMEMO. */
export async function ferryPeer(
  server: ProsodyServer,
  dir: string,
  jid: string,
  password: string,
  onCleanup: (step: () => unknown) => void,
  opts: { add?: boolean } = {},
): Promise<FerryPeer> {
  const profile = openProfile(dir);
  onCleanup(() => profile.close());
  if (opts.add !== false) {
    const row = addAccount(profile.db, { jid, password, hostname: '127.0.0.1', port: server.port });
    allowPlaintextLoopback(profile, row.uuid);
  }
  const events: OmemoEvent[] = [];
  const engine = new Engine(profile, {
    ...fast,
    crypto: new OmemoCrypto(profile.db, (e) => events.push(e)),
  });
  const caught = new Promise((r) => engine.once('catchup-done', r));
  await engine.start();
  await caught;
  const stanzas: Element[] = [];
  engine.channel(jid)?.onStanza((s) => stanzas.push(s));
  let stopped = false;
  const stop = async () => {
    if (!stopped) await engine.stop();
    stopped = true;
  };
  onCleanup(stop);
  return { profile, engine, events, stanzas, stop };
}

/** The messages `owner` stored in its chat with `peer`. */
export function chatMessages(profile: Profile, owner: string, peer: string): MessageRow[] {
  const account = findAccountByJid(profile.db, owner);
  const conversation = account && findConversation(profile.db, account.uuid, peer);
  return conversation ? listMessages(profile.db, conversation.uuid) : [];
}

/**
 * Which session `owner` has with a device: the base key that identifies it (the same as long as
 * no new session was built), or undefined.
 */
export function sessionId(
  profile: Profile,
  owner: string,
  peer: string,
  deviceId: number,
): string | undefined {
  const account = findAccountByJid(profile.db, owner);
  if (!account) return undefined;
  const bytes = readSession(profile.db, account.uuid, peer, deviceId);
  if (!bytes) return undefined;
  const base = SessionRecordCodec.decode(bytes).currentSession?.aliceBaseKey;
  return base ? Buffer.from(base).toString('base64') : undefined;
}

/** Whether a message stanza carries an OMEMO key marked as a prekey message. */
export function isPreKeyMessage(stanza: Element): boolean {
  const header = stanza.getChild('encrypted')?.getChild('header');
  return (header?.getChildren('key') ?? []).some(
    (k) => k.attrs.prekey === 'true' || k.attrs.prekey === '1',
  );
}

/** What `jid` has published, as the contact `asUser` fetches it: device ids and each bundle's identity key. */
export async function publishedOmemo(
  server: ProsodyServer,
  asUser: string,
  password: string,
  jid: string,
): Promise<{ devices: number[]; identityKeys: Record<number, string> }> {
  const c = client({
    service: server.service,
    domain: server.domain,
    username: asUser,
    password,
    resource: 'pep-check',
  });
  c.on('error', () => {});
  c.reconnect.stop();
  await c.start();
  try {
    const items = async (node: string) => {
      const res = (await c.iqCaller.request(
        xml(
          'iq',
          { type: 'get', to: jid },
          xml('pubsub', { xmlns: 'http://jabber.org/protocol/pubsub' }, xml('items', { node })),
        ),
      )) as Element;
      return res.getChild('pubsub')?.getChild('items')?.getChildren('item') ?? [];
    };
    const [list] = await items(DEVICELIST_NODE);
    const devices = (list?.getChild('list')?.getChildren('device') ?? [])
      .map((d) => Number(d.attrs.id))
      .sort((a, b) => a - b);
    const identityKeys: Record<number, string> = {};
    for (const id of devices) {
      const [bundle] = await items(`${BUNDLES_NODE_PREFIX}${id}`);
      identityKeys[id] = bundle?.getChild('bundle')?.getChildText('identityKey')?.trim() ?? '';
    }
    return { devices, identityKeys };
  } finally {
    await c.stop();
  }
}
