import type { BackupRow, DbRow } from '@ferry/ceb-format/header';

/** One row of Conversations' tables, from a `.ceb` (BackupRow) or from a ferry profile (DbRow). */
export type ConversationsRow = BackupRow | DbRow;
export type RowValue = ConversationsRow['values'][string];

export function text(v: RowValue | undefined): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  return String(v);
}

export function int(v: RowValue | undefined): number | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Uint8Array) return null;
  const n = Number(v);
  return Number.isFinite(n) ? Math.trunc(n) : null;
}

/** Base64 as Conversations stores keys (Android: 76-character lines), read ignoring whitespace. */
export function fromBase64(v: string): Buffer {
  const compact = v.replace(/\s/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) throw new Error('not base64');
  return Buffer.from(compact, 'base64');
}

/** Base64 as GLib's `Base64.encode` writes it (what Dino's tables hold): one line, padded. */
export function glibBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

export function bareOf(jid: string): string {
  const slash = jid.indexOf('/');
  return (slash === -1 ? jid : jid.slice(0, slash)).toLowerCase();
}

export function resourceOf(jid: string | null): string | null {
  if (jid === null) return null;
  const slash = jid.indexOf('/');
  return slash === -1 ? null : jid.slice(slash + 1);
}
