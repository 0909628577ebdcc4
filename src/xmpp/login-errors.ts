/**
 * Turning connection failures into words — the one place, so the CLI and the web app say the
 * same: what happened, in the user's words, then a hint. Never a stack trace, never the password.
 */
import type { AccountRow } from '../store/accounts.js';
import type { AccountConnectionState } from '../store/account-state.js';
import { NoMechanismError, SASLError } from './sasl.js';
import type { ServerEndpoint } from './server-endpoints.js';
import { ServerUnreachableError } from './errors.js';

export { ServerUnreachableError };
import { CertificateError, NoTlsError, SaslDowngradeError } from './transport-security.js';

/** A SASL failure: wrong password, account gone or disabled on the server. Retrying won't help. */
export function isLoginFailure(err: unknown): boolean {
  return (
    err instanceof SASLError ||
    err instanceof NoMechanismError ||
    (err instanceof Error && err.name === 'SASLError')
  );
}

/** ferry refused the connection as unsafe (no TLS, bad certificate, SASL downgrade). Retrying won't help. */
export function isSecurityRefusal(err: unknown): boolean {
  if (err instanceof ServerUnreachableError)
    return err.attempts.some((a) => isSecurityRefusal(a.error));
  return (
    err instanceof CertificateError ||
    err instanceof NoTlsError ||
    err instanceof SaslDowngradeError
  );
}

export interface ConnectionProblem {
  state: Extract<AccountConnectionState, 'login-failed' | 'unreachable' | 'insecure'>;
  /** What happened. */
  error: string;
  /** What the user can do. */
  hint: string;
  /** The refused certificate's SHA-256 fingerprint, for `trust-cert` / the web app's button. */
  fingerprint?: string;
}

type Who = Pick<AccountRow, 'hostname' | 'port' | 'server' | 'username'>;

function certificateWords(err: CertificateError, jid: string): ConnectionProblem {
  const d = err.domain;
  const what: Record<CertificateError['problem'], string> = {
    expired: `the certificate of ${d} has expired`,
    'not-yet-valid': `the certificate of ${d} is not valid yet (is this computer's clock right?)`,
    'wrong-name': `the certificate presented for ${d} is for another name (${err.names.join(', ') || 'no name'})`,
    'unknown-issuer': `the certificate of ${d} is signed by an authority this computer does not trust`,
    'self-signed': `the certificate of ${d} is self-signed`,
    invalid: `the certificate of ${d} is not valid (${err.code})`,
  };
  const changed = err.pinChanged ? `the certificate of ${d} changed since you trusted it: ` : '';
  return {
    state: 'insecure',
    error:
      `TLS failed: ${changed}${what[err.problem]}. ferry did not log in. ` +
      `SHA-256 fingerprint: ${err.fingerprint}`,
    hint:
      `If you know this is your server's certificate (compare the fingerprint with what its ` +
      `operator publishes), trust it for this account: ferry account trust-cert ${jid} ${err.fingerprint}`,
    fingerprint: err.fingerprint,
  };
}

function networkWords(err: unknown, jid: string, where: string): Omit<ConnectionProblem, 'state'> {
  const code = (err as { code?: unknown } | null)?.code;
  const setHint = `If the server has another address, set it: ferry account set ${jid} --hostname HOST --port PORT.`;
  switch (code) {
    case 'ECONNREFUSED':
      return {
        error: `cannot reach the server of ${jid} at ${where}: connection refused by the server`,
        hint: `The server may be down; ferry tries again. ${setHint}`,
      };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'ENODATA':
      return {
        error: `cannot find the server of ${jid}: the name ${where.replace(/:\d+$/, '')} does not resolve`,
        hint: `Check the address and this computer's network. ${setHint}`,
      };
    case 'ETIMEDOUT':
      return {
        error: `the server of ${jid} at ${where} does not answer (timed out)`,
        hint: `Check this computer's network; ferry tries again. ${setHint}`,
      };
    case 'ECONNRESET':
    case 'EPIPE':
      return {
        error: `the server of ${jid} at ${where} closed the connection`,
        hint: 'ferry tries again.',
      };
  }
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code === 'string' && /SSL|TLS|EPROTO/.test(code)) {
    return {
      error: `TLS failed with the server of ${jid} at ${where}: ${message}`,
      hint: 'The server may not speak TLS on this port. ' + setHint,
    };
  }
  return {
    error: `cannot connect ${jid} to ${where}: ${message}`,
    hint: `ferry tries again. ${setHint}`,
  };
}

function whereOf(account: Who, endpoint?: ServerEndpoint): string {
  if (endpoint) return `${endpoint.host}:${endpoint.port}`;
  const host = account.hostname && account.hostname !== '' ? account.hostname : account.server;
  return `${host}:${account.port ?? 5222}`;
}

/** The words for a failed connection, and the state it leaves the account in. */
export function describeConnectError(
  err: unknown,
  account: Who,
  endpoint?: ServerEndpoint,
): ConnectionProblem {
  const jid = `${account.username}@${account.server}`;
  if (err instanceof ServerUnreachableError) {
    // The most telling failure: a refused certificate beats a refused connection.
    const telling =
      err.attempts.find((a) => isSecurityRefusal(a.error)) ??
      err.attempts.find((a) => (a.error as { code?: unknown }).code !== 'ECONNREFUSED') ??
      err.attempts[0];
    if (!telling) return { state: 'unreachable', ...networkWords(err, jid, whereOf(account)) };
    const problem = describeConnectError(telling.error, account, telling.endpoint);
    const others = err.attempts.length - 1;
    return others > 0 && problem.state === 'unreachable'
      ? {
          ...problem,
          error: `${problem.error} (and ${others} other address${others > 1 ? 'es' : ''} failed)`,
        }
      : problem;
  }
  if (err instanceof CertificateError) return certificateWords(err, jid);
  if (err instanceof NoTlsError) {
    return {
      state: 'insecure',
      error:
        `the server of ${jid} at ${err.where} offers no encryption (no STARTTLS): ` +
        'ferry never logs in without TLS, and sent nothing',
      hint:
        'The server has no TLS, or something on the network removed it. Only for a test server ' +
        `on this computer: ferry account set ${jid} --allow-plaintext-loopback`,
    };
  }
  if (err instanceof SaslDowngradeError) {
    return {
      state: 'insecure',
      error:
        `the server of ${jid} offers only ${err.offered.join(', ') || 'no login method'}, but ${err.pinned} ` +
        'was used before: ferry refuses the weaker login (the connection may be tampered with)',
      hint: `If the server's operator really changed its login methods: ferry account set ${jid} --forget-login-method`,
    };
  }
  if (err instanceof NoMechanismError) {
    return {
      state: 'login-failed',
      error: `the server of ${jid} offers no login method ferry can use safely (it offers ${err.offered.join(', ') || 'none'})`,
      hint: 'ferry logs in with SCRAM-SHA-256, SCRAM-SHA-1, or PLAIN over TLS.',
    };
  }
  if (isLoginFailure(err)) {
    const condition = (err as { condition?: unknown }).condition;
    const hint = `Check the password: remove the account and add it again, or import a newer backup.`;
    if (condition === 'account-disabled')
      return { state: 'login-failed', error: `the server has disabled the account ${jid}`, hint };
    if (condition === 'credentials-expired')
      return { state: 'login-failed', error: `the password of ${jid} has expired`, hint };
    return {
      state: 'login-failed',
      error: `the server refused the login of ${jid}: wrong password, or the account no longer exists`,
      hint,
    };
  }
  return { state: 'unreachable', ...networkWords(err, jid, whereOf(account, endpoint)) };
}

/** "next try in 40 s" (or in 3 min), for a retry at `retryAt` (ms since the epoch). */
export function retryWords(retryAt: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((retryAt - now) / 1000));
  if (s < 90) return `next try in ${s} s`;
  return `next try in ${Math.round(s / 60)} min`;
}
