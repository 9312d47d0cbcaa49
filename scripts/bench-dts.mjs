// The device-tree figures of `npm run bench` (issue 9), from the tsc output in out/:
// opening and checking the largest Linux 6.1 board with its includes (goal <= 200 ms),
// completion latency in it (goal <= 50 ms), and compiling the whole riscv + arm64 corpus,
// ours (our preprocessor included) beside cpp + dtc. Uses the same unpacked tree as
// emulator/dts/test/linux-corpus.test.ts, unpacking it when it is not there yet.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const TARBALL = '/usr/src/linux-source-6.1.tar.xz';
const PREFIX = 'linux-source-6.1';

function sourceTree() {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '../emulator/test/guests/build', `linux-dts-${statSync(TARBALL).size}`);
  if (!existsSync(join(dir, PREFIX, 'include'))) {
    mkdirSync(dirname(dir), { recursive: true });
    const staging = mkdtempSync(`${dir}-staging-`);
    execFileSync('tar', ['-xJf', TARBALL, '-C', staging, '--wildcards',
      `${PREFIX}/arch/riscv/boot/dts/*`, `${PREFIX}/arch/arm64/boot/dts/*`, `${PREFIX}/include/dt-bindings/*`, `${PREFIX}/scripts/dtc/include-prefixes/*`]);
    try { renameSync(staging, dir); } catch { rmSync(staging, { recursive: true, force: true }); }
  }
  return join(dir, PREFIX);
}

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f1 = (v) => v.toFixed(1);

export async function benchDts(root) {
  if (!existsSync(TARBALL)) { console.log(`\ndevice tree: ${TARBALL} missing (Debian's linux-source-6.1), skipped`); return; }
  const require = createRequire(import.meta.url);
  const out = (p) => require(join(root, 'out', p));
  const { compileDts } = out('emulator/dts/index.js');
  const { analyze, diagnostics, completion } = out('extension/lsp/features.js');
  const tree = sourceTree();
  const inc = [join(tree, 'scripts/dtc/include-prefixes'), join(tree, 'include')];
  const cache = new Map();
  const readFile = (p) => {
    if (cache.has(p)) return cache.get(p);
    let t;
    try { t = readFileSync(p, 'utf8'); } catch { t = undefined; }
    cache.set(p, t);
    return t;
  };
  const files = execFileSync('find', [join(tree, 'arch/riscv/boot/dts'), join(tree, 'arch/arm64/boot/dts'), '-name', '*.dts'], { encoding: 'utf8' }).trim().split('\n').sort();
  const cppArgs = (file) => ['-nostdinc', ...inc.flatMap((i) => ['-I', i]), '-undef', '-D__DTS__', '-x', 'assembler-with-cpp', '-P', file];

  // The whole corpus: cpp + dtc per file (processes included, as a build runs them), then ours in-process.
  const accepted = [];
  let cppMs = 0;
  let dtcMs = 0;
  for (const file of files) {
    let t0 = process.hrtime.bigint();
    const pp = spawnSync('cpp', cppArgs(file), { encoding: 'utf8', maxBuffer: 1 << 28 });
    cppMs += ms(t0);
    if (pp.status !== 0) continue;
    t0 = process.hrtime.bigint();
    const dtc = spawnSync('dtc', ['-I', 'dts', '-O', 'dtb', '-o', '-', '-'], { input: pp.stdout, maxBuffer: 1 << 28 });
    dtcMs += ms(t0);
    if (dtc.status === 0) accepted.push({ file, ppBytes: pp.stdout.length });
  }
  let t0 = process.hrtime.bigint();
  for (const { file } of accepted) compileDts(file, readFile(file), { readFile, includePaths: inc, defines: { __DTS__: '1' } });
  const oursCold = ms(t0);
  t0 = process.hrtime.bigint();
  for (const { file } of accepted) compileDts(file, readFile(file), { readFile, includePaths: inc, defines: { __DTS__: '1' } });
  const oursWarm = ms(t0);

  // The largest board (preprocessed size): open and check as the language server does.
  const largest = accepted.reduce((a, b) => (b.ppBytes > a.ppBytes ? b : a));
  const text = readFile(largest.file);
  const opens = [];
  let a;
  for (let i = 0; i < 7; i++) {
    t0 = process.hrtime.bigint();
    a = analyze(largest.file, text, { readFile, includePaths: inc });
    diagnostics(a);
    opens.push(ms(t0));
  }
  // Completion at a label reference and at a property name, on the analysis the server keeps
  // per document version, and after an edit (a new version: analysis again, then completion).
  const lines = text.split('\n');
  const refLine = lines.findIndex((l) => /<&[a-zA-Z_]/.test(l));
  const refPos = { line: refLine, character: lines[refLine].indexOf('<&') + 2 };
  const propLine = lines.findIndex((l) => /^\s+status\s*=/.test(l));
  const propPos = { line: propLine, character: lines[propLine].indexOf('status') + 2 };
  const cached = [];
  let items = 0;
  for (let i = 0; i < 21; i++) {
    t0 = process.hrtime.bigint();
    items = completion(a, i % 2 === 0 ? refPos : propPos).length;
    cached.push(ms(t0));
  }
  const edited = [];
  for (let i = 0; i < 5; i++) {
    t0 = process.hrtime.bigint();
    const b = analyze(largest.file, `${text}\n`, { readFile, includePaths: inc });
    completion(b, refPos);
    edited.push(ms(t0));
  }
  const name = largest.file.slice(tree.length + 1);
  console.log(`\ndevice tree (Linux 6.1 riscv + arm64, ${accepted.length} boards dtc accepts)`);
  console.log(`open + check ${name} (${Math.round(largest.ppBytes / 1024)} KiB preprocessed, ${a.compilation.pp.files.size} files): first ${f1(opens[0])} ms, median ${f1(median(opens.slice(1)))} ms (goal <= 200)`);
  console.log(`completion there: ${f1(median(cached))} ms median on the kept analysis (${items} items at &), ${f1(median(edited))} ms after an edit (goal <= 50)`);
  console.log(`whole corpus: ours ${f1(oursCold / 1000)} s first run, ${f1(oursWarm / 1000)} s again (includes our preprocessor); cpp ${f1(cppMs / 1000)} s + dtc ${f1(dtcMs / 1000)} s as processes`);
}
