// The device figures of `npm run bench` (issue 8), from the tsc output in out/: a Devices
// view refresh of every device on a stop, the cost of the MMIO trace hook switched off
// against a bus with no trace code at all, and a Remote-Port read round trip to the
// example peer over a unix socket and loopback TCP. QEMU has no counterpart for these
// (its Remote-Port lives in Xilinx's fork), so they are printed against their goals.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

export async function benchDevices(root) {
  const require = createRequire(import.meta.url);
  const out = (p) => require(join(root, 'out', p));
  const { Machine } = out('emulator/machine/machine.js');
  const { boot } = out('emulator/machine/boot.js');
  const { defaultDescription } = out('emulator/machine/description.js');
  const { describeDevice } = out('emulator/devices/device-view.js');
  const { Bus } = out('emulator/bus/bus.js');
  const { openPassthrough } = out('emulator/hosts/passthrough-setup.js');
  const { openRemotePortBackend } = out('emulator/hosts/remote-port-link.js');
  const guests = join(root, 'emulator/test/guests');
  const elf = (name) => ({ name, bytes: new Uint8Array(readFileSync(join(guests, 'build/rv64', `${name}.elf`))) });
  const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

  // Devices view: 8 harts (the largest PLIC and CLINT), four virtio-less slots' worth of devices plus a stub slot.
  const slots = openPassthrough([{ name: 'stub0', size: 0x1000, unplugged: 'ones', backend: { kind: 'stub', model: join(guests, 'stub-dev.osdev-model.json') } }], root);
  const m8 = new Machine(defaultDescription({ harts: 8, passthrough: slots.value.descriptions }), { consoleOut: () => undefined, passthrough: slots.value.backends });
  boot(m8, { kernel: elf('passthrough'), bios: 'none' });
  m8.step(1_000_000);
  const REFRESHES = 50;
  let t0 = process.hrtime.bigint();
  let registers = 0;
  for (let i = 0; i < REFRESHES; i++) registers = m8.devices.map(describeDevice).reduce((n, d) => n + d.registers.length, 0);
  const refreshMs = ms(t0) / REFRESHES;

  // Trace off vs no trace code: uart-rx polls LSR without end (no input), an MMIO access every few instructions.
  const N = 20_000_000;
  const pollRun = () => {
    const m = new Machine(defaultDescription(), { consoleOut: () => undefined });
    boot(m, { kernel: elf('uart-rx'), bios: 'none' });
    const start = process.hrtime.bigint();
    m.step(N);
    return ms(start);
  };
  const production = { read: Bus.prototype.read, write: Bus.prototype.write };
  // Both variants rebuilt from the compiled text the same way (so neither keeps the other's
  // JIT feedback): as they are, and with the trace lines taken out.
  const rebuild = (fn, stripTrace) => {
    let src = fn.toString();
    if (stripTrace) {
      src = src.replace(/if \(this\.mmioTrace !== null\)\s*this\.mmioTrace\([^;]*\);/g, '');
      if (src.includes('mmioTrace')) throw new Error('bench: the bus trace hook changed shape; update rebuild()');
    }
    return new Function(`return function ${src.replace(/^(read|write)/, '')}`)();
  };
  const hooked = { read: rebuild(production.read, false), write: rebuild(production.write, false) };
  const bare = { read: rebuild(production.read, true), write: rebuild(production.write, true) };
  // Interleaved, best of five each: JIT warm-up and host noise hit both alike.
  let withHook = Infinity, without = Infinity;
  for (let i = 0; i < 5; i++) {
    Object.assign(Bus.prototype, bare);
    without = Math.min(without, pollRun());
    Object.assign(Bus.prototype, hooked);
    withHook = Math.min(withHook, pollRun());
  }
  Object.assign(Bus.prototype, production);

  // Remote-Port round trip: guest-style reads of the peer's ID register (each with the SYNC that goes with every access).
  const READS = 2000;
  const rp = [];
  for (const kind of ['unix', 'tcp']) {
    const address = kind === 'unix' ? `unix:${join(mkdtempSync(join(tmpdir(), 'rp-bench-')), 'peer.sock')}` : 'tcp:127.0.0.1:0';
    const peer = spawn(process.execPath, [join(root, 'out/emulator/hosts/remote-port-peer.js'), address], { stdio: ['ignore', 'pipe', 'ignore'] });
    const listening = await new Promise((resolve) => {
      let text = '';
      peer.stdout.on('data', (d) => { text += d; const mm = /^listening (\S+)\n/.exec(text); if (mm !== null) resolve(mm[1]); });
    });
    const b = openRemotePortBackend(listening, { dev: 0 });
    if (!b.ok) throw new Error(b.error);
    let clock = 0;
    b.value.attach({
      setIrq() {}, dmaRead: () => null, dmaWrite: () => false, now: () => clock, nowNs: () => clock * 10, log() {},
      windowBase: 0x4000000, post() {}, entered() {}, replaying: false, claim: () => [],
    });
    t0 = process.hrtime.bigint();
    for (let i = 0; i < READS; i++) { clock += 10; b.value.read(0, 4); }
    rp.push({ kind, us: ms(t0) * 1000 / READS });
    b.value.close();
    peer.kill();
  }

  console.log('\ndevices                                   figure       goal');
  console.log(`Devices view refresh (${m8.devices.length} devices, ${registers} registers)  ${refreshMs.toFixed(2).padStart(7)} ms   <= 50 ms`);
  console.log(`MMIO-polling guest, trace hook off         ${(N / withHook / 1000).toFixed(1).padStart(7)} MIPS`);
  console.log(`same guest, bus without trace code         ${(N / without / 1000).toFixed(1).padStart(7)} MIPS   hook off / none: ${(100 * without / withHook).toFixed(1)}%`);
  for (const r of rp) console.log(`Remote-Port read round trip (${r.kind.padEnd(4)})       ${r.us.toFixed(1).padStart(7)} us`);
}
