import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addAccount } from '../src/store/accounts.js';
import { openProfile } from '../src/store/profile.js';
import { Engine } from '../src/xmpp/engine.js';
import { OmemoCrypto } from '../src/omemo/omemo-crypto.js';
const port = Number(process.argv[2]);
const p = openProfile(mkdtempSync(join(tmpdir(), 'probe-alice-')));
addAccount(p.db, { jid: 'alice@ferry.test', password: 'pw-alice', hostname: '127.0.0.1', port });
const e = new Engine(p, { watchAccountsMs: 0, crypto: new OmemoCrypto(p.db, (ev) => console.log('EV', JSON.stringify(ev))) });
e.on('message', async (m: any) => {
  console.log('MSG', m.source, m.message.body, m.message.encryption);
  if (m.source !== 'sent' && m.message.encryption === 5) {
    try { const s = await e.sendMessage('alice@ferry.test', 'carol@ferry.test', 'hello from ferry'); console.log('SENT', s.encryption); } catch (err) { console.log('SENDERR', (err as Error).message); }
  }
});
await e.start();
console.log('ONLINE');
setTimeout(async () => { await e.stop(); p.close(); process.exit(0); }, 25000);
