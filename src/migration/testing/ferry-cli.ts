import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./ferry-entry.ts', import.meta.url));
const WORKER = fileURLToPath(new URL('./flow-worker.ts', import.meta.url));

export interface FerryRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function collect(child: ChildProcess): Promise<FerryRun> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `ferry ARGS…` from the sources in a child process, with extra environment variables. */
export function runFerry(args: string[], env: Record<string, string> = {}): Promise<FerryRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    env: { ...process.env, FERRY_PASSWORD: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collect(child);
}

/**
 * Starts a child process running one flow (`create PROFILE OUTDIR` or `import PROFILE FILE PASSWORD`)
 * that prints `rows N` as it goes — for tests that kill it in the middle.
 */
export function spawnFlowWorker(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
