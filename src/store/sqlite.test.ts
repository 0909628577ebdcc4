import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import Database, { sqlitePackageFor } from './sqlite.js';

const major = Number(process.versions.node.split('.')[0]);

test('the SQLite library is the better-sqlite3 line for this Node: 13 on Node 22+, 12 on Node 20', () => {
  const name = sqlitePackageFor(major);
  const { version } = createRequire(import.meta.url)(`${name}/package.json`) as { version: string };
  assert.equal(Number(version.split('.')[0]), major >= 22 ? 13 : 12, `${name} ${version}`);
  assert.equal(sqlitePackageFor(20), 'better-sqlite3');
  assert.equal(sqlitePackageFor(24), 'better-sqlite3-node22');
});

test('a database opens, keeps rows and closes with the chosen library', () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (x INTEGER)');
  const insert = db.prepare('INSERT INTO t VALUES (?)');
  for (let i = 0; i < 100; i++) insert.run(i);
  assert.deepEqual(db.prepare('SELECT count(*) AS n, sum(x) AS s FROM t').get(), {
    n: 100,
    s: 4950,
  });
  db.close();
  assert.equal(db.open, false);
});
