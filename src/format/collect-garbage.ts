/**
 * A full garbage collection, on demand, for the long loops through a backup's body (reading in
 * parallel-parse.ts, compressing in parallel-gzip.ts). Their buffers and small objects are
 * garbage soon after they are made, but what lives through two young-generation collections
 * moves to the old generation, where V8 frees it (buffers included) only at a full collection,
 * which it starts late: tens of MiB wait there. One every {@link COLLECT_EVERY} bytes of body
 * takes a few milliseconds (these loops' live heap is ~15 MiB) and keeps memory flat
 * (docs/performance.md, "backup import, sixth round"). `gc({ type: 'major' })` is a
 * young-generation collection in Node 20's V8; `gc()` is the full one.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Body bytes between two full collections. */
export const COLLECT_EVERY = 16 * 1024 * 1024;

let fullGc: (() => void) | undefined;

export function collectGarbage(): void {
  if (fullGc === undefined) {
    setFlagsFromString('--expose-gc');
    fullGc = runInNewContext('gc') as () => void;
  }
  fullGc();
}
