// V8's young generation, held at its start size by bin/ferry.js (`--semi-space-growth-factor=1`
// before anything loads) until the command is known. V8 grows it by the bytes that survive its
// collections, summed over the run, so any long job ends at the maximum — 32 MiB on Node 20, 128
// MiB on Node 24 — whether it needs it or not. A job through a whole backup (verify, import,
// create) keeps little alive from one batch to the next: up to BACKUP_JOB_YOUNG_MIB is as fast,
// and the peak memory goal needs the rest (docs/performance.md, "backup import, sixth round"). Other commands
// get Node's default growth (the archive catch-up, which parses pages of stanzas, is slower
// with less). The limit itself (`--max-semi-space-size`) is fixed when V8 starts, hence the
// growth factor, polled.
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** The young generation a job through a whole backup may grow to. */
export const BACKUP_JOB_YOUNG_MIB = 8;
const MIB = 1024 * 1024;
/** V8's default. */
const GROW = '--semi-space-growth-factor=2';
const HOLD = '--semi-space-growth-factor=1';

function youngMiB(): number {
  const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  return (space?.space_size ?? 0) / MIB;
}

/** The young generation grows as Node's default lets it. */
export function youngGenerationGrows(): void {
  setFlagsFromString(GROW);
}

/** The young generation grows up to `mib` (it grows by doubling), then stays there. */
export function youngGenerationUpTo(mib: number): void {
  if (youngMiB() >= mib) {
    setFlagsFromString(HOLD);
    return;
  }
  setFlagsFromString(GROW);
  const timer = setInterval(() => {
    if (youngMiB() < mib) return;
    setFlagsFromString(HOLD);
    clearInterval(timer);
  }, 20);
  timer.unref();
}
