import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNetrc, resolveWebdavCredentials } from './credentials.js';
import { RemoteStorageError } from './errors.js';

test('netrc: machine entries, default, quoted passwords, macdef skipped', () => {
  const entries = parseNetrc(
    [
      '# comment',
      'machine cloud.example.org login kim password "pass with spaces \\" quote"',
      'macdef init',
      'cd /tmp',
      '',
      'machine other.example login lee',
      '  password p2',
      'default login anon password anon',
    ].join('\n'),
  );
  assert.deepEqual(entries, [
    { machine: 'cloud.example.org', login: 'kim', password: 'pass with spaces " quote' },
    { machine: 'other.example', login: 'lee', password: 'p2' },
    { machine: null, login: 'anon', password: 'anon' },
  ]);
});

test('credentials: environment first, then netrc for the host, then the prompt', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-cred-'));
  try {
    const url = new URL('https://cloud.example.org/remote.php/dav/files/kim/');
    const netrc = join(dir, 'netrc');
    await writeFile(netrc, 'machine cloud.example.org login kim password from-netrc\n');
    const env = { FERRY_WEBDAV_USER: 'envuser', FERRY_WEBDAV_PASSWORD: 'from-env' };
    assert.deepEqual(await resolveWebdavCredentials(url, { env, netrcFile: netrc }), {
      username: 'envuser',
      password: 'from-env',
      source: 'environment',
    });
    assert.deepEqual(await resolveWebdavCredentials(url, { env: {}, netrcFile: netrc }), {
      username: 'kim',
      password: 'from-netrc',
      source: 'netrc',
    });
    // ~/.netrc is read when no file is named.
    await writeFile(join(dir, '.netrc'), 'default login d password from-home\n');
    assert.equal(
      (await resolveWebdavCredentials(url, { env: {}, home: dir }))?.password,
      'from-home',
    );
    const asked: string[] = [];
    const prompted = await resolveWebdavCredentials(new URL('https://elsewhere.example/'), {
      env: {},
      home: join(dir, 'nothing'),
      prompt: async (q, hidden) => {
        asked.push(`${hidden ? 'hidden' : 'visible'}: ${q}`);
        return hidden ? 'typed' : 'kim';
      },
    });
    assert.deepEqual(prompted, { username: 'kim', password: 'typed', source: 'prompt' });
    assert.deepEqual(asked, [
      'visible: WebDAV user for elsewhere.example: ',
      'hidden: WebDAV password for kim at elsewhere.example: ',
    ]);
    assert.equal(
      await resolveWebdavCredentials(url, { env: {}, home: join(dir, 'nothing') }),
      null,
    );
    await assert.rejects(
      resolveWebdavCredentials(url, { env: {}, netrcFile: join(dir, 'missing') }),
      RemoteStorageError,
    );
    await assert.rejects(
      resolveWebdavCredentials(new URL('https://kim:pw@cloud.example.org/'), { env }),
      (err: unknown) =>
        err instanceof RemoteStorageError && err.code === 'bad-url' && !err.message.includes('pw'),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
