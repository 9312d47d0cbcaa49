/**
 * The quick fix for "no emulator model for compatible …": a passthrough stub model file
 * (emulator/devices/passthrough/stub.ts; media/device-model.schema.json) for the node,
 * written next to the DTS as `<node-name>.osdev-model.json`. It is a starting point the
 * user edits: a few plain 32-bit RW registers across the node's `reg` window.
 */

import { DtNode, regWindows, strings } from '../../emulator';

/** The window a stub may declare (stub.ts: a power of two from 4 bytes to 256 MiB). */
const MIN_SIZE = 4;
const MAX_SIZE = 0x1000_0000;
/** Registers in a generated model: enough to show the format, few enough to read at a glance. */
const MAX_REGISTERS = 4;

/** The file name for a node's model: its name, with what a file name may not hold replaced. */
export function stubFileName(node: DtNode): string {
  return `${node.name.replace(/[^A-Za-z0-9,._+@-]/g, '_')}.osdev-model.json`;
}

/** The node's first `reg` window size rounded up to a power of two the stub format accepts. */
function windowSize(node: DtNode): number {
  const w = regWindows(node);
  const size = w.ok && w.value.length > 0 ? w.value[0].size : 0n;
  if (size <= BigInt(MIN_SIZE)) return size === 0n ? 0x1000 : MIN_SIZE;
  if (size >= BigInt(MAX_SIZE)) return MAX_SIZE;
  let p = MIN_SIZE;
  while (BigInt(p) < size) p *= 2;
  return p;
}

/**
 * The JSON text of a stub model for `node`: `model` and `compatible` are the node's
 * first compatible string (what made the warning), registers REG0… at 0, 4, 8, 12.
 * `schemaPath` (relative to the file) lets editors without the extension check it.
 */
export function stubModelText(node: DtNode, schemaPath?: string): string {
  const compatible = strings(node, 'compatible')?.[0] ?? node.baseName;
  const size = windowSize(node);
  const count = Math.max(1, Math.min(MAX_REGISTERS, size / 4));
  const registers = Array.from({ length: count }, (_, i) => ({
    name: `REG${i}`, offset: i * 4, width: 4, access: 'RW', reset: 0, doc: `register at +0x${(i * 4).toString(16)} (rename, add fields)`,
  }));
  const model: Record<string, unknown> = {
    ...(schemaPath !== undefined ? { $schema: schemaPath } : {}),
    model: compatible,
    compatible: [compatible],
    doc: `Stub for ${node.path}, written by the device-tree quick fix: describe the real registers here.`,
    size,
    registers,
  };
  // One register per line, as the hand-written models are laid out.
  const head = JSON.stringify(model, null, 2).split('\n');
  const start = head.findIndex((l) => l.trimStart().startsWith('"registers"'));
  const lines = [...head.slice(0, start), '  "registers": [', registers.map((r) => `    ${JSON.stringify(r)}`).join(',\n'), '  ]', '}'];
  return lines.join('\n') + '\n';
}
