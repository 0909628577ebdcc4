import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import test from 'node:test';
import fc from 'fast-check';
import { sqliteLiteralReal, sqliteRealText } from './sqlite-real.js';

test('a REAL is printed the way SQLite 3.40 prints it: 15 digits, ".0" kept, two-digit exponent', () => {
  assert.equal(sqliteRealText(Number(12345678901234567890n)), '1.23456789012346e+19');
  assert.equal(sqliteRealText(1e19), '1.0e+19');
  assert.equal(sqliteRealText(-9223372036854775808), '-9.22337203685478e+18');
  assert.equal(sqliteRealText(0), '0.0');
  assert.equal(sqliteRealText(-0), '0.0');
  assert.equal(sqliteRealText(100), '100.0');
  assert.equal(sqliteRealText(0.1), '0.1');
  assert.equal(sqliteRealText(1e-5), '1.0e-05');
  assert.equal(sqliteRealText(1.5e300), '1.5e+300');
  assert.equal(sqliteRealText(-Infinity), '-Inf');
});

test('near a tie the digits are SQLite’s, not JavaScript’s correctly rounded ones', () => {
  // The same double: JavaScript's toPrecision(15) says …583e+22.
  assert.equal(sqliteLiteralReal(21266030365358250004145n), Number(21266030365358250004145n));
  assert.equal(sqliteRealText(Number(21266030365358250004145n)), '2.12660303653582e+22');
  // SQLite reads this literal as a different double than Number(): only its first 19 digits count.
  assert.notEqual(
    sqliteLiteralReal(7447997370781585000003271n),
    Number(7447997370781585000003271n),
  );
  assert.equal(
    sqliteRealText(sqliteLiteralReal(7447997370781585000003271n)),
    '7.44799737078158e+24',
  );
  assert.equal(sqliteLiteralReal(-(10n ** 400n)), -Infinity);
});

function sqlite340(t: { skip: (why: string) => void }): boolean {
  const version = spawnSync('sqlite3', ['--version'], { encoding: 'utf8' });
  const minor = /^3\.(\d+)/.exec(version.stdout ?? '')?.[1];
  if (version.status !== 0 || minor === undefined || Number(minor) >= 43) {
    t.skip('needs the sqlite3 command of SQLite < 3.43 (Debian 12 has 3.40)');
    return false;
  }
  return true;
}

function runSqlite(sql: string): string[] {
  const out = spawnSync('sqlite3', [':memory:'], {
    input: sql,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  assert.equal(out.status, 0, out.stderr);
  return out.stdout.trim().split('\n');
}

test('literal → REAL → text agrees with the sqlite3 command on random huge literals', (t) => {
  if (!sqlite340(t)) return;
  const digits = fc
    .integer({ min: 19, max: 330 })
    .chain((n) => fc.bigInt({ min: 2n ** 63n + 1n, max: 10n ** BigInt(n) }));
  const values = fc.sample(fc.tuple(digits, fc.boolean()), 2000).map(([v, neg]) => (neg ? -v : v));
  const lines = runSqlite(
    'CREATE TABLE t (x TEXT, y REAL);\n' +
      values.map((v) => `INSERT INTO t VALUES (${v}, ${v});`).join('\n') +
      "\nSELECT x || '|' || y FROM t ORDER BY rowid;\n",
  );
  assert.deepEqual(
    values.map(
      (v) => `${sqliteRealText(sqliteLiteralReal(v))}|${sqliteRealText(sqliteLiteralReal(v))}`,
    ),
    lines,
  );
});

test('REAL → text agrees with the sqlite3 command on doubles of every magnitude', (t) => {
  if (!sqlite340(t)) return;
  const doubles = fc.sample(fc.double({ noNaN: true }), 2000);
  // ieee754(m, e) builds the exact double in SQLite without parsing decimal text.
  const exactly = doubles.map((d) => {
    if (d === 0 || !Number.isFinite(d)) return String(d === 0 ? '0.0' : d > 0 ? '1e999' : '-1e999');
    let e = Math.max(-1074, Math.floor(Math.log2(Math.abs(d))) - 52);
    while (!Number.isInteger(d / 2 ** e)) e--;
    return `ieee754(${BigInt(d / 2 ** e)}, ${e})`;
  });
  const lines = runSqlite(
    'CREATE TABLE t (x TEXT);\n' +
      exactly.map((v) => `INSERT INTO t VALUES (${v});`).join('\n') +
      '\nSELECT x FROM t ORDER BY rowid;\n',
  );
  assert.deepEqual(
    doubles.map((d) => sqliteRealText(d)),
    lines,
  );
});
