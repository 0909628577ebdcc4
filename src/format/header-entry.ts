/**
 * `@ferry/ceb-format/header`: what a tool needs to say what a backup file is without its password
 * — the header, the typed errors, the types, and {@link visibleText} for the untrusted texts —
 * without loading the decrypting and parsing code (a command-line tool starts faster).
 */
export { parseHeader, readHeader, encodeHeader, headerTime, MAX_HEADER_LENGTH } from './header.js';
export { visibleText } from './visible-text.js';
export * from './errors.js';
export * from './types.js';
