/**
 * package.json says what debug-adapter/contribution.ts says: the launch.json schema has
 * one home (launch-config.ts). Rerun `node scripts/debugger-contribution.mjs` after a change.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ACTIVATION_EVENTS, BREAKPOINT_LANGUAGES, debuggerContribution } from '../contribution';
import { LAUNCH_ATTRIBUTES, unknownAttributes, validateLaunchConfig } from '../launch-config';
import { parseDapArgs } from '../main';

const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8'));

test('package.json contributes the osdev debugger exactly as contribution.ts builds it', () => {
  assert.deepEqual(pkg.contributes.debuggers, [JSON.parse(JSON.stringify(debuggerContribution()))]);
  assert.deepEqual(pkg.contributes.breakpoints, BREAKPOINT_LANGUAGES.map((language) => ({ language })));
  for (const e of ACTIVATION_EVENTS) assert.ok(pkg.activationEvents.includes(e), e);
});

test('every schema attribute is accepted by the validator with its default, and unknown values are refused', () => {
  for (const [name, schema] of Object.entries(LAUNCH_ATTRIBUTES)) {
    const d = (schema as { default?: unknown }).default;
    if (d === undefined || name === 'program') continue;
    const r = validateLaunchConfig({ program: 'k.elf', [name]: d });
    assert.ok(r.ok, `${name}: ${JSON.stringify(d)} ${r.ok ? '' : r.error}`);
  }
  const bad = validateLaunchConfig({ program: 'k.elf', stopOnEntry: 'yes' });
  assert.deepEqual(bad, { ok: false, error: 'launch attribute "stopOnEntry" must be true or false, got "yes"' });
  assert.deepEqual(validateLaunchConfig(null), { ok: false, error: 'the launch configuration is not an object' });
});

test('isa in launch.json: a riscv,isa string that also gives the XLEN', () => {
  const r = validateLaunchConfig({ program: 'k.elf', isa: 'rv32imac_zba_zicboz' });
  assert.ok(r.ok, r.ok ? '' : r.error);
  assert.deepEqual([r.value.isa, r.value.xlen], ['rv32imac_zba_zicboz', 32]);
  assert.deepEqual(validateLaunchConfig({ program: 'k.elf', isa: 'rv64imac', xlen: 32 }), { ok: false, error: 'launch attribute "isa" is rv64 but "xlen" is 32' });
  const lacking = validateLaunchConfig({ program: 'k.elf', isa: 'rv64gc_zbkb' });
  assert.ok(!lacking.ok && /^launch attribute "isa" riscv,isa "rv64gc_zbkb": extension zbkb is not implemented here/.test(lacking.error), JSON.stringify(lacking));
  assert.deepEqual(validateLaunchConfig({ program: 'k.elf', isa: 'rv64gc', machine: 'b.dts' }),
    { ok: false, error: 'launch attribute "isa" cannot be used with "machine": the machine file gives the ISA (riscv,isa)' });
});

test('virtio slots in launch.json: ",slot=N" in drives and net, rng and guestConsole as the CLI options take them', () => {
  const r = validateLaunchConfig({ program: 'k.elf', drives: ['a.img,slot=0'], net: ['loopback,slot=1'], rng: 'host,slot=2', guestConsole: 'virtio,slot=3' });
  assert.ok(r.ok, r.ok ? '' : r.error);
  assert.deepEqual([r.value.drives[0].slot, r.value.net[0].slot, r.value.rng, r.value.rngSlot, r.value.guestConsole, r.value.guestConsoleSlot],
    [0, 1, 'host', 2, 'virtio', 3]);
  const plain = validateLaunchConfig({ program: 'k.elf', rng: 'seeded', guestConsole: 'virtio' });
  assert.ok(plain.ok && plain.value.rngSlot === undefined && plain.value.guestConsoleSlot === undefined && plain.value.rng === 'seeded');
  assert.deepEqual(validateLaunchConfig({ program: 'k.elf', rng: 3 }), { ok: false, error: 'launch attribute "rng" must be "seeded" or "host", optionally with ",slot=N", got 3' });
  assert.deepEqual(validateLaunchConfig({ program: 'k.elf', drives: ['a.img,slot=zero'] }),
    { ok: false, error: 'launch attribute "drives" slot= takes a slot number (0 is the lowest virtio-mmio address, QEMU\'s virtio-mmio-bus.0), got \'zero\'' });
});

test('adapter arguments: stdio by default, a loopback port, clear errors', () => {
  assert.deepEqual(parseDapArgs([]), { kind: 'stdio' });
  assert.deepEqual(parseDapArgs(['--stdio']), { kind: 'stdio' });
  assert.deepEqual(parseDapArgs(['--port', '4711']), { kind: 'port', port: 4711 });
  assert.deepEqual(parseDapArgs(['--port=4711']), { kind: 'port', port: 4711 });
  assert.match(parseDapArgs(['--port', '70000']) as string, /from 1 to 65535, got '70000'/);
  assert.match(parseDapArgs(['--tcp']) as string, /^usage:/);
});

test('assembly sources (.S, .s, .asm) open in a language the debugger takes breakpoints in, with our grammar', () => {
  const root = path.resolve(__dirname, '../../..');
  const languages = pkg.contributes.languages as { id: string; extensions?: string[]; configuration?: string }[];
  for (const ext of ['.S', '.s', '.asm']) {
    const lang = languages.find((l) => l.extensions?.includes(ext));
    assert.ok(lang !== undefined, `no language claims ${ext}`);
    assert.ok(BREAKPOINT_LANGUAGES.includes(lang.id), `${ext} opens as '${lang.id}', which takes no breakpoints`);
    assert.ok(lang.configuration !== undefined && fs.existsSync(path.join(root, lang.configuration)), `${lang.id}: configuration file`);
    JSON.parse(fs.readFileSync(path.join(root, lang.configuration), 'utf8'));
  }
  const grammar = (pkg.contributes.grammars as { language: string; scopeName: string; path: string }[]).find((g) => g.language === 'riscv');
  assert.ok(grammar !== undefined);
  const tm = JSON.parse(fs.readFileSync(path.join(root, grammar.path), 'utf8'));
  assert.equal(tm.scopeName, grammar.scopeName);
  // Every pattern compiles (what these use of Oniguruma, JavaScript's RegExp reads the same).
  const sources: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) if ((k === 'match' || k === 'begin' || k === 'end') && typeof x === 'string') sources.push(x); else walk(x);
    }
  };
  walk(tm);
  assert.ok(sources.length > 10);
  for (const s of sources) assert.doesNotThrow(() => new RegExp(s), s);
  const register = new RegExp(`^(?:${tm.repository.operands.patterns[1].match})$`);
  for (const r of ['a0', 's11', 't6', 'zero', 'x31', 'ft0']) assert.match(r, register);
  for (const r of ['s12', 'x32', 'a8']) assert.doesNotMatch(r, register);
  const comment = new RegExp(tm.repository.comments.patterns[2].match);
  assert.match('  li a0, 1  # one', comment);
  assert.doesNotMatch('#include "asm.h"', comment, 'cpp lines of a .S are not comments');
});

test('unknown launch attributes: every schema attribute and VS Code\'s own are known; a typo gets the nearest name', () => {
  const all = Object.fromEntries(Object.keys(LAUNCH_ATTRIBUTES).map((k) => [k, 1]));
  assert.deepEqual(unknownAttributes({ ...all, type: 'osdev', request: 'launch', name: 'n', preLaunchTask: 't', postDebugTask: 't',
    internalConsoleOptions: 'neverOpen', presentation: {}, noDebug: true, __sessionId: 'x', __configurationTarget: 5 }), []);
  assert.deepEqual(unknownAttributes({ stopOnEntri: true }), ['launch attribute "stopOnEntri" is not known to the osdev debugger and is ignored: did you mean "stopOnEntry"?']);
  assert.match(unknownAttributes({ Program: 'k.elf' })[0], /did you mean "program"\?/);
  assert.match(unknownAttributes({ drive: [] })[0], /did you mean "drives"\?/);
  assert.deepEqual(unknownAttributes({ env: {} }), ['launch attribute "env" is not known to the osdev debugger and is ignored']);
  assert.deepEqual(unknownAttributes(null), []);
});

test('passthrough slots: every key the schema lists is one the validator reads, dev and addresses included', () => {
  const keys = Object.keys((LAUNCH_ATTRIBUTES.passthrough as { items: { properties: Record<string, unknown> } }).items.properties);
  assert.ok(keys.includes('dev') && keys.includes('addresses'));
  const r = validateLaunchConfig({ program: 'k.elf', passthrough: [{ name: 'rp0', backend: 'remote-port:tcp:127.0.0.1:9000', compatible: 'x', dev: 4, addresses: 'relative' }] });
  assert.ok(r.ok, r.ok ? '' : r.error);
  assert.deepEqual(r.value.passthrough[0].backend, { kind: 'remote-port', address: 'tcp:127.0.0.1:9000', dev: 4, addresses: 'relative' });
  const bad = validateLaunchConfig({ program: 'k.elf', passthrough: [{ name: 'rp0', backend: 'remote-port:tcp:127.0.0.1:9000', addresses: 'near' }] });
  assert.ok(!bad.ok && /passthrough\[0\].*addresses must be absolute or relative, got 'near'/.test(bad.error), bad.ok ? '' : bad.error);
  const stub = validateLaunchConfig({ program: 'k.elf', passthrough: [{ name: 's', backend: 'stub:m.json', dev: 1 }] });
  assert.ok(!stub.ok && /dev= is for remote-port backends/.test(stub.error), stub.ok ? '' : stub.error);
});

test('display in launch.json: true for QEMU\'s 1280x800, "WxH" for another size, anything else refused in words', () => {
  const size = (display: unknown) => { const r = validateLaunchConfig({ program: 'k.elf', display }); return r.ok ? r.value.display : r.error; };
  assert.deepEqual(size(true), { width: 1280, height: 800 });
  assert.deepEqual(size('1024x768'), { width: 1024, height: 768 });
  assert.equal(size(false), undefined);
  assert.equal(size(undefined), undefined);
  for (const bad of ['8x8', 'big', 3, '99999x10']) {
    assert.match(String(size(bad)), /^launch attribute "display" must be true, false or "WxH" \(16x16 to 8192x8192\)/, String(bad));
  }
});
