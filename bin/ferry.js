#!/usr/bin/env node
// Node 22.1+ keeps compiled code between runs (a faster start); Node 20 goes without, and does not
// load node:module for it (that module brings the source-map support along, a cost at every start).
if (Number(process.versions.node.split('.')[0]) >= 22) {
  (await import('node:module')).enableCompileCache?.();
}
const { main } = await import('../dist/cli/main.js');

process.exitCode = await main(process.argv);
