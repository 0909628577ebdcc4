import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread running the module `name` (a file name beside `importerUrl`, without
 * extension). Built code runs the `.js` file; when ferry runs from its TypeScript sources (tests,
 * benchmarks under tsx), the worker loads the `.ts` file through tsx, which Node 20 does not
 * carry into workers by itself.
 */
export function startWorker(
  importerUrl: string,
  name: string,
  options: WorkerOptions = {},
): Worker {
  if (!importerUrl.endsWith('.ts'))
    return new Worker(new URL(`./${name}.js`, importerUrl), options);
  const entry = new URL(`./${name}.ts`, importerUrl).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const code =
    `import(${JSON.stringify(tsx)})` +
    `.then((api) => api.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`;
  return new Worker(code, { ...options, eval: true });
}
