/**
 * `osdev-emu run --profile / --coverage` end to end (the CLI, the machine's sampler, the
 * adapter's writer in its child process) on the profile guest (guests/profile.c), whose
 * split is known by construction: hot() runs 90 000 rounds, warm() 10 000 rounds of the
 * same instructions through the always-inlined mix(), never_called() never runs.
 * Coverage is checked against QEMU: the pcs QEMU 7.2 translates one instruction per
 * block (-singlestep -d in_asm, so every pc it ran) named by gdb-multiarch's `info line`,
 * so the oracle is neither our machine nor our DWARF reader.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GUESTS_BUILD_DIR, GUESTS_DIR, OUR_CLI, hasQemu, qemuArgs, qemuBinary, runOurs, runProcess, Xlen } from './qemu';
import { spawnTool } from './host-tools';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount: number; children: number[]; positionTicks?: { line: number; ticks: number }[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-profile-'));
  return fn(dir).finally(() => fs.rmSync(dir, { recursive: true, force: true }));
}

async function runWith(elf: string, xlen: Xlen, args: string[]): Promise<void> {
  const r = await runOurs(elf, { xlen, extraArgs: args, timeoutMs: 120_000 });
  assert.equal(r.exitCode, 0, `${r.command}\n${r.stderr}`);
  assert.match(r.stdout, /profile: rv\d+/);
}

/** Every structural promise of a .cpuprofile that VS Code's viewer relies on. */
function checkWellFormed(p: Profile): void {
  const ids = new Set(p.nodes.map((n) => n.id));
  assert.equal(ids.size, p.nodes.length, 'node ids are unique');
  const parents = new Map<number, number>();
  for (const n of p.nodes) {
    for (const c of n.children) {
      assert.ok(ids.has(c), `child ${c} of ${n.id} is a node`);
      assert.ok(!parents.has(c), `node ${c} has one parent`);
      parents.set(c, n.id);
    }
  }
  const roots = p.nodes.filter((n) => !parents.has(n.id));
  assert.deepEqual(roots.map((n) => n.callFrame.functionName), ['(root)']);
  assert.equal(p.samples.length, p.timeDeltas.length);
  for (const s of p.samples) assert.ok(ids.has(s), `sample ${s} is a node`);
  const hits = new Map<number, number>();
  for (const s of p.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
  for (const n of p.nodes) assert.equal(n.hitCount, hits.get(n.id) ?? 0, `hitCount of ${n.callFrame.functionName}`);
  assert.ok(p.timeDeltas.every((d) => Number.isInteger(d) && d >= 0), 'time deltas are whole microseconds, never negative');
  const total = p.timeDeltas.reduce((a, b) => a + b, 0);
  assert.ok(p.startTime + total <= p.endTime, 'samples lie between startTime and endTime');
}

/** The chain of function names from the root to a node. */
function pathOf(p: Profile, id: number): string[] {
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children) parent.set(c, n.id);
  const names: string[] = [];
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    names.unshift((p.nodes.find((n) => n.id === at) as Node).callFrame.functionName);
  }
  return names;
}

/** lcov as file → line → count. */
function parseLcov(text: string): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  let cur: Map<number, number> | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('SF:')) { cur = new Map(); out.set(line.slice(3), cur); }
    const da = /^DA:(\d+),(\d+)$/.exec(line);
    if (da !== null) (cur as Map<number, number>).set(Number(da[1]), Number(da[2]));
    if (line === 'end_of_record') cur = undefined;
  }
  return out;
}

/** Every pc QEMU ran (one instruction per translation block, each logged once), as hex. */
async function qemuPcs(elf: string, xlen: Xlen, dir: string): Promise<string[]> {
  const log = path.join(dir, 'in_asm.log');
  const r = await runProcess(qemuBinary(xlen), [...qemuArgs(elf, { xlen }), '-singlestep', '-d', 'in_asm', '-D', log], { timeoutMs: 60_000, stdoutToFile: true });
  assert.equal(r.exitCode, 0, r.command);
  const pcs = new Set<string>();
  for (const m of fs.readFileSync(log, 'latin1').matchAll(/^0x([0-9a-f]+):/gm)) pcs.add(BigInt(`0x${m[1]}`).toString(16));
  return [...pcs];
}

/**
 * gdb-multiarch's `info line *PC` for each pc, as "file:line" (relative names from the
 * guests' build folder, their DW_AT_comp_dir). gdb rather than addr2line: where several
 * rows share an address (`return v;` and the closing brace at one `ret`) addr2line names
 * the last row, gdb the statement, and the debugger (so this lcov) follows gdb.
 */
function gdbLines(elf: string, pcs: string[], dir: string): Set<string> {
  const cmds = path.join(dir, 'lines.gdb');
  fs.writeFileSync(cmds, pcs.map((p) => `info line *0x${p}\n`).join(''));
  const r = spawnTool('gdb-multiarch', ['-batch', '-nx', '-x', cmds, elf], { encoding: 'utf8' });
  assert.equal(r.status, 0, String(r.stderr));
  const lines = new Set<string>();
  for (const m of String(r.stdout).matchAll(/^Line (\d+) of "([^"]+)"/gm)) lines.add(`${path.resolve(GUESTS_DIR, m[2])}:${m[1]}`);
  return lines;
}

/** Lines of `fn` in profile.c: from its name to the closing brace at the line's start. */
function linesOf(source: string, fn: string): number[] {
  const all = source.split('\n');
  const start = all.findIndex((l) => new RegExp(`\\b${fn}\\(unsigned`).test(l));
  assert.ok(start >= 0, `${fn} is in profile.c`);
  const end = all.findIndex((l, i) => i > start && l === '}');
  return Array.from({ length: end - start + 1 }, (_, i) => start + 1 + i);
}

for (const xlen of [64, 32] as const) {
  const elf = path.join(GUESTS_BUILD_DIR, `rv${xlen}`, 'profile.elf');
  const source = path.resolve(GUESTS_BUILD_DIR, '..', 'profile.c');

  test(`rv${xlen}: the profile splits samples 90/10 between hot and warm (mix inlined under warm), well-formed`, () => withDir(async (dir) => {
    assert.ok(fs.existsSync(elf), `${elf} missing: the test build (make -C emulator/test/guests) makes it`);
    const out = path.join(dir, 'p.cpuprofile');
    await runWith(elf, xlen, ['--profile', out, '--profile-rate', '997']);
    const p = JSON.parse(fs.readFileSync(out, 'utf8')) as Profile;
    checkWellFormed(p);
    const count = (name: string) => p.samples.filter((s) => p.nodes.find((n) => n.id === s)?.callFrame.functionName === name).length;
    const total = p.samples.length;
    assert.ok(total > 600, `${total} samples`);
    const hot = count('hot') / total, warm = (count('warm') + count('mix')) / total;
    assert.ok(Math.abs(hot - 0.9) <= 0.02, `hot's share ${hot}`);
    assert.ok(Math.abs(warm - 0.1) <= 0.02, `warm's share (mix included) ${warm}`);
    const mix = p.nodes.find((n) => n.callFrame.functionName === 'mix') as Node;
    assert.deepEqual(pathOf(p, mix.id), ['(root)', 'M-mode', 'hart 0', 'warm', 'mix']);
    assert.equal(mix.callFrame.url, source);
    // Its lines, as the sampled pcs' rows: only mix's body.
    const mixLines = linesOf(fs.readFileSync(source, 'utf8'), 'mix');
    for (const t of mix.positionTicks ?? []) assert.ok(mixLines.includes(t.line), `mix's tick at line ${t.line}`);
    const hotNode = p.nodes.find((n) => n.callFrame.functionName === 'hot') as Node;
    const hotLines = linesOf(fs.readFileSync(source, 'utf8'), 'hot');
    assert.equal(hotNode.callFrame.lineNumber + 1, hotLines[0], 'hot sits at its declaration (0-based lineNumber)');
    for (const t of hotNode.positionTicks ?? []) assert.ok(hotLines.includes(t.line), `hot's tick at line ${t.line}`);
    assert.ok(!p.nodes.some((n) => n.callFrame.functionName === 'never_called'));
  }));

  test(`rv${xlen}: the same run twice gives byte-identical profiles, translated or run one instruction at a time`, () => withDir(async (dir) => {
    const a = path.join(dir, 'a.cpuprofile'), b = path.join(dir, 'b.cpuprofile'), c = path.join(dir, 'c.cpuprofile');
    await runWith(elf, xlen, ['--profile', a]);
    await runWith(elf, xlen, ['--profile', b]);
    // --coverage runs every hart one instruction at a time, translation off: the samples must not move.
    await runWith(elf, xlen, ['--profile', c, '--coverage', path.join(dir, 'c.lcov')]);
    const bytes = fs.readFileSync(a);
    assert.ok(bytes.length > 0);
    assert.deepEqual(fs.readFileSync(b), bytes);
    assert.deepEqual(fs.readFileSync(c), bytes);
  }));

  test(`rv${xlen}: lcov counts the lines that ran (the pcs QEMU ran, named by gdb), never_called's lines 0`, async (t) => {
    if (!(await hasQemu(xlen))) assert.fail(`${qemuBinary(xlen)} is missing (install Debian's qemu-system-misc; .ci/run does)`);
    await withDir(async (dir) => {
      const out = path.join(dir, 'c.lcov');
      await runWith(elf, xlen, ['--coverage', out]);
      const lcov = parseLcov(fs.readFileSync(out, 'utf8'));
      const mine = lcov.get(source);
      assert.ok(mine !== undefined, `lcov has ${source}`);
      const text = fs.readFileSync(source, 'utf8');
      for (const line of linesOf(text, 'never_called')) assert.ok((mine.get(line) ?? 0) === 0, `never_called's line ${line} did not run`);
      assert.ok(linesOf(text, 'never_called').some((l) => mine.has(l)), 'never_called has lines in the lcov (DA:N,0)');
      // hot's loop body runs once per round: 90 000 times by construction.
      const body = text.split('\n').findIndex((l) => l.includes('v += i;')) + 1;
      assert.equal(mine.get(body), 90_000);
      const ran = new Set<string>();
      // Our sources only: gdb names libgcc's files relative to a build folder of Debian's, not ours.
      const ours = (l: string) => l.startsWith(`${GUESTS_DIR}${path.sep}`);
      for (const [file, lines] of lcov) for (const [line, n] of lines) if (n > 0) ran.add(`${file}:${line}`);
      const oracle = new Set([...gdbLines(elf, await qemuPcs(elf, xlen, dir), dir)].filter(ours));
      for (const l of [...ran]) if (!ours(l)) ran.delete(l);
      // Ours runs on to the end of its chunk after the power-off store (the machine looks at
      // power between chunks): exit_pass's wfi runs here, QEMU stops at the store.
      const lib = fs.readFileSync(path.join(GUESTS_DIR, 'common', 'lib.c'), 'utf8').split('\n');
      const afterPowerOff = `${path.join(GUESTS_DIR, 'common', 'lib.c')}:${lib.findIndex((l, i) => i > 0 && /wfi/.test(l) && /exit_pass/.test(lib[i - 3] ?? '')) + 1}`;
      assert.ok(!afterPowerOff.endsWith(':0'), 'exit_pass and its wfi are in common/lib.c');
      const missing = [...oracle].filter((l) => !ran.has(l));
      const extra = [...ran].filter((l) => !oracle.has(l) && l !== afterPowerOff);
      t.diagnostic(`${ran.size} lines ran`);
      assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
    });
  });
}

test('bad profile options are one line each, before the guest runs', () => withDir(async (dir) => {
  const elf = path.join(GUESTS_BUILD_DIR, 'rv64', 'profile.elf');
  const refused = async (args: string[], message: RegExp) => {
    const r = await runOurs(elf, { xlen: 64, extraArgs: args });
    assert.equal(r.exitCode, 2, r.command);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '', 'the guest did not run');
  };
  await refused(['--profile-rate', '100'], /--profile-rate needs --profile FILE/);
  await refused(['--profile', path.join(dir, 'p'), '--profile-rate', '0'], /--profile-rate must be between 1 and/);
  await refused(['--profile', path.join(dir, 'no', 'such', 'p.cpuprofile')], /--profile: cannot write '.*p\.cpuprofile': ENOENT/);
  await refused(['--coverage', dir], /--coverage: cannot write/);
  await refused(['--symbols', elf], /--symbols names pcs for --profile or --coverage/);
  // A --symbols file that is not there: the run happens, the writer says why nothing was written.
  const r = await runOurs(elf, { xlen: 64, extraArgs: ['--profile', path.join(dir, 'p.cpuprofile'), '--symbols', path.join(dir, 'missing.elf')] });
  assert.equal(r.exitCode, 74, r.stderr);
  assert.match(r.stderr, /cannot read '.*missing\.elf'/);
}));

test('two harts: each hart sampled by its own instructions, its samples under its own node, in clock order', () => withDir(async (dir) => {
  const elf = path.join(GUESTS_BUILD_DIR, 'rv64', 'amo-smp.elf');
  const out = path.join(dir, 'smp.cpuprofile');
  const r = await runOurs(elf, { xlen: 64, harts: 2, extraArgs: ['--profile', out, '--profile-rate', '500'] });
  assert.equal(r.exitCode, 0, r.stderr);
  const p = JSON.parse(fs.readFileSync(out, 'utf8')) as Profile;
  checkWellFormed(p);
  const harts = new Map<string, number>();
  for (const s of p.samples) {
    const hart = pathOf(p, s)[2];
    harts.set(hart, (harts.get(hart) ?? 0) + 1);
  }
  assert.deepEqual([...harts.keys()].sort(), ['hart 0', 'hart 1']);
  // Both harts run the same work loop: their counts differ by the start-up and printing alone.
  const [a, b] = [harts.get('hart 0') ?? 0, harts.get('hart 1') ?? 0];
  assert.ok(Math.abs(a - b) / (a + b) < 0.1, `hart 0 ${a} samples, hart 1 ${b}`);
}));

test('Linux 6.1 on 4 harts (built-in SBI): named through vmlinux, and the same profile with --coverage, which runs every instruction alone', () => withDir(async (dir) => {
  const linux = path.join(GUESTS_BUILD_DIR, 'linux');
  for (const f of ['Image', 'vmlinux', 'rootfs.img']) {
    assert.ok(fs.existsSync(path.join(linux, f)), `${f} missing: emulator/test/linux/build.sh builds it (npm test runs it first)`);
  }
  const run = async (extra: string[]) => {
    const r = await runProcess(process.execPath, [OUR_CLI, 'run',
      path.join(linux, 'Image'), '--harts', '4', '--drive', path.join(linux, 'rootfs.img'), '--append', 'root=/dev/vda rw console=ttyS0',
      '--symbols', path.join(linux, 'vmlinux'), '--stats', ...extra], { timeoutMs: 600_000 });
    assert.equal(r.exitCode, 0, `${r.command}\n${r.stderr}`);
    return Number(/(\d+) instructions in/.exec(r.stderr)?.[1]);
  };
  const a = path.join(dir, 'a.cpuprofile'), b = path.join(dir, 'b.cpuprofile'), lcov = path.join(dir, 'linux.lcov');
  const plain = await run(['--profile', a]);
  const covered = await run(['--profile', b, '--coverage', lcov]);
  assert.equal(covered, plain, 'coverage leaves the run as it was: the same instructions');
  assert.deepEqual(fs.readFileSync(b), fs.readFileSync(a));
  const p = JSON.parse(fs.readFileSync(a, 'utf8')) as Profile;
  checkWellFormed(p);
  const names = new Set(p.nodes.map((n) => n.callFrame.functionName));
  for (const n of ['S-mode', 'U-mode', 'hart 0', 'hart 3', 'schedule', '__memset', 'handle_exception']) assert.ok(names.has(n), `${n} in the profile`);
  const lines = parseLcov(fs.readFileSync(lcov, 'utf8'));
  const main = [...lines].find(([f]) => f.endsWith('init/main.c'));
  assert.ok(main !== undefined && [...main[1].values()].some((n) => n > 0), 'init/main.c has lines that ran');
}));
