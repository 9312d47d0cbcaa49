/**
 * The screen end to end: the virtio-gpu guest (guests/virtio-gpu.c) runs on QEMU 7.2
 * with `-device virtio-gpu-device -device virtio-keyboard-device -device
 * virtio-tablet-device` and on ours with `--display`. Both must print the same (every
 * answer to its good and bad requests, the input devices' configuration, the key events)
 * and show the same picture: our `--screenshot` PNG is compared pixel for pixel with
 * QEMU's `screendump` (PPM). Keys reach QEMU through its monitor's `sendkey`, ours from a
 * `--replay` log with the same evdev events. Keys typed live are recorded and replay
 * into the same run.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { GUESTS_BUILD_DIR, OUR_CLI, qemuArgs, runProcess } from './qemu';
import { vncConnect, vncSetDesktopSize } from './vnc-client';
import { parseArgs } from '../hosts/cli-options';
import { virtioDevices } from '../hosts/virtio-setup';
import { virtioSlots } from '../machine/description';
import { keyEvents } from '../devices/virtio/input';
import { encodePng } from '../hosts/png';
import { decodePng, decodePpm } from './images';
import { Machine } from '../machine/machine';
import { boot } from '../machine/boot';
import { defaultDescription } from '../machine/description';
import { formatInput, parseInputLog, StampedInput } from '../machine/input-events';

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-gpu-'));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));
const ELF = path.join(GUESTS_BUILD_DIR, 'rv64', 'virtio-gpu.elf');
/** The keys typed, as QEMU's sendkey names them and as Linux key codes. */
const KEYS: [string, number][] = [['a', 30], ['b', 48], ['ctrl', 29]];
const DISPLAY_DEVICES = ['-device', 'virtio-gpu-device', '-device', 'virtio-keyboard-device', '-device', 'virtio-tablet-device'];

/** QEMU running the guest: its console so far, and a wait for a pattern in it (rejected if QEMU exits first). */
function startQemu(extraArgs: string[]) {
  const sock = path.join(TMP, 'monitor.sock');
  const args = qemuArgs(ELF, { xlen: 64, extraArgs: ['-global', 'virtio-mmio.force-legacy=false', ...extraArgs] })
    .map((a, i, all) => (all[i - 1] === '-monitor' ? `unix:${sock},server,nowait` : a));
  const q = spawn('qemu-system-riscv64', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const run = { q, sock, out: '', err: '' };
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  const check = () => { for (const w of waiters.splice(0)) if (w.re.test(run.out)) w.resolve(); else waiters.push(w); };
  q.stdout.on('data', (d: Buffer) => { run.out += d.toString('latin1'); check(); });
  q.stderr.on('data', (d: Buffer) => { run.err += d.toString(); });
  const exited = new Promise<void>((resolve) => q.on('exit', () => resolve()));
  const waitFor = (re: RegExp) => new Promise<void>((resolve, reject) => {
    waiters.push({ re, resolve }); check();
    void exited.then(() => reject(new Error(`QEMU exited before printing ${re}:\n${run.out}\n${run.err}`)));
  });
  const guard = setTimeout(() => q.kill('SIGKILL'), 60_000); // a hang fails the test instead of stalling the run
  const stop = () => { clearTimeout(guard); q.kill('SIGKILL'); };
  return { run, exited, waitFor, stop };
}

/**
 * QEMU with a monitor on a unix socket: types the keys as the guest asks; at "done"
 * screendumps into `shot` (when given), then for each of `resizes` sends 'r' and, once
 * the guest waits for it, resizes the display through a VNC client; then quits (with no
 * resizes) or sends the byte that powers the guest off.
 */
async function runQemuWithKeys(shot: string | null, resizes: readonly (readonly [number, number])[] = []): Promise<string> {
  const vnc = path.join(TMP, 'vnc.sock');
  const { run, exited, waitFor, stop } = startQemu([...DISPLAY_DEVICES, ...(resizes.length > 0 ? ['-vnc', `unix:${vnc}`] : [])]);
  try {
    await waitFor(/keyboard ready/);
    const monitor = net.connect(run.sock);
    await new Promise<void>((resolve, reject) => { monitor.once('connect', resolve); monitor.once('error', reject); });
    monitor.on('data', () => undefined);
    for (const [name, code] of KEYS) {
      monitor.write(`sendkey ${name}\n`);
      await waitFor(new RegExp(`event 1 ${code} 1\\n`));
    }
    await waitFor(/done\n/);
    // The monitor runs commands in order: the dump is written before QEMU quits.
    if (shot !== null) monitor.write(`screendump ${shot}\n`);
    if (resizes.length === 0) {
      monitor.write('quit\n');
    } else {
      const client = await vncConnect(vnc);
      for (const [i, [w, h]] of resizes.entries()) {
        run.q.stdin?.write('r');
        await waitFor(new RegExp(`(waiting for a display change[^]*){${i + 1}}`));
        vncSetDesktopSize(client, w, h);
        await waitFor(new RegExp(`(resized\\n[^]*){${i + 1}}`));
      }
      run.q.stdin?.write('\n');
      client.destroy();
    }
    await exited;
    monitor.destroy();
    return run.out;
  } finally {
    stop();
  }
}

test('the virtio-gpu guest: same output and pixel-equal screen on ours and QEMU 7.2', { skip: !fs.existsSync(ELF) && 'build the guests: make -C emulator/test/guests' }, async () => {
  const qemuShot = path.join(TMP, 'qemu.ppm'), ourShot = path.join(TMP, 'ours.png'), log = path.join(TMP, 'keys.log');
  // Each key as QEMU's sendkey sends it (press, SYN, release, SYN), then the byte the guest waits for before powering off.
  const lines = KEYS.map(([, code]) => JSON.stringify({ at: 0, kind: 'input', device: 'keyboard', events: [...keyEvents(code, true), ...keyEvents(code, false)] }));
  fs.writeFileSync(log, `${[...lines, JSON.stringify({ at: 0, kind: 'console', bytes: [10] })].join('\n')}\n`);
  const ours = await runProcess(process.execPath, [OUR_CLI, 'run', ELF, '--bios', 'none', '--display', '--replay', log, '--screenshot', ourShot], { timeoutMs: 60_000 });
  assert.equal(ours.exitCode, 0, ours.stderr);
  const qemu = await runQemuWithKeys(qemuShot);
  assert.match(qemu, /virtio-gpu at 10008000\n[^]*input at 10007000: name \(21\) 'QEMU Virtio Keyboard'[^]*input at 10006000/);
  assert.equal(ours.stdout, `${qemu}PASS\n`);
  const a = decodePng(fs.readFileSync(ourShot)), b = decodePpm(fs.readFileSync(qemuShot));
  assert.deepEqual([a.width, a.height], [b.width, b.height]);
  assert.deepEqual([a.width, a.height], [256, 160], 'the scanout is the sub-rectangle the guest set');
  let differ = 0;
  for (let i = 0; i < a.rgb.length; i++) if (a.rgb[i] !== b.rgb[i]) differ++;
  assert.equal(differ, 0, 'bytes that differ between our screenshot and QEMU\'s screendump');
});

test('the EDID of other display sizes is QEMU 7.2\'s, byte for byte (1024x768; 5120x2880, with its DisplayID block)', { skip: !fs.existsSync(ELF) && 'build the guests: make -C emulator/test/guests' }, async () => {
  for (const [w, h] of [[1024, 768], [5120, 2880]]) {
    // Both up to the keyboard wait: the guest has printed the display info and every EDID byte by then.
    const q = startQemu(['-device', `virtio-gpu-device,xres=${w},yres=${h}`, ...DISPLAY_DEVICES.slice(2)]);
    try { await q.waitFor(/keyboard ready\n/); } finally { q.stop(); }
    const ours = await runProcess(process.execPath, [OUR_CLI, 'run', ELF, '--bios', 'none', '--display', `${w}x${h}`, '--max-insns', '4000000'], { timeoutMs: 60_000 });
    assert.equal(ours.exitCode, 124, ours.stderr);
    assert.match(q.run.out, new RegExp(`scanout 0: 0,0 ${w}x${h} enabled 1\n[^]*edid size 1024, ${w >= 4096 ? 3 : 2} blocks\n`));
    assert.equal(ours.stdout, q.run.out);
  }
});

test('--screenshot-at before the guest sets a scanout: a clear error, exit 74', { skip: !fs.existsSync(ELF) && 'build the guests' }, async () => {
  const r = await runProcess(process.execPath, [OUR_CLI, 'run', ELF, '--bios', 'none', '--display', '--screenshot', path.join(TMP, 'x.png'), '--screenshot-at', '100', '--max-insns', '200'], { timeoutMs: 30_000 });
  assert.equal(r.exitCode, 74);
  assert.match(r.stderr, /--screenshot .*: the guest shows nothing \(no scanout set\)/);
});

test('--screenshot-at while the guest waits for keys: the screen before the bars, the run going on to --max-insns', { skip: !fs.existsSync(ELF) && 'build the guests' }, async () => {
  const early = path.join(TMP, 'early.png'), final = path.join(TMP, 'final.png'), log = path.join(TMP, 'final.log');
  // The whole run takes about 1.6 million instructions; with no keys the guest polls its keyboard forever.
  const r = await runProcess(process.execPath, [OUR_CLI, 'run', ELF, '--bios', 'none', '--display', '--screenshot', early, '--screenshot-at', '3000000', '--max-insns', '4000000'], { timeoutMs: 30_000 });
  assert.equal(r.exitCode, 124, r.stderr);
  assert.match(r.stdout, /keyboard ready\n$/);
  fs.writeFileSync(log, `${[...KEYS.map(([, c]) => JSON.stringify({ at: 0, kind: 'input', device: 'keyboard', events: keyEvents(c, true) })), JSON.stringify({ at: 0, kind: 'console', bytes: [10] })].join('\n')}\n`);
  const done = await runProcess(process.execPath, [OUR_CLI, 'run', ELF, '--bios', 'none', '--display', '--replay', log, '--screenshot', final], { timeoutMs: 30_000 });
  assert.equal(done.exitCode, 0, done.stderr);
  const a = decodePng(fs.readFileSync(early)), b = decodePng(fs.readFileSync(final));
  assert.deepEqual([a.width, a.height], [b.width, b.height]);
  // Only the bars' rows differ: the picture before them is the final one outside rows 100-130 of the resource (92-122 on screen).
  const rowDiffers = (y: number) => !Buffer.from(a.rgb.subarray(y * a.width * 3, (y + 1) * a.width * 3)).equals(Buffer.from(b.rgb.subarray(y * b.width * 3, (y + 1) * b.width * 3)));
  const differing = Array.from({ length: a.height }, (_, y) => y).filter(rowDiffers);
  assert.ok(differing.length > 0 && differing.every((y) => y >= 92 && y < 122), `rows that differ: ${differing.join(' ')}`);
});

test('--screenshot into a folder that does not exist: one line, exit 74, after the guest ran', { skip: !fs.existsSync(ELF) && 'build the guests' }, async () => {
  const log = path.join(TMP, 'keys-only.log');
  fs.writeFileSync(log, `${[...KEYS.map(([, c]) => JSON.stringify({ at: 0, kind: 'input', device: 'keyboard', events: keyEvents(c, true) })), JSON.stringify({ at: 0, kind: 'console', bytes: [10] })].join('\n')}\n`);
  const r = await runProcess(process.execPath, [OUR_CLI, 'run', ELF, '--bios', 'none', '--display', '--replay', log, '--screenshot', path.join(TMP, 'no', 'such', 'x.png')], { timeoutMs: 30_000 });
  assert.equal(r.exitCode, 74);
  assert.match(r.stdout, /done\n/);
  assert.match(r.stderr, /--screenshot: cannot write '.*x\.png': its folder does not exist/);
});

test('--display: options, and the slots QEMU gives -device virtio-gpu-device, keyboard, tablet', () => {
  const run = (...a: string[]) => parseArgs(['run', 'k.elf', ...a]);
  const ok = run('--rng', '--display', '--screenshot', 'x.png');
  assert.ok(ok.ok && ok.value.command === 'run');
  const o = ok.value;
  assert.deepEqual([o.display, o.virtioOrder], [{ width: 1280, height: 800 }, ['rng', 'display']]);
  const placed = virtioSlots(virtioDevices(o), 8);
  assert.ok(placed.ok);
  // QEMU 7.2 (info qtree): rng on virtio-mmio-bus.7, then gpu 6, keyboard 5, tablet 4.
  assert.deepEqual(virtioDevices(o).map((d, i) => `${d.kind}@${placed.value[i]}`), ['rng@7', 'gpu@6', 'keyboard@5', 'tablet@4']);
  const sized = run('--display', '1024x768');
  assert.ok(sized.ok && sized.value.command === 'run' && sized.value.display?.width === 1024 && sized.value.display.height === 768);
  for (const [args, error] of [
    [['--display=8x8'], /--display takes a size WxH from 16x16 to 8192x8192, got '8x8'/],
    [['--display=wide'], /--display takes a size WxH/],
    [['--display', '--display'], /--display given twice/],
    [['--screenshot', 'x.png'], /--screenshot needs --display/],
    [['--display', '--screenshot-at', '5'], /--screenshot-at needs --screenshot FILE/],
    [['--display', '--screenshot', 'x.png', '--screenshot-at', '0'], /--screenshot-at/],
  ] as const) {
    const r = run(...args);
    assert.ok(!r.ok && error.test(r.error), `${args.join(' ')}: ${JSON.stringify(r)}`);
  }
});

test('PNG writer: our decoder and zlib agree on what it wrote', () => {
  const rgba = new Uint8Array(7 * 3 * 4).map((_, i) => (i * 37) & 0xff);
  const img = decodePng(Buffer.from(encodePng(7, 3, rgba)));
  assert.deepEqual([img.width, img.height], [7, 3]);
  for (let p = 0; p < 21; p++) assert.deepEqual(Array.from(img.rgb.subarray(p * 3, p * 3 + 3)), Array.from(rgba.subarray(p * 4, p * 4 + 3)));
});

/** The sizes the display is given after "done", one after another (the panel resized, or QEMU's VNC client asking). */
const RESIZES = [[1024, 768], [800, 600]] as const;

test('keys typed and the display resized live, as on QEMU 7.2 (sendkey, a VNC client\'s SetDesktopSize): same output; recorded, replayed by the machine and the CLI', { skip: !fs.existsSync(ELF) && 'build the guests' }, async () => {
  const devices = virtioDevices({ drives: [], nets: [], virtioOrder: ['display'] });
  const run = (replay?: StampedInput[]) => {
    const out: number[] = [];
    const m = new Machine(defaultDescription({ virtio: devices }), { consoleOut: (b) => out.push(b) });
    const booted = boot(m, { kernel: { name: ELF, bytes: new Uint8Array(fs.readFileSync(ELF)) }, bios: 'none' });
    assert.ok(booted.ok);
    const log: StampedInput[] = [];
    m.inputs.onApplied = (e) => log.push(e);
    if (replay !== undefined) m.inputs.replay(replay);
    let typed = 0, asked = 0, resized = 0, ended = false;
    const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;
    for (let i = 0; i < 5000; i++) {
      const stop = m.step(100_000);
      if (stop.kind === 'power') break;
      if (replay !== undefined) continue;
      const text = Buffer.from(out).toString('latin1');
      // Live: a key each time the guest has taken the last one; after "done" an 'r' and a
      // new size for each resize, each when the guest is ready for it; then the byte that ends the run.
      if (/keyboard ready/.test(text) && typed < KEYS.length && count(text, /event 1 \d+ 1\n/g) === typed) {
        m.postInputEvents('keyboard', [...keyEvents(KEYS[typed][1], true), ...keyEvents(KEYS[typed][1], false)]);
        typed++;
      }
      if (!/done\n/.test(text)) continue;
      const done = count(text, /resized\n/g);
      if (asked === done && asked < RESIZES.length) { m.pushInput([0x72]); asked++; }
      if (resized < asked && count(text, /waiting for a display change/g) === asked) { m.resizeDisplay(RESIZES[resized][0], RESIZES[resized][1]); resized++; }
      if (done === RESIZES.length && !ended) { m.pushInput([10]); ended = true; }
    }
    const screen = m.screen;
    assert.ok(screen !== null);
    return { console: Buffer.from(out).toString('latin1'), instret: m.harts[0].instret, pixels: Buffer.from(screen.pixels()), log };
  };
  const live = run();
  assert.match(live.console, /event 1 29 1\n[^]*done\n[^]*events_read 1, interrupt status 3\nafter events_clear: events_read 0\n[^]*scanout 0: 0,0 800x600 enabled 1\n[^]*resized\nPASS\n$/);
  assert.deepEqual(live.log.map((e) => e.event.kind), ['input', 'input', 'input', 'console', 'display', 'console', 'display', 'console']);
  const qemu = await runQemuWithKeys(null, RESIZES);
  assert.equal(live.console, qemu, 'the same output as QEMU');
  const again = run(parseRecorded(live.log));
  assert.equal(again.console, live.console);
  assert.equal(again.instret, live.instret, 'the replay retires the same instructions');
  assert.ok(again.pixels.equals(live.pixels), 'and shows the same screen');
  const logFile = path.join(TMP, 'resize.log');
  fs.writeFileSync(logFile, `${live.log.map(formatInput).join('\n')}\n`);
  const cli = await runProcess(process.execPath, [OUR_CLI, 'run', ELF, '--bios', 'none', '--display', '--replay', logFile], { timeoutMs: 60_000 });
  assert.equal(cli.exitCode, 0, cli.stderr);
  assert.equal(cli.stdout, live.console, 'the CLI replays the recorded log into the same run');
});

/** The log as --record writes it and --replay reads it. */
function parseRecorded(log: readonly StampedInput[]): StampedInput[] {
  const parsed = parseInputLog(log.map(formatInput).join('\n'));
  assert.ok(parsed.ok);
  return parsed.value;
}
