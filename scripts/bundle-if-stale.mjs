#!/usr/bin/env node
// `npm run demo` and `npm run package` call this: bundle (tsc, then webpack) unless every
// bundle in dist/ is newer than every source that goes into it, so a second `npm run demo`
// starts at once. `npm run bundle` always builds.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIRS = ['emulator', 'debug-adapter', 'extension'];
const BUILD_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'webpack.config.js'];
const BUNDLES = ['extension', 'cli', 'machine-worker', 'debug-adapter', 'dts-server', 'remote-port-io'];

function newestSource() {
  let newest = 0;
  const visit = (file) => { newest = Math.max(newest, fs.statSync(file).mtimeMs); };
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'build') walk(full);
      } else if (entry.name.endsWith('.ts')) {
        visit(full);
      }
    }
  };
  SOURCE_DIRS.forEach((dir) => walk(path.join(ROOT, dir)));
  BUILD_FILES.forEach((file) => visit(path.join(ROOT, file)));
  return newest;
}

function oldestBundle() {
  let oldest = Infinity;
  for (const name of BUNDLES) {
    try {
      oldest = Math.min(oldest, fs.statSync(path.join(ROOT, 'dist', `${name}.js`)).mtimeMs);
    } catch {
      return 0;
    }
  }
  return oldest;
}

if (oldestBundle() > newestSource()) process.exit(0);
const npm = process.env.npm_execpath;
const result = npm && /\.[cm]?js$/.test(npm)
  ? spawnSync(process.execPath, [npm, 'run', '-s', 'bundle'], { cwd: ROOT, stdio: 'inherit' })
  : spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '-s', 'bundle'], { cwd: ROOT, stdio: 'inherit' });
process.exit(result.status ?? 1);
