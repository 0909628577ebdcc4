/**
 * What the media steps of the backup flows report, as part of the flows' results
 * (`WrittenBackup.media`, `ImportResult.media`); see backup-media.ts.
 */

/** What `backup create --with-media` reports per account. */
export interface CompanionSummary {
  file: string;
  bytes: number;
  files: number;
  /** Files the messages point to that this device does not have (not in the companion). */
  notOnThisDevice: { relativeFilePath: string; reason: string }[];
}

export interface MediaImportSummary {
  /** The companion read, or null when there was none. */
  companion: string | null;
  restored: string[];
  alreadyPresent: string[];
  /** Kept: a different file was already at the place. */
  conflicts: string[];
  damaged: { path: string | null; reason: string }[];
  refused: string[];
}

/** The companion could not be restored (the chats are imported all the same). */
export interface MediaImportFailure {
  companion: string;
  error: string;
  /** What to do, when the interface put the error into words. */
  hint?: string;
}

/** The media part of an import: restored, failed, or null when there was no companion. */
export type MediaImportOutcome = MediaImportSummary | MediaImportFailure | null;
