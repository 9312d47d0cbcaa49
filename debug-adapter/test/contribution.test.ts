/**
 * package.json says what debug-adapter/contribution.ts says: the launch.json schema has
 * one home (launch-config.ts). Rerun `node scripts/debugger-contribution.mjs` after a change.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ACTIVATION_EVENTS, BREAKPOINT_LANGUAGES, debuggerContribution } from '../contribution';
import { LAUNCH_ATTRIBUTES, validateLaunchConfig } from '../launch-config';
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
