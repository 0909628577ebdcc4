/**
 * A certificate authority made for one test run with the real `openssl` command: a CA certificate
 * a test trusts on purpose (ferry's `extraCaCertificates` engine option, Node's
 * `NODE_EXTRA_CA_CERTS` for a spawned `ferry`, or another client's trust store), and server
 * certificates it issues — valid, for another name, expired — plus self-signed ones.
 *
 *   const ca = createTestCa();
 *   t.after(() => ca.remove());
 *   const cert = ca.issue('ferry.test');                 // { certPath, keyPath, pem }
 *   const server = await startProsody({ tls: { ...cert } });
 *   // trust ca.pem (or ca.certPath) in the client
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificate {
  /** PEM file of the certificate. */
  certPath: string;
  /** PEM file of its private key (unencrypted). */
  keyPath: string;
  /** The certificate, PEM. */
  pem: string;
}

export interface IssueOptions {
  /** DNS names in subjectAltName; default `[commonName]`. */
  altNames?: string[];
  /** Validity in days from now; a negative number makes a certificate that has already expired. Default 2. */
  days?: number;
}

export interface TestCa {
  /** The CA certificate file (PEM). */
  certPath: string;
  /** The CA certificate, PEM: what a test trusts. */
  pem: string;
  /** A server certificate signed by this CA. */
  issue(commonName: string, opts?: IssueOptions): TestCertificate;
  /** A self-signed server certificate (no CA behind it). */
  selfSigned(commonName: string, opts?: IssueOptions): TestCertificate;
  /** Removes the folder with every key and certificate. */
  remove(): void;
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Makes a new CA in a temporary folder (0700, removed by `remove()`). */
export function createTestCa(name = 'ferry test CA'): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-test-ca-'));
  let n = 0;
  openssl(
    [
      'req',
      '-x509',
      ...KEY,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '3',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  const certPath = join(dir, 'ca.crt');

  const extFile = (commonName: string, opts: IssueOptions): string => {
    const names = opts.altNames ?? [commonName];
    const file = join(dir, `ext-${++n}.cnf`);
    writeFileSync(
      file,
      `subjectAltName=${names.map((s) => `DNS:${s}`).join(',')}\n` +
        `basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
    );
    return file;
  };

  const sign = (commonName: string, opts: IssueOptions, selfSigned: boolean): TestCertificate => {
    const base = `${selfSigned ? 'self' : 'leaf'}-${++n}`;
    const keyPath = join(dir, `${base}.key`);
    const out = join(dir, `${base}.crt`);
    const ext = extFile(commonName, opts);
    openssl(
      ['req', ...KEY, '-keyout', keyPath, '-out', `${base}.csr`, '-subj', `/CN=${commonName}`],
      dir,
    );
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${base}.csr`,
        ...(selfSigned
          ? ['-signkey', keyPath]
          : ['-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial']),
        '-out',
        out,
        '-days',
        String(opts.days ?? 2),
        '-extfile',
        ext,
      ],
      dir,
    );
    return { certPath: out, keyPath, pem: readFileSync(out, 'utf8') };
  };

  return {
    certPath,
    pem: readFileSync(certPath, 'utf8'),
    issue: (commonName, opts = {}) => sign(commonName, opts, false),
    selfSigned: (commonName, opts = {}) => sign(commonName, opts, true),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
