// Bundles the `ferry` command into dist/bundle/ (`npm run build` runs it after tsc, which checks
// the types and emits dist/ for the tools that import modules one by one). A start then reads a
// few files instead of forty: most of a start's cost on Node 20 (docs/performance.md, "Start-up").
//
//   ferry.js        src/cli/front.ts: the argv front; writes `ferry --help` itself and hands
//                   the rest to one of the two below. Nothing else is in it.
//   inspect-run.js  `ferry inspect FILE…` whole, the backup header reader included: one file.
//   main.js         the commander program (src/cli/main.ts) for every other command line, with
//                   one chunk per command group (chunk-*.js, <group>-*.js), loaded when it runs.
//
// inspect-run.js holds its own copy of the modules it shares with main.js (the error table, the
// header reader). A run loads one or the other (front.ts chooses), never both, so an error class
// is always the one its `instanceof` checks expect.
// Installed packages stay outside main.js (imported from node_modules as they are), except
// commander; inspect-run.js has none outside.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
// The chunks stay in one folder two levels below the package root, as dist/web/*.js are: the web
// app finds its page files from there (src/web/assets.ts). Another folder can be named (a test
// builds into a temporary one).
const OUT = process.argv[2] ? resolve(process.argv[2]) : join(ROOT, 'dist', 'bundle');
rmSync(OUT, { recursive: true, force: true });

/** Every installed package is imported at run time as it is, except the ones named. */
function externalPackagesExcept(bundled) {
  return {
    name: 'external-packages',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        const name = args.path.startsWith('@')
          ? args.path.split('/').slice(0, 2).join('/')
          : args.path.split('/')[0];
        return bundled.includes(name) ? undefined : { path: args.path, external: true };
      });
    },
  };
}

/**
 * commander is CommonJS: its require() calls of Node's own modules become imports (an ES module has
 * no require, and node:module, which would make one, is a cost at every start on Node 20).
 * child_process (with net, dgram and the streams behind it) is only for executable subcommands,
 * which ferry has none of: it is fetched when first used, not at start.
 */
const builtinsForCommonJs = {
  name: 'builtins-for-commonjs',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) =>
      args.kind === 'require-call' ? { path: args.path, namespace: 'builtin' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, ({ path }) => ({
      contents:
        path === 'node:process'
          ? 'module.exports = process;'
          : path === 'node:child_process'
            ? `module.exports = new Proxy({}, { get: (_, key) => process.getBuiltinModule('node:child_process')[key] });`
            : `export * from '${path}';`,
      loader: 'js',
    }));
  },
};

/** The front's two ways on, left as imports of the files built next to it. */
const siblingEntries = {
  name: 'sibling-entries',
  setup(b) {
    b.onResolve({ filter: /^\.\/(main|inspect-run)\.js$/ }, (args) =>
      args.importer.endsWith(join('src', 'cli', 'front.ts'))
        ? { path: args.path, external: true }
        : undefined,
    );
  },
};

const common = {
  absWorkingDir: ROOT,
  outdir: OUT,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Stack traces name src/*.ts lines when FERRY_DEBUG=1 (bin/ferry.js then turns source maps on).
  sourcemap: 'linked',
  logLevel: 'warning',
};

await Promise.all([
  build({
    ...common,
    entryPoints: { ferry: 'src/cli/front.ts' },
    plugins: [siblingEntries, externalPackagesExcept([])],
  }),
  build({
    ...common,
    entryPoints: { 'inspect-run': 'src/cli/inspect-run.ts' },
    plugins: [externalPackagesExcept(['@ferry/ceb-format'])],
  }),
  build({
    ...common,
    entryPoints: { main: 'src/cli/main.ts' },
    chunkNames: '[name]-[hash]',
    splitting: true,
    plugins: [builtinsForCommonJs, externalPackagesExcept(['commander'])],
  }),
]);
