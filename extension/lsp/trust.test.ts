/**
 * Workspace trust in the language server (issue 22): untrusted, nothing outside the
 * workspace folders is read, symlinks included; once the client says trust was granted,
 * it is. A hover on an /incbin/ value shows its size, never its bytes.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { TRUST_GRANTED_NOTIFICATION } from './trust';

const work = mkdtempSync(join(tmpdir(), 'dts-trust-ws-'));
const outside = mkdtempSync(join(tmpdir(), 'dts-trust-out-'));
writeFileSync(join(outside, 'secret.dtsi'), '/ { leaked = "from outside"; };\n');
writeFileSync(join(outside, 'secret.bin'), 'TOPSECRET');
writeFileSync(join(work, 'inside.dtsi'), '/ { inside = <1>; };\n');
symlinkSync(join(outside, 'secret.dtsi'), join(work, 'link.dtsi'));
const TEXT = `/dts-v1/;
#include "inside.dtsi"
#include "${join(outside, 'secret.dtsi')}"
#include "link.dtsi"
/ {
	blob = /incbin/("${join(outside, 'secret.bin')}");
};
`;
const uri = pathToFileURL(join(work, 'board.dts')).toString();

const child = spawn(process.execPath, [join(__dirname, 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
let latest: { message: string }[] | undefined;
const waiters: (() => void)[] = [];
conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: { message: string }[] }) => {
  if (p.uri === uri) latest = p.diagnostics;
  for (const w of waiters.splice(0)) w();
});
conn.listen();

after(() => {
  conn.dispose();
  child.kill();
  rmSync(work, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

async function nextDiagnostics(): Promise<string[]> {
  for (let i = 0; i < 50 && latest === undefined; i++) await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 200); });
  const d = latest ?? [];
  latest = undefined;
  return d.map((x) => x.message);
}

const blobLine = TEXT.split('\n').findIndex((l) => l.includes('blob ='));

test('untrusted: includes and /incbin/ outside the workspace folders are not read, even through a symlink', async () => {
  await conn.sendRequest('initialize', {
    processId: process.pid, rootUri: pathToFileURL(work).toString(), workspaceFolders: [{ uri: pathToFileURL(work).toString(), name: 'w' }],
    capabilities: {}, initializationOptions: { trusted: false },
  });
  await conn.sendNotification('initialized', {});
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dts', version: 1, text: TEXT } });
  const messages = await nextDiagnostics();
  assert.ok(messages.some((m) => m.includes(`cannot find include file '${join(outside, 'secret.dtsi')}'`)), JSON.stringify(messages));
  assert.ok(messages.some((m) => m.includes("cannot find include file 'link.dtsi'")), JSON.stringify(messages));
  assert.ok(!messages.some((m) => m.includes('inside.dtsi')), 'a file inside the workspace is read');
  assert.ok(messages.some((m) => m.includes("Couldn't open") && m.includes('secret.bin')), JSON.stringify(messages));
});

test('trust granted: the same files are read, and the /incbin/ hover shows a size, not the bytes', async () => {
  await conn.sendNotification(TRUST_GRANTED_NOTIFICATION);
  const messages = await nextDiagnostics();
  assert.ok(!messages.some((m) => /cannot find include|Couldn't open/.test(m)), JSON.stringify(messages));
  const h = await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: blobLine, character: 2 } }) as { contents: { value: string } };
  assert.match(h.contents.value, /9 bytes, with \/incbin\//);
  const hex = Buffer.from('TOPSECRET').toString('hex');
  for (const v of [h.contents.value]) {
    assert.doesNotMatch(v, /TOPSECRET/);
    assert.ok(!v.replace(/[^0-9a-f]/g, '').includes(hex.slice(0, 8)), v);
  }
  // The node's hover lists the property the same way.
  const root = await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: blobLine - 1, character: 0 } }) as { contents: { value: string } } | null;
  if (root !== null) assert.doesNotMatch(root.contents.value, /TOPSECRET|544f50/i);
});
