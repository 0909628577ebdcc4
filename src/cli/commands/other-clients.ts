import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { findClient, OTHER_CLIENT_NAMES } from '../../clients/registry.js';
import { summaryLines } from '../../clients/summary.js';
import { exportToClient, importFromClient } from '../../clients/transfer.js';
import type { OtherClient } from '../../clients/client.js';
import { EXIT, UserFacingError } from '../failure.js';
import { obtainPassword } from '../password.js';
import { resolveProfileDir } from '../profile-option.js';
import { terminalProgress } from '../progress.js';
import { companionPathFor, restoreMedia } from '../../migration/media/index.js';
import { withCommandProfile } from './account.js';

/**
 * `--to CLIENT` of `ferry export` and `--from CLIENT` of `ferry backup import`: moving an account
 * to and from other XMPP clients (src/clients/). Shared by every client in the registry.
 */
export { OTHER_CLIENT_NAMES };

export function isOtherClient(name: string): boolean {
  return findClient(name) !== undefined;
}

function clientNamed(name: string): OtherClient {
  const client = findClient(name);
  if (!client) {
    throw new UserFacingError(
      `ferry cannot read or write "${name}"`,
      `Clients ferry knows: ${OTHER_CLIENT_NAMES.join(', ')}.`,
      EXIT.usage,
    );
  }
  return client;
}

export interface ClientExportCommandOptions {
  to: string;
  out: string;
  account?: string;
  passwordFile?: string;
  deactivate?: boolean;
  allowClone?: boolean;
  media?: string[];
  json?: boolean;
}

/** `ferry export SOURCE|--account JID --to CLIENT --out DIR`. */
export async function runClientExport(
  backup: string | undefined,
  opts: ClientExportCommandOptions,
  cmd: Command,
): Promise<void> {
  const client = clientNamed(opts.to);
  const profileDir = resolveProfileDir(cmd.optsWithGlobals<{ profile?: string }>().profile);
  const progress = terminalProgress();
  let scratch: string | undefined;
  try {
    const spec =
      backup !== undefined
        ? {
            kind: 'backup' as const,
            file: resolve(backup),
            password: await obtainPassword(
              { passwordFile: opts.passwordFile },
              `Password of the backup ${backup}: `,
            ),
          }
        : { kind: 'profile' as const, profileDir, jid: opts.account ?? '' };
    const mediaDirs = opts.media?.map((d) => resolve(d)) ?? [];
    // A backup's media companion (NAME.ceb.media beside it) provides the files too, for clients
    // that keep files of their own: restored into a private scratch folder beside the target.
    let companionNote: string | undefined;
    if (spec.kind === 'backup' && client.keepsFiles === true) {
      const companion = companionPathFor(spec.file);
      if (existsSync(companion)) {
        scratch = await mkdtemp(join(dirname(resolve(opts.out)), '.ferry-media-'));
        progress.update('restoring the media companion');
        const restored = await restoreMedia(companion, spec.password, scratch);
        mediaDirs.push(scratch);
        const lost = restored.damaged.length + restored.refused.length;
        companionNote =
          `media companion: ${restored.restored.length} file${restored.restored.length === 1 ? '' : 's'} read` +
          (lost > 0 ? `, ${lost} damaged or refused (not carried)` : '');
      }
    }
    const result = await exportToClient(client, spec, resolve(opts.out), {
      profileDir,
      deactivate: opts.deactivate === true,
      allowClone: opts.allowClone === true,
      mediaDirs: mediaDirs.length > 0 ? mediaDirs : undefined,
      onProgress: (rows) => progress.update(`reading the backup: ${rows} rows`),
    });
    progress.done();
    if (opts.json) {
      process.stdout.write(
        `${JSON.stringify({ ...result, mediaCompanion: companionNote }, null, 2)}\n`,
      );
      return;
    }
    process.stdout.write(
      [
        `Exported ${result.account} for ${client.title} into ${result.path}`,
        ...summaryLines(result.summary),
        ...(companionNote !== undefined ? [companionNote] : []),
        result.next,
      ].join('\n') + '\n',
    );
  } catch (err) {
    if (
      err instanceof Error &&
      'code' in err &&
      err.code === 'ENOENT' &&
      backup !== undefined &&
      'path' in err &&
      err.path === resolve(backup)
    ) {
      throw new UserFacingError(
        `cannot open ${backup}: no such file`,
        'Check the path of the backup file.',
        EXIT.usage,
      );
    }
    throw err;
  } finally {
    progress.done();
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  }
}

/** `ferry backup import --from CLIENT FOLDER [--account JID]`. */
export async function runClientImport(
  clientName: string,
  folders: string[],
  opts: { account?: string; json?: boolean },
  cmd: Command,
): Promise<void> {
  const client = clientNamed(clientName);
  if (folders.length !== 1) {
    throw new UserFacingError(
      `--from ${client.name} takes one folder, not ${folders.length}`,
      `Give ${client.folder}.`,
      EXIT.usage,
    );
  }
  const folder = resolve(folders[0] as string);
  await withCommandProfile(cmd, async (profile) => {
    const result = await importFromClient(client, folder, profile, { jid: opts.account });
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    process.stdout.write(
      [
        `Imported ${result.jid} from ${client.title} (${folder}):`,
        ...summaryLines(result.summary),
        `  The account is disabled. ${result.next}`,
        `  Then: ferry account enable ${result.jid}; ferry backup create makes a .ceb for Conversations.`,
      ].join('\n') + '\n',
    );
  });
}
