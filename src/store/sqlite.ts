/**
 * The SQLite library (better-sqlite3), the line that is right for the running Node:
 *
 * - Node 22 and later: better-sqlite3 13 (installed as `better-sqlite3-node22`, an optional
 *   dependency that npm skips on Node 20). It is built on Node-API; better-sqlite3 12 compiled
 *   against Node 24.19+ headers derives from `node::ObjectWrap`, whose destructor can abort the
 *   process (`RemoveEnvironmentCleanupHook … (env) != nullptr`) when a statement is garbage-collected
 *   outside a JavaScript context.
 * - Node 20: better-sqlite3 12 (`better-sqlite3`); 13 needs Node-API 10, which Node 20 lacks.
 *
 * Both lines have the same API, typed by @types/better-sqlite3. Code opens databases through this
 * module only (a lint rule refuses other value imports of `better-sqlite3`), so that a process never
 * loads two copies of SQLite (their file locks would not see each other).
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

/** The npm name of the library for Node `major`. */
export function sqlitePackageFor(major: number): string {
  return major >= 22 ? 'better-sqlite3-node22' : 'better-sqlite3';
}

function load(): typeof BetterSqlite3 {
  const name = sqlitePackageFor(NODE_MAJOR);
  try {
    return createRequire(import.meta.url)(name) as typeof BetterSqlite3;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND')
      throw new Error(
        `${name} is not installed for Node ${process.versions.node}: run \`npm install\` with this Node`,
        { cause: err },
      );
    throw err;
  }
}

const Database: typeof BetterSqlite3 = load();

// The library's types, as `Database.Database` etc. (a namespace of types only, merged with the value).
// eslint-disable-next-line @typescript-eslint/no-namespace
declare namespace Database {
  type Database = BetterSqlite3.Database;
  type Statement = BetterSqlite3.Statement;
  type Options = BetterSqlite3.Options;
  type RunResult = BetterSqlite3.RunResult;
}

export default Database;
