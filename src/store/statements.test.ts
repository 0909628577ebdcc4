import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from './sqlite.js';
import { cachedStatement } from './statements.js';

test('a statement is prepared once per connection and follows schema changes', () => {
  const a = new Database(':memory:');
  const b = new Database(':memory:');
  try {
    for (const db of [a, b]) db.exec("CREATE TABLE t (x); INSERT INTO t VALUES ('one')");
    const sql = 'SELECT * FROM t';
    const first = cachedStatement(a, sql);
    assert.equal(cachedStatement(a, sql), first, 'the same statement again');
    assert.notEqual(cachedStatement(b, sql), first, 'each connection its own');
    assert.deepEqual(first.get(), { x: 'one' });
    // A column added later (as an import of a newer Conversations' backup does) is seen.
    a.exec("ALTER TABLE t ADD COLUMN y; UPDATE t SET y = 'two'");
    assert.deepEqual(cachedStatement(a, sql).get(), { x: 'one', y: 'two' });
  } finally {
    a.close();
    b.close();
  }
});
