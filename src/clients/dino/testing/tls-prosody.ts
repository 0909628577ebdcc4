/**
 * The test Prosody (xmpp/testing/prosody.ts) serving two domains: `ferry.test`, plain text on
 * loopback for ferry's own test clients, and `dino.test`, for the account Dino uses, which can be
 * switched to STARTTLS with a certificate from a per-run test CA (Dino accepts nothing else).
 * Switching restarts the server on the same port and data (archive kept), so a test can set up an
 * account with ferry first and hand it to Dino afterwards. The two hosts reach each other inside
 * Prosody; s2s stays off.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startProsody, type ProsodyServer } from '../../../xmpp/testing/prosody.js';
import { makeTestCa, type TestCa } from './test-ca.js';

const execFileAsync = promisify(execFile);
const MARK = '-- ferry: dino.test TLS --';

export const DINO_DOMAIN = 'dino.test';

export interface TwoDomainProsody {
  server: ProsodyServer;
  ca: TestCa;
  /** Creates `user@dino.test`. */
  registerDinoUser(user: string, password: string): Promise<void>;
  /** Turns STARTTLS with the test certificate on (or off) for dino.test; restarts Prosody. */
  setDinoTls(on: boolean): Promise<void>;
}

function lua(s: string): string {
  return JSON.stringify(s);
}

export async function startTwoDomainProsody(): Promise<TwoDomainProsody> {
  const server = await startProsody({
    domain: 'ferry.test',
    archive: 'internal',
    extraGlobalConfig: `VirtualHost ${lua(DINO_DOMAIN)}\n${MARK}\n${MARK}\n`,
  });
  const ca = makeTestCa(join(server.dir, 'test-ca'), DINO_DOMAIN);
  const configPath = join(server.dir, 'prosody.cfg.lua');
  const tlsLines = [
    `  modules_enabled = { "tls" }`,
    `  modules_disabled = { "s2s" }`,
    `  ssl = { certificate = ${lua(ca.certFile)}, key = ${lua(ca.keyFile)} }`,
    `  c2s_require_encryption = true`,
  ].join('\n');
  return {
    server,
    ca,
    async registerDinoUser(user, password) {
      await execFileAsync('prosodyctl', [
        '--config',
        configPath,
        'register',
        user,
        DINO_DOMAIN,
        password,
      ]);
    },
    async setDinoTls(on) {
      const text = readFileSync(configPath, 'utf8');
      const start = text.indexOf(MARK);
      const end = text.indexOf(MARK, start + MARK.length);
      const next = `${text.slice(0, start + MARK.length)}\n${on ? tlsLines : ''}\n${text.slice(end)}`;
      writeFileSync(configPath, next);
      await server.restart();
    },
  };
}
