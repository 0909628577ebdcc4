import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** What this file needs of esbuild (which tsx brings), when the library runs from its sources. */
interface Bundler {
  buildSync(options: object): { outputFiles: { text: string }[] };
}

const bundles = new Map<string, string>();

/**
 * The `.ts` module `entry` and what it imports, as one CommonJS script: made once per process by
 * esbuild, so that each thread starts as fast as a built one (a thread that loaded tsx itself spent
 * about a second of CPU starting).
 */
function bundled(entry: string): string {
  let code = bundles.get(entry);
  if (code === undefined) {
    const esbuild = createRequire(import.meta.url)('esbuild') as Bundler;
    const out = esbuild.buildSync({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    });
    code = out.outputFiles[0]?.text ?? '';
    bundles.set(entry, code);
  }
  return code;
}

/**
 * Starts a worker thread running the module `name` (a file name beside `importerUrl`, without
 * extension). Built code runs the `.js` file; when ferry runs from its TypeScript sources (tests,
 * benchmarks under tsx), the thread runs the `.ts` file bundled into plain JavaScript (Node 20
 * does not carry tsx into workers by itself).
 */
export function startWorker(
  importerUrl: string,
  name: string,
  options: WorkerOptions = {},
): Worker {
  if (!importerUrl.endsWith('.ts'))
    return new Worker(new URL(`./${name}.js`, importerUrl), options);
  const entry = fileURLToPath(new URL(`./${name}.ts`, importerUrl));
  return new Worker(bundled(entry), { ...options, eval: true });
}
