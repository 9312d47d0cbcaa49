#!/usr/bin/env node
// `npm test`: type-check, build guest programs and the demo, bundle, run every compiled
// *.test.js under out/ with node's test runner, then lint. Output streams as it comes;
// the last lines are a summary whose final line reads `total: N passed, N failed, N skipped`,
// with every failed step (tsc, make, bundle, lint, a crashed runner) counted as a failure.
// Exits non-zero on any failure. Type errors stop the run at once: nothing after tsc
// would mean anything.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = path.join(ROOT, 'out');
const TEST_SUFFIX = '.test.js';
const MAKE_DIRS = [
  { name: 'guests', dir: 'emulator/test/guests' },
  // The demo is rebuilt into the build directory; the committed demo/hello.elf stays as it is.
  { name: 'demo', dir: 'demo', args: ['OUT=../emulator/test/guests/build/demo/hello.elf'] },
  // The debugger tests also step through the demo built at -O0 and at -O2.
  ...['-O0', '-O2'].map((opt) => ({
    name: `demo ${opt}`, dir: 'demo',
    args: [`OPT=${opt}`, 'PREFIX_MAP=', `OBJDIR=../emulator/test/guests/build/demo${opt}`, `OUT=../emulator/test/guests/build/demo${opt}/hello.elf`],
  })),
];

const require = createRequire(import.meta.url);

/** @typedef {{ name: string, status: 'ok' | 'FAILED' | 'skipped' | 'not run', note: string, seconds?: number }} Step */
/** @type {Step[]} */
const steps = [];
/** Test counts from node's runner; null until it has run. */
let tests = null;

/**
 * Runs a command with inherited stdio (so its output streams), resolving to its exit
 * code; a command that cannot start resolves to 127 after saying why. `display` is
 * the command line as announced.
 */
function run(command, args, display = [command, ...args].map(quoteForDisplay).join(' ')) {
  return new Promise((resolve) => {
    console.log(`\n==> ${display}`);
    const child = spawn(command, args, {
      cwd: ROOT,
      stdio: 'inherit',
      shell: process.platform === 'win32' && command.endsWith('.cmd'),
    });
    child.on('error', (error) => {
      console.error(`run-tests: cannot start ${command}: ${error.message}`);
      resolve(127);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1)));
  });
}

function quoteForDisplay(arg) {
  const inRoot = path.isAbsolute(arg) && !path.relative(ROOT, arg).startsWith('..');
  const shown = arg === process.execPath ? 'node' : inRoot ? path.relative(ROOT, arg) || '.' : arg;
  return /[\s'"]/.test(shown) ? JSON.stringify(shown) : shown;
}

/** `npm run <script>` with the npm that launched us, if any, else the one on PATH. */
function npmRun(script) {
  const npmCli = process.env.npm_execpath;
  const display = `npm run ${script}`;
  if (npmCli && /\.[cm]?js$/.test(npmCli)) return run(process.execPath, [npmCli, 'run', '-s', script], display);
  return run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '-s', script], display);
}

async function step(name, action) {
  const started = Date.now();
  const code = await action();
  const seconds = (Date.now() - started) / 1000;
  const entry = code === 0
    ? { name, status: 'ok', note: '', seconds }
    : { name, status: 'FAILED', note: `exit code ${code}`, seconds };
  steps.push(entry);
  return code === 0;
}

/** Every *.test.js under dir, sorted, as paths relative to ROOT. */
function findTestFiles(dir) {
  const found = [];
  const walk = (current) => {
    let entries;
    try {
      entries = fs.readdirSync(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(full);
      } else if (entry.isFile() && entry.name.endsWith(TEST_SUFFIX)) {
        found.push(path.relative(ROOT, full));
      }
    }
  };
  walk(dir);
  return found.sort();
}

/**
 * Reads the closing block of node's TAP report (`# tests N`, `# pass N`, `# fail N`,
 * `# cancelled N`, `# skipped N`, `# todo N`). Test output can also show up as `# ...`
 * comments, so only the last block counts. Returns null when there is none.
 */
function parseTapSummary(text) {
  const lines = text.split(/\r?\n/);
  let start = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (/^# tests \d+$/.test(lines[i])) {
      start = i;
      break;
    }
  }
  if (start < 0) return null;
  const counts = {};
  for (const line of lines.slice(start)) {
    const match = /^# (tests|suites|pass|fail|cancelled|skipped|todo) (\d+)$/.exec(line);
    if (match) counts[match[1]] = Number(match[2]);
  }
  if (counts.pass === undefined || counts.fail === undefined) return null;
  return {
    passed: counts.pass,
    failed: counts.fail + (counts.cancelled ?? 0),
    skipped: (counts.skipped ?? 0) + (counts.todo ?? 0),
    cancelled: counts.cancelled ?? 0,
  };
}

async function runTests() {
  const files = findTestFiles(OUT_DIR);
  if (files.length === 0) {
    console.log('\n==> node --test: no *.test.js files under out/');
    tests = { passed: 0, failed: 0, skipped: 0, cancelled: 0, files: 0, note: 'no test files under out/' };
    steps.push({ name: 'tests', status: 'ok', note: 'no test files', seconds: 0 });
    return;
  }
  const tapDir = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-tests-'));
  const tapFile = path.join(tapDir, 'report.tap');
  const started = Date.now();
  // spec for people, streamed; TAP to a file for the counts below.
  const code = await run(process.execPath, [
    '--enable-source-maps',
    '--test',
    '--test-concurrency=2',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tapFile}`,
    ...files,
  ]);
  const seconds = (Date.now() - started) / 1000;
  let tap = '';
  try {
    tap = fs.readFileSync(tapFile, 'utf8');
  } catch {
    // No report at all: counted as a failure below.
  }
  fs.rmSync(tapDir, { recursive: true, force: true });

  const counts = parseTapSummary(tap);
  if (counts === null) {
    tests = { passed: 0, failed: 1, skipped: 0, cancelled: 0, files: files.length,
      note: `the runner left no summary (exit code ${code}), counted as 1 failure` };
  } else if (code !== 0 && counts.failed === 0) {
    tests = { ...counts, failed: 1, files: files.length,
      note: `the runner exited with code ${code} with no failed test, counted as 1 failure` };
  } else {
    tests = { ...counts, files: files.length, note: '' };
  }
  steps.push({ name: 'tests', status: tests.failed === 0 ? 'ok' : 'FAILED', note: '', seconds });
}

/** Counts from the end-to-end suite (e2e/run.mjs), or null when it did not run. */
let e2e = null;

/**
 * The end-to-end suite in a real VS Code (code-server + Chromium), when `bash e2e/setup.sh`
 * has installed it (.ci/run does). Its last line says `e2e: N passed, M failed`.
 */
async function runE2e() {
  if (!fs.existsSync(path.join(ROOT, 'e2e', 'node_modules', '.bin', 'code-server'))) {
    // Not run is not passed: each scenario counts as skipped, and the note says how to get them.
    const scenarios = (fs.readFileSync(path.join(ROOT, 'e2e', 'run.mjs'), 'utf8').match(/^\s*await scenario\(page, '/gm) ?? []).length;
    e2e = { passed: 0, failed: 0, skipped: scenarios };
    steps.push({ name: 'e2e', status: 'skipped',
      note: `${scenarios} scenarios not run: code-server is not installed (bash e2e/setup.sh installs it; it runs apt-get for Chromium, as root or through sudo)` });
    return;
  }
  console.log('\n==> node e2e/run.mjs');
  const started = Date.now();
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'e2e', 'run.mjs')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
    child.on('close', (c) => {
      const m = /^e2e: (\d+) passed, (\d+) failed$/m.exec(out);
      e2e = m === null ? { passed: 0, failed: 1, skipped: 0 } : { passed: Number(m[1]), failed: Number(m[2]), skipped: 0 };
      resolve(c ?? 1);
    });
  });
  if (code !== 0 && e2e.failed === 0) e2e.failed = 1;
  steps.push({ name: 'e2e', status: e2e.failed === 0 ? 'ok' : 'FAILED', note: '', seconds: (Date.now() - started) / 1000 });
}

/** Temp-dir entries that our tests name (mkdtemp prefixes): a test must remove what it made. */
const OUR_TEMP = /^(osdev|elf-test|dts-test|fdt-test|qemu-trace|guest-out|cli-dts|rp)-/;
function ourTempEntries() {
  try {
    return new Set(fs.readdirSync(os.tmpdir()).filter((name) => OUR_TEMP.test(name)));
  } catch {
    return new Set();
  }
}

function checkTempLeftovers(before) {
  const left = [...ourTempEntries()].filter((name) => !before.has(name));
  steps.push(left.length === 0
    ? { name: 'temp files', status: 'ok', note: `nothing left in ${os.tmpdir()}` }
    : { name: 'temp files', status: 'FAILED', note: `left in ${os.tmpdir()}: ${left.join(', ')}` });
}

function printSummary() {
  const width = Math.max('build/lint'.length, ...steps.map((s) => s.name.length));
  const label = (name) => name.padEnd(width);
  console.log('\n======================== summary ========================');
  for (const s of steps) {
    const time = s.seconds === undefined ? '' : ` (${s.seconds.toFixed(1)} s)`;
    const note = s.note ? `: ${s.note}` : '';
    console.log(`${label(s.name)}  ${s.status}${note}${time}`);
  }
  const t = tests ?? { passed: 0, failed: 0, skipped: 0, cancelled: 0, files: 0, note: 'not run' };
  const cancelled = t.cancelled ? ` (${t.cancelled} cancelled)` : '';
  const detail = t.note ? ` -- ${t.note}` : ` in ${t.files} file${t.files === 1 ? '' : 's'}`;
  console.log(`${label('node tests')}  ${t.passed} passed, ${t.failed} failed${cancelled}, ${t.skipped} skipped${detail}`);
  if (e2e !== null) console.log(`${label('e2e tests')}  ${e2e.passed} passed, ${e2e.failed} failed, ${e2e.skipped} skipped`);
  // The runners' own failures are already counted; every other failed step adds one.
  const failedSteps = steps.filter((s) => s.status === 'FAILED' && s.name !== 'tests' && s.name !== 'e2e').map((s) => s.name);
  console.log(failedSteps.length === 0
    ? `${label('build/lint')}  0 failed`
    : `${label('build/lint')}  ${failedSteps.length} failed (${failedSteps.join(', ')}), counted as failures`);
  const failed = t.failed + (e2e?.failed ?? 0) + failedSteps.length;
  console.log(`total: ${t.passed + (e2e?.passed ?? 0)} passed, ${failed} failed, ${t.skipped + (e2e?.skipped ?? 0)} skipped`);
  return failed;
}

async function main() {
  // Stale output from renamed or deleted sources must not run as tests.
  fs.rmSync(OUT_DIR, { recursive: true, force: true });
  const typesOk = await step('tsc', () => run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', '.'], 'tsc -p .'));
  if (!typesOk) {
    for (const name of ['guests', 'demo', 'linux', 'bundle', 'tests', 'lint']) {
      steps.push({ name, status: 'not run', note: 'tsc failed' });
    }
    return printSummary();
  }

  if (spawnSync('riscv64-unknown-elf-gcc', ['--version'], { stdio: 'ignore' }).error) {
    console.error("\nrun-tests: riscv64-unknown-elf-gcc is not installed: the guest programs need Debian's gcc-riscv64-unknown-elf (bash .ci/run installs every package the tests use)");
  }
  for (const { name, dir, args = [] } of MAKE_DIRS) {
    if (fs.existsSync(path.join(ROOT, dir, 'Makefile'))) {
      await step(name, () => run('make', ['-s', '-C', dir, ...args]));
    } else {
      steps.push({ name, status: 'skipped', note: `no ${dir}/Makefile` });
    }
  }
  // Linux 6.1, its root disk and its gdb scripts for emulator/test/linux-boot.test.ts and
  // gdb-linux.test.ts: minutes the first time, nothing while the cached build matches its inputs.
  await step('linux', () => run('bash', ['emulator/test/linux/build.sh']));
  await step('bundle', () => npmRun('bundle'));
  const tmpBefore = ourTempEntries();
  await runTests();
  await runE2e();
  checkTempLeftovers(tmpBefore);
  await step('lint', () => npmRun('lint'));
  return printSummary();
}

// Ctrl-C reaches the running step too; stop rather than go on to the next one.
process.once('SIGINT', () => process.exit(130));

main().then(
  (failed) => {
    process.exitCode = failed === 0 ? 0 : 1;
  },
  (error) => {
    console.error('run-tests: internal error:', error);
    console.log('total: 0 passed, 1 failed, 0 skipped');
    process.exitCode = 1;
  },
);
