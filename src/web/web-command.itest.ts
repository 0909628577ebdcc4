/** `ferry web` as a person runs it: a child process printing the address with the token. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plainRequest } from './testing/http.js';

const RUN_CLI =
  "import('./src/cli/main.ts').then(async (m) => { process.exitCode = await m.main(process.argv); })";

test(
  'ferry web prints a tokened 127.0.0.1 address, serves the page with it, refuses without, stops on Ctrl+C',
  { timeout: 60_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-web-cmd-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        RUN_CLI,
        'ferry',
        '--profile',
        join(dir, 'profile'),
        'web',
        '--port',
        '0',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: dir, FERRY_PASSWORD: '' } },
    );
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    t.after(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const deadline = Date.now() + 30_000;
    while (!/\?token=\S+/.test(out) && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 25));
    }
    const url = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(out)?.[0];
    assert.ok(url, `printed an address (stdout: ${out}, stderr: ${err})`);
    const origin = new URL(url).origin;

    assert.equal((await plainRequest(`${origin}/`)).status, 401);
    const entry = await plainRequest(url);
    assert.equal(entry.status, 303);
    const cookie = String(entry.headers['set-cookie']).split(';')[0] ?? '';
    const page = await plainRequest(`${origin}/`, { headers: { cookie } });
    assert.equal(page.status, 200);
    assert.match(page.body, /<title>ferry/);

    // A second `ferry web` on the same profile says where the first one runs, and stops.
    const second = spawn(
      process.execPath,
      ['--import', 'tsx', '-e', RUN_CLI, 'ferry', '--profile', join(dir, 'profile'), 'web'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: dir, FERRY_PASSWORD: '' } },
    );
    let secondErr = '';
    second.stderr.on('data', (d: Buffer) => (secondErr += d.toString()));
    const secondCode = await new Promise<number | null>((r) => second.once('exit', r));
    assert.equal(secondCode, 1);
    assert.equal(
      secondErr.split('\n')[0],
      `ferry: ferry web is already running for this profile, at ${origin}/`,
    );
    assert.match(secondErr, /hint: Open the address it printed/);

    child.kill('SIGINT');
    assert.equal(await exited, 0);
    await assert.rejects(plainRequest(`${origin}/`), 'the server is gone');
  },
);
