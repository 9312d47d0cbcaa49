/**
 * Linux 6.1 on the screen: the Linux tests' kernel (emulator/test/linux/build.sh: the
 * virtio-gpu DRM driver, its fbdev emulation and fbcon, the VT, virtio-input) boots with
 * `--display` to its init, which with `shell=tty1` runs /bin/sh (linux/sh.c) on tty1, the
 * VT fbcon draws. Keys typed on the machine's virtio keyboard (`machine.postInputEvents`,
 * the input queue the screen panel's keys enter by) reach the shell through the kernel's
 * VT keyboard: the typed command echoes on the screen, its output follows, and one command
 * writes to the serial console as proof the shell ran it. Then the display is resized
 * (`machine.resizeDisplay`, as the panel does; on QEMU a VNC client's SetDesktopSize) and
 * the driver's new scanout is compared too.
 *
 * QEMU 7.2 boots the same kernel, disk, firmware and command line with `-device
 * virtio-gpu-device -device virtio-keyboard-device -device virtio-tablet-device`, and gets
 * the same keys from its monitor's `sendkey`. Compared: our whole scanout, once our guest
 * is quiescent (no flush for QUIET instructions), pixel for pixel with QEMU's `screendump`
 * (PPM), which is taken every half second until it equals ours (QEMU is not
 * deterministic in time, so "the same picture" is the picture it settles on; the failure
 * message gives how many pixels of the last dump still differ). The command line hides the
 * VT cursor (`vt.global_cursor_default=0`), so nothing blinks.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { GUESTS_BUILD_DIR, qemuCpu, repoRoot } from './qemu';
import { decodePpm } from './images';
import { vncConnect, vncSetDesktopSize } from './vnc-client';
import { parseArgs } from '../hosts/cli-options';
import { bootargsFor, openDrives, virtioDevices } from '../hosts/virtio-setup';
import { keyEvents } from '../devices/virtio/input';
import { Machine } from '../machine/machine';
import { boot } from '../machine/boot';
import { defaultDescription } from '../machine/description';

const BUILD_SCRIPT = path.join(repoRoot(), 'emulator', 'test', 'linux', 'build.sh');
const OUT = path.join(GUESTS_BUILD_DIR, 'linux');
const IMAGE = path.join(OUT, 'Image');
const ROOTFS = path.join(OUT, 'rootfs.img');
const FW = '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin';
const APPEND = 'root=/dev/vda rw console=ttyS0 shell=tty1 vt.global_cursor_default=0';
/** Instructions without a flush after which our guest counts as quiescent (0.3 s of guest time). */
const QUIET = 30_000_000;
const SLICE = 1_000_000;
/** The boot to the shell is a few hundred million instructions: room to change, not to spin. */
const LIMIT = 2_000_000_000;
/** The lines typed: the first writes to the serial console (the proof the shell ran it), the second shows its output on the screen. */
const TYPED = ['cat /hello.txt > /dev/ttyS0', 'ls /'];

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-linux-screen-'));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));

let skipReason: string | undefined;
before(() => {
  const said = execFileSync('bash', [BUILD_SCRIPT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const notBuilt = /^linux: not built, (.*)$/m.exec(said);
  if (notBuilt !== null) skipReason = notBuilt[1];
  if (!fs.existsSync(FW)) skipReason = `${FW} is missing (package opensbi)`;
});

/** A character as a key: QEMU's sendkey name, the Linux key code, whether shift is held. */
function key(ch: string): { qemu: string; code: number; shift: boolean } {
  const letters = 'qwertyuiop asdfghjkl  zxcvbnm';
  // KEY_Q is 16, KEY_A 30, KEY_Z 44 (linux/input-event-codes.h): the rows of the keyboard.
  const lower = ch.toLowerCase();
  const at = letters.indexOf(lower);
  if (/^[a-z]$/.test(lower) && at >= 0) {
    const code = at < 10 ? 16 + at : at < 20 ? 30 + at - 11 : 44 + at - 22;
    return { qemu: ch === lower ? lower : `shift-${lower}`, code, shift: ch !== lower };
  }
  if (/^[1-9]$/.test(ch)) return { qemu: ch, code: 1 + Number(ch), shift: false };
  const other: Record<string, [string, number, boolean]> = {
    '0': ['0', 11, false], ' ': ['spc', 57, false], '/': ['slash', 53, false], '.': ['dot', 52, false],
    '>': ['shift-dot', 52, true], '-': ['minus', 12, false], '\n': ['ret', 28, false],
  };
  const k = other[ch];
  if (k === undefined) throw new Error(`no key for ${JSON.stringify(ch)}`);
  return { qemu: k[0], code: k[1], shift: k[2] };
}
const KEY_LEFTSHIFT = 42;

/** Press and release, shift around it when needed: what one keystroke in the panel sends. */
function keystroke(ch: string): number[] {
  const k = key(ch);
  const press = [...keyEvents(k.code, true), ...keyEvents(k.code, false)];
  return k.shift ? [...keyEvents(KEY_LEFTSHIFT, true), ...press, ...keyEvents(KEY_LEFTSHIFT, false)] : press;
}

/** Our machine as `osdev-emu run` builds it for the same arguments, with the console kept. */
async function ourMachine(): Promise<{ m: Machine; console: () => string; close: () => void }> {
  const parsed = parseArgs(['run', IMAGE, '--bios', FW, '--drive', ROOTFS, '--display', '--append', APPEND]);
  assert.ok(parsed.ok && parsed.value.command === 'run', JSON.stringify(parsed));
  const o = parsed.value;
  const drives = await openDrives(o.drives);
  assert.ok(drives.ok, JSON.stringify(drives));
  const out: number[] = [];
  const m = new Machine(defaultDescription({ bootargs: bootargsFor(o.append, o.console), virtio: virtioDevices(o) }),
    { consoleOut: (b) => out.push(b), drives: drives.value.map((d) => d.backend) });
  const booted = boot(m, { kernel: { name: IMAGE, bytes: new Uint8Array(fs.readFileSync(IMAGE)) }, bios: { name: FW, bytes: new Uint8Array(fs.readFileSync(FW)) } });
  assert.ok(booted.ok, JSON.stringify(booted));
  return { m, console: () => Buffer.from(out).toString('latin1'), close: () => { for (const d of drives.value) d.close(); } };
}

/** Runs until `ready()` holds and the screen has not changed for QUIET instructions. */
function runUntilQuiet(m: Machine, ready: () => boolean, what: string, log: () => string): void {
  let quiet = 0;
  for (let ran = 0; ran < LIMIT; ran += SLICE) {
    const stop = m.step(SLICE);
    assert.ok(stop.kind === 'budget' || stop.kind === 'idle', `${what}: the machine stopped (${stop.kind})\n${log().slice(-3000)}`);
    const s = m.screen;
    if (s !== null && s.hasDirty) { s.takeDirty(); quiet = 0; } else quiet += SLICE;
    if (quiet >= QUIET && s !== null && s.width > 0 && ready()) return;
  }
  assert.fail(`${what}: not quiescent after ${LIMIT} instructions\n${log().slice(-3000)}`);
}

/** RGB bytes of our scanout, as the PPM has them. */
function ourRgb(m: Machine): { width: number; height: number; rgb: Uint8Array } {
  const s = m.screen;
  assert.ok(s !== null);
  const rgba = s.pixels(), rgb = new Uint8Array(s.width * s.height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) { rgb[j] = rgba[i]; rgb[j + 1] = rgba[i + 1]; rgb[j + 2] = rgba[i + 2]; }
  return { width: s.width, height: s.height, rgb };
}

const differing = (a: Uint8Array, b: Uint8Array): number => {
  let n = 0;
  for (let i = 0; i < a.length; i += 3) if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) n++;
  return n;
};

/** The rows of 16-pixel text lines (fbcon's 8 × 16 font) that hold anything but black. */
function textLines(img: { width: number; height: number; rgb: Uint8Array }): number[] {
  const lines = new Set<number>();
  for (let y = 0; y < img.height; y++) {
    const row = img.rgb.subarray(y * img.width * 3, (y + 1) * img.width * 3);
    if (row.some((v) => v !== 0)) lines.add(Math.floor(y / 16));
  }
  return [...lines];
}

/** QEMU 7.2 with the same machine, its monitor on a unix socket, its serial console collected. */
function startQemu() {
  const sock = path.join(TMP, 'monitor.sock'), vnc = path.join(TMP, 'vnc.sock');
  const q = spawn('qemu-system-riscv64', ['-machine', 'virt', '-cpu', qemuCpu(64), '-m', '128M', '-smp', '1',
    '-bios', FW, '-kernel', IMAGE, '-append', APPEND, '-global', 'virtio-mmio.force-legacy=false',
    '-drive', `file=${ROOTFS},if=none,id=root,format=raw,snapshot=on`, '-device', 'virtio-blk-device,drive=root',
    '-device', 'virtio-gpu-device', '-device', 'virtio-keyboard-device', '-device', 'virtio-tablet-device',
    '-display', 'none', '-vnc', `unix:${vnc}`, '-serial', 'stdio', '-monitor', `unix:${sock},server,nowait`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  q.stdout.on('data', (d: Buffer) => { out += d.toString('latin1'); });
  q.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<void>((resolve) => q.on('exit', () => resolve()));
  let dead = false;
  void exited.then(() => { dead = true; });
  const log = () => `${out.slice(-3000)}\n${err}`;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  let monitor: net.Socket | undefined;
  let answer = '';
  /** A monitor command, answered when the monitor prints its next prompt. */
  const command = async (line: string): Promise<void> => {
    if (monitor === undefined) {
      monitor = net.connect(sock);
      await new Promise<void>((resolve, reject) => { monitor?.once('connect', resolve); monitor?.once('error', reject); });
      monitor.on('data', (d: Buffer) => { answer += d.toString('latin1'); });
    }
    answer = '';
    monitor.write(`${line}\n`);
    // The monitor echoes as a terminal line editor (escape sequences): done at its next prompt.
    while (!answer.endsWith('(qemu) ') || !answer.includes(line.split(' ')[0])) {
      if (dead) throw new Error(`QEMU exited during '${line}':\n${log()}`);
      await sleep(20);
    }
  };
  return {
    log,
    async waitFor(re: RegExp, ms: number): Promise<void> {
      const end = Date.now() + ms;
      while (!re.test(out)) {
        if (dead || Date.now() > end) throw new Error(`QEMU did not print ${re}:\n${log()}`);
        await sleep(100);
      }
    },
    /** Dumps until the picture equals `want`; the differing pixel count of the last dump otherwise. */
    async settleOn(want: { width: number; height: number; rgb: Uint8Array }, ms: number): Promise<number> {
      const end = Date.now() + ms;
      let last = -1;
      for (let i = 0; Date.now() < end; i++) {
        const file = path.join(TMP, `qemu-${i}.ppm`);
        await command(`screendump ${file}`);
        const img = decodePpm(fs.readFileSync(file));
        fs.rmSync(file);
        last = img.width === want.width && img.height === want.height ? differing(img.rgb, want.rgb) : want.width * want.height;
        if (last === 0) return 0;
        await sleep(500);
      }
      return last;
    },
    async type(text: string): Promise<void> { for (const ch of text) await command(`sendkey ${key(ch).qemu}`); },
    /** The display resized as a VNC client asks (vnc-client.ts). */
    async resize(width: number, height: number): Promise<void> {
      const client = await vncConnect(vnc);
      vncSetDesktopSize(client, width, height);
      await sleep(200);
      client.destroy();
    },
    async quit(): Promise<void> {
      if (!dead) { monitor?.write('quit\n'); await Promise.race([exited, sleep(5000)]); }
      monitor?.destroy();
      q.kill('SIGKILL');
    },
  };
}

test('Linux 6.1 shows its console on the screen, keys typed reach its shell, and its scanout follows a resized display: pixel-equal to QEMU 7.2', { timeout: 20 * 60_000 }, async (t) => {
  if (skipReason !== undefined) assert.fail(`the Linux screen test cannot run: ${skipReason}`);
  const ours = await ourMachine();
  const qemu = startQemu();
  try {
    const { m } = ours;
    const shell = /^init: \/bin\/sh on \/dev\/tty1\r?$/m;
    runUntilQuiet(m, () => shell.test(ours.console()), 'boot to the shell', ours.console);
    const booted = ourRgb(m);
    assert.deepEqual([booted.width, booted.height], [1280, 800], 'fbcon takes the display\'s preferred mode');
    assert.deepEqual(textLines(booted), [0, 1], 'the shell\'s banner and its prompt, nothing else');

    // A line at a time, each once the shell has answered the one before (keys typed ahead
    // would echo before the shell's next prompt, at a moment QEMU would not reproduce).
    const screens: ReturnType<typeof ourRgb>[] = [];
    for (const line of TYPED) {
      m.postInputEvents('keyboard', [...line, '\n'].flatMap(keystroke));
      runUntilQuiet(m, () => /hello from the ext2 root disk/.test(ours.console()), `typing '${line}'`, ours.console);
      screens.push(ourRgb(m));
    }
    assert.match(ours.console(), /^hello from the ext2 root disk\r?$/m, 'the first command wrote to the serial console');
    // After the first line: 1 holds it (its output went to the serial port), 2 the prompt;
    // after the second: 2 holds `ls /`, 3 its output, 4 the prompt.
    assert.deepEqual(textLines(screens[0]), [0, 1, 2]);
    assert.deepEqual(textLines(screens[1]), [0, 1, 2, 3, 4]);
    assert.doesNotMatch(ours.console(), /^init: .*failed|Oops|Kernel panic/m);
    // The display resized (the panel, or QEMU's VNC client): the driver takes the display
    // event, reads the new display info and EDID, and the console's scanout follows.
    m.resizeDisplay(1024, 768);
    runUntilQuiet(m, () => true, 'the resize', ours.console);
    const resized = ourRgb(m);
    assert.deepEqual([resized.width, resized.height], [1024, 768], 'the scanout follows the display size');
    assert.deepEqual(textLines(resized), [0, 1, 2, 3, 4], 'with the same text');

    await qemu.waitFor(shell, 5 * 60_000);
    assert.equal(await qemu.settleOn(booted, 60_000), 0, `pixels of QEMU's screendump that differ from our screen after the boot\n${qemu.log()}`);
    for (const [i, line] of TYPED.entries()) {
      await qemu.type(`${line}\n`);
      assert.equal(await qemu.settleOn(screens[i], 60_000), 0, `pixels of QEMU's screendump that differ from our screen after '${line}'\n${qemu.log()}`);
    }
    assert.match(qemu.log(), /^hello from the ext2 root disk\r?$/m);
    await qemu.resize(1024, 768);
    assert.equal(await qemu.settleOn(resized, 60_000), 0, `pixels of QEMU's screendump that differ from our screen after the resize\n${qemu.log()}`);
    t.diagnostic(`ours: ${m.harts[0].instret} instructions`);
  } finally {
    ours.close();
    await qemu.quit();
  }
});
