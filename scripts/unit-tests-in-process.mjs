// Loads the given test files into this one process, one after the other (node:test runs the tests
// they declare). `run-tests.mjs --unit` uses it so that unit tests pay Node's and tsx's start-up
// once per core instead of once per file; integration tests keep a process per file.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

// Absolute first: a test may change the working directory while it runs.
const urls = process.argv.slice(2).map((f) => pathToFileURL(resolve(f)).href);
for (const url of urls) await import(url);
