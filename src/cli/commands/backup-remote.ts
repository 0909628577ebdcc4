import { formatBytes } from '../../export/byte-size.js';
import type { Command } from 'commander';
import { mkdir, readdir } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { join } from 'node:path';
import { headerTime, readHeader } from '../../format/index.js';
import { resolveWebdavCredentials } from '../../migration/remote/credentials.js';
import {
  openRemoteFolder,
  parseFolderUrl,
  type RemoteFolder,
} from '../../migration/remote/folder.js';
import {
  listRemoteBackups,
  pullBackups,
  pushBackups,
} from '../../migration/remote/remote-backups.js';
import type { TransferProgress } from '../../migration/remote/transfer.js';
import { profileBackupDir } from '../../store/profile.js';
import { EXIT, UserFacingError } from '../failure.js';
import { parseKeep } from '../options.js';
import { checkInputFile } from '../paths.js';
import { promptHidden } from '../password.js';
import { terminalProgress, type Progress } from '../progress.js';
import { resolveProfileDir } from '../profile-option.js';

async function askVisible(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/** Opens the folder at `url` with credentials from the environment, a netrc file or a prompt. */
async function openFolder(url: string, netrc: string | undefined): Promise<RemoteFolder> {
  const parsed = parseFolderUrl(url);
  const credentials = await resolveWebdavCredentials(parsed, {
    ...(netrc !== undefined ? { netrcFile: netrc } : {}),
    ...(process.stdin.isTTY
      ? { prompt: (q: string, hidden: boolean) => (hidden ? promptHidden(q) : askVisible(q)) }
      : {}),
  });
  return openRemoteFolder(parsed, credentials);
}

function transferProgress(progress: Progress): (p: TransferProgress) => void {
  return (p) =>
    progress.update(`${p.file}: ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}`);
}

/** The newest backup of each account in the profile's Backup/ folder. */
async function newestLocalBackups(profileDir: string): Promise<string[]> {
  const dir = profileBackupDir(profileDir);
  const newest = new Map<string, { path: string; time: bigint }>();
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names.sort()) {
    if (!name.endsWith('.ceb') || name.startsWith('.')) continue;
    const path = join(dir, name);
    try {
      const { header } = await readHeader(path);
      const jid = header.jid.toLowerCase();
      const seen = newest.get(jid);
      if (!seen || header.timestamp >= seen.time) newest.set(jid, { path, time: header.timestamp });
    } catch {
      continue;
    }
  }
  return [...newest.values()].map((v) => v.path);
}

/** `backup list --from URL`: the backups in a WebDAV folder (headers read with ranged requests). */
export async function listRemoteBackupsCommand(opts: {
  from: string;
  netrc?: string;
  json?: boolean;
}): Promise<void> {
  const folder = await openFolder(opts.from, opts.netrc);
  const backups = await listRemoteBackups(folder);
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          folder: folder.display,
          backups: backups.map((b) => ({
            ...b,
            header: b.header ? { ...b.header, timestamp: b.header.timestamp.toString() } : null,
            createdAt: b.header ? headerTime(b.header.timestamp) : null,
          })),
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  if (backups.length === 0) {
    process.stdout.write(`No backups in ${folder.display}\n`);
    return;
  }
  const width = Math.max(7, ...backups.map((b) => (b.header?.jid ?? '?').length));
  process.stdout.write(
    `${'ACCOUNT'.padEnd(width)}  DATE (UTC)        SIZE       MEDIA      FILE\n`,
  );
  for (const b of backups) {
    const date = b.header ? headerTime(b.header.timestamp).slice(0, 16).replace('T', ' ') : '?';
    process.stdout.write(
      `${(b.header?.jid ?? '?').padEnd(width)}  ${date.padEnd(16)}  ${formatBytes(b.size).padEnd(9)}  ` +
        `${(b.companion ? formatBytes(b.companion.size) : '-').padEnd(9)}  ${b.name}${b.problem ? `  (${b.problem})` : ''}\n`,
    );
  }
}

/** `ferry backup push` and `backup pull`, added to the `backup` group (`list --from` is backup.ts'). */
export function registerRemoteBackupCommands(backup: Command): void {
  const credentialsHelp =
    'credentials: FERRY_WEBDAV_USER/FERRY_WEBDAV_PASSWORD, --netrc FILE (default ~/.netrc), or a prompt';

  backup
    .command('push [files...]')
    .description(
      'upload backups (and their .media companions) to a WebDAV folder (Nextcloud, ownCloud, …); ' +
        'default: the newest backup of each account in the profile',
    )
    .requiredOption(
      '--to <url>',
      'the WebDAV folder, e.g. https://cloud.example.org/remote.php/dav/files/kim/Backups/',
    )
    .option(
      '--keep <n>',
      'keep only the newest N backups of each pushed account in the remote folder',
      parseKeep,
    )
    .option('--netrc <file>', 'read the WebDAV credentials from this netrc file')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `\n${credentialsHelp}.`)
    .action(
      async (
        files: string[],
        opts: { to: string; keep?: number; netrc?: string; json?: boolean },
        cmd: Command,
      ) => {
        const chosen =
          files.length > 0
            ? files
            : await newestLocalBackups(
                resolveProfileDir(cmd.optsWithGlobals<{ profile?: string }>().profile),
              );
        if (chosen.length === 0) {
          throw new UserFacingError(
            'no backup to push',
            'Make one with `ferry backup create`, or name the files.',
            EXIT.usage,
          );
        }
        for (const f of chosen) checkInputFile(f);
        const progress = terminalProgress();
        try {
          const folder = await openFolder(opts.to, opts.netrc);
          const result = await pushBackups(folder, chosen, {
            ...(opts.keep !== undefined ? { keep: opts.keep } : {}),
            onProgress: transferProgress(progress),
          });
          progress.done();
          if (opts.json) {
            process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
            return;
          }
          for (const u of result.uploaded) {
            process.stdout.write(
              u.unchanged
                ? `Already there, unchanged: ${u.name}\n`
                : `Uploaded and verified ${u.name} (${formatBytes(u.bytes)}, sha256 ${u.sha256.slice(0, 16)}…)\n`,
            );
          }
          for (const d of result.deleted) process.stdout.write(`  removed older backup ${d}\n`);
          process.stdout.write(`Folder: ${result.folder}\n`);
        } finally {
          progress.done();
        }
      },
    );

  backup
    .command('pull')
    .description(
      'download backups (with their .media companions) from a WebDAV folder; default: the newest of each account',
    )
    .requiredOption('--from <url>', 'the WebDAV folder')
    .option('--out <dir>', "where to put them (default: the profile's Backup/ folder)")
    .option('--all', 'every backup in the folder, not only the newest of each account')
    .option('--account <jid...>', 'only these accounts')
    .option('--netrc <file>', 'read the WebDAV credentials from this netrc file')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `\n${credentialsHelp}.`)
    .action(
      async (
        opts: {
          from: string;
          out?: string;
          all?: boolean;
          account?: string[];
          netrc?: string;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        const outDir =
          opts.out ??
          profileBackupDir(resolveProfileDir(cmd.optsWithGlobals<{ profile?: string }>().profile));
        await mkdir(outDir, { recursive: true, mode: 0o700 });
        const progress = terminalProgress();
        try {
          const folder = await openFolder(opts.from, opts.netrc);
          const result = await pullBackups(folder, {
            outDir,
            all: opts.all === true,
            ...(opts.account ? { accounts: opts.account } : {}),
            onProgress: transferProgress(progress),
          });
          progress.done();
          if (opts.json) {
            process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
            return;
          }
          for (const d of result.downloaded) {
            process.stdout.write(
              d.unchanged
                ? `Already here, unchanged: ${d.path}\n`
                : `Downloaded and verified ${d.path} (${formatBytes(d.bytes)})\n`,
            );
          }
          const first = result.downloaded.find((d) => d.name.endsWith('.ceb'));
          if (first) process.stdout.write(`Next: ferry backup import ${first.path}\n`);
        } finally {
          progress.done();
        }
      },
    );
}
