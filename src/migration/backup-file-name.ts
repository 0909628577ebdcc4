/**
 * Backup file names as Conversations 2.13+ writes them: `<bare-jid>.<yyyy-MM-dd-HH-mm>.ceb` in local
 * time; releases up to 2.12 wrote `<bare-jid>.ceb`.
 */
function pad(n: number): string {
  return String(n).padStart(2, '0');
}

export function backupFileName(jid: string, when: Date): string {
  const stamp =
    `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())}` +
    `-${pad(when.getHours())}-${pad(when.getMinutes())}`;
  return `${jid}.${stamp}.ceb`;
}

const DATED = /^(.+)\.(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})\.ceb$/;

/** Reads a backup file name: the JID it names and, for the dated form, the local time in it. */
export function parseBackupFileName(name: string): { jid: string; when?: Date } | undefined {
  const m = DATED.exec(name);
  if (m) {
    const [, jid = '', y, mo, d, h, mi] = m;
    return { jid, when: new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi)) };
  }
  if (name.endsWith('.ceb') && name.length > 4) return { jid: name.slice(0, -4) };
  return undefined;
}
