// ESLint flat config. Beyond typescript-eslint's recommended rules, this file enforces
// the room boundaries of docs/architecture.md ("Rooms and arrows"): arrows point
// extension -> debug-adapter -> emulator, each through the lower room's entry (index.ts);
// the language server never imports vscode; inside emulator/ the parts never import the
// machine that assembles them, the DTS pipeline stands alone, and no I/O happens outside
// emulator/hosts/. `npm run lint` also runs scripts/check-cycles.mjs: no import cycles.
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
const EMULATOR_ENTRY = 'Other rooms import emulator/ through its entry (`../emulator`, emulator/index.ts): add what you need there.';
const ADAPTER_ENTRY = 'extension/ imports debug-adapter/ through its entry (`../debug-adapter`, debug-adapter/index.ts).';
const LSP_NO_VSCODE =
  'The language server runs in its own process (dist/dts-server.js, `osdev-emu lsp`): no vscode, no client, nothing of extension/ outside lsp/.';
const NO_UPWARD =
  'The parts of emulator/ (hart, mmu, bus, devices, loaders, firmware, backends.ts, options.ts) never import machine/ or hosts/: the machine injects what they need.';
const DTS_ALONE = 'The DTS pipeline (emulator/dts/) imports nothing else of emulator/: the machine and the language server build on it.';
const BROWSER_NO_NODE =
  'This file is in the web extension (VS Code for the Web: extension/web/main.ts, emulator/hosts/web-worker.ts): no Node API. Put Node code behind the host seams (debug-adapter/adapter-host.ts, emulator/hosts/worker-host.ts, extension/platform.ts).';
const MACHINE_NO_HOSTS = 'machine/ is pure: hosts/ assembles it with files, threads and sockets, never the other way.';

/** `../emulator/...` past the entries (index.ts, and node.ts for Node-only parts), from any depth (test files may reach further). */
const emulatorEntryPatterns = [{ regex: '^(\\.\\./)+emulator/(?!node$)', message: EMULATOR_ENTRY }];

/** A sibling room of emulator/ by name, from a file at any depth in emulator/. */
const emulatorRoom = (name) => `^(\\./|(\\.\\./)+)${name}(/|$)`;

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
            ...emulatorEntryPatterns,
          ],
        },
      ],
    },
  },
  {
    // Tests drive internals on purpose (fuzzers, fixtures, a stub model's parser).
    files: ['debug-adapter/**/*.test.ts', 'debug-adapter/test/**/*.ts'],
    rules: {
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
  {
    files: ['extension/**/*.ts'],
    ignores: ['extension/**/*.test.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          // node-host.ts is the desktop entry's (node-main.ts): the entry (index.ts) stays Node-free for the web build.
          patterns: [...emulatorEntryPatterns, { regex: '^(\\.\\./)+debug-adapter/(?!node-host$)', message: ADAPTER_ENTRY }],
        },
      ],
    },
  },
  {
    // Everything in lsp/ but the clients' parts runs in the server's process (or worker).
    files: ['extension/lsp/**/*.ts'],
    ignores: ['extension/lsp/client.ts', 'extension/lsp/live-device.ts', 'extension/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: LSP_NO_VSCODE }],
          patterns: [
            { regex: '^vscode-languageclient', message: LSP_NO_VSCODE },
            // `../x` is extension/'s VS Code side; `../../room` is another room.
            { regex: '^\\.\\./[^.]', message: LSP_NO_VSCODE },
            ...emulatorEntryPatterns,
            { regex: '^(\\.\\./)+debug-adapter/', message: ADAPTER_ENTRY },
          ],
        },
      ],
    },
  },

  // ---- Layers inside emulator/ ---------------------------------------------------
  // After the blocks above, so these files keep the editor and Node rules too. Tests and
  // their helpers (test/ folders) are exempt: they build whole machines to test a part.
  {
    files: [
      'emulator/hart/**/*.ts', 'emulator/mmu/**/*.ts', 'emulator/bus/**/*.ts', 'emulator/devices/**/*.ts',
      'emulator/loaders/**/*.ts', 'emulator/firmware/**/*.ts', 'emulator/backends.ts', 'emulator/options.ts',
    ],
    ignores: [
      'emulator/**/*.test.ts', 'emulator/**/test/**',
    ],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [...emulatorEditorPaths, ...nodeBuiltinPaths],
          patterns: [
            ...emulatorEditorPatterns, ...nodeBuiltinPatterns,
            { regex: emulatorRoom('machine'), message: NO_UPWARD },
            { regex: emulatorRoom('hosts'), message: NO_UPWARD },
          ],
        },
      ],
    },
  },
  {
    files: ['emulator/dts/**/*.ts'],
    ignores: ['emulator/**/*.test.ts', 'emulator/**/test/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [...emulatorEditorPaths, ...nodeBuiltinPaths],
          patterns: [...emulatorEditorPatterns, ...nodeBuiltinPatterns, { regex: '^\\.\\./', message: DTS_ALONE }],
        },
      ],
    },
  },
  {
    files: ['emulator/machine/**/*.ts'],
    ignores: ['emulator/**/*.test.ts', 'emulator/**/test/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [...emulatorEditorPaths, ...nodeBuiltinPaths],
          patterns: [...emulatorEditorPatterns, ...nodeBuiltinPatterns, { regex: emulatorRoom('hosts'), message: MACHINE_NO_HOSTS }],
        },
      ],
    },
  },

  // ---- The web extension --------------------------------------------------------
  // The files the browser bundles (dist/web/) reach: no Node built-in, in either spelling.
  // ESLint's own rule, so the room blocks' options above (the typescript-eslint rule) stay
  // as they are; it skips `import type`, which the bundle never loads. Bundling fails on a
  // slip too (webpack.config.js, target webworker); this names the file and the way out.
  {
    files: [
      'extension/*.ts', 'extension/web/**/*.ts',
      'debug-adapter/*.ts',
      'emulator/index.ts', 'emulator/hosts/worker.ts', 'emulator/hosts/worker-host.ts', 'emulator/hosts/web-worker.ts',
      'emulator/hosts/virtio-layout.ts', 'emulator/hosts/host-fit.ts', 'emulator/hosts/read-limits.ts',
      'extension/lsp/serve.ts', 'extension/lsp/web-server.ts', 'extension/lsp/features.ts', 'extension/lsp/live-registers.ts',
      'extension/lsp/live-device.ts', 'extension/lsp/trust-protocol.ts', 'extension/lsp/values.ts', 'extension/lsp/stub-model.ts',
    ],
    ignores: [
      '**/*.test.ts',
      // Node's entries and hosts: the desktop extension, `osdev-emu dap`, the profile writer.
      'extension/node-main.ts', 'debug-adapter/main.ts', 'debug-adapter/node-host.ts', 'debug-adapter/node-files.ts',
      'debug-adapter/profile-main.ts', 'debug-adapter/dap-framing.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: builtinModules.filter((name) => !name.startsWith('_')).map((name) => ({ name, message: BROWSER_NO_NODE })),
          patterns: [{ regex: '^node:', message: BROWSER_NO_NODE }],
        },
      ],
    },
  },
);
