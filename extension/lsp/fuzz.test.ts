/**
 * Fuzzing the language server's input (issue 22), bounded: LSP_FUZZ_ITERS and
 * LSP_FUZZ_SEED change the run; `npm run fuzz:lsp` runs a long one.
 * - framing.ts alone: well-formed streams cut at random pass through unchanged; a stream
 *   with one header broken stops there, once, having passed only whole messages before it.
 * - the server over stdio: random methods with random params (null, wrong shapes, mutated
 *   DTS documents, positions anywhere). Every request is answered, nothing logs a stack
 *   trace, and after all of it the server shuts down cleanly. A bad header ends it with
 *   one line on stderr.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork, spawn } from 'node:child_process';
import { join } from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { LIMITS } from '../../emulator/dts/source';
import { PassThrough } from 'node:stream';
import { checkedFraming } from './framing';
import { prng } from '../../emulator/devices/virtio/fuzz';
import { mutateText } from '../../emulator/dts/test/fuzz';
import { FIXTURES } from '../../emulator/dts/test/fixtures';

const ITERS = Number(process.env.LSP_FUZZ_ITERS ?? 150);
const SEED = Number(process.env.LSP_FUZZ_SEED ?? 1);
const SERVER = join(__dirname, 'server.js');

const frame = (body: string, extra = '') => { const b = Buffer.from(body); return Buffer.concat([Buffer.from(`${extra}Content-Length: ${b.length}\r\n\r\n`), b]); };

/** Feeds `data` in random pieces; resolves with what came out and the failure, if any. */
async function throughFraming(data: Buffer, rnd: () => number): Promise<{ out: Buffer; failure: string[] }> {
  const input = new PassThrough();
  const failure: string[] = [];
  const out = checkedFraming(input, (r) => failure.push(r));
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  for (let at = 0; at < data.length;) {
    const n = 1 + Math.floor(rnd() * 64);
    input.write(data.subarray(at, at + n));
    at += n;
  }
  input.end();
  await new Promise<void>((r) => setImmediate(r));
  await new Promise<void>((r) => setImmediate(r));
  return { out: Buffer.concat(chunks), failure };
}

test(`LSP framing fuzz: ${ITERS} streams from seed ${SEED}`, async () => {
  const rnd = prng(SEED);
  const BAD = ['Content-Length: -1\r\n\r\n', 'Content-Length: x\r\n\r\n', 'Content-Type: a\r\n\r\n{}', 'nocolon\r\n\r\n', 'Content-Length: 1e3\r\n\r\n', `Content-Length: ${2 ** 40}\r\n\r\n`, 'X'.repeat(9000)];
  let failed = 0;
  for (let i = 0; i < ITERS; i++) {
    const messages = Array.from({ length: 1 + Math.floor(rnd() * 5) }, (_, k) => frame(JSON.stringify({ jsonrpc: '2.0', id: k, method: 'm', params: { s: 'é'.repeat(Math.floor(rnd() * 50)) } }), rnd() < 0.3 ? 'Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n' : ''));
    const good = Buffer.concat(messages);
    if (rnd() < 0.5) {
      const r = await throughFraming(good, rnd);
      assert.deepEqual(r.failure, []);
      assert.ok(r.out.equals(good), `case ${i}: a well-formed stream passes unchanged`);
      continue;
    }
    const cut = Math.floor(rnd() * messages.length);
    const before = Buffer.concat(messages.slice(0, cut));
    const r = await throughFraming(Buffer.concat([before, Buffer.from(BAD[Math.floor(rnd() * BAD.length)]), good]), rnd);
    assert.equal(r.failure.length, 1, `case ${i}: one failure`);
    assert.ok(r.out.equals(before), `case ${i}: only the whole messages before the bad header pass`);
    failed++;
  }
  assert.ok(failed > 0);
});

const METHODS = [
  'textDocument/hover', 'textDocument/definition', 'textDocument/declaration', 'textDocument/references', 'textDocument/completion',
  'textDocument/rename', 'textDocument/documentSymbol', 'textDocument/formatting', 'textDocument/codeAction', 'textDocument/semanticTokens/full',
  'workspace/symbol', 'textDocument/didOpen', 'textDocument/didChange', 'textDocument/didClose', '$/cancelRequest', 'no/such/method', 'initialize',
];
const NOTIFICATIONS = new Set(['textDocument/didOpen', 'textDocument/didChange', 'textDocument/didClose', '$/cancelRequest']);

/** Params for a method: usually well shaped with wild values, sometimes not shaped at all. */
function randomParams(method: string, rnd: () => number, doc: () => string): unknown {
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  if (rnd() < 0.15) return pick([null, undefined, 0, 'x', [], [1, 2], {}, { textDocument: null }, { textDocument: { uri: 5 } }, true]);
  const uri = pick(['file:///w/a.dts', 'file:///w/a.dts', 'file:///w/b.dtsi', 'untitled:x', 'file:///etc/passwd', '']);
  const num = () => pick([0, 1, 3, 10, 100, -1, 2 ** 31, 1.5, Math.floor(rnd() * 50)]);
  const position = rnd() < 0.1 ? pick([null, {}, { line: 'a', character: 0 }]) : { line: num(), character: num() };
  const range = { start: { line: num(), character: num() }, end: { line: num(), character: num() } };
  switch (method) {
    case 'textDocument/didOpen': return { textDocument: { uri, languageId: 'dts', version: Math.floor(rnd() * 100), text: doc() } };
    case 'textDocument/didChange': return { textDocument: { uri, version: Math.floor(rnd() * 100) }, contentChanges: rnd() < 0.5 ? [{ text: doc() }] : [{ range, text: pick(['', '}', '&', '/dts-v1/;', doc().slice(0, 100)]) }] };
    case 'textDocument/rename': return { textDocument: { uri }, position, newName: pick(['x', '', 'has space', 'a'.repeat(300), '&']) };
    case 'textDocument/codeAction': return { textDocument: { uri }, range, context: { diagnostics: rnd() < 0.5 ? [] : [{ range, message: 'm', code: pick(['passthrough_stub', 'syntax', 5]) }] } };
    case 'textDocument/references': return { textDocument: { uri }, position, context: { includeDeclaration: rnd() < 0.5 } };
    case 'textDocument/formatting': return { textDocument: { uri }, options: { tabSize: num(), insertSpaces: rnd() < 0.5 } };
    case 'workspace/symbol': return { query: pick(['', 'a', 'uart', '*']) };
    case '$/cancelRequest': return { id: num() };
    case 'initialize': return { processId: null, rootUri: null, capabilities: {} };
    default: return { textDocument: { uri }, position };
  }
}

test(`LSP protocol fuzz: ${ITERS} random messages to the server from seed ${SEED}`, async () => {
  const rnd = prng(SEED + 1);
  const corpus = FIXTURES.map((f) => f.text);
  const doc = () => (rnd() < 0.2 ? corpus[Math.floor(rnd() * corpus.length)] : mutateText(corpus[Math.floor(rnd() * corpus.length)], rnd));
  const child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const answered = new Set<number>();
  let errors = 0;
  const logs: string[] = [];
  let buf = Buffer.alloc(0);
  let wake: (() => void) | undefined;
  child.stdout.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = Number(/Content-Length: (\d+)/.exec(buf.subarray(0, end).toString())?.[1]);
      if (buf.length < end + 4 + len) return;
      const msg = JSON.parse(buf.subarray(end + 4, end + 4 + len).toString()) as { id?: number; method?: string; params?: { message?: string }; error?: unknown };
      buf = buf.subarray(end + 4 + len);
      if (msg.method === undefined && typeof msg.id === 'number') { answered.add(msg.id); if (msg.error !== undefined) errors++; }
      if (msg.method === 'window/logMessage') logs.push(msg.params?.message ?? '');
      wake?.();
    }
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const send = (o: unknown) => child.stdin.write(frame(JSON.stringify(o)));
  send({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { processId: null, rootUri: 'file:///w', capabilities: {} } });
  send({ jsonrpc: '2.0', method: 'initialized', params: {} });
  const requests: number[] = [0];
  for (let i = 1; i <= ITERS; i++) {
    const method = METHODS[Math.floor(rnd() * METHODS.length)];
    const params = randomParams(method, rnd, doc);
    if (NOTIFICATIONS.has(method) && rnd() < 0.9) send({ jsonrpc: '2.0', method, params });
    else { send({ jsonrpc: '2.0', id: i, method, params }); requests.push(i); }
    // Let the server keep up now and then, as an editor would.
    if (i % 50 === 0) await new Promise((r) => setTimeout(r, 5));
  }
  send({ jsonrpc: '2.0', id: ITERS + 1, method: 'shutdown' });
  requests.push(ITERS + 1);
  const deadline = Date.now() + 120_000;
  while (!requests.every((id) => answered.has(id)) && Date.now() < deadline) await new Promise<void>((r) => { wake = r; setTimeout(r, 200); });
  const missing = requests.filter((id) => !answered.has(id));
  send({ jsonrpc: '2.0', method: 'exit' });
  const code = await exited;
  if (process.env.LSP_FUZZ_ITERS !== undefined) console.log(`LSP fuzz: ${JSON.stringify({ messages: ITERS, requests: requests.length, errors, logs: logs.length })}`);
  assert.deepEqual(missing, [], 'every request is answered');
  assert.ok(errors > 0 && errors < requests.length, 'some requests are refused, others answered');
  assert.equal(code, 0, 'exit after shutdown is a clean exit');
  assert.ok(!/\n\s+at /.test(stderr), `no stack trace on stderr:\n${stderr.slice(0, 2000)}`);
  const traces = logs.filter((l) => /\n\s+at /.test(l));
  assert.deepEqual(traces.slice(0, 3), [], 'no stack trace in the log');
});

test('a bad header ends the server with one line on stderr', async () => {
  for (const bad of ['Content-Length: -5\r\n\r\n', 'X-Foo: 1\r\n\r\n{}']) {
    const child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdin.write(frame(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } })));
    child.stdin.write(bad);
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    assert.equal(code, 1);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, /^osdev-dts: (bad Content-Length "-5"|message header without a Content-Length)/);
  }
});

test('hostile documents: a diamond of includes and an expansion bomb give their limit diagnostic, and the server answers on', async () => {
  const work = mkdtempSync(join(tmpdir(), 'dts-lsp-hostile-'));
  for (let i = 0; i < 31; i++) writeFileSync(join(work, `f${i}.dtsi`), `#include "f${i + 1}.dtsi"\n#include "f${i + 1}.dtsi"\n`);
  writeFileSync(join(work, 'f31.dtsi'), '/ { a = <1>; };\n');
  const child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const published = new Map<string, { message: string }[]>();
  conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: { message: string }[] }) => { published.set(p.uri, p.diagnostics); });
  conn.listen();
  try {
    await conn.sendRequest('initialize', { processId: null, rootUri: pathToFileURL(work).toString(), capabilities: {} });
    const bomb = '/dts-v1/;\n#define A n { x = <1>; };\n' + ['B', 'C', 'D', 'E', 'F', 'G'].map((m, k) => `#define ${m} ${`${'ABCDEF'[k]} `.repeat(10)}\n`).join('') + '/ { G };\n';
    const docs = { diamond: '/dts-v1/;\n#include "f0.dtsi"\n', bomb };
    for (const [name, text] of Object.entries(docs)) {
      const uri = pathToFileURL(join(work, `${name}.dts`)).toString();
      await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dts', version: 1, text } });
      const h = await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 2 } });
      assert.ok(h === null || typeof h === 'object');
      for (let i = 0; i < 100 && !published.has(uri); i++) await new Promise((r) => setTimeout(r, 100));
      const messages = (published.get(uri) ?? []).map((d) => d.message);
      assert.ok(messages.some((m) => m.includes(name === 'diamond' ? `more than ${LIMITS.includes} files included` : `more than ${LIMITS.items} properties and nodes`)), JSON.stringify(messages));
    }
    assert.equal(child.exitCode, null, 'the server is still running');
  } finally {
    conn.dispose();
    child.kill();
    rmSync(work, { recursive: true, force: true });
  }
});

test('over node IPC (how VS Code runs the server) null params are answered InvalidParams too', async () => {
  const child = fork(SERVER, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const answers = new Map<number, { error?: { code: number }; result?: unknown }>();
  child.on('message', (m: { id?: number; error?: { code: number }; result?: unknown }) => { if (typeof m.id === 'number') answers.set(m.id, m); });
  child.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });
  child.send({ jsonrpc: '2.0', id: 2, method: 'textDocument/hover', params: null });
  child.send({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: null });
  child.send({ jsonrpc: '2.0', id: 3, method: 'textDocument/definition', params: { textDocument: { uri: 'file:///x.dts' }, position: { line: 'a' } } });
  child.send({ jsonrpc: '2.0', id: 4, method: 'shutdown' });
  for (let i = 0; i < 100 && answers.size < 4; i++) await new Promise((r) => setTimeout(r, 50));
  child.kill();
  assert.equal(answers.get(2)?.error?.code, -32602);
  assert.equal(answers.get(3)?.error?.code, -32602);
  assert.ok(answers.has(4) && answers.get(4)?.error === undefined, 'the server still answers');
  assert.doesNotMatch(stderr, /\n\s+at /);
});
