import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { buildProgram, programFor } from './main.js';

function leafCommands(cmd: Command, path: string[] = []): { path: string; cmd: Command }[] {
  const subs = cmd.commands.filter((c) => c.name() !== 'help');
  if (subs.length === 0) return [{ path: path.join(' '), cmd }];
  return subs.flatMap((c) => leafCommands(c, [...path, c.name()]));
}

test('every command explains itself with examples in --help and is in docs/cli.md', async () => {
  const program = await buildProgram();
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

function helpOf(cmd: Command): string {
  let help = '';
  cmd.configureOutput({ writeOut: (s) => (help += s), getOutHelpWidth: () => 100 });
  cmd.outputHelp();
  return help;
}

test('`ferry --help` without loading any command module reads exactly as with all of them', async () => {
  const full = await buildProgram();
  const light = await programFor(['node', 'ferry', '--help']);
  assert.equal(helpOf(light), helpOf(full));
  for (const word of full.commands.map((c) => c.name()).filter((n) => n !== 'help')) {
    // `ferry WORD --help` loads WORD's group only, and shows the same help as the full tree.
    const one = await programFor(['node', 'ferry', '--profile', '/x', word, '--help']);
    const cmd = one.commands.find((c) => c.name() === word);
    assert.ok(cmd, `${word} is registered when it runs`);
    assert.equal(helpOf(cmd), helpOf(full.commands.find((c) => c.name() === word) as Command));
  }
});
