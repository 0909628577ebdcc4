import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const LAYERS = ['format', 'store', 'xmpp', 'omemo', 'migration', 'export', 'clients', 'cli', 'web'];

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
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
