#!/usr/bin/env -S node --max-semi-space-size=4
// --max-semi-space-size=4: V8's young generation stays at 8 MiB instead of growing to 32 MiB over
// a long import (V8 grows it by the bytes that survive collections, summed over the run), with
// no loss of speed (docs/performance.md). It applies when ferry is run as a program (`npx ferry`,
// `./bin/ferry.js`, npm's bin link), not as `node bin/ferry.js`; `npm start` passes it itself.
// Node 22.1+ keeps compiled code between runs (a faster start); Node 20 goes without, and does not
// load node:module for it (that module brings the source-map support along, a cost at every start).
if (Number(process.versions.node.split('.')[0]) >= 22) {
  (await import('node:module')).enableCompileCache?.();
}
// The command is bundled (scripts/build-cli.mjs); with FERRY_DEBUG=1 its stack traces name the
// lines of src/**/*.ts through the bundle's source maps.
if (process.env.FERRY_DEBUG === '1') process.setSourceMapsEnabled(true);
const { main } = await import('../dist/bundle/ferry.js');

process.exitCode = await main(process.argv);
