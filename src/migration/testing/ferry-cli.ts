import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./flow-worker.ts', import.meta.url));

/**
 * Starts a child process running one flow (`create PROFILE OUTDIR` or `import PROFILE FILE PASSWORD`)
 * that prints `rows N` as it goes — for tests that kill it in the middle.
 */
export function spawnFlowWorker(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
