/** Conversations' fingerprint: lowercase hex of the 33-byte serialised identity public key. */
export function fingerprintOf(identityKey: Uint8Array): string {
  return Buffer.from(identityKey).toString('hex');
}

/** Groups of 8 hex digits, as Conversations shows a fingerprint to the user (without the 05). */
export function displayFingerprint(fingerprint: string): string {
  const body =
    fingerprint.startsWith('05') && fingerprint.length === 66 ? fingerprint.slice(2) : fingerprint;
  return (body.match(/.{1,8}/g) ?? []).join(' ');
}
