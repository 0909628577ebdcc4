/**
 * The web API's contract (api-types.ts) binds both sides: a field renamed in it fails the typecheck
 * of the routes that produce or read it and of the page (public/*.js, checkJs) that uses it. The
 * compiler runs in-process on the real files, with api-types.ts replaced in memory by a copy with
 * the fields renamed; nothing is written. An integration test only because it is slow for a unit
 * test (the compiler needs ~15 s of CPU time).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '..', '..');
const contractFile = join(root, 'src', 'web', 'api-types.ts');

/** Renames one field of one interface of the contract (the field must be there exactly once). */
function renameField(source: string, iface: string, field: string, to: string): string {
  const start = source.indexOf(`export interface ${iface} `);
  assert.ok(start >= 0, `interface ${iface} is in api-types.ts`);
  const end = source.indexOf('\n}', start);
  const body = source.slice(start, end);
  const pattern = new RegExp(`\\n  ${field}(\\??):`, 'g');
  assert.equal(body.match(pattern)?.length, 1, `${iface}.${field} is declared once`);
  return source.slice(0, start) + body.replace(pattern, `\n  ${to}$1:`) + source.slice(end);
}

/** The typecheck's errors, file (relative) and message, with api-types.ts's text replaced. */
function typecheckWith(contract: string): { file: string; message: string }[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.check.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(String(d.messageText)) },
  );
  assert.ok(config);
  // Both sides of the contract: the page and the routes (and whatever they import), with the
  // server (its plugins type `request.file()`) and the project's declaration files.
  const publicDir = join(root, 'src', 'web', 'public');
  const routesDir = join(root, 'src', 'web', 'routes');
  const roots = [
    ...readdirSync(publicDir)
      .filter((f) => f.endsWith('.js'))
      .map((f) => join(publicDir, f)),
    ...readdirSync(routesDir)
      .filter((f) => f.endsWith('.ts') && !f.includes('.test.'))
      .map((f) => join(routesDir, f)),
    join(root, 'src', 'web', 'server.ts'),
    ...config.fileNames.filter((f) => f.endsWith('.d.ts')),
  ];
  const host = ts.createCompilerHost(config.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) =>
    resolve(fileName) === contractFile
      ? ts.createSourceFile(fileName, contract, languageVersion, true)
      : getSourceFile(fileName, languageVersion, ...rest);
  const program = ts.createProgram({ rootNames: roots, options: config.options, host });
  return ts.getPreEmitDiagnostics(program).map((d) => ({
    file: d.file ? relative(root, d.file.fileName) : '',
    message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
  }));
}

test('a field renamed in api-types.ts fails the typecheck of the routes and of the page', () => {
  let contract = readFileSync(contractFile, 'utf8');
  // An answer's field (the server fills it, the Accounts screen shows it), a request's field (the
  // page sends it, the route reads it) and a job result's field (made by the route, shown by the page).
  contract = renameField(contract, 'AccountView', 'hostname', 'serverHost');
  contract = renameField(contract, 'SendMessageRequest', 'text', 'messageText');
  contract = renameField(contract, 'ExportResultView', 'archive', 'zipArchive');
  const errors = typecheckWith(contract);
  const where = (name: string) =>
    errors.filter((e) => new RegExp(`'${name}'`).test(e.message)).map((e) => e.file);
  const shown = JSON.stringify(errors, null, 1);

  const hostname = where('hostname');
  assert.ok(hostname.includes('src/web/routes/accounts.ts'), shown);
  assert.ok(hostname.includes('src/web/public/accounts.js'), shown);
  const text = where('text');
  assert.ok(text.includes('src/web/routes/chats.ts'), shown);
  assert.ok(text.includes('src/web/public/chats.js'), shown);
  const archive = where('archive');
  assert.ok(archive.includes('src/web/routes/exports.ts'), shown);
  assert.ok(archive.includes('src/web/public/export.js'), shown);
  // Nothing else is wrong: every error names one of the renamed fields.
  const unrelated = errors.filter((e) => !/'(hostname|text|archive)'/.test(e.message));
  assert.deepEqual(unrelated, []);
});
