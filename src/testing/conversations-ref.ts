/**
 * Conversations' reference exporter/importer (Java, `../shared/conversations-ref` beside the
 * repository, see its README), for tests that prove a file imports in Conversations. Tests run it
 * only when it and Java are present, and otherwise skip that step with a one-line reason.
 *
 *   const ref = conversationsReference();
 *   if (ref === undefined) t.diagnostic(REFERENCE_MISSING); else execFileSync(ref, ['import', …]);
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `$FERRY_CEB_REF`, or `ceb-ref` in `../shared/conversations-ref` beside this repository. */
export const CONVERSATIONS_REF =
  process.env.FERRY_CEB_REF ??
  fileURLToPath(new URL('../../../shared/conversations-ref/ceb-ref', import.meta.url));

/** Why a step that needs the reference was skipped. */
export const REFERENCE_MISSING =
  'Conversations reference (../shared/conversations-ref) or Java not present: step skipped';

/** The reference's path when it and Java can run here, else undefined. */
export function conversationsReference(): string | undefined {
  if (!existsSync(CONVERSATIONS_REF)) return undefined;
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
    return CONVERSATIONS_REF;
  } catch {
    return undefined;
  }
}
