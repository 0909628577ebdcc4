import { open } from 'node:fs/promises';
import { parseCompanionHeader, type CompanionMeta } from '../migration/media/companion-format.js';
import { CompanionDamagedError, CompanionVersionError } from '../migration/media/errors.js';
import type { UserError } from './user-errors.js';

/** Enough bytes for any companion header (fixed part, metadata up to 64 KiB, key check). */
const HEADER_PROBE = 70_000;

/**
 * Reads what a media companion says in the clear (its account and backup) — before the password is
 * known — and checks that it belongs to the account of the backup it was chosen with. Returns the
 * problem in the user's words, or the companion's metadata.
 */
export async function checkCompanionFor(
  path: string,
  backupJid: string,
): Promise<{ meta: CompanionMeta } | { problem: UserError }> {
  let meta: CompanionMeta;
  const file = await open(path, 'r');
  try {
    const probe = Buffer.alloc(HEADER_PROBE);
    const { bytesRead } = await file.read(probe, 0, HEADER_PROBE, 0);
    meta = parseCompanionHeader(probe.subarray(0, bytesRead)).meta;
  } catch (err) {
    if (err instanceof CompanionVersionError) {
      return {
        problem: {
          kind: 'unsupported-version',
          message: 'This media file was made by a newer ferry.',
          hint: 'Update ferry, then choose it again.',
        },
      };
    }
    if (err instanceof CompanionDamagedError) {
      return {
        problem: {
          kind: 'damaged',
          message: 'This media file is damaged: its beginning cannot be read.',
          hint: 'Copy it again from the old device, or import the backup without it.',
        },
      };
    }
    return {
      problem: {
        kind: 'not-a-backup',
        message: 'This is not a media file of a backup.',
        hint: 'Choose the file ending in .ceb.media that was made together with the backup.',
      },
    };
  } finally {
    await file.close();
  }
  if (meta.jid.toLowerCase() !== backupJid.toLowerCase()) {
    return {
      problem: {
        kind: 'invalid',
        message: `This media file belongs to ${meta.jid}, not to ${backupJid}.`,
        hint: `Choose the .ceb.media file made together with the backup of ${backupJid}.`,
      },
    };
  }
  return { meta };
}
