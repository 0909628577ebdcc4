/**
 * The error table knows every typed error of every layer: each class exported by an errors module
 * (src/LAYER/errors.ts, src/LAYER/SUB/errors.ts) belongs to a family, each of its codes has words
 * for the terminal and for the web page that are not "a bug", and no error class is defined
 * anywhere else (where this test would not see it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ERROR_FAMILIES, errorCodes, findError, type ErrorClass } from './table.js';
import { pageWords, terminalWords } from './words.js';
import { toRemoteError } from '../migration/remote/errors.js';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory())
      return e.name === 'testing' || e.name === 'node_modules' ? [] : sourceFiles(path);
    return e.name.endsWith('.ts') && !/\.(i?test|d)\.ts$/.test(e.name) ? [path] : [];
  });
}

const errorModules = sourceFiles(SRC).filter(
  (f) => f.endsWith('/errors.ts') && !f.includes('/src/errors/'),
);

async function exportedErrorClasses(): Promise<
  { module: string; name: string; cls: ErrorClass }[]
> {
  const found: { module: string; name: string; cls: ErrorClass }[] = [];
  for (const file of errorModules) {
    const exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value === 'function' && value.prototype instanceof Error) {
        found.push({ module: relative(SRC, file), name, cls: value as ErrorClass });
      }
    }
  }
  return found;
}

function covered(cls: ErrorClass): boolean {
  return ERROR_FAMILIES.some((f) => f.classes.some((c) => cls === c || cls.prototype instanceof c));
}

test('the errors modules of every layer are the ones the table reads', () => {
  const layers = errorModules.map((f) => relative(SRC, f)).sort();
  for (const expected of [
    'clients/errors.ts',
    'export/errors.ts',
    'format/errors.ts',
    'migration/media/errors.ts',
    'migration/remote/errors.ts',
    'omemo/errors.ts',
    'store/errors.ts',
    'xmpp/errors.ts',
  ]) {
    assert.ok(layers.includes(expected), `${expected} is found`);
  }
});

test('every error class an errors module exports is in the error table', async () => {
  const classes = await exportedErrorClasses();
  assert.ok(classes.length >= 30, `found ${classes.length} classes`);
  const missing = classes.filter((c) => !covered(c.cls)).map((c) => `${c.module}: ${c.name}`);
  assert.deepEqual(missing, [], 'add them to src/errors/table.ts');
});

test('no error class is defined outside an errors module (where the table test would miss it)', () => {
  const outside: string[] = [];
  for (const file of sourceFiles(SRC)) {
    if (file.endsWith('/errors.ts') || file.endsWith('/errors/user-facing-error.ts')) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/class (\w+) extends (\w*Error)\b/g)) {
      outside.push(`${relative(SRC, file)}: ${m[1]} extends ${m[2]}`);
    }
  }
  assert.deepEqual(outside, [], 'define error classes in the layer’s errors.ts');
});

test('each error, constructed, gets words in the terminal and on the page, never "a bug"', async () => {
  const classes = await exportedErrorClasses();
  const bases = new Set(
    classes.filter((a) => classes.some((b) => b.cls.prototype instanceof a.cls)).map((a) => a.cls),
  );
  let checked = 0;
  for (const { name, cls } of classes) {
    if (bases.has(cls)) continue; // abstract bases: their subclasses are checked
    const construct = (args: unknown[]): Error =>
      Reflect.construct(cls as unknown as new (...a: unknown[]) => Error, args);
    // Arguments that each constructor takes (strings, or lists where a class joins them).
    const plain = [
      ['what happened', 'what to do'],
      [['what happened'], ['what to do']],
    ].reduce<Error | undefined>((made, args) => {
      if (made) return made;
      try {
        return construct(args);
      } catch {
        return undefined;
      }
    }, undefined);
    assert.ok(plain, `${name} can be constructed`);
    const family = ERROR_FAMILIES.find((f) => f.match(plain) !== undefined);
    const samples =
      family === undefined
        ? // A class whose code is its first argument (RemoteStorageError, ClientError, EngineError).
          (ERROR_FAMILIES.find((f) => f.classes.includes(cls))?.codes ?? ['?']).map((code) =>
            construct([code, `what happened (${code})`, 'what to do']),
          )
        : [plain];
    for (const err of samples) {
      const what = `${name} ${String((err as { code?: unknown }).code)}`;
      const found = findError(err);
      assert.ok(found, `${what} is in the table`);
      const cli = terminalWords(err);
      const page = pageWords(err);
      assert.ok(cli.hint.length > 0 && page.hint.length > 0, `${what} has hints`);
      assert.doesNotMatch(`${cli.message} ${cli.hint}`, /bug in ferry|unexpected error/, what);
      assert.doesNotMatch(`${page.message} ${page.hint}`, /bug in ferry|went wrong/, what);
      assert.equal(cli.exitCode, found.exit, what);
      checked++;
    }
  }
  assert.ok(checked >= 40, `checked ${checked} errors`);
});

test('codes are unique and stable in form (family.code)', () => {
  const codes = errorCodes();
  assert.equal(new Set(codes).size, codes.length, 'no code twice');
  for (const c of codes) assert.match(c, /^[a-z]+\.[a-z-]+$/, c);
  for (const c of ['format.wrong-password', 'store.busy', 'remote.auth', 'omemo.cannot-encrypt']) {
    assert.ok(codes.includes(c), c);
  }
});

test('the disk being full: the hint says what the failed operation left unchanged', () => {
  const full = Object.assign(new Error('SQLITE_FULL: database or disk is full'), {
    code: 'SQLITE_FULL',
  });
  assert.deepEqual(terminalWords(full, { nothingChanged: 'Nothing was imported.' }), {
    message: 'the disk is full',
    hint: 'Free some space and run this again. Nothing was imported.',
    exitCode: 1,
  });
  assert.equal(pageWords(full).message, 'The disk is full.');
});

test('an error the table does not know is a bug, in both interfaces', () => {
  const odd = new TypeError('x is undefined');
  assert.match(terminalWords(odd).message, /^unexpected error: x is undefined$/);
  assert.match(terminalWords(odd).hint, /bug in ferry/);
  assert.match(pageWords(odd).message, /^Something went wrong: x is undefined$/);
});

test('a cloud server that cannot be reached is told apart from a dropped connection by the error, not its text', () => {
  const refused = toRemoteError(
    Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    'listing',
    'https://cloud.example.org/dav/',
  );
  const reset = toRemoteError(
    Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
    'listing',
    'https://cloud.example.org/dav/',
  );
  assert.equal(refused.code, 'network');
  assert.equal(reset.code, 'network');
  assert.deepEqual(pageWords(refused), {
    kind: 'unreachable',
    message: 'The cloud server is unreachable.',
    hint: 'Check the folder address and the network connection, then try again.',
  });
  assert.equal(pageWords(reset).kind, 'connection-lost');
  assert.equal(terminalWords(refused).exitCode, 9);
});
