#!/usr/bin/env node
// V8's young generation stays at its start size until the command is known (src/cli/young-generation.ts).
(await import('node:v8')).setFlagsFromString('--semi-space-growth-factor=1');
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
