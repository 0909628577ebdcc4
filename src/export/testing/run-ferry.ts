import { spawn } from 'node:child_process';
import { join } from 'node:path';

const MAIN = join(import.meta.dirname, '..', '..', 'cli', 'main.ts');
const REPO = join(import.meta.dirname, '..', '..', '..');

/** Runs `ferry ARGS…` from the TypeScript sources in a child process (through tsx). */
export function runFerry(
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script =
    `const { main } = await import(${JSON.stringify(MAIN)});` +
    `process.exitCode = await main(['node', 'ferry', ...process.argv.slice(1)]);`;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script, '--', ...args],
      {
        cwd: opts.cwd ?? REPO,
        env: { ...process.env, FERRY_PASSWORD: '', ...opts.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}
