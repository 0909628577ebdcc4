import { formatBytes } from '../../export/byte-size.js';
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import {
  companionFor,
  describeMediaImport,
  missingMediaOf,
  restoreCompanionForImport,
  writeCompanionForBackup,
  type CompanionSummary,
  type MediaImportOutcome,
} from '../../migration/media/backup-media.js';
import { checkMedia } from '../../migration/media/check.js';
import { CompanionNotRecognisedError } from '../../migration/media/errors.js';
import { mediaFolder } from '../../migration/media/layout.js';
import { describeFailure, EXIT, UserFacingError } from '../failure.js';
import { terminalProgress } from '../progress.js';
import { withCommandProfile } from './account.js';
import type { BackupMediaSteps } from './backup.js';

/** `ferry media check`. */
export function registerMediaCheckCommand(program: Command): void {
  const media = program
    .command('media')
    .description('the files your messages point to (pictures, documents, …)');
  media
    .command('check')
    .description('list messages whose files are missing on this device')
    .option('--account <jid>', 'only this account')
    .option('--json', 'print JSON for scripts')
    .action(async (opts: { account?: string; json?: boolean }, cmd: Command) => {
      await withCommandProfile(cmd, (profile) => {
        const result = checkMedia(
          profile.dir,
          profile.db,
          opts.account !== undefined ? { account: opts.account } : {},
        );
        if (opts.account !== undefined && result.accounts.length === 0) {
          throw new UserFacingError(
            `no account ${opts.account} on this device`,
            'See `ferry account list`.',
            EXIT.usage,
          );
        }
        if (opts.json) {
          process.stdout.write(
            `${JSON.stringify({ mediaFolder: mediaFolder(profile.dir), ...result }, null, 2)}\n`,
          );
        } else if (result.missing.length === 0) {
          process.stdout.write(
            `All ${result.checked} file${result.checked === 1 ? '' : 's'} that messages point to are on this device ` +
              `(media folder ${mediaFolder(profile.dir)}).\n`,
          );
        } else {
          for (const m of result.missing) {
            const when =
              m.timeSent > 0
                ? new Date(m.timeSent).toISOString().slice(0, 16).replace('T', ' ')
                : '?';
            process.stdout.write(
              `${m.account}  ${m.conversation}  ${when}  ${m.relativeFilePath}\n` +
                `    expected at ${m.expectedAt ?? '(refused: the path leaves the media folder)'}\n`,
            );
          }
        }
        if (result.missing.length > 0) {
          throw new UserFacingError(
            `${result.missing.length} of ${result.checked} message${result.checked === 1 ? '' : 's'} point to files missing on this device`,
            'Copy them from the old device to the places listed, or import the backup with its media companion ' +
              '(backup create --with-media on the old device).',
            EXIT.failure,
          );
        }
      });
    });
}

/**
 * The media steps of `backup create --with-media` and `backup import [--media FILE]` (the companion
 * found beside the .ceb by default), passed to the backup commands by backup-group.ts.
 */
export const backupMediaSteps: BackupMediaSteps = {
  create(opts) {
    if (opts.withMedia !== true) return {};
    const json = opts.json === true;
    return {
      afterBackup: async (written, profile) => {
        const progress = terminalProgress();
        let summary: CompanionSummary;
        try {
          summary = await writeCompanionForBackup(profile, written, {
            onProgress: (e) =>
              progress.update(`${written.jid}: media ${formatBytes(e.bytesDone)} (${e.file})`),
          });
        } finally {
          progress.done();
        }
        written.media = summary;
        if (json) return;
        process.stdout.write(
          `Wrote ${summary.file} (${formatBytes(summary.bytes)}, ${summary.files} file${summary.files === 1 ? '' : 's'})\n`,
        );
        if (summary.notOnThisDevice.length > 0) {
          process.stdout.write(
            `  ${summary.notOnThisDevice.length} file${summary.notOnThisDevice.length === 1 ? ' is' : 's are'} not on this device and not in the companion, e.g. ` +
              `${summary.notOnThisDevice
                .slice(0, 3)
                .map((m) => m.relativeFilePath)
                .join(', ')}\n`,
          );
        }
      },
    };
  },

  import(opts) {
    const given = opts.media;
    if (given !== undefined && !existsSync(given)) {
      // Checked before the import starts, so nothing is imported without the files asked for.
      throw new UserFacingError(
        `cannot read the media companion ${given}`,
        'Check the path given to --media.',
        EXIT.usage,
      );
    }
    const json = opts.json === true;
    return {
      afterImport: async (result, profile) => {
        const companion = await companionFor(result.file, given);
        let media: MediaImportOutcome = null;
        if (companion !== null) {
          const progress = terminalProgress();
          try {
            const summary = await restoreCompanionForImport(profile, result, companion, {
              onProgress: (e) =>
                progress.update(`${result.jid}: media ${formatBytes(e.bytesDone)} (${e.file})`),
            });
            media = summary;
            if (!json) process.stdout.write(`${describeMediaImport(summary).join('\n')}\n`);
          } catch (err) {
            // The chats are imported (committed); the media step failing must not hide that.
            const failure = describeFailure(err);
            if (err instanceof CompanionNotRecognisedError) {
              failure.hint =
                'Give the .ceb.media file that `ferry backup create --with-media` wrote.';
            }
            media = { companion, error: failure.message, hint: failure.hint };
            process.stderr.write(
              `ferry: warning: the files in ${basename(companion)} were not restored: ${failure.message}\n  hint: ${failure.hint}\n`,
            );
          } finally {
            progress.done();
          }
        }
        // Files came from the companion: count again (without one, the import's count stands).
        if (companion !== null) result.missingMedia = missingMediaOf(profile, result.jid);
        result.media = media;
      },
    };
  },
};
