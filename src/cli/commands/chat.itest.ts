import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFerry } from '../testing/run-ferry.js';
import { startProsody } from '../../xmpp/testing/prosody.js';
import { connectContact, waitUntil } from '../../xmpp/testing/contact.js';

const ENTRY = fileURLToPath(new URL('../testing/ferry-entry.ts', import.meta.url));

test('ferry sync, send, chats, chat and run against a real server', async (t) => {
  const server = await startProsody();
  t.after(() => server.stop());
  await server.register('alice', 'pw-a');
  await server.register('bob', 'pw-b');
  const alice = `alice@${server.domain}`;
  const dir = mkdtempSync(join(tmpdir(), 'ferry-chat-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const profile = join(dir, 'profile');
  const pwFile = join(dir, 'pw');
  writeFileSync(pwFile, 'pw-a\n');
  const ferry = (...args: string[]) => runFerry(['--profile', profile, ...args]);

  const added = await ferry(
    'account',
    'add',
    alice,
    '--password-file',
    pwFile,
    '--hostname',
    '127.0.0.1',
    '--port',
    String(server.port),
    '--allow-plaintext-loopback',
  );
  assert.equal(added.code, 0, added.stderr);

  const bob = await connectContact(server, 'bob', 'pw-b');
  t.after(() => bob.stop());
  await bob.say(alice, 'are you there?');
  await bob.say(alice, 'hello?');

  const sync = await ferry('sync'); // with OMEMO (the default): keys are published, plain text still arrives
  assert.equal(sync.code, 0, sync.stderr);
  assert.match(sync.stdout, /alice@ferry\.test: 2 new messages/);
  assert.match(sync.stdout, /bob@ferry\.test: are you there\?/);

  const again = await ferry('sync', '--json', '--no-omemo');
  assert.equal(again.code, 0, again.stderr);
  const report = JSON.parse(again.stdout) as {
    account: string;
    received: unknown[];
    caughtUp: boolean;
  }[];
  assert.deepEqual(
    report.map((r) => [r.account, r.received.length, r.caughtUp]),
    [[alice, 0, true]],
  );
  assert.deepEqual(
    (report[0] as { repairedSessions?: unknown }).repairedSessions,
    [],
    'sync reports the OMEMO sessions it repaired (none here)',
  );

  const chats = await ferry('chats');
  assert.match(chats.stdout, /^bob@ferry\.test {2}\(2 unread\) {2}.*hello\?$/m);

  const sent = await ferry('send', bob.jid, 'yes, on my new device', '--no-omemo', '--json');
  assert.equal(sent.code, 0, sent.stderr);
  // The user's own message is from the account, to the contact.
  const stored = JSON.parse(sent.stdout) as { from: string; to: string; direction: string };
  assert.deepEqual([stored.from, stored.to, stored.direction], [alice, bob.jid, 'out']);
  await bob.waitForMessages(1, (m) => m.body === 'yes, on my new device');

  const chat = await ferry('chat', bob.jid, '--last', '2');
  assert.equal(chat.code, 0, chat.stderr);
  const lines = chat.stdout.trim().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0] ?? '', /bob@ferry\.test: hello\?$/);
  assert.match(lines[1] ?? '', /me: yes, on my new device {2}\(sent\)$/);
  const read = await ferry('chats', '--json');
  assert.equal((JSON.parse(read.stdout) as { unread: number }[])[0]?.unread, 0, 'chat marks read');

  // ferry run: prints what arrives until stopped.
  const run = spawn(
    process.execPath,
    ['--import', 'tsx', ENTRY, '--profile', profile, 'run', '--no-omemo'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  run.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => run.once('close', resolve));
  t.after(() => {
    if (run.exitCode === null) run.kill('SIGKILL');
  });
  await waitUntil(() => out.includes(`${alice} is up to date`), 15_000, 'ferry run to be online');
  // A short-lived `ferry send` meanwhile does not throw `ferry run` off the server.
  const during = await ferry('send', bob.jid, 'sent while run is on', '--no-omemo');
  assert.equal(during.code, 0, during.stderr);
  await bob.waitForMessages(1, (m) => m.body === 'sent while run is on');
  await bob.say(alice, 'live from bob');
  await waitUntil(() => out.includes('bob@ferry.test: live from bob'), 10_000, 'the live message');
  run.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.match(out, /alice@ferry\.test is offline/);

  // A wrong password: said in words, with a hint, no stack trace.
  const wrongDir = join(dir, 'wrong');
  writeFileSync(pwFile, 'nope\n');
  await runFerry([
    '--profile',
    wrongDir,
    'account',
    'add',
    alice,
    '--password-file',
    pwFile,
    '--hostname',
    '127.0.0.1',
    '--port',
    String(server.port),
    '--allow-plaintext-loopback',
  ]);
  const failed = await runFerry(['--profile', wrongDir, 'sync', '--no-omemo']);
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /refused the login of alice@ferry\.test: wrong password/);
  assert.match(failed.stderr, /hint: Check the password/);
  assert.doesNotMatch(failed.stderr, /\n\s+at /);
  const list = await runFerry(['--profile', wrongDir, 'account', 'list']);
  assert.equal(list.code, 0);
  assert.match(list.stdout, /last connection: the server refused the login of alice@ferry\.test/);
});
