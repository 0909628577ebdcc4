import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnsafeMediaPathError } from './errors.js';
import { companionPathFor, findMediaFile, mediaFilePath, mediaRelativeLocation } from './layout.js';

test('relative paths go under Media/, absolute phone paths under what follows their Media folder', () => {
  assert.equal(mediaFilePath('/p', 'IMG_1.jpg'), '/p/Media/IMG_1.jpg');
  assert.equal(
    mediaFilePath('/p', 'Conversations Documents/ملف.txt'),
    '/p/Media/Conversations Documents/ملف.txt',
  );
  assert.equal(
    mediaFilePath(
      '/p',
      '/storage/emulated/0/Conversations/Media/Conversations Images/Grüße 😀.png',
    ),
    '/p/Media/Conversations Images/Grüße 😀.png',
  );
  assert.equal(
    mediaFilePath('/p', '/storage/emulated/0/Download/a.pdf'),
    '/p/Media/storage/emulated/0/Download/a.pdf',
  );
  assert.equal(
    companionPathFor('/b/alice@x.org.2026-11-28-10-00.ceb'),
    '/b/alice@x.org.2026-11-28-10-00.ceb.media',
  );
});

test('paths that would leave the media folder are refused', () => {
  for (const bad of ['', '../x', 'a/../../x', '/storage/../../etc/passwd', 'a//b', './a', 'a\0b']) {
    assert.throws(() => mediaRelativeLocation(bad), UnsafeMediaPathError, JSON.stringify(bad));
  }
});

test('a file copied by hand to its place, or an absolute path present as is, is found', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-layout-'));
  try {
    assert.equal(findMediaFile(dir, 'a.jpg'), null);
    await mkdir(join(dir, 'Media'), { recursive: true });
    await writeFile(join(dir, 'Media', 'a.jpg'), 'x');
    assert.equal(findMediaFile(dir, 'a.jpg'), join(dir, 'Media', 'a.jpg'));
    const elsewhere = join(dir, 'elsewhere.pdf');
    await writeFile(elsewhere, 'y');
    assert.equal(findMediaFile(dir, elsewhere), elsewhere);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
