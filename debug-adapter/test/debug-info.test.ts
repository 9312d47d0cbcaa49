/**
 * The debug-info service and the session read files only through the FileAccessor they
 * are given (as the web build and tests do): ELF files served from memory under paths
 * that exist nowhere on disk give symbols, lines and CFI, moved by a `symbols` offset;
 * a file the accessor refuses is one error naming it; the session launches such a
 * program and its disassembly asks the accessor whether a source exists.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { parseElf, elfAddressToNumber } from '../../emulator/loaders/elf';
import { CallFrameInfo } from '../dwarf-frame';
import { DebugInfo, elfOf } from '../debug-info';
import { FileAccessor } from '../file-accessor';
import { OsdevDebugSession } from '../adapter';
import { NODE_HOST } from '../node-host';

const ROOT = path.resolve(__dirname, '../../..');
const DEMO = path.join(ROOT, 'demo/hello.elf');
const TRAPS = path.join(ROOT, 'emulator/test/guests/build/rv64/traps.elf');
/** Paths no disk has: only the accessor below knows them. */
const MEM = '/osdev-in-memory';

/** Files from a map; every question it is asked, recorded. */
function memoryFiles(files: Record<string, Uint8Array>, sources: (file: string) => boolean) {
  const asked: string[] = [];
  const accessor: FileAccessor = {
    readFile: async (file) => {
      asked.push(`read ${file}`);
      const bytes = files[file];
      return bytes !== undefined ? { ok: true, bytes } : { ok: false, error: 'not among the test\'s files' };
    },
    exists: async (file) => { asked.push(`exists ${file}`); return sources(file); },
  };
  return { accessor, asked };
}

const bytesOf = (file: string) => new Uint8Array(fs.readFileSync(file));

function image(label: string, file: string, bytes: Uint8Array) {
  const elf = elfOf({ name: file, bytes });
  assert.ok(elf !== undefined);
  return { label, file: { name: file, bytes }, elf, offset: 0n };
}

test('symbols, lines and CFI of a `symbols` file read through the accessor, moved by its offset', async () => {
  const demo = bytesOf(DEMO), traps = bytesOf(TRAPS);
  const { accessor, asked } = memoryFiles({ [`${MEM}/traps.elf`]: traps }, () => true);
  const offset = 0x1000_0000n;
  const { info, messages } = await DebugInfo.load(accessor, {
    program: image('hello.elf', `${MEM}/hello.elf`, demo),
    extra: [{ path: `${MEM}/traps.elf`, label: 'traps.elf', offset }],
    xlen: 64, sourceFileMap: {},
  });
  assert.deepEqual(messages, []);
  assert.deepEqual(asked, [`read ${MEM}/traps.elf`]);
  const parsed = parseElf(traps);
  assert.ok(parsed.ok);
  const sym = parsed.value.findSymbol('do_ebreak');
  assert.ok(sym !== undefined);
  const linked = BigInt(elfAddressToNumber(sym.value, 64) as number);
  const moved = linked + offset;
  assert.equal(info.symbols.lookup('do_ebreak')?.address, moved);
  assert.equal(info.symbols.label(moved + 2n), 'do_ebreak+0x2');
  assert.equal(path.basename(info.lines.at(moved)?.file ?? ''), 'traps.c');
  const rules = info.rulesAt(moved + 2n);
  assert.ok(rules !== undefined);
  assert.deepEqual(rules, new CallFrameInfo(parsed.value, traps).rulesAt(linked + 2n));
  // The program's own symbols stay where they were linked.
  const main = image('hello.elf', DEMO, demo).elf.findSymbol('main');
  assert.ok(main !== undefined);
  assert.equal(info.symbols.lookup('main')?.address, BigInt(elfAddressToNumber(main.value, 64) as number));
});

test('a `symbols` file the accessor cannot read, or that is no ELF, is one error naming it', async () => {
  const { accessor } = memoryFiles({ [`${MEM}/raw.bin`]: new Uint8Array([1, 2, 3, 4]) }, () => true);
  const load = (p: string) => DebugInfo.load(accessor, { extra: [{ path: p, label: path.basename(p), offset: 0n }], xlen: 64, sourceFileMap: {} });
  await assert.rejects(load(`${MEM}/gone.elf`), { message: `launch attribute "symbols[0]": cannot read '${MEM}/gone.elf': not among the test's files` });
  await assert.rejects(load(`${MEM}/raw.bin`), { message: 'launch attribute "symbols[0]": \'raw.bin\' is not an ELF file' });
});

test('whether a source exists is asked of the accessor, once per file', async () => {
  const { accessor, asked } = memoryFiles({}, (f) => f.endsWith('hello.c'));
  const { info } = await DebugInfo.load(accessor, { program: image('hello.elf', DEMO, bytesOf(DEMO)), extra: [], xlen: 64, sourceFileMap: {} });
  const source = path.join(ROOT, 'demo/hello.c');
  assert.equal(await info.sourceExists(source), true);
  assert.equal(await info.sourceExists(source), true);
  assert.equal(await info.sourceExists('/nowhere/start.S'), false);
  assert.deepEqual(asked, [`exists ${source}`, 'exists /nowhere/start.S']);
});

// ---------------------------------------------------------------- the session, in this process

const servers: net.Server[] = [];
after(() => { for (const s of servers) s.close(); });

/** A session on a loopback port that reads through `accessor`, and a client connected to it. */
async function sessionWith(accessor: FileAccessor): Promise<DebugClient> {
  const server = net.createServer((socket) => {
    const session = new OsdevDebugSession({ ...NODE_HOST, files: accessor });
    session.setRunAsServer(true);
    session.start(socket, socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dc = new DebugClient('node', '', 'osdev');
  dc.defaultTimeout = 60_000; // a safety net for a hung adapter, not a timing assertion
  await dc.start((server.address() as net.AddressInfo).port);
  return dc;
}

test('the session launches a program only its accessor has, and its disassembly asks the accessor for sources', async () => {
  const program = `${MEM}/hello.elf`;
  const { accessor, asked } = memoryFiles({ [program]: bytesOf(DEMO) }, () => true);
  const dc = await sessionWith(accessor);
  try {
    const stopped = dc.waitForEvent('stopped');
    await Promise.all([dc.configurationSequence(), dc.launch({ type: 'osdev', request: 'launch', name: 'mem', program, stopOnEntry: true })]);
    await stopped;
    const [top] = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.equal(top.name, '_start');
    const rows = (await dc.disassembleRequest({ memoryReference: top.instructionPointerReference as string, instructionCount: 4 })).body?.instructions ?? [];
    assert.equal(rows.length, 4);
    const located = rows.filter((r) => r.location !== undefined);
    assert.ok(located.length > 0, JSON.stringify(rows));
    for (const r of located) assert.ok(asked.includes(`exists ${r.location?.path}`), `${r.location?.path} asked of the accessor`);
    assert.equal(asked[0], `read ${program}`);
  } finally {
    await dc.stop();
  }
});

test('a program the accessor refuses is one error response in its words', async () => {
  const { accessor } = memoryFiles({}, () => false);
  const dc = await sessionWith(accessor);
  try {
    await dc.initializeRequest();
    await assert.rejects(dc.launch({ type: 'osdev', request: 'launch', name: 'mem', program: `${MEM}/none.elf` }),
      { message: `launch attribute "program": cannot read '${MEM}/none.elf': not among the test's files` });
  } finally {
    await dc.stop();
  }
});
