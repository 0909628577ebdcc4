/** A failure of an export that the person can act on: what happened, and a hint. */
export class ExportError extends Error {
  override name = 'ExportError';
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}
