/**
 * Runs {@link restoreRows} on a worker thread of its own (import-thread.ts) with a bounded heap.
 * The rows' values pass through the thread that binds them; on the main thread V8 lets that
 * garbage pile up to tens of MiB before collecting (its heap limits are fixed when Node starts), a
 * worker's limits are set here. The main thread only waits, and relays the progress events.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ImportJob, ImportReply } from './import-thread.js';
import type { ImportEvent, ImportResult } from './restore-rows.js';
import { errorFromThread } from './thread-errors.js';

/**
 * The import thread's heap: a small young generation (collected often, so the ArrayBuffers of used
 * chunks are freed soon too) and enough old generation for the batches in flight.
 */
const LIMITS = { maxYoungGenerationSizeMb: 3, maxOldGenerationSizeMb: 96 };

/** What this file needs of esbuild (which tsx brings), when ferry runs from its sources. */
interface Bundler {
  build(options: object): Promise<{ outputFiles: { text: string }[] }>;
}

let bundle: Promise<string> | undefined;
let live = 0;

/** How many import threads are running now (for tests: each ends with its import). */
export function liveImportThreads(): number {
  return live;
}

/**
 * import-thread.ts and what it imports as one CommonJS script, for runs from the TypeScript sources
 * (tests, benchmarks under tsx: Node 20 does not carry tsx into workers). Each file's
 * `import.meta.url` stays its own, so that its relative look-ups (SQLite's package, the parser's
 * threads) work as they do unbundled.
 */
function bundled(entry: string): Promise<string> {
  if (bundle !== undefined) return bundle;
  const esbuild = createRequire(import.meta.url)('esbuild') as Bundler;
  const ownUrl = {
    name: 'own-import-meta-url',
    setup(build: {
      onLoad(
        options: { filter: RegExp },
        load: (args: { path: string }) => { contents: string; loader: string },
      ): void;
    }) {
      build.onLoad({ filter: /\.ts$/ }, (args) => ({
        contents: readFileSync(args.path, 'utf8').replaceAll(
          'import.meta.url',
          JSON.stringify(pathToFileURL(args.path).href),
        ),
        loader: 'ts',
      }));
    },
  };
  bundle = esbuild
    .build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      conditions: ['ferry-source'],
      external: ['better-sqlite3', 'better-sqlite3-node22', 'esbuild'],
      plugins: [ownUrl],
      write: false,
      logLevel: 'silent',
    })
    .then((out) => out.outputFiles[0]?.text ?? '');
  return bundle;
}

async function startImportThread(job: ImportJob): Promise<Worker> {
  const options = { workerData: job, resourceLimits: LIMITS };
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./import-thread.js', import.meta.url), options);
  }
  const entry = fileURLToPath(new URL('./import-thread.ts', import.meta.url));
  return new Worker(await bundled(entry), { ...options, eval: true });
}

/** {@link restoreRows} of `file` into the profile in `dir`, on its own thread. */
export async function restoreRowsOnThread(
  dir: string,
  file: string,
  password: string,
  onProgress?: (event: ImportEvent) => void,
): Promise<ImportResult> {
  const worker = await startImportThread({ dir, file, password });
  live++;
  const answer = new Promise<ImportReply | Error>((resolve) => {
    worker.on('message', (reply: ImportReply) => {
      if (reply.kind === 'event') onProgress?.(reply.event);
      else resolve(reply);
    });
    // A thread that dies (out of its heap, say) never committed: SQLite rolls its transaction back.
    worker.on('error', resolve);
    worker.on('exit', (code) =>
      resolve(new Error(`the import thread stopped (exit code ${code})`)),
    );
  });
  let reply: ImportReply | Error;
  try {
    reply = await answer;
  } finally {
    // The thread closed its connection before answering; its parser threads end with it.
    await worker.terminate();
    live--;
  }
  if (reply instanceof Error) throw reply;
  if (reply.kind === 'failed') throw errorFromThread(reply.error);
  if (reply.kind !== 'done') throw new Error('the import thread gave no result');
  return reply.result;
}
