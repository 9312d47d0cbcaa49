// The debugger figures of `npm run bench`: our adapter driven over DAP (DebugClient on
// `node out/debug-adapter/main.js`, as VS Code drives it) beside gdb-multiarch on QEMU's
// gdbstub doing the same (GdbSession, out/debug-adapter/test/gdb-session.js, over MI).
// Wall time of each round trip as a client sees it, next to the milestones. Measured,
// never asserted; the DAP transports (stdio beside --port) too. Run alone:
// `node scripts/bench-debugger.mjs` (after `npx tsc -p .` and
// `make -C emulator/test/guests bench`).
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const STEPS = 1000;
/** Single round trips are short: the median of this many damps host noise. */
const SAMPLES = 25;
const LINE_STEPS = 5;
const BREAKPOINTS = 100;
/** Runs of bench-crc32 per variant (the best counts): each takes seconds, host load varies. */
const RUNS = 2;
/**
 * bench-crc32 calls none of these (it prints with kprintf and checks with check(), never
 * the 64-bit variants or show); the run reaching power-off with breakpoints in them all
 * proves it, and the bench says so if not. They share no 4 KiB page with main, where the
 * CRC loop runs: QEMU 7.2 translates a page holding a breakpoint with a per-instruction
 * breakpoint check, so two breakpoints on main's page already made the run 20 times
 * slower there; that is a cost of where breakpoints sit, not of how many.
 */
const NEVER_RUN = ['check64', 'show64', 'show', 'print_hex32', 'print_hex64'];
/** gdb+QEMU runs longer than this are cut off and shown as at least this. */
const RUN_CAP_MS = 180_000;

/**
 * Step-instruction round trips over each DAP transport, the same adapter: stdio (as VS
 * Code spawns it) and `--port` on loopback (TCP_NODELAY matters there: Nagle's delay made
 * a step 2-22 ms). Medians of SAMPLES, then STEPS in a row. Alone:
 * `node scripts/bench-debugger.mjs --transports`.
 */
export async function benchTransports(root) {
  const require = createRequire(join(root, 'package.json'));
  const { DebugClient } = require('@vscode/debugadapter-testsupport');
  const { spawn } = await import('node:child_process');
  const adapter = join(root, 'out/debug-adapter/main.js');
  const demo = join(root, 'demo/hello.elf');
  const port = 20000 + Math.floor(Math.random() * 20000);
  const server = spawn(process.execPath, [adapter, '--port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise((resolve, reject) => {
    let err = '';
    server.stderr.on('data', (d) => { err += d; if (err.includes('listening')) resolve(); });
    server.once('exit', (code) => reject(new Error(`bench: the adapter on --port ${port} exited (${code}): ${err}`)));
  });
  const result = {};
  try {
    for (const [name, start] of [['stdio', (dc) => dc.start()], ['port', (dc) => dc.start(port)]]) {
      const dc = new DebugClient('node', adapter, 'osdev');
      dc.defaultTimeout = 60_000;
      await start(dc);
      const stopped = dc.waitForEvent('stopped');
      await Promise.all([dc.configurationSequence(), dc.launch({ type: 'osdev', request: 'launch', name: 'bench', program: demo, stopOnEntry: true })]);
      await stopped;
      const step = async () => {
        const s = dc.waitForEvent('stopped');
        await dc.stepInRequest({ threadId: 1, granularity: 'instruction' });
        await s;
      };
      const times = [];
      for (let i = 0; i < SAMPLES; i++) { const t0 = process.hrtime.bigint(); await step(); times.push(Number(process.hrtime.bigint() - t0) / 1e6); }
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < STEPS; i++) await step();
      result[name] = { one: [...times].sort((a, b) => a - b)[times.length >> 1], all: Number(process.hrtime.bigint() - t0) / 1e6 };
      await dc.stop();
    }
  } finally {
    server.kill();
  }
  console.log(`
DAP transport (wall ms)                        stdio    --port`);
  console.log(`${'step instruction, one round trip (median)'.padEnd(42)} ${result.stdio.one.toFixed(2).padStart(8)} ${result.port.one.toFixed(2).padStart(9)}`);
  console.log(`${`${STEPS} step instructions, one request each`.padEnd(42)} ${result.stdio.all.toFixed(0).padStart(8)} ${result.port.all.toFixed(0).padStart(9)}`);
}

export async function benchDebugger(root) {
  const require = createRequire(join(root, 'package.json'));
  const { DebugClient } = require('@vscode/debugadapter-testsupport');
  const { GdbSession, gdbOracleMissing } = require(join(root, 'out/debug-adapter/test/gdb-session.js'));
  const { parseElf } = require(join(root, 'out/emulator/loaders/elf.js'));
  const { readFileSync } = await import('node:fs');
  const adapter = join(root, 'out/debug-adapter/main.js');
  const demo = join(root, 'demo/hello.elf');
  const crc = join(root, 'emulator/test/guests/build/bench/bench-crc32.elf');
  const missing = gdbOracleMissing([64]);
  if (missing !== undefined) { console.log(`\ndebugger: gdb side skipped: ${missing}`); }
  if (!existsSync(crc)) throw new Error(`${crc} was not built (make -C emulator/test/guests bench)`);

  const now = () => process.hrtime.bigint();
  const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const hex = (n) => `0x${BigInt(n).toString(16)}`;
  const image = (file) => { const r = parseElf(new Uint8Array(readFileSync(file))); if (!r.ok) throw new Error(r.error); return r.value; };
  const symbol = (img, name) => {
    const s = img.findSymbol(name);
    if (s === undefined) throw new Error(`bench: no symbol ${name}`);
    return { addr: BigInt.asUintN(img.xlen, s.value), size: Number(s.size) };
  };

  // 100 instruction starts spread over the never-run functions, the same on both sides.
  const crcImage = image(crc);
  const far = [];
  {
    const dc = await ourSession(crc);
    const all = [];
    for (const name of NEVER_RUN) {
      const f = symbol(crcImage, name);
      const list = (await dc.disassembleRequest({ memoryReference: hex(f.addr), instructionCount: f.size >> 1 })).body.instructions
        .map((i) => BigInt(i.address)).filter((a) => a < f.addr + BigInt(f.size));
      all.push(...list);
    }
    // Evenly spread over all their instructions.
    for (let i = 0; i < BREAKPOINTS && all.length >= BREAKPOINTS; i++) far.push(all[Math.floor(i * all.length / BREAKPOINTS)]);
    await dc.stop();
    if (far.length < BREAKPOINTS) throw new Error(`bench: fewer than ${BREAKPOINTS} instructions in ${NEVER_RUN.join(', ')}`);
    const mainPage = symbol(crcImage, 'main').addr >> 12n;
    if (far.some((a) => a >> 12n === mainPage)) throw new Error('bench: a breakpoint landed on main\'s page; pick other functions');
  }

  /** initialize + launch(stopOnEntry) + configurationDone, resolved at the entry stop. */
  async function ourSession(program) {
    const dc = new DebugClient('node', adapter, 'osdev');
    dc.defaultTimeout = 600_000;
    await dc.start();
    dc.on('error', () => undefined);
    const stopped = dc.waitForEvent('stopped');
    await Promise.all([dc.configurationSequence(), dc.launch({ type: 'osdev', request: 'launch', name: 'bench', program, stopOnEntry: true })]);
    await stopped;
    return dc;
  }
  /** The next stop or exit, by listener: a pending waitForEvent would fire its timeout long after. */
  const next = (dc) => new Promise((resolve) => {
    const on = (kind) => (e) => { dc.off('stopped', onStop); dc.off('exited', onExit); resolve({ kind, reason: e.body?.reason }); };
    const onStop = on('stopped'), onExit = on('exited');
    dc.on('stopped', onStop);
    dc.on('exited', onExit);
  });
  /** Sends a request and waits for the stop it causes; running off the end is a bench bug. */
  const ourStop = async (dc, send) => {
    const s = next(dc);
    await send();
    const r = await s;
    if (r.kind !== 'stopped') throw new Error('bench: the guest ran to its end where a stop was expected');
    return r;
  };

  const ours = {}, gdb = {};

  // -- ours --
  let t0 = now();
  let dc = await ourSession(demo);
  ours.launch = ms(t0);
  const stepi = () => ourStop(dc, () => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
  const one = [];
  for (let i = 0; i < SAMPLES; i++) { t0 = now(); await stepi(); one.push(ms(t0)); }
  ours.stepi = median(one);
  // Continue, line steps and the long stepping all happen in main, the same code gdb runs.
  await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'main' }] });
  t0 = now();
  await ourStop(dc, () => dc.continueRequest({ threadId: 1 }));
  ours.cont = ms(t0);
  await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
  const lines = [];
  for (let i = 0; i < LINE_STEPS; i++) { t0 = now(); await ourStop(dc, () => dc.nextRequest({ threadId: 1 })); lines.push(ms(t0)); }
  ours.line = median(lines);
  t0 = now();
  for (let i = 0; i < STEPS; i++) await stepi();
  ours.steps = ms(t0);
  await dc.stop();
  ours.run = { 0: Infinity, [BREAKPOINTS]: Infinity };
  // Interleaved, best of RUNS: host load hits both variants alike.
  for (let rep = 0; rep < RUNS; rep++) for (const n of [0, BREAKPOINTS]) {
    dc = await ourSession(crc);
    const r = await dc.customRequest('setInstructionBreakpoints', { breakpoints: far.slice(0, n).map((a) => ({ instructionReference: hex(a) })) });
    if (r.body.breakpoints.some((b) => !b.verified)) throw new Error('bench: ours refused a breakpoint');
    const end = next(dc);
    t0 = now();
    await dc.continueRequest({ threadId: 1 });
    const how = await end;
    ours.run[n] = Math.min(ours.run[n], ms(t0));
    await dc.stop();
    if (how.kind !== 'exited') throw new Error(`bench: bench-crc32 under our adapter stopped (${how.reason}) instead of running to its end`);
  }

  // -- gdb + QEMU: the same operations over MI --
  if (missing === undefined) {
    const entry = image(demo).entry;
    t0 = now();
    let g = await GdbSession.start(demo, 64);
    gdb.launch = ms(t0);
    // QEMU halts at its reset vector; the ELF entry is 4 instructions on. Run there, untimed,
    // so both sides step the same code.
    await g.breakAt(`*${hex(entry)}`);
    await g.resume('-exec-continue');
    await g.command('-break-delete');
    one.length = 0;
    for (let i = 0; i < SAMPLES; i++) { t0 = now(); await g.resume('-exec-step-instruction'); one.push(ms(t0)); }
    gdb.stepi = median(one);
    // Where ours puts a function breakpoint (the symbol), not after gdb's prologue analysis.
    await g.breakAt(`*${hex(symbol(image(demo), 'main').addr)}`);
    t0 = now();
    await g.resume('-exec-continue');
    gdb.cont = ms(t0);
    await g.command('-break-delete');
    lines.length = 0;
    for (let i = 0; i < LINE_STEPS; i++) { t0 = now(); await g.resume('-exec-next'); lines.push(ms(t0)); }
    gdb.line = median(lines);
    t0 = now();
    for (let i = 0; i < STEPS; i++) await g.resume('-exec-step-instruction');
    gdb.steps = ms(t0);
    // gdb's own loop: `stepi 1000` is one command, each step a round trip to the stub only.
    t0 = now();
    await g.resume(`stepi ${STEPS}`);
    gdb.stepsBatch = ms(t0);
    await g.close();
    gdb.run = { 0: Infinity, [BREAKPOINTS]: Infinity };
    for (let rep = 0; rep < RUNS; rep++) for (const n of [0, BREAKPOINTS]) {
      g = await GdbSession.start(crc, 64);
      for (const a of far.slice(0, n)) await g.breakAt(`*${hex(a)}`);
      t0 = now();
      const stop = await g.resume('-exec-continue', RUN_CAP_MS).catch(() => undefined);
      gdb.run[n] = Math.min(gdb.run[n], ms(t0));
      await g.close();
      if (stop === undefined) gdb.capped = true;
      else if (!stop.reason.startsWith('exited')) throw new Error(`bench: bench-crc32 under gdb stopped (${stop.reason}) instead of running to its end`);
    }
  }

  const f = (v, d = 1) => (v === undefined ? '-' : v.toFixed(d));
  const cost = (r) => (r === undefined ? undefined : 100 * (r[BREAKPOINTS] / r[0] - 1));
  const row = (what, a, b, goal = '') => console.log(`${what.padEnd(42)} ${String(a).padStart(10)} ${String(b).padStart(12)}   ${goal}`);
  console.log(`\ndebugger (wall ms as a client sees it)         osdev-emu  gdb+QEMU   milestone`);
  row('launch -> stopped on entry', f(ours.launch), f(gdb.launch), '<= 1000 ms (ours)');
  row(`step instruction, one round trip (median)`, f(ours.stepi, 2), f(gdb.stepi, 2), '<= 20 ms (ours)');
  row(`step line (next) in main (median of ${LINE_STEPS})`, f(ours.line, 2), f(gdb.line, 2));
  row(`${STEPS} step instructions, one request each`, f(ours.steps), f(gdb.steps));
  row(`gdb \`stepi ${STEPS}\`, one command`, '', f(gdb.stepsBatch));
  row('continue from entry to a breakpoint (main)', f(ours.cont), f(gdb.cont));
  row('bench-crc32 to its end, no breakpoints', f(ours.run[0], 0), f(gdb.run?.[0], 0));
  row(`same with ${BREAKPOINTS} breakpoints never reached`, f(ours.run[BREAKPOINTS], 0), `${gdb.capped ? '>' : ''}${f(gdb.run?.[BREAKPOINTS], 0)}`);
  row(`  cost of ${BREAKPOINTS} breakpoints`, `${f(cost(ours.run))}%`, gdb.run === undefined ? '-' : `${f(cost(gdb.run))}%`, '<= 10% (ours)');
  console.log('gdb+QEMU launch = gdb start to QEMU halted at its reset vector (symbols loaded); ours = adapter start to the entry stop.');
  console.log(`Breakpoint runs: continue to power-off, best of ${RUNS} interleaved (breakpoints in ${NEVER_RUN.join(', ')}, off main's page); a small difference is host noise.`);
}

/**
 * Program state on Linux 6.1 with full DWARF 5 (emulator/test/linux/build.sh): Image behind
 * OpenSBI, `symbols: [vmlinux]`. At each breakpoint (gdb's `break` address, on both
 * sides) the round trips VS Code makes when it stops: stackTrace, scopes of the top frame,
 * its Locals; ours beside gdb-multiarch's -stack-list-frames + -stack-list-variables on
 * QEMU. The first stop reads the kernel's DWARF for the first time; later ones reuse it.
 * The adapter's resident memory (VmRSS, and its peak VmHWM) after the stops. Alone:
 * `node scripts/bench-debugger.mjs --linux`.
 */
export async function benchLinuxState(root) {
  const require = createRequire(join(root, 'package.json'));
  const { DebugClient } = require('@vscode/debugadapter-testsupport');
  const { GdbSession, gdbOracleMissing } = require(join(root, 'out/debug-adapter/test/gdb-session.js'));
  const { QEMU_CPU_OPTION } = require(join(root, 'out/emulator/machine/description.js'));
  const { readFileSync } = await import('node:fs');
  const out = join(root, 'emulator/test/guests/build/linux');
  const [image, vmlinux, rootfs] = ['Image', 'vmlinux', 'rootfs.img'].map((f) => join(out, f));
  const fw = '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin';
  const append = 'root=/dev/vda rw console=ttyS0 earlycon';
  if (![image, vmlinux, rootfs, fw].every(existsSync)) { console.log('\nLinux program state: skipped, run bash emulator/test/linux/build.sh (and install opensbi)'); return; }
  const missing = gdbOracleMissing([64]);
  if (missing !== undefined) { console.log(`\nLinux program state: skipped: ${missing}`); return; }
  const stops = ['start_kernel', 'do_one_initcall', 'virtblk_probe'];
  const now = () => process.hrtime.bigint();
  const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

  // gdb first: it gives the breakpoint addresses (after the prologue) both sides stop at.
  const gdb = await GdbSession.start(vmlinux, 64, ['qemu-system-riscv64', '-machine', 'virt', '-cpu', QEMU_CPU_OPTION[64], '-m', '128M',
    '-smp', '1', '-bios', fw, '-kernel', image, '-append', append, '-global', 'virtio-mmio.force-legacy=false',
    '-drive', `file=${rootfs},if=none,id=root,format=raw,snapshot=on`, '-device', 'virtio-blk-device,drive=root',
    '-display', 'none', '-serial', 'none', '-monitor', 'none', '-S', '-gdb', 'stdio']);
  const theirs = [], at = [];
  try {
    for (const fn of stops) {
      at.push(await gdb.breakAt(fn));
      await gdb.resume('-exec-continue', 120_000);
      await gdb.command('-break-delete');
      const t0 = now();
      await gdb.command('-stack-list-frames');
      await gdb.command('-stack-list-variables --thread 1 --frame 0 --all-values');
      theirs.push(ms(t0));
    }
  } finally {
    await gdb.close();
  }

  // The adapter in this process (as VS Code's server mode runs it), so its own memory can be told
  // apart: the main isolate's heap and buffers are the adapter's; the machine's worker (the guest's
  // RAM) is another isolate, counted only in the process's RSS.
  const { OsdevDebugSession } = require(join(root, 'out/debug-adapter/adapter.js'));
  const { NODE_HOST } = require(join(root, 'out/debug-adapter/node-host.js'));
  const net = await import('node:net');
  const v8 = await import('node:v8');
  const server = net.createServer((socket) => {
    const session = new OsdevDebugSession(NODE_HOST);
    session.setRunAsServer(true);
    session.start(socket, socket);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dc = new DebugClient('node', '', 'osdev');
  dc.defaultTimeout = 600_000;
  await dc.start(server.address().port);
  // Live memory, not garbage the collector has yet to reach: collect first.
  v8.setFlagsFromString('--expose-gc');
  const collect = (await import('node:vm')).runInNewContext('gc');
  const memory = () => {
    collect();
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
    const { external } = process.memoryUsage();
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024, adapter: (v8.getHeapStatistics().used_heap_size + external) / 2 ** 20 };
  };
  const ours = [];
  let t0 = now();
  const entry = dc.waitForEvent('stopped');
  await Promise.all([dc.configurationSequence(), dc.launch({ type: 'osdev', request: 'launch', name: 'bench', program: image, bios: fw,
    symbols: [vmlinux], drives: [rootfs], append, stopOnEntry: true })]);
  await entry;
  const launch = ms(t0);
  const atEntry = memory();
  if (process.env.HEAPSNAP) v8.writeHeapSnapshot(process.env.HEAPSNAP);
  for (const a of at) {
    await dc.customRequest('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `0x${a.toString(16)}` }] });
    const hit = dc.waitForEvent('stopped');
    await dc.continueRequest({ threadId: 1 });
    await hit;
    t0 = now();
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    const [locals] = (await dc.scopesRequest({ frameId: frames[0].id })).body.scopes;
    await dc.variablesRequest({ variablesReference: locals.variablesReference });
    ours.push(ms(t0));
  }
  const after = memory();
  await dc.stop();
  server.close();

  const f = (v, d = 1) => v.toFixed(d);
  const row = (what, a, b, goal = '') => console.log(`${what.padEnd(42)} ${String(a).padStart(10)} ${String(b).padStart(12)}   ${goal}`);
  console.log(`\nLinux 6.1 vmlinux, DWARF 5 (wall ms)            osdev-emu  gdb+QEMU   milestone`);
  row('launch -> stopped on entry', f(launch), '', '(ours: ELF, symbols, line tables, CFI)');
  stops.forEach((fn, i) => row(`stack + scopes + Locals at ${fn}`, f(ours[i]), f(theirs[i]), i === 0 ? '<= 300 ms (ours, first stop)' : '<= 50 ms (ours)'));
  row('adapter memory after launch (MB)', f(atEntry.adapter, 0), '');
  row('adapter memory after the stops (MB)', f(after.adapter, 0), '', '<= 300 MB (ours)');
  row('process RSS after the stops (MB)', f(after.rss, 0), '', `(peak ${f(after.peak, 0)} MB)`);
  console.log('gdb: -stack-list-frames + -stack-list-variables of frame 0 (its symbols read at gdb start, before the first stop).');
  console.log('Adapter memory: its JavaScript heap and buffers (the whole vmlinux file included); the RSS adds the machine\'s');
  console.log('worker, whose guest RAM (128 MB) is the emulated machine\'s, not the debugger\'s.');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  if (process.argv[2] === '--linux') await benchLinuxState(root);
  else {
    if (process.argv[2] !== '--transports') await benchDebugger(root);
    await benchTransports(root);
    if (process.argv[2] !== '--transports') await benchLinuxState(root);
  }
}
