/**
 * The screen through the debug adapter, as the editor's panel sees it (DebugClient over
 * stdio): launch.json `display` runs the virtio-gpu guest; an `osdev/screen` event says
 * when it shows something; `osdev/screenChanges` answers the scanout and then only what
 * changed, and drawn into one picture they equal the CLI's `--screenshot` of the same
 * guest (itself pixel-equal to QEMU's screendump, emulator/test/virtio-gpu.test.ts); keys
 * sent with `osdev/inputEvents` reach the guest's keyboard driver; `osdev/screen` answers
 * the whole screen on request; `osdev/screenSize` resizes the display the guest is offered.
 * Bad requests are one error each.
 */
import { test, beforeEach, afterEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import type { ScreenFrameJson } from '../custom-requests';
import { keyEvents } from '../../emulator/devices/virtio/input';
import { decodePng } from '../../emulator/test/images';

const ROOT = path.resolve(__dirname, '../../..');
const ADAPTER = path.join(ROOT, 'out/debug-adapter/main.js');
const CLI = path.join(ROOT, 'out/emulator/hosts/cli.js');
const GUEST = path.join(ROOT, 'emulator/test/guests/build/rv64/virtio-gpu.elf');
const SAFETY_NET_MS = 60_000;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-screen-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let dc: DebugClient;
let output = '';
const sizes: { width: number; height: number }[] = [];

beforeEach(async () => {
  dc = new DebugClient('node', ADAPTER, 'osdev');
  dc.defaultTimeout = SAFETY_NET_MS;
  await dc.start();
  dc.on('error', () => undefined);
  output = '';
  sizes.length = 0;
  dc.on('output', (e: DebugProtocol.OutputEvent) => { output += e.body.output; });
  dc.on('osdev/screen', (e: DebugProtocol.Event) => { sizes.push(e.body as { width: number; height: number }); });
});
afterEach(async () => { await dc.stop(); });

const waitForOutput = (re: RegExp) => new Promise<void>((resolve) => {
  const check = () => { if (re.test(output)) { dc.removeListener('output', check); resolve(); } };
  dc.on('output', check);
  check();
});

/** The picture the answers draw, as a panel would: full frames replace it, others patch it (RGB). */
function drawn(list: readonly ScreenFrameJson[]): { width: number; height: number; rgb: Uint8Array } {
  let width = 0, height = 0, rgb = new Uint8Array(0);
  for (const f of list) {
    if (f.full || f.width !== width || f.height !== height) { width = f.width; height = f.height; rgb = new Uint8Array(width * height * 3); }
    for (const r of f.rects) {
      const px = decodePng(Buffer.from(r.png, 'base64'));
      assert.deepEqual([px.width, px.height], [r.width, r.height]);
      for (let y = 0; y < r.height; y++) rgb.set(px.rgb.subarray(y * r.width * 3, (y + 1) * r.width * 3), ((r.y + y) * width + r.x) * 3);
    }
  }
  return { width, height, rgb };
}

test('display: frames drawn together equal the CLI screenshot; keys reach the guest; the whole screen on request', { skip: !fs.existsSync(GUEST) && 'build the guests' }, async () => {
  const exited = dc.waitForEvent('exited');
  await Promise.all([dc.configurationSequence(), dc.launch({ type: 'osdev', request: 'launch', name: 'screen', program: GUEST, bios: 'none', display: true, cwd: tmp })]);
  // A panel's loop: ask, draw, ask again, until the guest powers off (null).
  const frames: ScreenFrameJson[] = [];
  const pulling = (async () => {
    for (;;) {
      const { frame } = (await dc.customRequest('osdev/screenChanges', {})).body as { frame: ScreenFrameJson | null };
      if (frame === null) return;
      frames.push(frame);
    }
  })();
  // The panel catches up with the screen (its frames come at most one every 30 ms and are deflated off
  // the machine's thread): it draws what a request for the whole screen shows, which took nothing from it.
  const catchUp = async () => {
    const { frame } = (await dc.customRequest('osdev/screen', {})).body as { frame: ScreenFrameJson };
    const shown = drawn([frame]);
    while (!Buffer.from(drawn(frames).rgb).equals(Buffer.from(shown.rgb))) await new Promise((r) => setTimeout(r, 20));
    return frame;
  };
  await waitForOutput(/keyboard ready/);
  await catchUp();
  const before = frames.length;
  for (const code of [30, 48, 29]) {
    await dc.customRequest('osdev/inputEvents', { device: 'keyboard', events: [...keyEvents(code, true), ...keyEvents(code, false)] });
  }
  await waitForOutput(/done\n/);
  const whole = await catchUp();
  assert.deepEqual([whole.width, whole.height, whole.full, whole.rects.length], [256, 160, true, 1]);
  assert.equal(whole.cursor?.image !== undefined, true, 'the whole screen carries the cursor image');
  assert.ok(frames.slice(before).every((f) => !f.full && f.rects.length > 0), 'the bars came as changes only');
  // The panel resized: the guest hears of it (a display event) and reads the new size.
  await dc.customRequest('osdev/consoleInput', { text: 'r' });
  await waitForOutput(/waiting for a display change/);
  await dc.customRequest('osdev/screenSize', { width: 1024, height: 768 });
  await waitForOutput(/resized\n/);
  assert.match(output, /waiting for a display change[^]*events_read 1[^]*scanout 0: 0,0 1024x768 enabled 1\n[^]*resized\n/);
  await dc.customRequest('osdev/consoleInput', { text: '\n' });
  assert.equal((await exited).body.exitCode, 0);
  await pulling;
  assert.match(output, /event 1 30 1\n[^]*event 1 48 1\n[^]*event 1 29 1\ntransfer bars: 1100\nflush bars: 1100\ndone\n/);

  assert.deepEqual(sizes, [{ width: 320, height: 200 }, { width: 256, height: 160 }].slice(-sizes.length), 'size events as the scanout changed');
  assert.ok(sizes.length >= 1);
  assert.ok(frames.length >= 2, `frames: ${frames.length}`);
  assert.ok(frames[0].full && frames[0].width > 0, 'the first answer is a whole scanout');
  assert.ok(frames.some((f) => !f.full && f.rects.length > 0), 'later answers carry only what changed');
  // The same guest and keys on the CLI: its screenshot is what the panel must show.
  const log = path.join(tmp, 'keys.log'), shot = path.join(tmp, 'cli.png');
  fs.writeFileSync(log, [30, 48, 29].map((c) => JSON.stringify({ at: 0, kind: 'input', device: 'keyboard', events: [...keyEvents(c, true), ...keyEvents(c, false)] }))
    .concat(JSON.stringify({ at: 0, kind: 'console', bytes: [10] })).join('\n'));
  execFileSync(process.execPath, [CLI, 'run', GUEST, '--bios', 'none', '--display', '--replay', log, '--screenshot', shot], { stdio: 'ignore' });
  const want = decodePng(fs.readFileSync(shot)), got = drawn(frames);
  assert.deepEqual([got.width, got.height], [want.width, want.height]);
  assert.ok(Buffer.from(got.rgb).equals(Buffer.from(want.rgb)), 'the frames draw the screenshot');
});

test('without a display: no screen events', { skip: !fs.existsSync(GUEST) && 'build the guests' }, async () => {
  const exited = dc.waitForEvent('exited');
  await Promise.all([dc.configurationSequence(), dc.launch({ type: 'osdev', request: 'launch', name: 'none', program: GUEST, bios: 'none', cwd: tmp })]);
  assert.equal((await exited).body.exitCode, 0, 'the guest finds no gpu and passes');
  assert.deepEqual(sizes, []);
});

test('osdev/inputEvents and osdev/screenSize: bad arguments are one error each', { skip: !fs.existsSync(GUEST) && 'build the guests' }, async () => {
  // Listen before launching: the entry stop may come before configurationDone's answer.
  const entry = dc.waitForEvent('stopped');
  await Promise.all([dc.configurationSequence(), dc.launch({ type: 'osdev', request: 'launch', name: 'bad', program: GUEST, bios: 'none', display: true, stopOnEntry: true, cwd: tmp })]);
  await entry;
  for (const [args, re] of [
    [{ device: 'mouse', events: [] }, /"device" must be "keyboard" or "tablet"/],
    [{ device: 'keyboard', events: [1, 2] }, /"events" must be at most 256/],
    [{ device: 'keyboard', events: [1, 2, 1.5] }, /"events" must be/],
    [{ device: 'keyboard', events: new Array(3 * 257).fill(0) }, /"events" must be at most 256/],
  ] as const) {
    await assert.rejects(dc.customRequest('osdev/inputEvents', args), re);
  }
  for (const [args, re] of [
    [{ width: 1024 }, /"height" must be a whole number of pixels from 16 to 8192, got undefined/],
    [{ width: 15, height: 600 }, /"width" must be a whole number of pixels from 16 to 8192, got 15/],
    [{ width: 800, height: 600.5 }, /"height" must be/],
    [{ width: 8193, height: 600 }, /"width" must be/],
  ] as const) {
    await assert.rejects(dc.customRequest('osdev/screenSize', args), re);
  }
  const whole = (await dc.customRequest('osdev/screen', {})).body as { frame: ScreenFrameJson };
  assert.deepEqual([whole.frame.width, whole.frame.rects.length], [0, 0], 'nothing shown before the guest sets a scanout');
  // The Devices view lists them as every virtio device, from the register map and the transport's state.
  const { devices } = (await dc.customRequest('osdev/devices', {})).body as { devices: { name: string; group: string; virtio?: { deviceType: string; queues: unknown[] } }[] };
  const shown = devices.filter((d) => d.group === 'virtio').map((d) => `${d.name} ${d.virtio?.deviceType} ${d.virtio?.queues.length}`);
  assert.deepEqual(shown, ['virtio5 input 2', 'virtio6 input 2', 'virtio7 gpu 2']);
  await dc.customRequest('osdev/inputEvents', { device: 'tablet', events: [3, 0, 100, 0, 0, 0] });
  // Two panels asking at once: the older request is answered null, the newer one waits.
  const older = dc.customRequest('osdev/screenChanges', {});
  void dc.customRequest('osdev/screenChanges', {}).catch(() => undefined); // still waiting when the session ends
  assert.equal(((await older).body as { frame: unknown }).frame, null);
});
