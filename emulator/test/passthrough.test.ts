/**
 * Passthrough slots through the CLI, as a user runs them: the stub driver survives an
 * unplug and a replug scripted in a replay log, the Remote-Port driver runs against the
 * example peer over a unix socket and loopback TCP, a peer that dies unplugs the slot
 * while the guest goes on, and bad slots or model files are one clear line. Also the
 * input record/replay contract and the UART on a TCP port.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, runCli } from './cli-session';
import { startPeer } from './peer-process';
import { decompileDtb } from '../dts/dtb';

const GUESTS = path.resolve(__dirname, '../../../emulator/test/guests');
const ELF = (name: string) => path.join(GUESTS, 'build/rv64', `${name}.elf`);
const MODEL = path.join(GUESTS, 'stub-dev.osdev-model.json');
const STUB = `name=stub0,backend=stub:${MODEL}`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-pt-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  return p;
}

const plugLog = (events: [number, boolean][]) =>
  events.map(([at, plugged]) => JSON.stringify({ at, kind: 'plug', device: 'stub0', plugged })).join('\n') + '\n';

test('stub: the driver finds the device in the FDT, takes its interrupt, and survives unplug and replug', async () => {
  const log = file('plug.jsonl', plugLog([[2_000_000, false], [2_500_000, true]]));
  const r = await runCli(['run', ELF('passthrough'), '--passthrough', STUB, '--replay', log]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, [
    'found osdev,test-stub at 4000000, irq 64', 'ID = 53545542', 'DATA reads 1 2 3 3',
    'operation 1 done: interrupt 64 taken, STATUS=0', 'waiting for unplug', 'unplugged: ID reads ffffffff',
    'plugged again: CTRL=0 after reset', 'operation 2 done: interrupt 64 taken, STATUS=0', '',
  ].join('\n'));
  assert.match(r.stderr, /stub0: unplugged\n.*stub0: plugged/s);
});

test('stub: unplugged=fault turns accesses into access faults the guest sees', async () => {
  const log = file('unplug.jsonl', plugLog([[2_000_000, false]]));
  const r = await runCli(['run', ELF('passthrough'), '--passthrough', `${STUB},unplugged=fault`, '--replay', log]);
  assert.match(r.stdout, /waiting for unplug\nUNEXPECTED TRAP in M: cause=0+5 .* tval=0+4000000/, r.stdout);
  assert.equal(r.code, 0x7e);
});

test('record and replay: the replayed run prints the same and retires the same instructions', async () => {
  const rec = path.join(tmp, 'rec.jsonl');
  const first = await runCli(['run', ELF('uart-rx'), '--record', rec, '--stats'], [{ waitFor: 'type a line', send: 'replayed line\n' }]);
  assert.equal(first.code, 0, first.stderr);
  const events = fs.readFileSync(rec, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { at: number; kind: string });
  assert.ok(events.length >= 1 && events.every((e) => e.kind === 'console' && Number.isInteger(e.at)));
  const again = await runCli(['run', ELF('uart-rx'), '--replay', rec, '--stats']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, first.stdout);
  const insns = (s: string) => /(\d+) instructions in/.exec(s)?.[1];
  assert.ok(insns(first.stderr) !== undefined);
  assert.equal(insns(again.stderr), insns(first.stderr));
});

const RP_SLOT = (address: string, more = '') =>
  `name=rp0,backend=remote-port:${address}${more},dma=0x80000000:0x8000000,compatible=osdev-emulator,rp-example-dma`;
const RP_DONE = /ID = 52504431\ninterrupt 64: STATUS=1, 42 bytes copied inverted, 0 wrong, handler ran 1 time\(s\)/;

/** Runs the CLI until it listens for its peer, then starts the example peer, which connects to it. */
async function emulatorFirst(address: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string; peerRole: string }> {
  const child = spawn(process.execPath, [CLI, ...args, '--passthrough', RP_SLOT(address)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  const listening = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (\S+) for the peer/.exec(stderr);
      if (m !== null) resolve(m[1]);
    });
    child.on('exit', () => reject(new Error(`the emulator exited before listening: ${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const peer = await startPeer(await listening);
  const code = await exited;
  await peer.exited;
  return { code, stdout, stderr, peerRole: peer.role };
}

for (const transport of ['unix', 'tcp'] as const) {
  test(`remote-port over ${transport}: the driver has the example peer copy a buffer by DMA and takes its interrupt once`, async () => {
    const peer = await startPeer(transport === 'unix' ? `unix:${path.join(tmp, `peer-${transport}.sock`)}` : 'tcp:127.0.0.1:0');
    assert.equal(peer.role, 'listening');
    // dev= and addresses= reach the wire; the example peer decodes the low address bits, so both work.
    const r = await runCli(['run', ELF('rp-dma'), '--passthrough', RP_SLOT(peer.address, ',dev=5,addresses=relative')]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, RP_DONE);
    assert.match(r.stderr, new RegExp(`passthrough "rp0": connected to ${peer.address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.equal(await peer.exited, 0, 'the peer saw width 0 in every access (it aborts otherwise)');
  });

  test(`remote-port over ${transport}: nobody listens, so the emulator listens and says so; the peer connects`, async () => {
    const r = await emulatorFirst(transport === 'unix' ? `unix:${path.join(tmp, `first-${transport}.sock`)}` : 'tcp:127.0.0.1:0', ['run', ELF('rp-dma')]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, RP_DONE);
    assert.match(r.stderr, /passthrough "rp0": nobody listens at \S+: listening on \S+ for the peer[^\n]*\nosdev-emu: passthrough "rp0": the peer connected on /);
    assert.equal(r.peerRole, 'connected');
  });
}

test('remote-port: what the peer did on its own is recorded, and the replay repeats the run instruction for instruction', async () => {
  const rec = path.join(tmp, 'rp.jsonl');
  const first = await emulatorFirst(`unix:${path.join(tmp, 'rec.sock')}`, ['run', ELF('rp-dma'), '--record', rec, '--stats']);
  assert.equal(first.code, 0, first.stderr);
  const events = fs.readFileSync(rec, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; packet: number[]; wait?: number });
  const cmds = events.map((e) => `${e.kind}:${e.packet[3]}${e.wait !== undefined ? '@wait' : ''}`);
  // The DMA read and write (commands 3, 4) and the interrupt raise (5) came on the peer's own time; the lowering (5) inside
  // the guest's last write, then the answer to that write (4), recorded too so a run without the peer has it.
  for (const c of [3, 4, 5]) assert.ok(cmds.some((x) => x.startsWith(`peer:${c}`)), cmds.join(' '));
  assert.deepEqual(cmds.slice(-2), ['peer:5@wait', 'peer:4@wait'], cmds.join(' '));
  const again = await emulatorFirst(`unix:${path.join(tmp, 'replay.sock')}`, ['run', ELF('rp-dma'), '--replay', rec, '--stats']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, first.stdout);
  const insns = (s: string) => /(\d+) instructions in/.exec(s)?.[1];
  assert.ok(insns(first.stderr) !== undefined);
  assert.equal(insns(again.stderr), insns(first.stderr));
});

test('remote-port: DMA outside the slot window is refused; the peer reports the error to the driver', async () => {
  const peer = await startPeer(`unix:${path.join(tmp, 'narrow.sock')}`);
  // The window covers no RAM the guest's buffers are in.
  const r = await runCli(['run', ELF('rp-dma'), '--passthrough',
    `name=rp0,backend=remote-port:${peer.address},dma=0x87f00000:0x1000,compatible=osdev-emulator,rp-example-dma`]);
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(r.stdout, /STATUS=3/);
  await peer.exited;
});

test('remote-port: a peer that dies mid-run unplugs the slot; the guest and the run go on', async () => {
  const peer = await startPeer(`unix:${path.join(tmp, 'dies.sock')}`, '--die-after', '2');
  const r = await runCli(['run', ELF('rp-dma'), '--max-insns', '3000000', '--passthrough',
    `name=rp0,backend=remote-port:${peer.address},dma=0x80000000:0x8000000,compatible=osdev-emulator,rp-example-dma`]);
  assert.match(r.stderr, /rp0: backend lost[^\n]*; unplugged/);
  assert.equal(r.code, 124, `the guest waits for an interrupt that cannot come, and nothing can wake it: ${r.stderr}`);
  assert.match(r.stderr, /every hart waits for an interrupt and no input can come/);
  assert.doesNotMatch(r.stderr, /\bat .*\.js:\d+/, 'no stack trace');
});

test('bad slots and model files: one line naming the problem', async () => {
  const cases: [string[], RegExp][] = [
    [['--passthrough', `name=uart0,backend=stub:${MODEL}`], /passthrough "uart0": the name is taken/],
    [['--passthrough', `name=p,base=0x10000000,backend=stub:${MODEL}`], /window 0x10000000-0x10000fff overlaps uart0/],
    [['--passthrough', `name=p,irq=10,backend=stub:${MODEL}`], /irq 10 is uart0's/],
    [['--passthrough', 'name=p,backend=stub:/nonexistent/m.json'], /cannot read the model file '\/nonexistent\/m\.json': no such file/],
    [['--passthrough', `name=p,backend=stub:${file('syntax.json', '{\n  "model": "x",\n  "size": 4096,\n  "registers": [\n    { "name": "A" "offset": 0 }\n  ]\n}\n')}`],
      /syntax\.json:5:19: expected ',' or '}'/],
    [['--passthrough', `name=p,backend=stub:${file('width.json', '{\n  "model": "x",\n  "size": 4096,\n  "registers": [\n    { "name": "A", "offset": 0, "width": 3 }\n  ]\n}\n')}`],
      /width\.json:5:42: registers\.0\.width: must be 1, 2 or 4/],
    [['--passthrough', 'name=p,backend=remote-port:tcp:10.0.0.1:9000,compatible=x'], /only loopback/],
    // Nobody listens there and we cannot listen there either (no such directory).
    [['--passthrough', `name=p,backend=remote-port:unix:${path.join(tmp, 'no-dir', 'nobody.sock')},compatible=x`], /passthrough "p": .*nobody\.sock: cannot listen there either/],
    [['--passthrough', 'name=p,backend=none'], /give a compatible string/],
    [['--replay', file('bad.jsonl', '{"at": 5, "kind": "teleport"}\n')], /--replay .*bad\.jsonl: line 1: not a console, net, plug, peer, input or display event/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(['run', ELF('passthrough'), ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('--serial tcp: a client talks to the guest through UART0', async () => {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(process.execPath, [CLI, 'run', ELF('uart-rx'), '--serial', `tcp:127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let sock: net.Socket | undefined;
  for (let i = 0; i < 200 && sock === undefined; i++) {
    sock = await new Promise<net.Socket | undefined>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(s));
      s.on('error', () => resolve(undefined));
    });
    if (sock === undefined) await new Promise((r) => setTimeout(r, 25));
  }
  assert.ok(sock !== undefined, 'connected');
  const closed = new Promise((r) => sock?.on('close', r));
  let out = '', sent = false;
  sock.on('data', (d) => {
    out += d.toString('latin1');
    if (out.includes('type a line') && !sent) { sent = true; sock?.write('over tcp\r'); }
  });
  assert.equal(await exited, 0);
  await closed;
  assert.match(out, /got 8 bytes: over tcp\nreversed: pct revo/);
});

test('the device tree lists passthrough slots under /soc; --console virtio tells Linux console=hvc0', async () => {
  const dtb = path.join(tmp, 'pt.dtb');
  const r = await runCli(['run', ELF('passthrough'), '--dump-dtb', dtb, '--console', 'virtio', '--passthrough', STUB,
    '--passthrough', 'name=rp0,base=0x5000000,size=0x10000,irq=70,backend=none,compatible=acme,widget-2.0']);
  assert.equal(r.code, 0, r.stderr);
  const dts = decompileDtb(new Uint8Array(fs.readFileSync(dtb)));
  assert.ok(dts.ok);
  assert.match(dts.value, /stub0@4000000 \{\n\s+interrupts = <0x40>;\n\s+interrupt-parent = <0x[0-9a-f]+>;\n\s+reg = <0x00 0x4000000 0x00 0x1000>;\n\s+compatible = "osdev,test-stub";/);
  assert.match(dts.value, /rp0@5000000 \{\n\s+interrupts = <0x46>;[^}]*reg = <0x00 0x5000000 0x00 0x10000>;\n\s+compatible = "acme,widget-2.0";/);
  assert.match(dts.value, /bootargs = "console=hvc0";/);
  const kept = path.join(tmp, 'kept.dtb');
  assert.equal((await runCli(['run', ELF('passthrough'), '--dump-dtb', kept, '--console', 'virtio', '--append', 'console=ttyS0 quiet'])).code, 0);
  assert.match((decompileDtb(new Uint8Array(fs.readFileSync(kept))) as { value: string }).value, /bootargs = "console=ttyS0 quiet";/);
});
