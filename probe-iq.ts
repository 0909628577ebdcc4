import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addAccount } from './src/store/accounts.js';
import { openProfile } from './src/store/profile.js';
import { Engine } from './src/xmpp/engine.js';
import { startProsody } from './src/xmpp/testing/prosody.js';
import { OmemoCrypto } from './src/omemo/omemo-crypto.js';
const server = await startProsody();
await server.register('bob', 'pw-bob'); await server.register('alice', 'pw-alice');
const mk = (u: string) => { const p = openProfile(mkdtempSync(join(tmpdir(), 'probe-'))); addAccount(p.db, { jid: `${u}@${server.domain}`, password: `pw-${u}`, hostname: '127.0.0.1', port: server.port }); return p; };
const pa = mk('alice'); const pb = mk('bob');
const ea = new Engine(pa, { watchAccountsMs: 0, crypto: new OmemoCrypto(pa.db) }); await ea.sync(`alice@${server.domain}`); await ea.stop();
const crypto = new OmemoCrypto(pb.db);
const e = new Engine(pb, { watchAccountsMs: 0, crypto });
const ready = new Promise((r) => e.once('catchup-done', r));
await e.start(); await ready;
const ch0 = e.channel(`bob@${server.domain}`)!;
let log: string[] = [];
const ch = { ...ch0, account: ch0.account, iq: async (r: any, t?: number) => { const t0 = performance.now(); const x = await ch0.iq(r, t); log.push((performance.now()-t0).toFixed(1)); return x; } } as any;
for (let i = 0; i < 20; i++) { log = []; const t0 = performance.now(); const r = await crypto.encryptOutgoing(ch, `alice@${server.domain}`, 'x', { messageId: 'x', group: false }); const t1 = performance.now(); await ch0.send(require_xml(r)); console.log('encrypt', (t1-t0).toFixed(1), log.join(' '), 'send', (performance.now()-t1).toFixed(1)); }
function require_xml(r: any) { return r.elements[0]; }
await e.stop(); await server.stop(); pa.close(); pb.close();
