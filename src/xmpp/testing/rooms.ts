/**
 * Rooms for tests, made the way a room owner would with any client: join (Prosody creates the room),
 * submit the configuration form (members-only, who may see real JIDs), hand out memberships, leave.
 *
 *   await createRoom(server, { user: 'alice', password: 'pw-alice' }, room, {
 *     membersOnly: true, nonAnonymous: true, members: [bob, carol] });
 */
import { client, xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import type { ProsodyServer } from './prosody.js';

const MUC = 'http://jabber.org/protocol/muc';
const MUC_OWNER = 'http://jabber.org/protocol/muc#owner';
const MUC_ADMIN = 'http://jabber.org/protocol/muc#admin';

export interface RoomSetup {
  membersOnly: boolean;
  /** Real JIDs visible to every occupant (`muc#roomconfig_whois` = anyone). */
  nonAnonymous: boolean;
  /** Bare JIDs made members. */
  members?: string[];
}

export async function createRoom(
  server: Pick<ProsodyServer, 'service' | 'domain'>,
  owner: { user: string; password: string },
  room: string,
  setup: RoomSetup,
): Promise<void> {
  const c = client({
    service: server.service,
    domain: server.domain,
    username: owner.user,
    password: owner.password,
    resource: 'room-setup',
  });
  c.on('error', () => {});
  c.reconnect.stop();
  await c.start();
  // As in contact.ts: nothing is sent before xmpp.js enabled stream management.
  const sm = c.streamManagement as unknown as { enabled: boolean };
  for (let i = 0; i < 500 && !sm.enabled; i++) await new Promise((r) => setTimeout(r, 5));
  try {
    const joined = new Promise<void>((resolve, reject) => {
      c.on('stanza', (s: Element) => {
        if (!s.is('presence') || !String(s.attrs.from).startsWith(`${room}/`)) return;
        if (s.attrs.type === 'error') reject(new Error(`cannot create ${room}`));
        else resolve();
      });
    });
    await c.send(xml('presence', { to: `${room}/setup` }, xml('x', { xmlns: MUC })));
    await joined;
    const field = (name: string, value: string) =>
      xml('field', { var: name }, xml('value', {}, value));
    await c.iqCaller.request(
      xml(
        'iq',
        { type: 'set', to: room },
        xml(
          'query',
          { xmlns: MUC_OWNER },
          xml(
            'x',
            { xmlns: 'jabber:x:data', type: 'submit' },
            field('FORM_TYPE', 'http://jabber.org/protocol/muc#roomconfig'),
            field('muc#roomconfig_persistentroom', '1'),
            field('muc#roomconfig_membersonly', setup.membersOnly ? '1' : '0'),
            field('muc#roomconfig_whois', setup.nonAnonymous ? 'anyone' : 'moderators'),
            field('muc#roomconfig_publicroom', setup.membersOnly ? '0' : '1'),
          ),
        ),
      ),
    );
    for (const member of setup.members ?? []) {
      await c.iqCaller.request(
        xml(
          'iq',
          { type: 'set', to: room },
          xml('query', { xmlns: MUC_ADMIN }, xml('item', { jid: member, affiliation: 'member' })),
        ),
      );
    }
    await c.send(xml('presence', { to: `${room}/setup`, type: 'unavailable' }));
  } finally {
    await c.stop();
  }
}
