/**
 * Prepared statements kept per connection, for the store's functions that run once per message
 * (the catch-up's look-ups and inserts): preparing parses and plans the SQL every time, about
 * a fifth of a catch-up's CPU when done per call. Only for statements run with `get`, `all` or
 * `run` in their default modes (a statement being iterated cannot run again until its iteration
 * ends, and `pluck`/`raw` would change it for every caller). SQLite prepares a statement again by
 * itself when the schema changed.
 */
import type Database from './sqlite.js';

const byConnection = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** `db.prepare(sql)`, prepared once per connection. */
export function cachedStatement(db: Database.Database, sql: string): Database.Statement {
  let cache = byConnection.get(db);
  if (cache === undefined) {
    cache = new Map();
    byConnection.set(db, cache);
  }
  let stmt = cache.get(sql);
  if (stmt === undefined) {
    stmt = db.prepare(sql);
    cache.set(sql, stmt);
  }
  return stmt;
}
