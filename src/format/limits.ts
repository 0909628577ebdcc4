/**
 * Bounds that keep memory flat whatever a file holds. A row (its text in the file) larger than
 * this is refused as malformed content; so is any single value, since it is part of a row.
 */
export const MAX_ROW_TEXT = 64 * 1024 * 1024;

/** Most columns a row may name. Conversations' widest table has about 25. */
export const MAX_COLUMNS = 256;

/** Longest column name accepted. */
export const MAX_COLUMN_NAME = 128;

/** Size of the chunks read from a file. */
export const READ_CHUNK = 256 * 1024;
