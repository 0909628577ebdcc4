/** Turning connection failures into words for the account's stored state. */
import type { AccountRow } from '../store/accounts.js';

/** A SASL failure: wrong password, account gone or disabled on the server. Retrying won't help. */
export function isLoginFailure(err: unknown): boolean {
  return err instanceof Error && err.name === 'SASLError';
}

function where(account: Pick<AccountRow, 'hostname' | 'port' | 'server'>): string {
  const host = account.hostname && account.hostname !== '' ? account.hostname : account.server;
  return `${host}:${account.port ?? 5222}`;
}

/** One sentence for the user; never a stack trace, never the password. */
export function describeConnectError(
  err: unknown,
  account: Pick<AccountRow, 'hostname' | 'port' | 'server' | 'username'>,
): string {
  const jid = `${account.username}@${account.server}`;
  if (isLoginFailure(err)) {
    const condition = (err as { condition?: unknown }).condition;
    if (condition === 'account-disabled') return `the server has disabled the account ${jid}`;
    if (condition === 'credentials-expired') return `the password of ${jid} has expired`;
    return `the server refused the login of ${jid}: wrong password, or the account no longer exists`;
  }
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return `cannot reach the server of ${jid} at ${where(account)} (connection refused)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot find the server of ${jid} (${where(account)}): the name does not resolve`;
    case 'ETIMEDOUT':
      return `the server of ${jid} at ${where(account)} does not answer (timed out)`;
    case 'ECONNRESET':
      return `the server of ${jid} closed the connection`;
  }
  const message = err instanceof Error ? err.message : String(err);
  return `cannot connect ${jid} to ${where(account)}: ${message}`;
}
