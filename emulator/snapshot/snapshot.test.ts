/**
 * Snapshots restore exactly (issue 18): a guest run to N, snapshotted, restored into a
 * fresh machine and run on prints the same bytes after N, retires the same instructions
 * and ends in the same whole-machine state (hash) as a run never interrupted — for our C
 * guests across the UART, virtio-blk (overlay layer), virtio-net (loopback), interrupts,
 * several harts with atomics, paging, virtio-gpu and the built-in SBI. The snapshot file's
 * checks name what is wrong with a bad file.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Machine, StopReason } from '../machine/machine';
import { boot } from '../machine/boot';
import { defaultDescription, MachineDescription, Xlen } from '../machine/description';
import { loopbackNetBackend, memoryBlockBackend, overlayBlockBackend } from '../backends';
import { MachineSnapshot, restoreSnapshot, retired, stateHash, takeSnapshot } from './machine-snapshot';
import { boardHash, checkSnapshotFits, decodeSnapshotFile, encodeSnapshotFile, SnapshotHeader } from './snapshot-file';
import { SnapshotError } from './saved';
import { RamTracker } from './ram-tracker';

const GUESTS = path.resolve(__dirname, '../../../emulator/test/guests/build');

interface Guest { name: string; xlen: Xlen; harts: number; virtio?: MachineDescription['virtio']; disk?: boolean; net?: boolean; bios?: 'builtin' }

const DISK = () => { const b = new Uint8Array(64 * 512); b.set(new TextEncoder().encode('sector 0: hello from the host image\n')); b.fill(0x77, 1024, 2048); return b; };

class Run {
  readonly out: number[] = [];
  readonly m: Machine;
  constructor(g: Guest) {
    const desc = defaultDescription({ xlen: g.xlen, harts: g.harts, ...(g.virtio !== undefined ? { virtio: g.virtio } : {}) });
    this.m = new Machine(desc, {
      consoleOut: (b) => this.out.push(b),
      ...(g.disk === true ? { drives: [overlayBlockBackend(memoryBlockBackend(DISK()))] } : {}),
      ...(g.net === true ? { nets: [loopbackNetBackend()] } : {}),
    });
    const elf = path.join(GUESTS, g.name);
    assert.ok(fs.existsSync(elf), `${elf} missing: the test build (make -C emulator/test/guests) makes it`);
    const booted = boot(this.m, { kernel: { name: elf, bytes: new Uint8Array(fs.readFileSync(elf)) }, bios: g.bios ?? 'none' });
    assert.ok(booted.ok, booted.ok ? '' : booted.error);
  }
  /** Run to power-off (or at most 200 M instructions of clock). */
  finish(): StopReason {
    let stop: StopReason = { kind: 'budget' };
    for (let i = 0; i < 200 && stop.kind === 'budget'; i++) stop = this.m.step(1_000_000);
    return stop;
  }
}

const GUESTS_UNDER_TEST: Guest[] = [
  { name: 'rv64/uart.elf', xlen: 64, harts: 1 },
  { name: 'rv32/uart.elf', xlen: 32, harts: 1 },
  { name: 'rv64/interrupts.elf', xlen: 64, harts: 1 },
  { name: 'rv64/amo-smp.elf', xlen: 64, harts: 2 },
  { name: 'rv64/paging.elf', xlen: 64, harts: 1 },
  { name: 'rv64/rtc.elf', xlen: 64, harts: 1 },
  { name: 'rv64/plic.elf', xlen: 64, harts: 1 },
  { name: 'rv64/virtio-blk.elf', xlen: 64, harts: 1, virtio: [{ kind: 'blk', drive: 0, readOnly: false }], disk: true },
  { name: 'rv64/virtio-net.elf', xlen: 64, harts: 1, virtio: [{ kind: 'net', net: 0, mac: '52:54:00:12:34:56' }], net: true },
  { name: 'rv64/virtio-rng.elf', xlen: 64, harts: 1, virtio: [{ kind: 'rng' }] },
  { name: 'rv64/virtio-gpu.elf', xlen: 64, harts: 1, virtio: [{ kind: 'gpu' }] },
  { name: 'smode64/sbi.elf', xlen: 64, harts: 2, bios: 'builtin' },
];

/** How far into each guest the snapshot is taken: early, and half-way through its run. */
function points(total: number): number[] { return [Math.max(1, Math.floor(total / 7)), Math.floor(total / 2)]; }

describe('a snapshot restored in a fresh machine continues exactly as the run never interrupted', { concurrency: 1 }, () => {
  for (const g of GUESTS_UNDER_TEST) {
    test(`${g.name} on ${g.harts} hart(s)`, () => {
      if (!fs.existsSync(path.join(GUESTS, g.name))) { assert.fail(`${g.name} missing: make -C emulator/test/guests`); }
      const whole = new Run(g);
      const stop = whole.finish();
      assert.equal(stop.kind, 'power', `the guest powers off (${JSON.stringify(stop)})`);
      const total = whole.m.harts.reduce((s, h) => s + h.instret, 0);
      const endHash = stateHash(whole.m);
      for (const at of points(total)) {
        const first = new Run(g);
        first.m.step(at);
        const before = first.out.length;
        const snap = takeSnapshot(first.m);
        const hashAtSnapshot = stateHash(first.m);
        // The snapshotted run itself goes on unchanged.
        assert.equal(first.finish().kind, 'power');
        assert.deepEqual(first.out, whole.out);

        // Through the file format, into a machine that has run nothing.
        const header: SnapshotHeader = { board: boardHash(first.m.desc), images: [], retired: snap.retired, instret: [], peers: [], notes: [] };
        const file = encodeSnapshotFile(snap, header);
        const back = decodeSnapshotFile(file, 'test.snap');
        const fresh = new Run(g);
        restoreSnapshot(fresh.m, back.snapshot);
        assert.equal(stateHash(fresh.m), hashAtSnapshot, 'the restored state hashes as the saved one');
        assert.equal(fresh.finish().kind, 'power');
        assert.deepEqual(Buffer.from(fresh.out).toString('latin1'), Buffer.from(whole.out.slice(before)).toString('latin1'), `console after ${at}`);
        assert.deepEqual(fresh.m.harts.map((h) => h.instret), whole.m.harts.map((h) => h.instret));
        assert.equal(stateHash(fresh.m), endHash, `whole state at the end, snapshot at ${at}`);
      }
    });
  }
});

describe('restoring into a machine that has run on (going back)', () => {
  test('rv64/interrupts.elf: back to an earlier snapshot in the same machine, then on to the same end', () => {
    const g: Guest = { name: 'rv64/interrupts.elf', xlen: 64, harts: 1 };
    const r = new Run(g);
    r.m.step(20_000);
    const snap: MachineSnapshot = takeSnapshot(r.m);
    const before = r.out.length;
    r.finish();
    const end = stateHash(r.m);
    const outEnd = r.out.slice(before);
    restoreSnapshot(r.m, snap);
    assert.equal(retired(r.m), snap.retired);
    r.out.length = 0;
    r.finish();
    assert.deepEqual(r.out, outEnd);
    assert.equal(stateHash(r.m), end);
  });
});

describe('snapshot file checks: one clear error naming the problem', () => {
  const g: Guest = { name: 'rv64/uart.elf', xlen: 64, harts: 1 };
  const make = () => {
    const r = new Run(g);
    r.m.step(5000);
    const snap = takeSnapshot(r.m);
    const header: SnapshotHeader = { board: boardHash(r.m.desc), images: [{ role: 'kernel', name: 'uart.elf', hash: 'aaaa' }], retired: snap.retired, instret: [], peers: [], notes: [] };
    return { file: encodeSnapshotFile(snap, header), header };
  };
  const err = (f: () => unknown): string => {
    try { f(); } catch (e) { assert.ok(e instanceof SnapshotError, `a SnapshotError, not ${String(e)}`); return e.message; }
    return assert.fail('no error');
  };
  test('not a snapshot, another version, damaged, truncated', () => {
    const { file } = make();
    assert.match(err(() => decodeSnapshotFile(new TextEncoder().encode('hello, this is a text file, not a snapshot'), 'x.txt')), /x\.txt is not an OS Dev Emulator snapshot/);
    const v2 = file.slice(); v2[8] = 2;
    assert.match(err(() => decodeSnapshotFile(v2, 's')), /format version 2; this build reads version 1/);
    const bad = file.slice(); bad[bad.length >> 1] ^= 0x40;
    assert.match(err(() => decodeSnapshotFile(bad, 's')), /damaged \(checksum mismatch\)/);
    assert.match(err(() => decodeSnapshotFile(file.subarray(0, file.length - 100), 's')), /truncated/);
    assert.match(err(() => decodeSnapshotFile(file.subarray(0, 10), 's')), /truncated/);
  });
  test('another board or another kernel is refused, naming it', () => {
    const { header } = make();
    assert.match(checkSnapshotFits(header, 'other', header.images) ?? '', /another board/);
    assert.match(checkSnapshotFits(header, header.board, [{ role: 'kernel', name: 'other.elf', hash: 'bbbb' }]) ?? '', /kernel other\.elf is not the image the snapshot was taken with \(uart\.elf\)/);
    assert.equal(checkSnapshotFits(header, header.board, header.images), null);
  });
  test('a snapshot of a machine with other harts is refused on restore', () => {
    const { file } = make();
    const two = new Run({ ...g, harts: 2 });
    assert.match(err(() => restoreSnapshot(two.m, decodeSnapshotFile(file, 's').snapshot)), /1 harts.*this one has 2/);
  });
});

describe('cheap snapshots: only written pages are copied, and the result equals a full copy', { concurrency: 1 }, () => {
  for (const g of GUESTS_UNDER_TEST.filter((x) => ['rv64/virtio-blk.elf', 'rv64/virtio-net.elf', 'rv64/amo-smp.elf', 'rv64/paging.elf', 'smode64/sbi.elf'].includes(x.name))) {
    test(`${g.name}: every tracked snapshot has the pages of a full one`, () => {
      const r = new Run(g);
      const tracker = new RamTracker(r.m);
      let stop: StopReason = { kind: 'budget' };
      let shared = 0, n = 0;
      for (let i = 0; i < 400 && stop.kind === 'budget'; i++) {
        stop = r.m.step(2_000 + (i % 3) * 1_000);
        const cheap = tracker.snapshot();
        const full = takeSnapshot(r.m);
        n++;
        for (let p = 0; p < full.pages.length; p++) {
          const a = cheap.pages[p], b = full.pages[p];
          if (a === null || b === null) { assert.equal(a === null ? null : isZeroPage(a), b === null ? null : isZeroPage(b), `page ${p} after ${n} snapshots`); continue; }
          assert.ok(Buffer.from(a).equals(Buffer.from(b)), `page ${p} differs after ${n} snapshots`);
        }
        shared += cheap.ownBytes < full.ownBytes ? 1 : 0;
      }
      assert.equal(stop.kind, 'power');
      assert.ok(shared >= n - 1, 'every snapshot after the first copies less than a full one');
    });
  }
});

function isZeroPage(p: Uint8Array): boolean { return p.every((b) => b === 0); }

test('a restore forgets the code of the pages it puts back and keeps the rest', () => {
  const r = new Run({ name: 'rv64/paging.elf', xlen: 64, harts: 1 });
  const tracker = new RamTracker(r.m);
  r.m.step(300_000);
  const s = tracker.snapshot();
  r.m.step(300_000);
  const code = r.m.dram.code.hasCode;
  const withCode = () => [...code.keys()].filter((i) => code[i] === 1);
  const before = withCode();
  assert.ok(before.length > 1, 'the guest has run code from several pages of RAM');
  // A page holding code, written after the snapshot: the restore puts it back.
  const page = before[0];
  const old = r.m.dram.u8[page * 4096];
  r.m.bus.write(r.m.dram.base + page * 4096, 1, old ^ 0xff, 0);
  assert.equal(code[page], 1, 'the write was a data write the cache forgets only in part');
  tracker.restore(s);
  assert.equal(r.m.dram.u8[page * 4096], old, 'the page is back');
  assert.equal(code[page], 0, 'the page put back lost its code');
  const kept = withCode();
  assert.ok(kept.length > 0 && kept.every((i) => before.includes(i)), 'pages not put back keep theirs');
  // And the run goes on as the uninterrupted one does.
  const fresh = new Run({ name: 'rv64/paging.elf', xlen: 64, harts: 1 });
  fresh.m.step(300_000);
  assert.equal(stateHash(r.m), stateHash(fresh.m));
});
