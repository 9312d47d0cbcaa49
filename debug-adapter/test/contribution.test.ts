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

test('adapter arguments: stdio by default, a loopback port, clear errors', () => {
  assert.deepEqual(parseDapArgs([]), { kind: 'stdio' });
  assert.deepEqual(parseDapArgs(['--stdio']), { kind: 'stdio' });
  assert.deepEqual(parseDapArgs(['--port', '4711']), { kind: 'port', port: 4711 });
  assert.deepEqual(parseDapArgs(['--port=4711']), { kind: 'port', port: 4711 });
  assert.match(parseDapArgs(['--port', '70000']) as string, /from 1 to 65535, got '70000'/);
  assert.match(parseDapArgs(['--tcp']) as string, /^usage:/);
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
