/** The media companion: the files a backup's messages point to, travelling beside the `.ceb`. */
export {
  mediaFolder,
  mediaFilePath,
  mediaRelativeLocation,
  findMediaFile,
  companionPathFor,
  COMPANION_SUFFIX,
  MEDIA_FOLDER_NAME,
} from './layout.js';
export {
  writeMediaCompanion,
  type CompanionSource,
  type WriteCompanionResult,
} from './companion-writer.js';
export {
  openMediaCompanion,
  type MediaCompanion,
  type CompanionEvent,
} from './companion-reader.js';
export { restoreMedia, type RestoreMediaResult } from './restore.js';
export { createMediaCompanion, type CreateMediaCompanionResult } from './create-media.js';
export { checkMedia, type MediaCheckResult, type MissingMediaFile } from './check.js';
export { mediaAccounts, accountFilePaths, type MediaAccount } from '../../store/file-messages.js';
export * from './errors.js';
