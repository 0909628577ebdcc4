/**
 * The `.ceb` format library: read and write Conversations' encrypted backups. Stands alone — it
 * imports nothing from the rest of ferry. See README.md beside this file.
 */
export { parseHeader, readHeader, encodeHeader, headerTime, MAX_HEADER_LENGTH } from './header.js';
export { openBackup, type OpenedBackup } from './open-backup.js';
export { writeBackupFile, createBackupWriter, type BackupWriter } from './write-backup.js';
export {
  jsonRowTemplate,
  isPlainJsonText,
  NOT_PLAIN,
  type JsonRowTemplate,
} from './body-writer.js';
export { rowToJsonLine } from './json-line.js';
export { asConversationsRestores, asConversationsRestoresBatch } from './line-endings.js';
export { liveParseWorkers, PARSE_BATCH, type ParseOptions } from './parallel-parse.js';
export {
  forEachRow,
  rowCount,
  slicesOf,
  unpackRows,
  type RowBatch,
  type ValueSpans,
} from './row-batch.js';
export { deriveKey } from './key.js';
export { syncFile, syncFolder, syncFileNow, syncFolderNow } from './durable.js';
export { encodeModifiedUtf8, decodeModifiedUtf8, MAX_UTF_BYTES } from './modified-utf8.js';
export { MAX_ROW_TEXT } from './limits.js';
export { BackupContentCheck, CompactLedger, type ContentLedger } from './content-check.js';
export { visibleText } from './visible-text.js';
export { sqliteLiteralReal, sqliteRealText } from './sqlite-real.js';
export * from './errors.js';
export * from './types.js';
