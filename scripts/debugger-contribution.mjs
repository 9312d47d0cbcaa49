#!/usr/bin/env node
// Writes the `osdev` debugger's entries into package.json from debug-adapter/launch-config.ts
// (compiled to out/ by `tsc -p .`), so the launch.json schema is written once. Touches only
// contributes.debuggers, contributes.breakpoints and the osdev activation events; every
// other key is left as it is. debug-adapter/test/contribution.test.ts checks they agree.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { debuggerContribution, ACTIVATION_EVENTS, BREAKPOINT_LANGUAGES } = require(path.join(ROOT, 'out/debug-adapter/contribution.js'));

const file = path.join(ROOT, 'package.json');
const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
pkg.contributes ??= {};
pkg.contributes.debuggers = [debuggerContribution()];
pkg.contributes.breakpoints = BREAKPOINT_LANGUAGES.map((language) => ({ language }));
pkg.activationEvents = [...new Set([...(pkg.activationEvents ?? []), ...ACTIVATION_EVENTS])];
fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
console.log('package.json: osdev debugger contribution written');
