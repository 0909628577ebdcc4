import type { SourceAccount } from './account-source.js';
import type { ClientAccount } from './import-account.js';
import type { TransferSummary } from './summary.js';

export interface ClientWriteOptions {
  /** Folders holding the chats' files (`--media`), for clients that keep files of their own. */
  mediaDirs?: string[];
}

/**
 * One other client ferry moves accounts to and from (profanity, Dino, later Gajim). Each lives in
 * a folder of its own (`src/clients/NAME/`) and is listed in `registry.ts`; the flows around it
 * (source account, never-clone rule, staged target folder, all-or-nothing import, summary) are
 * shared (`transfer.ts`).
 */
export interface OtherClient {
  /** What the command line calls it: `--to NAME`, `--from NAME`. */
  name: string;
  /** How to name it in messages, with the version ferry writes for: "profanity 0.13". */
  title: string;
  /** What the folder given to `--out` / `--from` is, for help texts: "a HOME folder". */
  folder: string;
  /** True for clients that keep the chats' files themselves (Dino): they are given `mediaDirs`. */
  keepsFiles?: boolean;
  /**
   * Writes the account into `dir` (an empty, private staging folder that becomes the target
   * only if this returns) and fills `summary`.
   */
  write(
    source: SourceAccount,
    dir: string,
    summary: TransferSummary,
    opts: ClientWriteOptions,
  ): Promise<void> | void;
  /**
   * Reads the client's folder: checks it whole first (a damaged or partial folder throws a
   * ClientError `damaged-home` before anything is imported). `jid` picks one of several accounts.
   */
  read(folder: string, opts: { jid?: string }): Promise<ClientAccount> | ClientAccount;
  /** What to tell the person after an export: how to start the client on the files. */
  howToStart(target: string, jid: string): string;
  /** What to tell the person after an import: how to stop the account in the other client. */
  howToStop(jid: string): string;
}
