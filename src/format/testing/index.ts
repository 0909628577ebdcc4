/* eslint-disable no-restricted-imports -- the test helpers' entry, inside the format library */
/**
 * `@ferry/ceb-format/testing`: helpers for testing a reader's strictness — backup files crafted
 * around any body, a file's body opened with no checks beyond the tag, the strict gunzip on its
 * own, and the size of the chunks the reader reads a file in.
 */
export { craftBackup, decryptBackupFile, type CraftOptions } from './crafted-backup.js';
export { gunzipStrict } from '../gunzip.js';
export { READ_CHUNK } from '../limits.js';
