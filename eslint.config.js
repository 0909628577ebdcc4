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

/** Lint rule: code in src/NAME (tests aside) imports only from the layers it may depend on. */
function layer(name, allowed) {
  const forbidden = LAYERS.filter((l) => l !== name && !allowed.includes(l));
  return {
    files: [`src/${name}/**/*.ts`],
    ignores: ['**/*.test.ts', '**/*.itest.ts', '**/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: forbidden.flatMap((l) => [`../${l}/*`, `../../${l}/*`, `../../../${l}/*`]) },
      ],
    },
  };
}

export default tseslint.config(
  {
    ignores: [
      'dist/**',
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
