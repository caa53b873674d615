// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'data/**',
      'coverage/**',
      'bin/**',
      'eslint.config.mjs',
      'jest.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflows run in Temporal's deterministic sandbox: no Node built-ins, no I/O.
    files: ['workflows/**/*.ts', 'shared/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'Workflows run in a deterministic sandbox: no Node built-ins.',
          })),
          patterns: [
            {
              group: ['**/activities', '**/activities/*', '**/store/*', '**/lib/*', '**/infra/*', '**/bot/*'],
              allowTypeImports: true,
              message: 'Workflows do no I/O: import only types from activities, store, lib, infra or bot.',
            },
          ],
        },
      ],
    },
  },
  {
    // Activities reach MongoDB only through store/ functions: each collection's queries live in one place.
    files: ['activities/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'CallExpression > MemberExpression.callee[object.type="MemberExpression"][property.name=/^(findOne|findOneAnd(Update|Delete|Replace)|updateOne|updateMany|insertOne|insertMany|deleteOne|deleteMany|replaceOne|countDocuments|estimatedDocumentCount|aggregate|bulkWrite|distinct)$/]',
          message: 'No collection access in activities: add a function to a store/ module and call it.',
        },
      ],
    },
  },
  {
    // The bot and the Slack builders run beside the worker, not in it: they share shared/, store/ and lib/.
    files: ['bot/**/*.ts', 'slack-blocks/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/activities', '**/activities/*', '**/worker/*'],
              message:
                'The bot and slack-blocks/ do not import activities or the worker: move what both need to lib/ or store/.',
            },
          ],
        },
      ],
    },
  },
  {
    // One place reads the environment: lib/config.ts.
    files: ['**/*.ts'],
    ignores: ['lib/config.ts', 'test/**', 'bench/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through lib/config.ts.' },
      ],
    },
  },
);
