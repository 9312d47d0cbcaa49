// `npm run bench`, profiling and coverage: what `--profile` at the default rate and
// `--coverage` cost, as the ratio of the machine's CPU time with and without them on the
// same guest. In this process, through the compiled machine (out/), so the figure is the
// run alone (no start, no writing of the file) and CPU time, not wall time: the machine
// is shared, and a busy neighbour stretches wall time, not ours. Runs alternate and the
// best of each is kept.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const DEFAULT_LIMIT = 1_000_000_000;

export async function benchProfile(root, { rounds = 3, limit = DEFAULT_LIMIT } = {}) {
  const require = createRequire(import.meta.url);
  const { Machine } = require(join(root, 'out/emulator/machine/machine.js'));
  const { boot } = require(join(root, 'out/emulator/machine/boot.js'));
  const { defaultDescription } = require(join(root, 'out/emulator/machine/description.js'));
  const { DEFAULT_PROFILE_RATE } = require(join(root, 'out/emulator/machine/profiler.js'));

  /** CPU seconds to run `elf` to power-off or `max` instructions, with `setup` applied after boot. */
  const cpuSecs = (elf, max, setup) => {
    const m = new Machine(defaultDescription({ xlen: 64, harts: 1 }), { consoleOut: () => undefined });
    const booted = boot(m, { kernel: { name: elf, bytes: new Uint8Array(readFileSync(elf)) }, bios: 'none' });
    if (!booted.ok) throw new Error(booted.error);
    setup(m);
    const t0 = process.cpuUsage();
    for (let r = m.step(10_000_000); r.kind === 'budget' && m.harts[0].instret < max; r = m.step(10_000_000));
    const t = process.cpuUsage(t0);
    return { secs: (t.user + t.system) / 1e6, insns: m.harts[0].instret };
  };
  const compare = (elf, max, setup) => {
    let plain = Infinity, with_ = Infinity, insns = 0;
    for (let i = 0; i < rounds; i++) {
      const a = cpuSecs(elf, max, () => undefined);
      const b = cpuSecs(elf, max, setup);
      if (a.insns !== b.insns) throw new Error(`${elf}: ${a.insns} instructions plain, ${b.insns} measured: the run changed`);
      insns = a.insns;
      plain = Math.min(plain, a.secs);
      with_ = Math.min(with_, b.secs);
    }
    return { insns, plain, with: with_ };
  };
  const bench = (name) => join(root, 'emulator/test/guests/build/bench', `${name}.elf`);
  console.log(`\nprofiling, every ${DEFAULT_PROFILE_RATE} instructions   instructions   plain s   profiled s   profiled/plain`);
  for (const name of ['bench-crc32', 'bench-qsort', 'bench-matmul']) {
    const r = compare(bench(name), limit, (m) => m.startProfile(DEFAULT_PROFILE_RATE));
    console.log(`${name.padEnd(38)} ${String(r.insns).padStart(13)}   ${r.plain.toFixed(3).padStart(7)}   ${r.with.toFixed(3).padStart(10)}   ${(r.with / r.plain).toFixed(3).padStart(14)}`);
  }
  // Coverage runs every instruction alone: a shorter stretch of the same workload.
  const c = compare(bench('bench-qsort'), limit / 20, (m) => m.startCoverage());
  console.log(`${'coverage, bench-qsort'.padEnd(38)} ${String(c.insns).padStart(13)}   ${c.plain.toFixed(3).padStart(7)}   ${c.with.toFixed(3).padStart(10)}   ${(c.with / c.plain).toFixed(1).padStart(13)}x`);
  console.log(`(CPU time of the machine alone, best of ${rounds} alternating runs; each run stops at ${limit} instructions, coverage's at ${limit / 20})`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchProfile(join(new URL('..', import.meta.url).pathname), { rounds: Number(process.argv[2] ?? 3) });
}
