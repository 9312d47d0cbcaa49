// Production bundles in dist/, made from what `tsc -p .` wrote to out/ (`npm run bundle`
// runs tsc first). tsc compiles the whole program, so `const enum` values such as the
// interpreter's Op ids are already inlined across files and the execute switch compiles
// to a jump table (docs/architecture.md); webpack only joins plain JavaScript, which takes
// seconds where type-checking again inside ts-loader took half a minute. The filesystem
// cache makes a rebuild with nothing changed cost about a second.
// No source maps ship: they were three quarters of the .vsix and carried every source.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const webpack = require('webpack');

/** Output name (dist/<name>.js) -> tsc's output for its source. */
const ENTRIES = {
  extension: './out/extension/node-main.js',
  cli: './out/emulator/hosts/cli.js',
  'machine-worker': './out/emulator/hosts/node-worker.js',
  'debug-adapter': './out/debug-adapter/main.js',
  // The device-tree language server, run in its own process by extension/lsp/client.ts
  // and by `osdev-emu lsp --stdio`.
  'dts-server': './out/extension/lsp/server.js',
  // The socket thread of a remote-port passthrough link (emulator/hosts/remote-port-link.ts finds it beside itself).
  'remote-port-io': './out/emulator/hosts/remote-port-io.js',
};

/**
 * VS Code for the Web (dist/web/, package.json `browser`): the extension for the worker
 * extension host, and the machine's Web Worker (a plain script, no module system).
 */
const WEB_ENTRIES = {
  extension: { import: './out/extension/web/main.js', library: { type: 'commonjs' } },
  'machine-worker': './out/emulator/hosts/web-worker.js',
  // The device-tree language server's browser form, started by extension/web/lsp-client.ts.
  'dts-server': './out/extension/lsp/web-server.js',
};

/** Bundles run directly by `node`, so they start with a shebang and are executable. */
const EXECUTABLES = ['cli.js'];

const missing = [...Object.values(ENTRIES), ...Object.values(WEB_ENTRIES).map((e) => e.import ?? e)].filter((file) => !fs.existsSync(path.resolve(__dirname, file)));
if (missing.length > 0) {
  throw new Error(`webpack: ${missing.join(', ')} not found: run \`tsc -p .\` first (\`npm run bundle\` does)`);
}

/**
 * Once the bundles are written: marks the executable ones as such, and gives every bundle
 * the time of this build, also those webpack left alone because their bytes did not change,
 * so scripts/bundle-if-stale.mjs can tell a fresh dist/ by its times.
 */
class AfterEmitPlugin {
  apply(compiler) {
    compiler.hooks.afterEmit.tap('AfterEmitPlugin', (compilation) => {
      const now = new Date();
      for (const { name } of compilation.getAssets()) {
        const file = path.join(compilation.outputOptions.path, name);
        fs.utimesSync(file, now, now);
        if (EXECUTABLES.includes(name)) fs.chmodSync(file, 0o755);
      }
    });
  }
}

/** @type {import('webpack').Configuration} */
const nodeBundles = {
  name: 'node',
  target: 'node',
  entry: ENTRIES,
  output: {
    path: path.resolve(__dirname, 'dist'),
    filename: '[name].js',
    library: { type: 'commonjs2' },
    // dist/web/ is the web build's (below).
    clean: { keep: /^web[\\/]/ },
  },
  // vscode exists only inside the extension host; it is never bundled.
  externals: { vscode: 'commonjs vscode' },
  // Keep Node's own __dirname/__filename (the dist/ folder at run time), so hosts can
  // find dist/machine-worker.js beside themselves.
  node: { __dirname: false, __filename: false },
  resolve: { extensions: ['.js'] },
  cache: { type: 'filesystem', buildDependencies: { config: [__filename] } },
  devtool: false,
  // Names mangled and whitespace gone, but no compress pass: that pass took most of the
  // build's time and bought a few percent of size.
  optimization: { minimizeOptions: { javascript: { compress: false } } },
  plugins: [
    new webpack.BannerPlugin({
      banner: '#!/usr/bin/env node',
      raw: true,
      entryOnly: true,
      include: EXECUTABLES.map((name) => new RegExp(`^${name.replace('.', '\\.')}$`)),
    }),
    new AfterEmitPlugin(),
  ],
  performance: { hints: false },
  infrastructureLogging: { level: 'warn' },
  stats: { preset: 'errors-warnings', assets: true, timings: true },
};

/**
 * The web build. Target `webworker`: webpack gives no Node built-in a browser stand-in, so an
 * import of one (`node:fs`, `path`, ...) reachable from these entries fails the build
 * ("Module not found" / "Reading from node:... is not handled") — the build's half of
 * keeping Node out of the browser; eslint.config.mjs's "browser" block is the other.
 * The one exception is @vscode/debugadapter: its index also loads its logger (fs, path)
 * and its stream runner (net), which an inline session never calls; for that package
 * alone they are empty, `url` is the browser's URL and `events` the npm package.
 * @type {import('webpack').Configuration}
 */
const webBundles = {
  name: 'web',
  target: 'webworker',
  entry: WEB_ENTRIES,
  output: {
    path: path.resolve(__dirname, 'dist', 'web'),
    filename: '[name].js',
    clean: true,
  },
  externals: { vscode: 'commonjs vscode' },
  resolve: { extensions: ['.js'], mainFields: ['browser', 'module', 'main'] },
  module: {
    rules: [{
      test: /[\\/]node_modules[\\/]@vscode[\\/]debugadapter[\\/]/,
      resolve: {
        alias: {
          fs: false, path: false, net: false,
          url: path.resolve(__dirname, 'scripts', 'web-shims', 'url.js'),
          events: require.resolve('events/'),
        },
      },
    }],
  },
  cache: { type: 'filesystem', name: 'web', buildDependencies: { config: [__filename] } },
  devtool: false,
  optimization: { minimizeOptions: { javascript: { compress: false } } },
  plugins: [new AfterEmitPlugin()],
  performance: { hints: false },
  infrastructureLogging: { level: 'warn' },
  stats: { preset: 'errors-warnings', assets: true, timings: true },
};

module.exports = [nodeBundles, webBundles];
