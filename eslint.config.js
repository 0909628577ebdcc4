import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const LAYERS = [
  'format',
  'store',
  'xmpp',
  'omemo',
  'migration',
  'export',
  'clients',
  'errors',
  'cli',
  'web',
];

/** Imports that reach into the format package's files instead of going through its name. */
const FORMAT_FILES = {
  group: ['**/format/*', '**/format/**'],
  message:
    "import the format library by its name, '@ferry/ceb-format' (its exports), not its files",
};

/** Lint rule: code in src/NAME (tests aside) imports only from the layers it may depend on. */
function layer(name, allowed) {
  const forbidden = LAYERS.filter((l) => l !== name && !allowed.includes(l));
  return {
    files: [`src/${name}/**/*.ts`],
    ignores: ['**/*.test.ts', '**/*.itest.ts', '**/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            FORMAT_FILES,
            ...forbidden.map((l) => ({
              group: [`../${l}/*`, `../../${l}/*`, `../../../${l}/*`],
              message: `src/${name} may not import src/${l} (docs/architecture.md)`,
            })),
          ],
        },
      ],
    },
  };
}

/**
 * Lint rule: SQL and raw database access only in the profile store (src/store). Elsewhere a
 * database connection is only passed to named store functions: no `.prepare(`, `.pragma(`, SQL
 * given to `.exec(`, or other better-sqlite3 connection methods, and better-sqlite3 is imported
 * for its types only (a connection is opened by the store).
 */
const STORE_ONLY_DATABASE = [
  {
    // `this.prepare(` is a method of the class itself, not a database's.
    selector:
      "CallExpression[callee.type='MemberExpression'][callee.object.type!='ThisExpression'][callee.property.name=/^(prepare|pragma|backup|serialize|function|aggregate|table|loadExtension)$/]",
    message: 'SQL and database settings live in src/store: call a named store function.',
  },
  {
    // RegExp#exec takes a variable; Database#exec takes SQL text.
    selector:
      "CallExpression[callee.property.name='exec'][arguments.0.type=/^(Literal|TemplateLiteral)$/]",
    message: 'SQL lives in src/store: call a named store function.',
  },
  {
    selector: "ImportDeclaration[source.value='better-sqlite3'][importKind!='type']",
    message:
      'Only src/store opens databases: import better-sqlite3 with `import type` and use the store.',
  },
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'src/format/dist/**',
      'node_modules/**',
      'test-data/**',
      'test-output/**',
      'bench/out/**',
      'src/export/testdata/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Everywhere, tests included: the format library is reached by its package name only.
    files: ['src/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    ignores: ['src/format/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [FORMAT_FILES] }] },
  },
  {
    // SQLite is opened through src/store/sqlite.ts only (the better-sqlite3 line for this Node, one
    // copy per process); its types may be imported anywhere.
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'better-sqlite3',
              allowTypeImports: true,
              message: 'Open databases with the default export of src/store/sqlite.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    // The format library stands alone: nothing from the rest of ferry.
    files: ['src/format/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['../*', '!./*'] }],
    },
  },
  // The layers (docs/architecture.md): each may import only the layers named here, toward the
  // format library and the store. Tests may reach further to set up a whole scenario.
  layer('store', ['format']),
  layer('xmpp', ['format', 'store']),
  layer('omemo', ['format', 'store', 'xmpp']),
  layer('migration', ['format', 'store']),
  layer('export', ['format', 'store']),
  layer('clients', ['format', 'store']),
  // The interfaces: the CLI may start the web app (`ferry web`); the web app does not use the CLI.
  // Nothing below them imports either (not in any list above).
  // Both read the error table (src/errors).
  layer('cli', [
    'format',
    'store',
    'xmpp',
    'omemo',
    'migration',
    'export',
    'clients',
    'errors',
    'web',
  ]),
  layer('web', ['format', 'store', 'xmpp', 'omemo', 'migration', 'export', 'clients', 'errors']),
  {
    files: ['src/**/*.ts'],
    ignores: [
      'src/store/**',
      // The format library has no database; other clients' readers and writers work on those
      // clients' own databases (Dino's dino.db/omemo.db, profanity's chatlog.db), whose schemas
      // are theirs, not the profile's.
      'src/format/**',
      'src/clients/dino/**',
      'src/clients/profanity/**',
      // Tests and their helpers may set up or read a database raw to check what a user would see.
      '**/*.test.ts',
      '**/*.itest.ts',
      '**/testing/**',
      '**/testing.ts',
    ],
    rules: { 'no-restricted-syntax': ['error', ...STORE_ONLY_DATABASE] },
  },
  {
    // The error table (src/errors) reads only the layers' errors modules, so that loading it (every
    // CLI command does) loads no SQLite, XMPP or OMEMO; the CLI and the web app import it.
    files: ['src/errors/**/*.ts'],
    ignores: ['**/*.test.ts', '**/*.itest.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            FORMAT_FILES,
            {
              regex: '^\\.\\./(?!(\\w+/)+errors\\.js$)',
              message: 'src/errors imports only the errors modules of the layers.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
