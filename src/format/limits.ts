/**
 * Bounds that keep memory flat whatever a file holds. A row (its text in the file) larger than
 * this is refused as malformed content; so is any single value, since it is part of a row.
 */
export const MAX_ROW_TEXT = 64 * 1024 * 1024;

/** Most columns a row may name. Conversations' widest table has about 25. */
export const MAX_COLUMNS = 256;

/** Longest column name accepted. */
export const MAX_COLUMN_NAME = 128;

/**
 * Size of the chunks read from a file. Small on purpose: a chunk (and its decrypted copy) lives
 * until the chunk's text is parsed — 7 times as much once inflated — and a buffer that lives
 * through two young-generation collections waits for a full one (docs/performance.md).
 */
export const READ_CHUNK = 32 * 1024;
