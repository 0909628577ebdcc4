import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The folder with the page's files. They are plain ES modules (no build step), kept in
 * `src/web/public`; when running from `dist/web` the same folder is found through the package root.
 */
export function publicDir(): string {
  const candidates = [join(here, 'public'), join(here, '..', '..', 'src', 'web', 'public')];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (!found)
    throw new Error(`the web app's page files are missing (looked in ${candidates.join(', ')})`);
  return found;
}

/** The browser modules of preact and htm, served from node_modules under /vendor/. */
export const VENDOR_MODULES: Record<string, string> = {
  'preact.mjs': 'preact/dist/preact.mjs',
  'hooks.mjs': 'preact/hooks/dist/hooks.mjs',
  'htm.mjs': 'htm/dist/htm.mjs',
};

/** The import map that lets the page's modules say `from 'preact'`. */
export const IMPORT_MAP = JSON.stringify({
  imports: {
    preact: '/vendor/preact.mjs',
    'preact/hooks': '/vendor/hooks.mjs',
    htm: '/vendor/htm.mjs',
  },
});

const require = createRequire(import.meta.url);

export function readVendorModule(name: string): string | undefined {
  const spec = VENDOR_MODULES[name];
  if (spec === undefined) return undefined;
  const [pkg, ...rest] = spec.split('/');
  if (pkg === undefined) return undefined;
  return readFileSync(join(packageDir(pkg), ...rest), 'utf8');
}

/** The folder of an installed package (found from its main file; not every package exports package.json). */
function packageDir(pkg: string): string {
  let dir = dirname(require.resolve(pkg));
  while (!existsSync(join(dir, 'package.json')) || !isPackage(join(dir, 'package.json'), pkg)) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`package ${pkg} not found`);
    dir = up;
  }
  return dir;
}

function isPackage(file: string, name: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === name;
  } catch {
    return false;
  }
}
