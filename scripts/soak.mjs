#!/usr/bin/env node
// The soak (`npm run soak`, not in `npm test`): `osdev-emu dap --port` runs the soak
// guest (emulator/test/guests/soak.c: console echo, disk writes and reads, a line per
// round) while a DAP client pauses, steps, reads memory, evaluates, types console input
// and continues, over and over, and a second client comes and goes without `disconnect`.
// Every SAMPLE seconds it samples RSS (VmRSS) and open file descriptors (/proc/PID/fd) of
// the CLI and its adapter child. At the end: growth from the first sample after warm-up
// to the last, against the goals (RSS growth <= 50 MB, no fd growth); exit 1 if missed.
//
//   node scripts/soak.mjs [--seconds N] [--sample N]      (default 3600 s, sample every 30 s)
//
// Needs `npx tsc -p .` and `make -C emulator/test/guests`. Linux only (/proc).
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(ROOT, 'package.json'));
const { DebugClient } = require('@vscode/debugadapter-testsupport');
const { startDapServer } = require(path.join(ROOT, 'out/debug-adapter/test/dap-server.js'));

const GOAL_RSS_MB = 50;

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!(v > 0)) { console.error(`soak: ${name} needs a positive number of seconds`); process.exit(2); }
  return v;
}
const SECONDS = option('--seconds', 3600);
const SAMPLE = option('--sample', Math.min(30, Math.max(1, SECONDS / 20)));
/** Allocations that settle once (JIT, code caches, the first sessions) are not growth. */
const WARMUP = Math.min(120, SECONDS / 6);

const GUEST = path.join(ROOT, 'emulator/test/guests/build/rv64/soak.elf');
if (!fs.existsSync(GUEST)) { console.error(`soak: ${GUEST} is not built (make -C emulator/test/guests)`); process.exit(2); }

function sample(pid) {
  try {
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
    return { rss, fds: fs.readdirSync(`/proc/${pid}/fd`).length, threads: fs.readdirSync(`/proc/${pid}/task`).length };
  } catch { return undefined; }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-soak-'));
const disk = path.join(tmp, 'disk.img');
fs.writeFileSync(disk, Buffer.alloc(1 << 20));
// The clients that come and go get an image of their own: the main session holds a write
// lock on its image, which refuses every other opener (as QEMU's lock does).
const otherDisk = path.join(tmp, 'other.img');
fs.writeFileSync(otherDisk, Buffer.alloc(1 << 20));
const server = await startDapServer();
const pids = { cli: server.cli.pid, adapter: server.adapterPid };

/** A session stopped on entry with `drive` (writeback for the main one, an overlay of their own image for the others). */
async function session(drive) {
  const dc = new DebugClient('node', '', 'osdev');
  dc.defaultTimeout = 60_000;
  await dc.start(server.port);
  dc.on('error', () => undefined);
  const stopped = dc.waitForEvent('stopped');
  await Promise.all([dc.configurationSequence(), dc.launch({
    type: 'osdev', request: 'launch', name: 'soak', program: GUEST, stopOnEntry: true,
    drives: [drive],
  })]);
  await stopped;
  return dc;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let ops = 0, cycles = 0, exitedEarly = null, output = 0;
const main = await session(`${disk},mode=writeback`);
main.on('output', (e) => { output += e.body.output.length; });
main.on('exited', (e) => { exitedEarly = e.body.exitCode; });
const round = (await main.evaluateRequest({ expression: '&soak_round', context: 'repl' })).body.result;
const roundAddr = /0x[0-9a-f]+/i.exec(round)?.[0];
if (roundAddr === undefined) throw new Error(`soak: cannot find soak_round (${round})`);

const samples = [];
const t0 = Date.now();
let nextSample = 0, lastRound = 0;
console.log(`soak: ${SECONDS} s, a sample every ${SAMPLE} s, warm-up ${WARMUP} s; cli pid ${pids.cli}, adapter pid ${pids.adapter}`);
console.log('   t(s)  cli RSS MB  fds  adapter RSS MB  fds  threads   guest round   DAP ops');
try {
  while (Date.now() - t0 < SECONDS * 1000) {
    if (exitedEarly !== null) throw new Error(`soak: the guest exited (code ${exitedEarly})`);
    // One cycle: run a little, stop, look around, type, run on.
    await main.continueRequest({ threadId: 1 });
    await sleep(100);
    const stop = main.waitForEvent('stopped');
    await main.pauseRequest({ threadId: 1 });
    await stop;
    for (let i = 0; i < 3; i++) {
      const s = main.waitForEvent('stopped');
      await main.stepInRequest({ threadId: 1, granularity: 'instruction' });
      await s;
    }
    const mem = await main.customRequest('readMemory', { memoryReference: roundAddr, count: 4 });
    lastRound = Buffer.from(mem.body.data, 'base64').readUInt32LE(0);
    await main.stackTraceRequest({ threadId: 1 });
    await main.evaluateRequest({ expression: '$pc + soak_round', context: 'watch' });
    await main.customRequest('osdev/consoleInput', { text: `soak ${ops}\r` });
    ops += 9;
    // Now and then a client that launches and vanishes without disconnect.
    if (++cycles % 50 === 0) { const gone = await session(`${otherDisk},mode=overlay`); await gone.stop(); ops += 3; }
    const t = (Date.now() - t0) / 1000;
    if (t >= nextSample) {
      nextSample += SAMPLE;
      const c = sample(pids.cli), a = sample(pids.adapter);
      if (c === undefined || a === undefined) throw new Error('soak: the server process is gone');
      samples.push({ t, c, a });
      console.log(`${t.toFixed(0).padStart(7)} ${c.rss.toFixed(1).padStart(11)} ${String(c.fds).padStart(4)} ${a.rss.toFixed(1).padStart(15)} ${String(a.fds).padStart(4)} ${String(a.threads).padStart(8)} ${String(lastRound).padStart(13)} ${String(ops).padStart(9)}`);
    }
  }
} finally {
  await main.stop().catch(() => undefined);
  await server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}

const base = samples.find((s) => s.t >= WARMUP) ?? samples[0];
const last = samples[samples.length - 1];
const rssGrowth = last.a.rss + last.c.rss - (base.a.rss + base.c.rss);
const fdGrowth = last.a.fds + last.c.fds - (base.a.fds + base.c.fds);
const peak = Math.max(...samples.map((s) => s.a.rss + s.c.rss));
console.log(`\nsoak: ${((Date.now() - t0) / 1000).toFixed(0)} s, ${ops} DAP operations, guest round ${lastRound}, ${output} bytes of console output`);
console.log(`RSS (cli + adapter) ${(base.a.rss + base.c.rss).toFixed(1)} MB at ${base.t.toFixed(0)} s -> ${(last.a.rss + last.c.rss).toFixed(1)} MB: growth ${rssGrowth.toFixed(1)} MB (goal <= ${GOAL_RSS_MB}), peak ${peak.toFixed(1)} MB`);
console.log(`open fds (cli + adapter) ${base.a.fds + base.c.fds} -> ${last.a.fds + last.c.fds}: growth ${fdGrowth} (goal 0); adapter threads ${base.a.threads} -> ${last.a.threads}`);
const ok = rssGrowth <= GOAL_RSS_MB && fdGrowth <= 0;
console.log(ok ? 'soak: goals met' : 'soak: GOALS MISSED');
process.exit(ok ? 0 : 1);
