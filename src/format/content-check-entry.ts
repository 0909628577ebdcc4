/**
 * `@ferry/ceb-format/content-check`: the checks of a backup's rows against what Conversations
 * writes for one account, on their own (also in the main entry).
 */
export { BackupContentCheck, CompactLedger, type ContentLedger } from './content-check.js';
