import { MAX_ARCHIVED_STATES } from './ratchet.js';
import type { RecordStructure, SessionStructure } from './records.js';

/** Session record bookkeeping, as libsignal-protocol-java's `SessionRecord`. */

/** Makes `state` current and keeps the old current one first in the archive. */
export function promoteState(record: RecordStructure, state: SessionStructure): void {
  const previous = (record.previousSessions ??= []);
  if (record.currentSession) previous.unshift(record.currentSession);
  record.currentSession = state;
  while (previous.length > MAX_ARCHIVED_STATES) previous.pop();
}

/** Archives the current state and starts an empty one (`SessionRecord.archiveCurrentState`). */
export function archiveCurrentState(record: RecordStructure): void {
  promoteState(record, {});
}
