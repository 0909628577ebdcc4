import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OmemoEncryptError } from '../omemo/omemo-crypto.js';
import { describeUserError } from '../web/user-errors.js';
import { describeFailure } from './failure.js';

const noTrusted = new OmemoEncryptError(
  "none of bob@example.org's OMEMO devices can be reached (no trusted device with a bundle)",
);

test('a contact without a trusted OMEMO device: words and a hint in the CLI, not "a bug"', () => {
  const { message, hint } = describeFailure(noTrusted);
  assert.match(message, /^not sent: none of bob@example.org's OMEMO devices/);
  assert.match(hint, /ferry omemo trust/);
  assert.match(hint, /--no-omemo/);
  assert.doesNotMatch(`${message} ${hint}`, /bug|unexpected/);
});

test('… and in the web app', () => {
  const { message, hint } = describeUserError(noTrusted);
  assert.match(message, /^Not sent: none of bob@example.org's OMEMO devices/);
  assert.match(hint, /trust/);
  assert.match(hint, /unencrypted on purpose/);
  assert.doesNotMatch(`${message} ${hint}`, /bug|went wrong/);
});

test('a file system error the CLI meets anywhere names the path, never the raw code', () => {
  const err = Object.assign(new Error("ENOENT: no such file or directory, open 'x.ceb'"), {
    code: 'ENOENT',
    path: 'x.ceb',
  });
  const { message, hint } = describeFailure(err);
  assert.equal(message, 'no such file or folder: x.ceb');
  assert.doesNotMatch(`${message} ${hint}`, /ENOENT|bug/);
});
