/**
 * What ferry asks of a connection before it sends a password: TLS (STARTTLS or direct TLS), a
 * certificate that the trust store vouches for and that names the account's domain — or one the
 * user pinned for that account — and a SASL mechanism no weaker than the one used before.
 * The typed errors here are turned into words in login-errors.ts.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { rootCertificates, type TLSSocket } from 'node:tls';

import {
  CertificateError,
  NoTlsError,
  SaslDowngradeError,
  type CertificateProblem,
} from './errors.js';

export { CertificateError, NoTlsError, SaslDowngradeError, type CertificateProblem };

/** Whether a host is the loopback interface (where the plaintext test-server opt-in may apply). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

const SYSTEM_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt', // Debian, Ubuntu, Alpine
  '/etc/pki/tls/certs/ca-bundle.crt', // Fedora, RHEL
  '/etc/ssl/cert.pem', // macOS, BSDs
];

function readPem(path: string): string[] {
  try {
    const text = readFileSync(path, 'utf8');
    return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  } catch {
    return [];
  }
}

let systemCache: string[] | undefined;

/**
 * The certificate authorities ferry trusts: Node's bundled (Mozilla) list, the system's bundle,
 * the file in `NODE_EXTRA_CA_CERTS` (read again here, since an explicit CA list would otherwise
 * drop it), and `extra` (PEM strings; tests pass their per-run CA).
 */
export function trustedCertificates(extra: readonly string[] = []): string[] {
  if (!systemCache) {
    const set = new Set<string>(rootCertificates);
    for (const path of SYSTEM_BUNDLES) {
      const pems = readPem(path);
      for (const pem of pems) set.add(pem);
      if (pems.length > 0) break;
    }
    const env = process.env.NODE_EXTRA_CA_CERTS;
    if (env) for (const pem of readPem(env)) set.add(pem);
    systemCache = [...set];
  }
  return extra.length === 0 ? systemCache : [...systemCache, ...extra];
}

function problemOf(code: string): CertificateProblem {
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return 'expired';
    case 'CERT_NOT_YET_VALID':
      return 'not-yet-valid';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
    case 'HOSTNAME_MISMATCH':
      return 'wrong-name';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return 'self-signed';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'unknown-issuer';
    default:
      return 'invalid';
  }
}

/**
 * Checks a TLS socket that connected with `rejectUnauthorized: false` (so that the reason can be
 * told): returns undefined when the chain is trusted and names `domain`, or when the certificate is
 * one the account pinned; else the {@link CertificateError} to refuse it with.
 */
export function checkServerCertificate(
  socket: TLSSocket,
  domain: string,
  pinned: readonly string[],
): CertificateError | undefined {
  const cert = socket.getPeerCertificate();
  const fingerprint = cert?.fingerprint256 ?? '';
  if (fingerprint !== '' && pinned.includes(fingerprint.toUpperCase())) return undefined;
  // Node runs its identity check (the certificate names the servername) as part of authorization.
  if (socket.authorized) return undefined;
  const err = socket.authorizationError as unknown;
  const code = String(
    (err as { code?: unknown } | null)?.code ?? (err instanceof Error ? err.message : err),
  );
  const names = new Set<string>();
  if (typeof cert?.subject?.CN === 'string') names.add(cert.subject.CN);
  for (const part of (cert?.subjectaltname ?? '').split(',')) {
    const m = /^\s*DNS:(.+)$/.exec(part);
    if (m?.[1]) names.add(m[1]);
  }
  return new CertificateError(
    problemOf(code),
    fingerprint.toUpperCase(),
    domain,
    [...names],
    pinned.length > 0,
    code,
  );
}
