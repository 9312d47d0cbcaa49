// ESLint flat config. Beyond typescript-eslint's recommended rules, this file enforces
// the room boundaries of docs/architecture.md: arrows point extension -> debug-adapter
// -> emulator, and emulator/ does no I/O outside emulator/hosts/.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const EMULATOR_NO_EDITOR = 'emulator/ is pure TypeScript: no VS Code, no DAP (see docs/architecture.md).';
const EMULATOR_NO_UPPER_ROOMS = 'Arrows point extension -> debug-adapter -> emulator, never back.';
const EMULATOR_NO_NODE =
  'emulator/ does no I/O of its own: take a backend (emulator/backends.ts), or put host code in emulator/hosts/.';
const ADAPTER_NO_VSCODE = 'debug-adapter/ imports @vscode/debugadapter, never vscode or extension/.';

/** Imports no file in emulator/ may have, hosts and tests included. */
const emulatorEditorPaths = [{ name: 'vscode', message: EMULATOR_NO_EDITOR }];
const emulatorEditorPatterns = [
  { regex: '^@vscode/', message: EMULATOR_NO_EDITOR },
  { regex: '^vscode[-/]', message: EMULATOR_NO_EDITOR },
  // Any relative path into the debug-adapter or extension rooms. `extension` is only
  // matched right after the climb out (`../../extension/...`), so an ISA-extension
  // folder inside emulator/ stays importable.
  { regex: '(^|/)debug-adapter(/|$)', message: EMULATOR_NO_UPPER_ROOMS },
  { regex: '^(\\.\\./)+extension(/|$)', message: EMULATOR_NO_UPPER_ROOMS },
];

/** Node built-ins, both spellings (`fs`, `node:fs`, `fs/promises`). */
const nodeBuiltinPaths = builtinModules
  .filter((name) => !name.startsWith('_'))
  .map((name) => ({ name, message: EMULATOR_NO_NODE }));
const nodeBuiltinPatterns = [{ regex: '^node:', message: EMULATOR_NO_NODE }];

export default defineConfig(
  {
    ignores: [
      'out/',
      'dist/',
      'node_modules/',
      'emulator/test/guests/build/',
      'demo/',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      // An error in emulator/ (below); elsewhere DAP and VS Code typings sometimes need it.
      '@typescript-eslint/no-explicit-any': 'warn',
      // `_name` marks an argument or binding that is unused on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  // Build scripts and configs run in Node.
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },

  // ---- Room boundaries -------------------------------------------------------------
  // The TypeScript version of no-restricted-imports also sees `import x = require(...)`
  // and `import type`. A later block replaces an earlier one's options for the same
  // files, so each block below lists everything its files may not import.
  {
    files: ['emulator/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [...emulatorEditorPaths, ...nodeBuiltinPaths],
          patterns: [...emulatorEditorPatterns, ...nodeBuiltinPatterns],
        },
      ],
    },
  },
  {
    // Hosts own threads, files and stdio; tests may read fixtures and use node:test.
    files: ['emulator/hosts/**/*.ts', 'emulator/**/*.test.ts', 'emulator/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: emulatorEditorPaths, patterns: emulatorEditorPatterns },
      ],
    },
  },
  {
    files: ['debug-adapter/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: ADAPTER_NO_VSCODE }],
          patterns: [
            { regex: '^vscode-languageclient', message: ADAPTER_NO_VSCODE },
            { regex: '^(\\.\\./)+extension(/|$)', message: ADAPTER_NO_VSCODE },
          ],
        },
      ],
    },
  },
);
