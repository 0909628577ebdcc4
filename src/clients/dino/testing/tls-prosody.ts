/**
 * The test Prosody (xmpp/testing/prosody.ts) serving two domains: `dino.test`, STARTTLS required
 * with a certificate from a per-run test CA (xmpp/testing/test-ca.ts) — the account Dino uses, and
 * ferry's copies of it, which trust that CA — and `ferry.test`, plain text on loopback (with the
 * explicit opt-in) for the contact's ferry client. The two hosts reach each other inside Prosody;
 * s2s stays off.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startProsody, type ProsodyServer } from '../../../xmpp/testing/prosody.js';
import { createTestCa } from '../../../xmpp/testing/test-ca.js';

const execFileAsync = promisify(execFile);

export const DINO_DOMAIN = 'dino.test';

export interface TwoDomainProsody {
  server: ProsodyServer;
  /** The test CA's certificate (PEM), for Dino's trust store and ferry's `extraCaCertificates`. */
  caPem: string;
  /** Creates `user@dino.test`. */
  registerDinoUser(user: string, password: string): Promise<void>;
  /** Stops the server and removes the CA. */
  stop(): Promise<void>;
}

function lua(s: string): string {
  return JSON.stringify(s);
}

export async function startTwoDomainProsody(): Promise<TwoDomainProsody> {
  const ca = createTestCa();
  try {
    const cert = ca.issue(DINO_DOMAIN);
    const server = await startProsody({
      domain: 'ferry.test',
      archive: 'internal',
      extraGlobalConfig: [
        `VirtualHost ${lua(DINO_DOMAIN)}`,
        `  modules_enabled = { "tls" }`,
        `  modules_disabled = { "s2s" }`,
        `  ssl = { certificate = ${lua(cert.certPath)}, key = ${lua(cert.keyPath)} }`,
        `  c2s_require_encryption = true`,
        `  allow_unencrypted_plain_auth = false`,
        ``,
      ].join('\n'),
    });
    const configPath = join(server.dir, 'prosody.cfg.lua');
    return {
      server,
      caPem: ca.pem,
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
      async stop() {
        await server.stop();
        ca.remove();
      },
    };
  } catch (err) {
    ca.remove();
    throw err;
  }
}
