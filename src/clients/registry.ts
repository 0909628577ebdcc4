import type { OtherClient } from './client.js';
import { dino } from './dino/index.js';
import { profanity } from './profanity/index.js';

/** The other clients ferry writes and reads, by command-line name. Add new ones here. */
export const OTHER_CLIENTS: readonly OtherClient[] = [profanity, dino];

export const OTHER_CLIENT_NAMES: readonly string[] = OTHER_CLIENTS.map((c) => c.name);

export function findClient(name: string): OtherClient | undefined {
  return OTHER_CLIENTS.find((c) => c.name === name);
}
