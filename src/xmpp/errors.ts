/**
 * Typed errors of the XMPP layer, in a module of their own (no xmpp.js behind it) so the error
 * table (src/errors/) can name them without loading the engine. The files that throw them
 * re-export them where they were defined before.
 */
import type { AccountConnectionState } from '../store/account-state.js';
import type { ServerEndpoint } from './server-endpoints.js';

/** A failure of the engine that the user can act on (the CLI turns it into words and a hint). */
export class EngineError extends Error {
  override name = 'EngineError';
  constructor(
    readonly code: 'not-connected' | 'not-joined' | 'unknown-account' | 'account-disabled',
    message: string,
    readonly jid?: string,
  ) {
    super(message);
  }
}

/** An account did not come online (`state` says how far it got). */
export class ConnectError extends Error {
  override name = 'ConnectError';
  readonly code = 'connect-failed';
  constructor(
    readonly state: AccountConnectionState,
    message: string,
  ) {
    super(message);
  }
}

/** Every endpoint of the server was tried and none connected. */
export class ServerUnreachableError extends Error {
  override name = 'ServerUnreachableError';
  readonly code = 'server-unreachable';
  constructor(readonly attempts: { endpoint: ServerEndpoint; error: unknown }[]) {
    super('no endpoint of the server could be reached');
  }
}

/** The server's SASL answer was a `<failure/>` (wrong password, account disabled…). Same name as xmpp.js's. */
export class SASLError extends Error {
  override name = 'SASLError';
  readonly code = 'sasl-failure';
  constructor(
    readonly condition: string,
    readonly text: string | undefined,
  ) {
    super(text ? `${condition}: ${text}` : condition);
  }
}

/** The server offers no mechanism ferry may use on this connection. */
export class NoMechanismError extends Error {
  override name = 'NoMechanismError';
  readonly code = 'no-sasl-mechanism';
  constructor(
    readonly offered: string[],
    readonly secure: boolean,
  ) {
    super(`no usable SASL mechanism among ${offered.join(', ') || 'none'}`);
  }
}

/** Why a server certificate was not accepted. */
export type CertificateProblem =
  'expired' | 'not-yet-valid' | 'wrong-name' | 'unknown-issuer' | 'self-signed' | 'invalid';

/**
 * The server's certificate was refused; nothing was sent over the connection. (Its `code` is
 * OpenSSL's, kept for diagnosis; the error table knows it as `xmpp.certificate-refused`.)
 */
export class CertificateError extends Error {
  override name = 'CertificateError';
  constructor(
    readonly problem: CertificateProblem,
    /** SHA-256 fingerprint of the server's certificate (`AB:CD:…`), what `trust-cert` takes. */
    readonly fingerprint: string,
    /** The domain the certificate had to name. */
    readonly domain: string,
    /** The names the certificate does hold (subject CN and DNS alt names). */
    readonly names: string[],
    /** The account had trusted another certificate on purpose: this one is new. */
    readonly pinChanged: boolean,
    /** OpenSSL's code, for diagnosis. */
    readonly code: string,
  ) {
    super(`certificate refused (${problem}, ${code})`);
  }
}

/** The connection would not be encrypted (no TLS offered, or STARTTLS stripped): nothing was sent. */
export class NoTlsError extends Error {
  override name = 'NoTlsError';
  readonly code = 'no-tls';
  constructor(readonly where: string) {
    super(`no TLS offered by ${where}`);
  }
}

/** The server offers only SASL mechanisms weaker than the one this account used before. */
export class SaslDowngradeError extends Error {
  override name = 'SaslDowngradeError';
  readonly code = 'sasl-downgrade';
  constructor(
    readonly pinned: string,
    readonly offered: string[],
  ) {
    super(`SASL downgrade: ${pinned} was used before; offered ${offered.join(', ') || 'nothing'}`);
  }
}

/** The profile database was closed while a write waited for it to be free. */
export class DatabaseClosedError extends Error {
  readonly code = 'database-closed';
  constructor() {
    super('the profile database was closed while waiting for it to be free');
    this.name = 'DatabaseClosedError';
  }
}
