import { dirname, resolve } from 'node:path';
import type { Profile } from '../store/profile.js';
import { openAccountSource, type AccountSourceSpec } from './account-source.js';
import type { OtherClient } from './client.js';
import { checkNotCloning, deactivateInProfile, type HandoverChoice } from './handover.js';
import { importClientAccount, type ClientImportResult } from './import-account.js';
import { TransferSummary } from './summary.js';
import { StagedFolder, checkEmptyTarget } from './target-folder.js';

export interface ClientExportOptions extends HandoverChoice {
  /** The profile whose account state the never-clone rule checks (and `deactivate` changes). */
  profileDir?: string;
  onProgress?(rows: number): void;
  /** Folders holding the chats' files (`--media`). */
  mediaDirs?: string[];
}

export interface ClientExportResult {
  client: string;
  account: string;
  /** The folder written. */
  path: string;
  /** Whether the account was disabled in the profile afterwards (`deactivate`). */
  deactivated: boolean;
  summary: TransferSummary;
  /** How to start the client on it. */
  next: string;
}

/**
 * `ferry export SOURCE --to CLIENT --out DIR`: the account of a backup or of the profile, written
 * as the other client's own files into DIR (new or empty), whole or not at all.
 */
export async function exportToClient(
  client: OtherClient,
  spec: AccountSourceSpec,
  outDir: string,
  opts: ClientExportOptions = {},
): Promise<ClientExportResult> {
  checkEmptyTarget(outDir);
  if (spec.kind === 'profile') checkNotCloning(spec.profileDir, spec.jid, client.title, opts);
  const source = await openAccountSource(spec, {
    onRow: opts.onProgress,
    scratchDir: dirname(resolve(outDir)),
  });
  const summary = new TransferSummary();
  try {
    const state = checkNotCloning(opts.profileDir, source.jid, client.title, opts);
    const folder = StagedFolder.create(outDir);
    try {
      await client.write(source, folder.dir, summary, { mediaDirs: opts.mediaDirs });
      folder.commit();
    } finally {
      folder.abort();
    }
    const deactivated =
      state === 'enabled' && opts.deactivate === true && opts.profileDir !== undefined
        ? await deactivateInProfile(opts.profileDir, source.jid)
        : false;
    if (deactivated) summary.note(`${source.jid} is now disabled in this profile.`);
    return {
      client: client.name,
      account: source.jid,
      path: folder.target,
      deactivated,
      summary,
      next: client.howToStart(folder.target, source.jid),
    };
  } finally {
    source.close();
  }
}

export interface ClientImportFlowResult extends ClientImportResult {
  client: string;
  folder: string;
  next: string;
}

/** `ferry backup import --from CLIENT FOLDER`: the client's account into the profile, all or nothing. */
export async function importFromClient(
  client: OtherClient,
  folder: string,
  profile: Profile,
  opts: { jid?: string } = {},
): Promise<ClientImportFlowResult> {
  const account = await client.read(folder, opts);
  const result = await importClientAccount(profile, account);
  return { ...result, client: client.name, folder, next: client.howToStop(result.jid) };
}
