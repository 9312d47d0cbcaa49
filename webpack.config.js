// Production bundles in dist/. ts-loader compiles with the whole program (not
// transpileOnly) so `const enum` values such as the interpreter's Op ids are inlined
// across files: the execute switch then compiles to a jump table (docs/architecture.md). An entry whose source file does not exist yet is left out, so the build
// works while rooms are still being written and picks each entry up once it lands.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const webpack = require('webpack');

/** Output name (dist/<name>.js) -> source file. */
const ENTRIES = {
  extension: './extension/activate.ts',
  cli: './emulator/hosts/cli.ts',
  'machine-worker': './emulator/hosts/worker.ts',
  'debug-adapter': './debug-adapter/main.ts',
  // The device-tree language server, run in its own process by extension/lsp/client.ts
  // and by `osdev-emu lsp --stdio`.
  'dts-server': './extension/lsp/server.ts',
  // The socket thread of a remote-port passthrough link (emulator/hosts/remote-port-link.ts finds it beside itself).
  'remote-port-io': './emulator/hosts/remote-port-io.ts',
};

/** Bundles run directly by `node`, so they start with a shebang and are executable. */
const EXECUTABLES = ['cli.js'];

const entry = Object.fromEntries(
  Object.entries(ENTRIES).filter(([, file]) => fs.existsSync(path.resolve(__dirname, file))),
);

/** Marks the executable bundles as such once they are written. */
class ChmodExecutablesPlugin {
  apply(compiler) {
    compiler.hooks.afterEmit.tap('ChmodExecutablesPlugin', (compilation) => {
      for (const name of EXECUTABLES) {
        if (compilation.getAsset(name)) {
          fs.chmodSync(path.join(compilation.outputOptions.path, name), 0o755);
        }
      }
    });
  }
}

/** @type {import('webpack').Configuration} */
module.exports = {
  target: 'node',
  entry,
  output: {
    path: path.resolve(__dirname, 'dist'),
    filename: '[name].js',
    library: { type: 'commonjs2' },
    clean: true,
  },
  // vscode exists only inside the extension host; it is never bundled.
  externals: { vscode: 'commonjs vscode' },
  // Keep Node's own __dirname/__filename (the dist/ folder at run time), so hosts can
  // find dist/machine-worker.js beside themselves.
  node: { __dirname: false, __filename: false },
  resolve: {
    extensions: ['.ts', '.js'],
    // Lets sources write ESM-style `./foo.js` specifiers for `./foo.ts`.
    extensionAlias: { '.js': ['.ts', '.js'] },
  },
  module: {
    rules: [
      {
        test: /\.ts$/,
        exclude: /node_modules/,
        use: [{ loader: 'ts-loader', options: { transpileOnly: false, onlyCompileBundledFiles: true } }],
      },
    ],
  },
  devtool: 'source-map',
  plugins: [
    new webpack.BannerPlugin({
      banner: '#!/usr/bin/env node',
      raw: true,
      entryOnly: true,
      include: EXECUTABLES.map((name) => new RegExp(`^${name.replace('.', '\\.')}$`)),
    }),
    new ChmodExecutablesPlugin(),
  ],
  performance: { hints: false },
  infrastructureLogging: { level: 'warn' },
  stats: { preset: 'errors-warnings', assets: true, timings: true },
};
