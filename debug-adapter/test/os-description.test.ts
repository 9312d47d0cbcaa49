/**
 * OS descriptions (os-description.ts): the built-ins pass the checks a user's file gets,
 * media/os-description.schema.json (what VS Code completes and checks in the editor) names
 * the same properties as the parser, and each kind of mistake is named.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUILT_IN, CONTEXT_REGISTERS, LINUX, parseOsDescription, XV6 } from '../os-description';

const ROOT = path.resolve(__dirname, '../../..');
const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'media/os-description.schema.json'), 'utf8'));

test('the built-in descriptions pass the checks a user\'s file gets', () => {
  for (const d of BUILT_IN) assert.deepEqual(parseOsDescription(JSON.parse(JSON.stringify(d)), d.name), { ok: true, value: d });
});

test('the schema and the parser know the same properties and registers', () => {
  const props = Object.keys(schema.properties).sort();
  for (const d of [LINUX, XV6]) for (const k of Object.keys(d)) assert.ok(props.includes(k), `schema has ${k}`);
  const rejected = props.filter((k) => k !== '$schema' && !parseOsDescription({ ...XV6, [k]: (XV6 as unknown as Record<string, unknown>)[k] }, 'x').ok);
  assert.deepEqual(rejected, []);
  assert.equal(parseOsDescription({ ...XV6, extra: 1 }, 'x').ok, false);
  assert.deepEqual(Object.keys(schema.properties.context.properties).sort(), ['pc', ...Object.keys(CONTEXT_REGISTERS)].sort());
  assert.deepEqual(Object.keys(schema.properties.running.properties).sort(), ['M', 'S', 'U', 'any']);
});

test('a description\'s mistakes are named', () => {
  const error = (json: unknown) => { const r = parseOsDescription(json, 'mine.osdev-os.json'); assert.equal(r.ok, false); return r.ok ? '' : r.error; };
  assert.match(error([]), /mine\.osdev-os\.json: an OS description is a JSON object/);
  assert.match(error({ ...XV6, tasks: { array: '' } }), /"tasks" must be/);
  assert.match(error({ ...XV6, running: { H: '$tp' } }), /"running" must map/);
  assert.match(error({ ...XV6, context: { pc: '$task->pc', sp: '$task->sp', x5: '$task->t0' } }), /"context.x5" must be a register/);
  assert.match(error({ ...XV6, stateNames: [{ value: 'one', name: 'x' }] }), /"stateNames" must be a list/);
  assert.match(error({ ...XV6, id: 3 }), /"id" must be a C expression/);
});
