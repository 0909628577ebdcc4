/** A failure of an export that the person can act on: what happened, and a hint. */
export class ExportError extends Error {
  override name = 'ExportError';
  readonly code = 'export-failed';
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** A time zone name the runtime does not know (`--time-zone`). */
export class TimeZoneError extends Error {
  override name = 'TimeZoneError';
  readonly code = 'unknown-time-zone';
}
