/**
 * Reconnect delays: exponential from `initialMs`, doubling up to `maxMs`, with ±20 % jitter so
 * that many clients don't come back at the same instant. `attempt` counts from 0.
 */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** 0..1; default 0.2. */
  jitter?: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 5 * 60_000, jitter: 0.2 };

export function backoffDelay(
  attempt: number,
  opts: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const base = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.min(attempt, 30));
  const jitter = opts.jitter ?? 0.2;
  const factor = 1 - jitter + 2 * jitter * random();
  return Math.max(0, Math.round(Math.min(opts.maxMs, base * factor)));
}
