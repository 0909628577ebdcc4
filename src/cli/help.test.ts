import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { buildProgram } from './main.js';

function leafCommands(cmd: Command, path: string[] = []): { path: string; cmd: Command }[] {
  const subs = cmd.commands.filter((c) => c.name() !== 'help');
  if (subs.length === 0) return [{ path: path.join(' '), cmd }];
  return subs.flatMap((c) => leafCommands(c, [...path, c.name()]));
}

test('every command explains itself with examples in --help and is in docs/cli.md', () => {
  const program = buildProgram();
  const doc = readFileSync('docs/cli.md', 'utf8');
  const leaves = leafCommands(program);
  assert.ok(leaves.length >= 20, `only ${leaves.length} commands found`);
  for (const { path, cmd } of leaves) {
    let help = '';
    cmd.configureOutput({ writeOut: (s) => (help += s) });
    cmd.outputHelp();
    assert.match(help, /Examples?:/, `ferry ${path} --help has no examples`);
    assert.ok(doc.includes(`### \`ferry ${path}\``), `docs/cli.md does not describe ferry ${path}`);
  }
});
