import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  mkdtemp,
  mkdir,
  readFile,
  readdir,
  rm,
  stat,
  truncate,
  writeFile,
  open,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeMediaCompanion, type CompanionSource } from './companion-writer.js';
import { openMediaCompanion } from './companion-reader.js';
import { restoreMedia } from './restore.js';
import { CompanionNotRecognisedError, CompanionWrongPasswordError } from './errors.js';
import { mediaRelativeLocation } from './layout.js';

const PASSWORD = 'Grüße – пароль 🔑';
const ITERATIONS = 1000;

interface Fixture {
  dir: string;
  sources: CompanionSource[];
  contents: Map<string, Buffer>;
}

/** Files of different sizes: empty, small, several chunks, unicode names, sub-folders. */
async function makeFiles(): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-media-'));
  const files: [string, Buffer][] = [
    ['IMG_20231201_101010.jpg', randomBytes(50_000)],
    ['empty.txt', Buffer.alloc(0)],
    ['Conversations Documents/ملف.txt', Buffer.from('مرحبا\n', 'utf8')],
    [
      '/storage/emulated/0/Conversations/Media/Conversations Images/Grüße 😀.png',
      randomBytes(2_500_000),
    ],
    ['Bob\'s "quoted" file.pdf', randomBytes(1 << 20)],
  ];
  const sources: CompanionSource[] = [];
  const contents = new Map<string, Buffer>();
  for (const [relativeFilePath, bytes] of files) {
    const sourcePath = join(dir, 'src', relativeFilePath.replace(/^\/+/, ''));
    await mkdir(dirname(sourcePath), { recursive: true });
    await writeFile(sourcePath, bytes);
    sources.push({ relativeFilePath, sourcePath });
    contents.set(relativeFilePath, bytes);
  }
  return { dir, sources, contents };
}

async function writeCompanion(fx: Fixture, extra: CompanionSource[] = []): Promise<string> {
  const path = join(fx.dir, 'alice@example.org.2026-11-28-10-00.ceb.media');
  await writeMediaCompanion(
    path,
    {
      password: PASSWORD,
      jid: 'alice@example.org',
      backupName: 'alice@example.org.2026-11-28-10-00.ceb',
      iterations: ITERATIONS,
    },
    [...fx.sources, ...extra],
  );
  return path;
}

async function assertRestored(target: string, fx: Fixture, paths: string[]): Promise<void> {
  for (const p of paths) {
    const bytes = await readFile(join(target, mediaRelativeLocation(p)));
    assert.ok(bytes.equals(fx.contents.get(p) ?? Buffer.alloc(1)), `${p} is byte-identical`);
  }
}

async function listAll(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name));
  }
  return out;
}

test('every file comes back byte-identical, memory-flat chunks, mode 0600', async () => {
  const fx = await makeFiles();
  try {
    const path = await writeCompanion(fx, [
      { relativeFilePath: 'gone.jpg', sourcePath: join(fx.dir, 'nope.jpg') },
    ]);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    const companion = await openMediaCompanion(path, PASSWORD);
    assert.equal(companion.header.meta.jid, 'alice@example.org');
    assert.equal(companion.header.meta.backup, 'alice@example.org.2026-11-28-10-00.ceb');
    assert.deepEqual(
      companion.index?.map((e) => e.path),
      fx.sources.map((s) => s.relativeFilePath),
    );
    await companion.close();

    const target = join(fx.dir, 'restored');
    const result = await restoreMedia(path, PASSWORD, target);
    assert.deepEqual(result.restored, [...fx.contents.keys()]);
    assert.deepEqual(result.damaged, []);
    assert.deepEqual(result.conflicts, []);
    await assertRestored(target, fx, [...fx.contents.keys()]);
    // No temp files are left behind.
    assert.equal((await listAll(target)).length, fx.contents.size);
  } finally {
    await rm(fx.dir, { recursive: true, force: true });
  }
});

test('a wrong password is refused before anything is written', async () => {
  const fx = await makeFiles();
  try {
    const path = await writeCompanion(fx);
    const target = join(fx.dir, 'restored');
    await assert.rejects(
      restoreMedia(path, 'not the password', target),
      CompanionWrongPasswordError,
    );
    await assert.rejects(stat(target), { code: 'ENOENT' });
    await assert.rejects(
      openMediaCompanion(fx.sources[0]?.sourcePath ?? '', PASSWORD),
      CompanionNotRecognisedError,
    );
  } finally {
    await rm(fx.dir, { recursive: true, force: true });
  }
});

test('a damaged byte loses only the file it belongs to, and says which', async () => {
  const fx = await makeFiles();
  try {
    const path = await writeCompanion(fx);
    const companion = await openMediaCompanion(path, PASSWORD);
    const big = companion.index?.[3];
    await companion.close();
    assert.ok(big);
    // Flip one byte inside the second data chunk of the 2.5 MB file.
    const handle = await open(path, 'r+');
    const at = big.offset + 300 + (1 << 20) + 5000;
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, at);
    byte[0] = (byte[0] ?? 0) ^ 0xff;
    await handle.write(byte, 0, 1, at);
    await handle.close();

    const target = join(fx.dir, 'restored');
    const result = await restoreMedia(path, PASSWORD, target);
    assert.deepEqual(
      result.damaged.map((d) => d.path),
      [big.path],
    );
    const others = [...fx.contents.keys()].filter((p) => p !== big.path);
    assert.deepEqual(result.restored, others);
    await assertRestored(target, fx, others);
    assert.equal(
      (await listAll(target)).length,
      others.length,
      'no partial file of the damaged entry',
    );
  } finally {
    await rm(fx.dir, { recursive: true, force: true });
  }
});

test('damage to a frame header is skipped over (resynchronised) and loses one file', async () => {
  const fx = await makeFiles();
  try {
    const path = await writeCompanion(fx);
    const companion = await openMediaCompanion(path, PASSWORD);
    const victim = companion.index?.[2];
    await companion.close();
    assert.ok(victim);
    // Overwrite the start frame's marker and length of the third entry.
    const handle = await open(path, 'r+');
    await handle.write(randomBytes(24), 0, 24, victim.offset);
    await handle.close();
    const target = join(fx.dir, 'restored');
    const result = await restoreMedia(path, PASSWORD, target);
    assert.deepEqual(
      result.damaged.map((d) => d.path),
      [victim.path],
    );
    assert.equal(result.restored.length, fx.contents.size - 1);
  } finally {
    await rm(fx.dir, { recursive: true, force: true });
  }
});

test('a truncated companion restores what is complete and says the rest is lost', async () => {
  const fx = await makeFiles();
  try {
    const path = await writeCompanion(fx);
    await truncate(path, 2_000_000);
    const target = join(fx.dir, 'restored');
    const result = await restoreMedia(path, PASSWORD, target);
    assert.deepEqual(
      result.restored,
      fx.sources.slice(0, 3).map((s) => s.relativeFilePath),
    );
    await assertRestored(target, fx, result.restored);
    assert.equal(result.damaged[0]?.path, fx.sources[3]?.relativeFilePath);
    assert.match(result.damaged.at(-1)?.reason ?? '', /truncated/);
    assert.equal((await listAll(target)).length, 3);
  } finally {
    await rm(fx.dir, { recursive: true, force: true });
  }
});

test('an existing different file is never overwritten; an identical one is left alone', async () => {
  const fx = await makeFiles();
  try {
    const path = await writeCompanion(fx);
    const target = join(fx.dir, 'restored');
    await mkdir(target, { recursive: true });
    await writeFile(join(target, 'IMG_20231201_101010.jpg'), 'a different picture');
    await writeFile(join(target, 'empty.txt'), '');
    const result = await restoreMedia(path, PASSWORD, target);
    assert.deepEqual(result.conflicts, ['IMG_20231201_101010.jpg']);
    assert.deepEqual(result.alreadyPresent, ['empty.txt']);
    assert.equal(
      await readFile(join(target, 'IMG_20231201_101010.jpg'), 'utf8'),
      'a different picture',
    );
    assert.equal(result.restored.length, fx.contents.size - 2);
  } finally {
    await rm(fx.dir, { recursive: true, force: true });
  }
});

test('paths leading outside the media folder are refused', async () => {
  const fx = await makeFiles();
  try {
    const evil = join(fx.dir, 'evil.txt');
    await writeFile(evil, 'x');
    const path = await writeCompanion(fx, [
      { relativeFilePath: '../../escaped.txt', sourcePath: evil },
    ]);
    const target = join(fx.dir, 'a', 'b', 'restored');
    const result = await restoreMedia(path, PASSWORD, target);
    assert.deepEqual(result.refused, ['../../escaped.txt']);
    await assert.rejects(stat(join(fx.dir, 'a', 'escaped.txt')), { code: 'ENOENT' });
    assert.equal(result.restored.length, fx.contents.size);
  } finally {
    await rm(fx.dir, { recursive: true, force: true });
  }
});
