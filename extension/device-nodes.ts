/**
 * The Devices view's tree: what each node is, its children, and how it looks.
 * Groups (Emulated, Virtio, Passthrough) → devices → registers → fields; virtio devices
 * add their status, features and queues, passthrough devices their backend.
 * Nodes hold the last `osdev/devices` answer and nothing else: the view pulls again to refresh.
 */
import * as vscode from 'vscode';
import type { DeviceGroup, DeviceInfo, FieldValue, RegisterValue, VirtioQueueState } from '../debug-adapter';
import { formatFieldValue, formatRegisterValue } from './register-value';

export type DeviceNode =
  | { kind: 'group'; group: DeviceGroup; devices: DeviceInfo[] }
  | { kind: 'device'; device: DeviceInfo }
  | { kind: 'register'; device: DeviceInfo; register: RegisterValue }
  | { kind: 'field'; device: DeviceInfo; register: RegisterValue; field: FieldValue }
  | { kind: 'info'; id: string; label: string; description: string; tooltip?: string; children?: DeviceNode[] };

const GROUP_LABELS: Record<DeviceGroup, string> = { emulated: 'Emulated', virtio: 'Virtio', passthrough: 'Passthrough' };
const GROUP_ORDER: DeviceGroup[] = ['emulated', 'virtio', 'passthrough'];

/**
 * contextValue strings the menus in package.json match (`viewItem == ...` / `=~`).
 * Writable registers and fields get the edit action; passthrough devices say whether
 * they are plugged so only the opposite action shows.
 */
export const CONTEXT = {
  device: 'osdev.device',
  pluggedDevice: 'osdev.device.passthrough.plugged',
  unpluggedDevice: 'osdev.device.passthrough.unplugged',
  writableRegister: 'osdev.register.writable',
  readOnlyRegister: 'osdev.register.readonly',
  /** Appended to a register's value when it has a data breakpoint, so the menu offers Remove instead of Add. */
  watchedSuffix: '.watched',
  writableField: 'osdev.field.writable',
  readOnlyField: 'osdev.field.readonly',
} as const;

/** The top level: one group per kind of device present, in a fixed order. */
export function rootNodes(devices: DeviceInfo[]): DeviceNode[] {
  return GROUP_ORDER
    .map((group): DeviceNode => ({ kind: 'group', group, devices: devices.filter((d) => d.group === group) }))
    .filter((n) => n.kind === 'group' && n.devices.length > 0);
}

export function childNodes(node: DeviceNode): DeviceNode[] {
  switch (node.kind) {
    case 'group': return node.devices.map((device) => ({ kind: 'device', device }));
    case 'device': return [...deviceStateNodes(node.device), ...node.device.registers.map((register): DeviceNode => ({ kind: 'register', device: node.device, register }))];
    case 'register': return node.register.fields.map((field) => ({ kind: 'field', device: node.device, register: node.register, field }));
    case 'field': return [];
    case 'info': return node.children ?? [];
  }
}

/** How a register's data breakpoint is shown: its access type, or undefined when it has none. */
export type WatchOf = (device: string, register: string) => string | undefined;

export function treeItem(node: DeviceNode, watchOf: WatchOf): vscode.TreeItem {
  switch (node.kind) {
    case 'group': return groupItem(node.group, node.devices.length);
    case 'device': return deviceItem(node.device);
    case 'register': return registerItem(node.device, node.register, watchOf(node.device.name, node.register.name));
    case 'field': return fieldItem(node.device, node.register, node.field);
    case 'info': return infoItem(node);
  }
}

/** Stable ids keep each node's expanded state across refreshes. */
function nodeId(...parts: string[]): string {
  return parts.join('/');
}

function groupItem(group: DeviceGroup, count: number): vscode.TreeItem {
  const item = new vscode.TreeItem(GROUP_LABELS[group], vscode.TreeItemCollapsibleState.Expanded);
  item.id = nodeId(group);
  item.description = String(count);
  return item;
}

/** "0x10000000 · irq 10 · plugged": where it is, how it interrupts, whether it is there. */
export function deviceDescription(device: DeviceInfo): string {
  const parts = [device.base];
  if (device.irq !== undefined) parts.push(`irq ${device.irq}`);
  if (device.passthrough !== undefined) parts.push(device.passthrough.state);
  return parts.join(' · ');
}

function deviceItem(device: DeviceInfo): vscode.TreeItem {
  const item = new vscode.TreeItem(device.name, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = nodeId(device.group, device.name);
  item.description = deviceDescription(device);
  item.iconPath = new vscode.ThemeIcon(device.group === 'passthrough' ? 'plug' : device.group === 'virtio' ? 'server-process' : 'circuit-board');
  const tip = new vscode.MarkdownString();
  tip.appendMarkdown(`**${device.name}** — ${device.model}\n\n`);
  tip.appendMarkdown(`window ${device.base} + 0x${device.size.toString(16)}`);
  if (device.irq !== undefined) tip.appendMarkdown(`, PLIC source ${device.irq}`);
  if (device.compatible.length > 0) tip.appendMarkdown(`\n\ncompatible: ${device.compatible.map((c) => `\`${c}\``).join(', ')}`);
  item.tooltip = tip;
  item.contextValue = device.passthrough === undefined ? CONTEXT.device
    : device.passthrough.state === 'plugged' ? CONTEXT.pluggedDevice : CONTEXT.unpluggedDevice;
  return item;
}

function isWritable(register: RegisterValue): boolean {
  return register.access !== 'RO';
}

function registerItem(device: DeviceInfo, register: RegisterValue, watch: string | undefined): vscode.TreeItem {
  const collapsible = register.fields.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None;
  const item = new vscode.TreeItem(register.name, collapsible);
  item.id = nodeId(device.group, device.name, register.name);
  item.description = register.value === null && register.access === 'WO' ? 'write-only' : formatRegisterValue(register.value, register.width);
  const tip = new vscode.MarkdownString();
  tip.appendMarkdown(`**${device.name}.${register.name}** — ${register.doc}\n\n`);
  tip.appendMarkdown(`offset 0x${register.offset.toString(16)}, ${register.width * 8} bits, ${register.access}`);
  if (register.value === null) tip.appendMarkdown('\n\nValue unknown without a side effect (write-only, or held by a remote peer).');
  // Said here because these breakpoints are not in the Breakpoints view (watching-adapter.ts says why).
  tip.appendMarkdown(watch === undefined
    ? '\n\nAdd Data Breakpoint stops the guest when it accesses this register (listed here, not in Breakpoints).'
    : `\n\nData breakpoint: stops on ${watch}. Remove it here.`);
  item.tooltip = tip;
  item.contextValue = (isWritable(register) ? CONTEXT.writableRegister : CONTEXT.readOnlyRegister) + (watch === undefined ? '' : CONTEXT.watchedSuffix);
  if (watch !== undefined) item.iconPath = new vscode.ThemeIcon('debug-breakpoint-data');
  return item;
}

function fieldItem(device: DeviceInfo, register: RegisterValue, field: FieldValue): vscode.TreeItem {
  const [hi, lo] = field.bits;
  const item = new vscode.TreeItem(field.name, vscode.TreeItemCollapsibleState.None);
  item.id = nodeId(device.group, device.name, register.name, field.name);
  item.description = formatFieldValue(field.value, field.bits, field.text);
  const tip = new vscode.MarkdownString();
  tip.appendMarkdown(`**${register.name}.${field.name}** bits ${hi === lo ? hi : `${hi}:${lo}`}`);
  if (field.doc !== undefined) tip.appendMarkdown(` — ${field.doc}`);
  item.tooltip = tip;
  item.contextValue = isWritable(register) ? CONTEXT.writableField : CONTEXT.readOnlyField;
  return item;
}

function infoItem(node: Extract<DeviceNode, { kind: 'info' }>): vscode.TreeItem {
  const hasChildren = node.children !== undefined && node.children.length > 0;
  const item = new vscode.TreeItem(node.label, hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  item.description = node.description;
  if (node.tooltip !== undefined) item.tooltip = node.tooltip;
  item.iconPath = new vscode.ThemeIcon('info');
  return item;
}

/** Virtio status, features and queues; a passthrough slot's backend. Shown above the registers. */
function deviceStateNodes(device: DeviceInfo): DeviceNode[] {
  const base = nodeId(device.group, device.name);
  const nodes: DeviceNode[] = [];
  if (device.virtio !== undefined) {
    const v = device.virtio;
    nodes.push({ kind: 'info', id: `${base}#status`, label: 'Status', description: v.status || '0 (reset)' });
    nodes.push({
      kind: 'info', id: `${base}#features`, label: 'Features', description: v.features.length === 0 ? 'none negotiated' : v.features.join(' '),
      tooltip: v.features.join('\n'),
    });
    nodes.push({
      kind: 'info', id: `${base}#queues`, label: 'Queues', description: `${v.queues.filter((q) => q.ready).length} of ${v.queues.length} ready`,
      children: v.queues.map((q) => queueNode(base, q)),
    });
  }
  if (device.passthrough !== undefined) {
    const p = device.passthrough;
    nodes.push({ kind: 'info', id: `${base}#backend`, label: 'Backend', description: p.target === undefined ? p.backend : `${p.backend} ${p.target}` });
    if (p.dma !== undefined) nodes.push({ kind: 'info', id: `${base}#dma`, label: 'DMA window', description: `${p.dma.base} + 0x${p.dma.size.toString(16)}` });
  }
  return nodes;
}

function queueNode(deviceId: string, q: VirtioQueueState): DeviceNode {
  const state = q.ready ? `ready, size ${q.size}` : `not ready (max ${q.maxSize})`;
  const avail = q.availIdx === null ? '?' : String(q.availIdx);
  return {
    kind: 'info', id: `${deviceId}#queue${q.index}`, label: `Queue ${q.index}`,
    description: q.ready ? `${state} · avail ${avail} · next ${q.lastAvail} · used ${q.usedIdx}` : state,
    tooltip: `desc ${q.desc}\navail ${q.avail} (idx ${avail})\nused ${q.used} (idx ${q.usedIdx})\ndevice's next avail entry ${q.lastAvail}`,
  };
}
