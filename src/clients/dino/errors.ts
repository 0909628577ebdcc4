/** Something about a Dino home that ferry cannot write or read; `hint` says what to do. */
export class DinoHomeError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'DinoHomeError';
  }
}
