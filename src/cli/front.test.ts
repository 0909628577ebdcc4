import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildProgram } from './main.js';
import { frontCommand } from './front.js';
import { topLevelHelp } from './help-text.js';

test('`ferry --help` written without commander reads as commander writes it, at every width', async () => {
  const program = await buildProgram();
  for (const width of [20, 39, 40, 45, 60, 79, 80, 81, 100, 120, 160, 250]) {
    let commander = '';
    program.configureOutput({
      writeOut: (s) => (commander += s),
      getOutHelpWidth: () => width,
    });
    program.outputHelp();
    assert.equal(topLevelHelp(width), commander, `at ${width} columns`);
  }
});

test('the front takes --help and plain `inspect FILE…` itself, and leaves everything else to commander', () => {
  const argv = (...args: string[]): string[] => ['node', 'ferry', ...args];
  assert.deepEqual(frontCommand(argv('--help')), { help: true });
  assert.deepEqual(frontCommand(argv('-h')), { help: true });
  assert.deepEqual(frontCommand(argv('help')), { help: true });
  assert.deepEqual(frontCommand(argv('inspect', 'a.ceb')), { inspect: ['a.ceb'], json: false });
  assert.deepEqual(frontCommand(argv('inspect', 'a.ceb', '--json', 'b.ceb')), {
    inspect: ['a.ceb', 'b.ceb'],
    json: true,
  });
  for (const args of [
    [],
    ['help', 'inspect'],
    ['--profile', '/x', '--help'],
    ['inspect'],
    ['inspect', '--json'],
    ['inspect', '--help'],
    ['inspect', '--', 'a.ceb'],
    ['inspect', '--json=1', 'a.ceb'],
    ['inspect', '-', 'a.ceb'],
    ['--profile', '/x', 'inspect', 'a.ceb'],
    ['verify', 'a.ceb'],
  ]) {
    assert.equal(frontCommand(argv(...args)), undefined, `ferry ${args.join(' ')}`);
  }
});
