// Lint: TypeScript rules plus the layering rule of STYLE.md habit 1 — who may import whom is
// decided by the runtime folder a file lives in.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'net', 'http', 'https', 'crypto'];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.tsbuild/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain JavaScript scripts (setup, test runner) run in Node before TypeScript tooling exists.
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: globals.node },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // common/: no DOM, no Node, no runtime-specific folder.
    files: ['**/common/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeBuiltins, message: 'common/ code runs everywhere: no Node modules.' },
            {
              group: ['**/node/**', '**/browser/**', '**/electron-main/**', '**/preload/**'],
              message: 'common/ may import only common/ code.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer', 'require'],
    },
  },
  {
    // browser/: the page. No Node, no Electron, no Node-side folders.
    files: ['**/browser/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...nodeBuiltins, 'electron'],
              message: 'browser/ code runs in the page: no Node or Electron.',
            },
            {
              group: ['**/node/**', '**/electron-main/**', '**/preload/**'],
              message: 'browser/ may import only browser/ and common/ code.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'Buffer', 'require'],
    },
  },
  {
    // node/: no DOM folders, no Electron (the kiosk core must run without Electron).
    files: ['**/node/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron'],
              message: 'node/ code must run without Electron: put Electron code in electron-main/.',
            },
            { group: ['**/browser/**', '**/preload/**'], message: 'node/ may not import page code.' },
          ],
        },
      ],
    },
  },
  {
    // preload/: a small facade; it may use Electron's renderer modules and common/ only.
    files: ['**/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeBuiltins, message: 'The sandboxed preload has no Node modules.' },
            {
              group: ['**/node/**', '**/browser/**', '**/electron-main/**'],
              message: 'preload/ may import only common/ code.',
            },
          ],
        },
      ],
    },
  },
);
