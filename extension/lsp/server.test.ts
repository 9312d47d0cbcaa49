/**
 * The DTS language server over its real transport: spawned as `server.js --stdio`
 * (what `osdev-emu lsp --stdio` runs), driven with vscode-jsonrpc as an editor would.
 */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { parseStubModel } from '../../emulator/devices/passthrough/stub';

const work = mkdtempSync(join(tmpdir(), 'dts-lsp-'));
mkdirSync(join(work, 'include', 'dt-bindings'), { recursive: true });
writeFileSync(join(work, 'include', 'dt-bindings', 'irq.h'), '#define UART_IRQ 10\n');
const file = join(work, 'board.dts');
const uri = pathToFileURL(file).toString();
const TEXT = `/dts-v1/;
#include <dt-bindings/irq.h>
/ {
	#address-cells = <2>;
	#size-cells = <2>;
	soc {
		#address-cells = <2>;
		#size-cells = <2>;
		ranges;
		plic: interrupt-controller@c000000 {
			reg = <0x0 0xc000000 0x0 0x4000000>;
			interrupt-controller;
			#interrupt-cells = <1>;
			#address-cells = <0>;
		};
		uart0: serial@10000000 {
			compatible = "ns16550a";
			reg = <0x0 0x10000000 0x0 0x100>;
			interrupt-parent = <&plic>;
			interrupts = <UART_IRQ>;
		};
		mystery@20000000 {
			compatible = "acme,mystery";
			reg = <0x0 0x20000000 0x0 0x1000>;
		};
		bad@30000000 {
			reg = <0x0 0x30000000 0x0 0x1000>;
			interrupt-parent = <&nolabel>;
		};
	};
	chosen { stdout-path = &{/soc/serial@10000000}; };
};
&uart0 { status = "okay"; };
`;

const child = spawn(process.execPath, [join(__dirname, 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
const published = new Map<string, unknown[]>();
const waiters: (() => void)[] = [];
conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: unknown[] }) => {
  published.set(p.uri, p.diagnostics);
  for (const w of waiters.splice(0)) w();
});
conn.onRequest('workspace/configuration', () => [{ includePaths: ['include'] }]);
// What client.ts answers from a debug session: uart0 is live at 0x10000000, nothing else is.
const liveAsked: string[] = [];
conn.onRequest('osdev/liveRegisters', (p: { address: string }) => {
  liveAsked.push(p.address);
  if (p.address !== '0x10000000') return null;
  return {
    name: 'uart0', group: 'emulated', model: 'ns16550a', compatible: ['ns16550a'], base: '0x10000000', size: 256,
    registers: [{ name: 'LSR', offset: 5, width: 1, access: 'RO', value: 0x60, doc: 'line status', fields: [{ name: 'THRE', bits: [5, 5], value: 1 }] }],
  };
});
conn.listen();

after(() => {
  conn.dispose();
  child.kill();
  rmSync(work, { recursive: true, force: true });
});

function lineOf(text: string, needle: string): { line: number; character: number } {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, needle);
  return { line, character: lines[line].indexOf(needle) };
}

async function diagnosticsFor(u: string): Promise<{ message: string; code: string; range: { start: { line: number } } }[]> {
  for (let i = 0; i < 50 && !published.has(u); i++) await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 200); });
  return published.get(u) as never;
}

test('initialize, open a document, get dtc-like diagnostics and the passthrough warning', async () => {
  const init = await conn.sendRequest('initialize', {
    processId: process.pid, rootUri: pathToFileURL(work).toString(), workspaceFolders: [{ uri: pathToFileURL(work).toString(), name: 'w' }],
    capabilities: { workspace: { configuration: true, workspaceEdit: { documentChanges: true, resourceOperations: ['create'] } } }, initializationOptions: { includePaths: ['include'], liveRegisters: true },
  }) as { capabilities: Record<string, unknown> };
  for (const cap of ['hoverProvider', 'definitionProvider', 'referencesProvider', 'renameProvider', 'documentSymbolProvider', 'completionProvider', 'semanticTokensProvider', 'documentFormattingProvider']) {
    assert.ok(init.capabilities[cap], cap);
  }
  await conn.sendNotification('initialized', {});
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dts', version: 1, text: TEXT } });
  const diags = await diagnosticsFor(uri);
  const codes = diags.map((d) => d.code).sort();
  assert.ok(codes.includes('unresolved_reference'), JSON.stringify(diags));
  assert.ok(codes.includes('passthrough_stub'), JSON.stringify(diags));
  const unresolved = diags.find((d) => d.code === 'unresolved_reference')!;
  assert.equal(unresolved.range.start.line, lineOf(TEXT, '&nolabel').line);
  assert.ok(!diags.some((d) => /include/.test(d.message)), 'the include resolves through the include path');
});

test('definition of a label reference, and references back', async () => {
  const pos = lineOf(TEXT, '&plic');
  const defs = await conn.sendRequest('textDocument/definition', { textDocument: { uri }, position: { line: pos.line, character: pos.character + 2 } }) as { uri: string; range: { start: { line: number; character: number } } }[];
  assert.equal(defs.length, 1);
  assert.equal(defs[0].uri, uri);
  assert.deepEqual(defs[0].range.start, lineOf(TEXT, 'plic:'));
  const refs = await conn.sendRequest('textDocument/references', { textDocument: { uri }, position: lineOf(TEXT, 'plic:'), context: { includeDeclaration: false } }) as unknown[];
  assert.equal(refs.length, 1);
});

test('completion: labels after &, compatible strings from the device catalogue', async () => {
  const at = lineOf(TEXT, '&uart0 {');
  const labels = await conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: at.line, character: at.character + 1 } }) as { label: string }[];
  assert.deepEqual(labels.map((l) => l.label).sort(), ['plic', 'uart0']);
  const c = lineOf(TEXT, '"acme,mystery"');
  const compat = await conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: c.line, character: c.character + 1 } }) as { label: string; documentation?: { value: string } }[];
  assert.ok(compat.some((x) => x.label === 'ns16550a' && /RBR|THR/.test(x.documentation?.value ?? '')), JSON.stringify(compat.map((x) => x.label)));
  assert.ok(compat.some((x) => x.label === 'virtio,mmio'));
});

test('hover shows the merged node; rename a label everywhere', async () => {
  const at = lineOf(TEXT, '&uart0 {');
  const h = await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: at.line, character: at.character + 2 } }) as { contents: { value: string } };
  assert.match(h.contents.value, /\/soc\/serial@10000000/);
  assert.match(h.contents.value, /status = "okay"/);
  assert.match(h.contents.value, /interrupts = <0x0a>/);
  assert.match(h.contents.value, /ns16550a/);
  const edit = await conn.sendRequest('textDocument/rename', { textDocument: { uri }, position: lineOf(TEXT, 'uart0:'), newName: 'console' }) as { changes: Record<string, { newText: string }[]> };
  assert.equal(edit.changes[uri].length, 2);
  assert.ok(edit.changes[uri].every((e) => e.newText === 'console'));
});

test('during a debug session, hovering a device node shows its live registers; elsewhere the plain hover', async () => {
  const at = lineOf(TEXT, 'serial@10000000 {');
  const h = await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: at.line, character: at.character + 2 } }) as { contents: { value: string } };
  assert.match(h.contents.value, /Live: uart0/);
  assert.match(h.contents.value, /\| \+0x5 \| LSR \| 0x60 \| THRE=1 \|/);
  assert.match(h.contents.value, /\/soc\/serial@10000000/, 'the merged node still follows');
  const m = lineOf(TEXT, 'mystery@20000000 {');
  const plain = await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: m.line, character: m.character + 2 } }) as { contents: { value: string } };
  assert.doesNotMatch(plain.contents.value, /Live:/);
  assert.match(plain.contents.value, /\/soc\/mystery@20000000/);
  assert.ok(liveAsked.includes('0x20000000'), JSON.stringify(liveAsked));
});

test('rename a node: its definition and its component in &{/path} references', async () => {
  const at = lineOf(TEXT, 'serial@10000000 {');
  const edit = await conn.sendRequest('textDocument/rename', { textDocument: { uri }, position: { line: at.line, character: at.character + 3 }, newName: 'uart@10000000' }) as { changes: Record<string, { range: { start: { line: number; character: number } }; newText: string }[]> };
  const edits = edit.changes[uri].map((e) => [e.range.start.line, e.range.start.character, e.newText]).sort();
  const path = lineOf(TEXT, '/soc/serial@10000000}');
  assert.deepEqual(edits, [[at.line, at.character, 'uart@10000000'], [path.line, path.character + '/soc/'.length, 'uart@10000000']].sort());
  const bad = await conn.sendRequest('textDocument/rename', { textDocument: { uri }, position: { line: at.line, character: at.character + 3 }, newName: 'has space' }).catch(() => null);
  assert.equal(bad, null, 'not a node name: no edit');
});

test('completion of values: status strings, interrupt controllers first for interrupt-parent', async () => {
  const st = lineOf(TEXT, 'status = "okay"');
  const values = await conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: st.line, character: st.character + 'status = "'.length } }) as { label: string }[];
  assert.deepEqual(values.map((v) => v.label).slice(0, 3), ['okay', 'disabled', 'reserved']);
  const ip = lineOf(TEXT, 'interrupt-parent = <&plic>');
  const refs = await conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: ip.line, character: ip.character + 'interrupt-parent = <'.length } }) as { label: string; sortText: string }[];
  const sorted = [...refs].sort((x, y) => x.sortText.localeCompare(y.sortText)).map((r) => r.label);
  assert.deepEqual(sorted, ['&plic', '&uart0'], 'the interrupt controller first, then the other labels');
});

test('quick fix for a compatible without a model: a stub model file the stub backend accepts', async () => {
  const diags = await diagnosticsFor(uri) as unknown as { code: string; range: unknown }[];
  const stub = diags.filter((d) => d.code === 'passthrough_stub');
  assert.equal(stub.length, 1);
  type Action = { title: string; edit: { documentChanges: ({ kind: 'create'; uri: string } | { textDocument: { uri: string }; edits: { newText: string }[] })[] } };
  const actions = await conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: stub[0].range, context: { diagnostics: stub } }) as Action[];
  assert.equal(actions.length, 1, JSON.stringify(actions));
  const [create, write] = actions[0].edit.documentChanges;
  const target = pathToFileURL(join(work, 'mystery@20000000.osdev-model.json')).toString();
  assert.deepEqual(create, { kind: 'create', uri: target, options: { overwrite: false, ignoreIfExists: false } });
  assert.ok('edits' in write && write.textDocument.uri === target);
  const parsed = parseStubModel(write.edits[0].newText, 'mystery.osdev-model.json');
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  assert.equal(parsed.value.device.model, 'acme,mystery');
  assert.deepEqual(parsed.value.device.compatible, ['acme,mystery']);
  assert.equal(parsed.value.device.size, 0x1000);
  assert.deepEqual(parsed.value.device.registers.map((r) => [r.name, r.offset, r.width, r.access]), [['REG0', 0, 4, 'RW'], ['REG1', 4, 4, 'RW'], ['REG2', 8, 4, 'RW'], ['REG3', 12, 4, 'RW']]);
  // Never over a file that is there.
  writeFileSync(join(work, 'mystery@20000000.osdev-model.json'), '{}');
  const again = await conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: stub[0].range, context: { diagnostics: stub } }) as Action[];
  assert.deepEqual(again, []);
  rmSync(join(work, 'mystery@20000000.osdev-model.json'));
});

test('document symbols, semantic tokens and formatting', async () => {
  const syms = await conn.sendRequest('textDocument/documentSymbol', { textDocument: { uri } }) as { name: string; children?: { name: string; children?: { name: string }[] }[] }[];
  assert.deepEqual(syms.map((s) => s.name), ['/', '&uart0']);
  const soc = syms[0].children!.find((c) => c.name === 'soc')!;
  assert.deepEqual(soc.children!.filter((c) => c.name.includes('@')).map((c) => c.name), ['interrupt-controller@c000000', 'serial@10000000', 'mystery@20000000', 'bad@30000000']);
  const ws = await conn.sendRequest('workspace/symbol', { query: 'uart' }) as { name: string; containerName?: string }[];
  assert.ok(ws.some((x) => x.name === 'uart0' && x.containerName === '/soc/serial@10000000'), JSON.stringify(ws));
  const tokens = await conn.sendRequest('textDocument/semanticTokens/full', { textDocument: { uri } }) as { data: number[] };
  assert.ok(tokens.data.length > 0 && tokens.data.length % 5 === 0);
  const messy = '/dts-v1/;\n/ {\n  a {\n        p = <1>;   \n};\n};\n';
  const u2 = pathToFileURL(join(work, 'messy.dts')).toString();
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: u2, languageId: 'dts', version: 1, text: messy } });
  const edits = await conn.sendRequest('textDocument/formatting', { textDocument: { uri: u2 }, options: { tabSize: 8, insertSpaces: false } }) as { range: { start: { line: number } }; newText: string }[];
  const lines = messy.split('\n');
  for (const e of edits) lines[e.range.start.line] = e.newText;
  assert.equal(lines.join('\n'), '/dts-v1/;\n/ {\n\ta {\n\t\tp = <1>;\n\t};\n};\n');
});

test('a missing semicolon: one diagnostic, the rest of the file still understood, and a quick fix', async () => {
  const text = '/dts-v1/;\n/ {\n\ta: a {\n\t\tp = <1>\n\t\tq = "x";\n\t}\n\tb { r = <&a>; };\n};\n';
  const u3 = pathToFileURL(join(work, 'semi.dts')).toString();
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: u3, languageId: 'dts', version: 1, text } });
  const diags = await diagnosticsFor(u3) as unknown as { message: string; code: string; source: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }[];
  assert.deepEqual(diags.map((d) => [d.message, d.range.end]), [
    ["expected ';' after the property value", { line: 3, character: 9 }],
    ["expected ';' after '}'", { line: 5, character: 2 }],
  ]);
  const actions = await conn.sendRequest('textDocument/codeAction', { textDocument: { uri: u3 }, range: diags[0].range, context: { diagnostics: diags } }) as { title: string; edit: { changes: Record<string, { newText: string }[]> } }[];
  assert.deepEqual(actions.map((a) => a.title), ["Insert ';'", "Insert ';'"]);
  const defs = await conn.sendRequest('textDocument/definition', { textDocument: { uri: u3 }, position: { line: 6, character: 12 } }) as unknown[];
  assert.equal(defs.length, 1, 'the reference after the errors still resolves');
});

test('an edit updates the diagnostics; junk does not take the server down', async () => {
  published.delete(uri);
  await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: TEXT.replace('&nolabel', '&plic') }] });
  const diags = await diagnosticsFor(uri);
  assert.ok(!diags.some((d) => d.code === 'unresolved_reference'), JSON.stringify(diags));
  const junk = Array.from({ length: 50_000 }, (_, i) => String.fromCharCode((i * 7919) % 256)).join('');
  published.delete(uri);
  await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ text: junk }] });
  assert.ok((await diagnosticsFor(uri)).length > 0);
  const h = await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 3 } });
  assert.ok(h === null || typeof h === 'object');
});
