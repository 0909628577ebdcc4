import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./ferry-entry.ts', import.meta.url));

export interface FerryRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Collects a child process' output and exit code. */
export function collect(child: ChildProcess): Promise<FerryRun> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Runs `ferry ARGS…` from the TypeScript sources in a child process (through tsx), as a user would
 * run the command, with extra environment variables. FERRY_PASSWORD is cleared unless given.
 */
export function runFerry(
  args: string[],
  env: Record<string, string> = {},
  as: { uid?: number; gid?: number } = {},
): Promise<FerryRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    env: { ...process.env, FERRY_PASSWORD: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...as,
  });
  return collect(child);
}
