import { DINO } from './schema.js';

/**
 * Conversations' trust names (`identities.trust`, FingerprintStatus.Trust) ↔ Dino's `trust_level`.
 *
 * Dino has no "undecided": Conversations shows messages from an undecided device (it only won't
 * encrypt to it), while Dino hides every message from a device whose trust is unknown. So an
 * undecided device becomes trusted in Dino, and the export's summary counts them.
 */
export function dinoTrustLevel(conversationsTrust: string | null): number {
  switch (conversationsTrust) {
    case 'VERIFIED':
    case 'VERIFIED_X509':
      return DINO.trust.verified;
    case 'UNTRUSTED':
    case 'COMPROMISED':
      return DINO.trust.untrusted;
    default:
      // TRUSTED, UNDECIDED, and no value (Conversations reads a missing trust as UNDECIDED).
      return DINO.trust.trusted;
  }
}

/** Dino's trust level as Conversations names it. */
export function conversationsTrust(dinoTrust: number | null): string {
  switch (dinoTrust) {
    case DINO.trust.verified:
      return 'VERIFIED';
    case DINO.trust.trusted:
      return 'TRUSTED';
    case DINO.trust.untrusted:
      return 'UNTRUSTED';
    default:
      return 'UNDECIDED';
  }
}
