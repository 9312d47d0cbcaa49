/**
 * Stub models: the file format (every error with its line and column, the JSON schema
 * VS Code uses listing the same keys) and the behaviour of a stub device.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MODEL_KEYS, parseStubModel, StubBackend, StubModel } from './stub';
import { parseLocatedJson } from './located-json';
import { FakeSlotContext } from './test-context';

const ROOT = path.resolve(__dirname, '../../../..');

function model(text: string): StubModel {
  const m = parseStubModel(text, 'm.json');
  assert.ok(m.ok, m.ok ? '' : m.error);
  return m.value;
}

function errorOf(text: string): string {
  const m = parseStubModel(text, 'm.json');
  assert.ok(!m.ok);
  return m.error;
}


const DEVICE = JSON.stringify({
  model: 'acme,timer', size: 256,
  registers: [
    { name: 'ID', offset: 0, width: 4, access: 'RO', reset: 0x12345678 },
    { name: 'CTRL', offset: 4, width: 4, fields: [{ name: 'IE', bits: [0, 0] }, { name: 'MODE', bits: [3, 1] }] },
    { name: 'CMD', offset: 8, width: 4, access: 'WO', fields: [{ name: 'GO', bits: [0, 0] }, { name: 'NOW', bits: [1, 1] }] },
    { name: 'STATUS', offset: 12, width: 4, access: 'W1C', fields: [{ name: 'DONE', bits: [0, 0] }, { name: 'ERR', bits: [1, 1] }] },
    { name: 'EVENTS', offset: 16, width: 2, access: 'RC', reset: 5 },
    { name: 'BUSY', offset: 20, width: 1, access: 'RO', sequence: [1, 1, 0] },
  ],
  triggers: [
    { on: 'CMD.GO', after: 1000, set: { 'STATUS.DONE': 1 } },
    { on: 'CMD.NOW', value: 1, set: { 'STATUS.ERR': 1, 'CTRL.MODE': 5 } },
  ],
  interrupt: ['STATUS.DONE & CTRL.IE', 'STATUS.ERR'],
}, null, 2);

test('stub: access rules, read sequences, timed and immediate triggers, interrupt terms', () => {
  const ctx = new FakeSlotContext({ base: 0, size: 0 });
  const b = new StubBackend(model(DEVICE), 'm.json');
  b.attach(ctx);
  b.write(0, 4, 0xffff, 0);
  assert.equal(b.read(0, 4), 0x12345678, 'RO ignores writes');
  assert.equal(b.read(1, 1), 0x56, 'a byte inside a register');
  b.write(8, 4, 0x80, 0);
  assert.equal(b.read(8, 4), 0, 'WO reads 0');
  assert.deepEqual([b.read(20, 1), b.read(20, 1), b.read(20, 1), b.read(20, 1)], [1, 1, 0, 0], 'the sequence, then its last value');
  assert.equal(b.peek(16, 2), 5, 'peek has no side effect');
  assert.equal(b.read(16, 2), 5);
  assert.equal(b.read(16, 2), 0, 'RC cleared by the read');

  b.write(4, 4, 1, 0); // IE
  b.write(8, 4, 1, 0); // GO: DONE in 1000 instructions
  assert.equal(b.nextDeadline(), 1000);
  ctx.clock = 999; b.tick();
  assert.equal(b.read(12, 4), 0);
  ctx.clock = 1000; b.tick();
  assert.equal(b.read(12, 4), 1);
  assert.equal(ctx.irq, true, 'DONE & IE');
  b.write(4, 4, 0, 0);
  assert.equal(ctx.irq, false, 'IE cleared');
  b.write(12, 4, 1, 0);
  assert.equal(b.read(12, 4), 0, 'W1C');
  assert.equal(b.nextDeadline(), undefined);

  b.write(8, 4, 2, 0); // NOW: at once
  assert.equal(b.read(12, 4), 2);
  assert.equal(ctx.irq, true, 'ERR alone raises the line');
  assert.equal((b.read(4, 4) >>> 1) & 7, 5, 'a field set by a trigger');
  b.reset();
  assert.equal(ctx.irq, false);
  assert.equal(b.read(12, 4), 0);
  assert.equal(b.read(20, 1), 1, 'sequences start again after reset');
});

test('stub model errors name the line and column', () => {
  assert.equal(errorOf('{\n  "model": "x",\n  "size": 4096,\n  "registers": [\n    { "name": "A", "offset": 0, "width": 4 },\n    { "name": "B", "offset": 2, "width": 2 }\n  ]\n}'),
    'm.json:6:30: registers.1.offset: overlaps register A');
  assert.equal(errorOf('{ "model": "x", "size": 4096, "registers": [], "colour": 1 }'), 'm.json:1:58: colour: unknown key (expected one of $schema, model, compatible, doc, size, registers, triggers, interrupt)');
  assert.equal(errorOf('{ "model": "x", "size": 1000, "registers": [] }'), 'm.json:1:25: size: must be a power of two from 4 to 256M');
  assert.match(errorOf('{ "model": "x", "size": 64, "registers": [{ "name": "A", "offset": 0, "width": 4 }],\n "triggers": [{ "on": "A.NOPE", "set": { "A": 1 } }] }'),
    /^m\.json:2:23: triggers\.0\.on: register A has no field 'NOPE'$/);
  assert.match(errorOf('{ "model": "x", "size": 64, "registers": [{ "name": "A", "offset": 0, "width": 1 }],\n "triggers": [{ "on": "A", "set": { "A": 256 } }] }'),
    /^m\.json:2:42: triggers\.0\.set\.A: A cannot hold 256$/);
  assert.match(errorOf('{ "model": "x", "size": 64, "registers": [{ "name": "A", "offset": 0, "width": 4, "fields": [{ "name": "F", "bits": [40, 0] }] }] }'),
    /registers\.0\.fields\.0\.bits: must be \[high, low\] inside the 32-bit register/);
  assert.match(errorOf('{ "model": "x",\n  "size": 64,\n  "registers": [}'), /^m\.json:3:17: unexpected '}'$/);
  assert.match(errorOf(''), /^m\.json:1:1: unexpected end of file$/);
  assert.match(errorOf('[' .repeat(100)), /nested too deeply/);
});

test('the JSON schema VS Code uses lists the keys the parser accepts', () => {
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'media/device-model.schema.json'), 'utf8'));
  const reg = schema.properties.registers.items;
  assert.deepEqual(Object.keys(schema.properties).sort(), [...MODEL_KEYS.model].sort());
  assert.deepEqual(Object.keys(reg.properties).sort(), [...MODEL_KEYS.register].sort());
  assert.deepEqual(Object.keys(reg.properties.fields.items.properties).sort(), [...MODEL_KEYS.field].sort());
  assert.deepEqual(Object.keys(schema.properties.triggers.items.properties).sort(), [...MODEL_KEYS.trigger].sort());
  // The test model in the guests folder is a valid model.
  model(fs.readFileSync(path.join(ROOT, 'emulator/test/guests/stub-dev.osdev-model.json'), 'utf8'));
});

test('located JSON: values as JSON.parse reads them, positions by path, duplicates refused', () => {
  const text = '{\n  "a": [1, -2.5e3, true, null],\n  "b": { "c": "x\\u0041\\n" }\n}';
  const r = parseLocatedJson(text);
  assert.ok(r.ok);
  assert.deepEqual(r.value.value, JSON.parse(text));
  assert.deepEqual(r.value.at('a/1'), { line: 2, column: 12 });
  assert.deepEqual(r.value.at('b/c'), { line: 3, column: 15 });
  const dup = parseLocatedJson('{"a": 1,\n "a": 2}');
  assert.ok(!dup.ok && dup.error === 'duplicate key "a"' && dup.at.line === 2);
  assert.ok(!parseLocatedJson('{"a": 1} x').ok);
  assert.ok(!parseLocatedJson('"abc').ok);
});
