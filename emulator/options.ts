/**
 * The option syntax the command line and launch.json share: sizes, numbers, loopback
 * addresses, and the values of --drive, --net, --rng, --console and --passthrough
 * (launch.json `drives`, `net`, `rng`, `guestConsole`, `passthrough`). Pure: every bad
 * value is a message naming the bad part, never a stack trace.
 */
import { formatRemotePortAddress, parseRemotePortAddress } from './devices/passthrough/remote-port';
import { BLOCK_MODES, BlockMode, DriveOption, HostPort, NetOption, PassthroughBackendOption, PassthroughOption } from './backends';
import { DEFAULT_DISPLAY, MAX_DISPLAY, MIN_DISPLAY } from './devices/virtio/gpu';

export { MAX_DISPLAY, MIN_DISPLAY };

/** How guest code runs (`--engine`, launch.json `engine`): interpreted only, hot blocks as JavaScript, or as WebAssembly. */
export const ENGINES = ['interp', 'js', 'wasm'] as const;
export type Engine = typeof ENGINES[number];
/** The engine a machine runs with unless told otherwise (js where the host lacks WebAssembly). */
export const DEFAULT_ENGINE: Engine = 'wasm';

/** "128M", "1G", "65536K", "128" (MiB, as QEMU's -m). */
export function parseSize(s: string): number | undefined {
  const m = /^(\d+)([KMG]?)i?B?$/i.exec(s.trim());
  if (m === null) return undefined;
  const n = Number(m[1]);
  const unit = m[2].toUpperCase();
  const mult = unit === 'K' ? 1024 : unit === 'G' ? 1024 ** 3 : 1024 ** 2;
  return n * mult;
}

/** A whole number in [min, max]; `name` names the option in the message. */
export function intArg(name: string, v: string, min: number, max: number): number | string {
  if (!/^\d+$/.test(v)) return `${name} needs a whole number, got '${v}'`;
  const n = Number(v);
  if (n < min || n > max) return `${name} must be between ${min} and ${max}, got ${v}`;
  return n;
}

/**
 * `slot=N` of a virtio option: QEMU's virtio-mmio-bus.N (0 is the lowest address). Which
 * slots exist is the board's to say (checkHostFit); here only the form is checked.
 */
function slotValue(option: string, v: string | undefined): number | string {
  if (v === undefined || !/^\d{1,4}$/.test(v)) return `${option} slot= takes a slot number (0 is the lowest virtio-mmio address, QEMU's virtio-mmio-bus.0), got '${v ?? ''}'`;
  return Number(v);
}

/** `--rng` and launch.json `rng`: `[seeded|host][,slot=N]`. */
export function parseRng(spec: string): { source: 'seeded' | 'host'; slot?: number } | string {
  const out: { source: 'seeded' | 'host'; slot?: number } = { source: 'seeded' };
  for (const [i, p] of spec.split(',').entries()) {
    if (i === 0 && (p === 'seeded' || p === 'host')) { out.source = p; continue; }
    if (!p.startsWith('slot=')) return `--rng takes seeded or host, and slot=N, got '${spec}'`;
    const n = slotValue('--rng', p.slice(5));
    if (typeof n === 'string') return n;
    out.slot = n;
  }
  return out;
}

/** `--display` and launch.json `display`: '' for QEMU's 1280x800 (DEFAULT_DISPLAY), or `WxH`, each side from MIN_DISPLAY to MAX_DISPLAY. */
export function parseDisplay(v: string): { width: number; height: number } | string {
  if (v === '') return { ...DEFAULT_DISPLAY };
  const m = /^(\d+)x(\d+)$/.exec(v);
  const [w, h] = m === null ? [NaN, NaN] : [Number(m[1]), Number(m[2])];
  if (!(w >= MIN_DISPLAY && w <= MAX_DISPLAY && h >= MIN_DISPLAY && h <= MAX_DISPLAY)) return `--display takes a size WxH from ${MIN_DISPLAY}x${MIN_DISPLAY} to ${MAX_DISPLAY}x${MAX_DISPLAY}, got '${v}'`;
  return { width: w, height: h };
}

/** `--console` and launch.json `guestConsole`: `uart`, or `virtio[,slot=N]`. */
export function parseConsole(spec: string): { console: 'uart' | 'virtio'; slot?: number } | string {
  const [kind, ...rest] = spec.split(',');
  if (kind !== 'uart' && kind !== 'virtio') return `--console must be uart or virtio, got '${spec}'`;
  if (rest.length === 0) return { console: kind };
  if (kind === 'uart' || rest.length > 1 || !rest[0].startsWith('slot=')) return `--console takes uart, or virtio with slot=N, got '${spec}'`;
  const n = slotValue('--console', rest[0].slice(5));
  return typeof n === 'string' ? n : { console: kind, slot: n };
}

/** `PATH[,mode=overlay|writeback|readonly][,legacy][,serial=ID][,slot=N]`; a message naming the bad part otherwise. */
export function parseDrive(spec: string): DriveOption | string {
  const parts = spec.split(',');
  const d: DriveOption = { path: parts[0], mode: 'overlay', legacy: false };
  if (d.path === '') return `--drive needs a PATH first, got '${spec}'`;
  const seen = new Set<string>();
  for (const p of parts.slice(1)) {
    const [k, v] = p.includes('=') ? [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)] : [p, undefined];
    if (seen.has(k)) return `--drive option '${k}' given twice (in '${spec}')`;
    seen.add(k);
    if (k === 'mode' && v !== undefined) {
      if (!(BLOCK_MODES as readonly string[]).includes(v)) return `--drive mode must be ${BLOCK_MODES.join(', ')}, got '${v}'`;
      d.mode = v as BlockMode;
    } else if (k === 'legacy' && v === undefined) {
      d.legacy = true;
    } else if (k === 'serial' && v !== undefined) {
      if (new TextEncoder().encode(v).length > 20) return `--drive serial '${v}' is longer than 20 bytes`;
      d.serial = v;
    } else if (k === 'slot') {
      const n = slotValue('--drive', v);
      if (typeof n === 'string') return n;
      d.slot = n;
    } else {
      return `--drive option '${p}' is not mode=..., legacy, serial=... or slot=N (in '${spec}')`;
    }
  }
  return d;
}

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '::1'];
const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/** HOST:PORT on loopback; `what` names the option in the message ("--net udp"). */
export function hostPort(what: string, v: string): HostPort | string {
  const i = v.lastIndexOf(':');
  const host = v.slice(0, i), port = Number(v.slice(i + 1));
  if (i <= 0 || !/^\d+$/.test(v.slice(i + 1)) || port < 1 || port > 65535) return `${what} must be HOST:PORT, got '${v}'`;
  if (!LOOPBACK_HOSTS.includes(host) && !/^127\.\d+\.\d+\.\d+$/.test(host)) return `${what} must be a loopback address, got '${host}'`;
  return { host, port };
}

/** A number as 0x1000, 4096, or a size with K/M/G ("4K"). */
export function parseNumber(v: string): number | undefined {
  const t = v.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t, 16);
  if (/^\d+$/.test(t)) return Number(t);
  const m = /^(\d+)([KMG])$/i.exec(t);
  return m === null ? undefined : Number(m[1]) * 1024 ** ('KMG'.indexOf(m[2].toUpperCase()) + 1);
}

/** `stub:FILE`, `remote-port:unix:PATH`, `remote-port:tcp:127.0.0.1:PORT` or `none`. */
export function parseBackendSpec(v: string): PassthroughBackendOption | string {
  if (v === 'none') return { kind: 'none' };
  if (v.startsWith('stub:') && v.length > 5) return { kind: 'stub', model: v.slice(5) };
  if (v.startsWith('remote-port:')) {
    const addr = parseRemotePortAddress(v.slice('remote-port:'.length));
    return addr.ok ? { kind: 'remote-port', address: formatRemotePortAddress(addr.value) } : addr.error;
  }
  return `backend must be stub:MODEL.json, remote-port:unix:PATH, remote-port:tcp:127.0.0.1:PORT or none, got '${v}'`;
}

/** One `--passthrough` value; a message naming the bad part otherwise. */
export function parsePassthrough(spec: string): PassthroughOption | string {
  const pairs: [string, string][] = [];
  let rest = spec;
  while (rest !== '') {
    const eq = rest.indexOf('=');
    if (eq <= 0) return `--passthrough option '${rest.split(',')[0]}' is not KEY=VALUE (in '${spec}')`;
    const key = rest.slice(0, eq);
    // compatible= takes the rest: compatible strings hold commas ("acme,dma-1.0").
    const comma = key === 'compatible' ? -1 : rest.indexOf(',', eq);
    pairs.push([key, comma < 0 ? rest.slice(eq + 1) : rest.slice(eq + 1, comma)]);
    rest = comma < 0 ? '' : rest.slice(comma + 1);
  }
  const o = passthroughFromPairs(pairs);
  return typeof o === 'string' ? `--passthrough ${o} (in '${spec}')` : o;
}

/**
 * A passthrough slot from KEY=VALUE pairs: the one reading of the keys, for the CLI
 * and for launch.json objects (whose values arrive as strings). Backend options
 * (model, sync, timeout, dev, addresses) may come in any order.
 */
export function passthroughFromPairs(pairs: readonly [string, string][]): PassthroughOption | string {
  const o: PassthroughOption = { name: '', size: 0x1000, unplugged: 'ones', backend: { kind: 'none' } };
  const later = new Map<string, string>();
  let backendSeen = false;
  for (const [key, value] of pairs) {
    const num = () => parseNumber(value);
    switch (key) {
      case 'name': o.name = value; break;
      case 'base': { const n = num(); if (n === undefined) return `base '${value}' is not a number`; o.base = n; break; }
      case 'size': { const n = num(); if (n === undefined) return `size '${value}' is not a size`; o.size = n; break; }
      case 'irq': { const n = num(); if (n === undefined) return `irq '${value}' is not a number`; o.irq = n; break; }
      case 'dma': {
        const [b, z] = value.split(':');
        const base = b === undefined ? undefined : parseNumber(b), size = z === undefined ? undefined : parseNumber(z);
        if (base === undefined || size === undefined) return `dma must be BASE:SIZE, got '${value}'`;
        o.dma = { base, size };
        break;
      }
      case 'unplugged':
        if (value !== 'ones' && value !== 'fault') return `unplugged must be ones or fault, got '${value}'`;
        o.unplugged = value;
        break;
      case 'compatible': o.compatible = value; break;
      case 'backend': {
        const b = parseBackendSpec(value);
        if (typeof b === 'string') return b;
        o.backend = b;
        backendSeen = true;
        break;
      }
      case 'model': case 'sync': case 'timeout': case 'dev': case 'addresses': later.set(key, value); break;
      default: return `key '${key}' is not name, backend, base, size, irq, dma, unplugged, model, sync, timeout, dev, addresses or compatible`;
    }
  }
  if (o.name === '') return 'needs name=NAME';
  if (!backendSeen) return 'needs backend=stub:MODEL.json, remote-port:ADDRESS or none';
  for (const [key, value] of later) {
    if (o.backend.kind !== 'remote-port') return `${key}= is for remote-port backends`;
    if (key === 'model') { o.backend.model = value; continue; }
    if (key === 'addresses') {
      if (value !== 'absolute' && value !== 'relative') return `addresses must be absolute or relative, got '${value}'`;
      o.backend.addresses = value;
      continue;
    }
    const n = intArg(key, value, key === 'dev' ? 0 : 1, key === 'sync' ? 1e12 : key === 'dev' ? 0xffff_ffff : 3_600_000);
    if (typeof n === 'string') return n;
    if (key === 'sync') o.backend.syncQuantum = n; else if (key === 'dev') o.backend.dev = n; else o.backend.timeoutMs = n;
  }
  return o;
}

/** One `--net` value; a message naming the bad part otherwise. */
export function parseNet(spec: string): NetOption | string {
  const [kind, ...rest] = spec.split(',');
  const opts = new Map<string, string | undefined>();
  for (const p of rest) {
    const eq = p.indexOf('=');
    opts.set(eq < 0 ? p : p.slice(0, eq), eq < 0 ? undefined : p.slice(eq + 1));
  }
  const common: { legacy: boolean; mac?: string; pcap?: string; slot?: number } = { legacy: opts.has('legacy'), mac: opts.get('mac'), pcap: opts.get('pcap') };
  for (const [k, v] of opts) {
    const known = k === 'legacy' || (k === 'listen' && kind === 'unix') ? v === undefined
      : ['mac', 'pcap', 'slot', ...(kind === 'socket' ? ['udp', 'localaddr'] : kind === 'unix' ? ['path'] : [])].includes(k) && v !== undefined && v !== '';
    if (!known) return `--net option '${v === undefined ? k : `${k}=${v}`}' is not understood for ${kind} (in '${spec}')`;
  }
  if (opts.has('slot')) {
    const n = slotValue('--net', opts.get('slot'));
    if (typeof n === 'string') return n;
    common.slot = n;
  }
  if (common.mac !== undefined && !MAC_RE.test(common.mac)) return `--net mac must look like 52:54:00:12:34:56, got '${common.mac}'`;
  if (kind === 'loopback') return { backend: 'loopback', ...common };
  if (kind === 'socket') {
    const udp = opts.get('udp'), local = opts.get('localaddr');
    if (udp === undefined || local === undefined) return `--net socket needs udp=HOST:PORT and localaddr=HOST:PORT (in '${spec}')`;
    const remote = hostPort('--net udp', udp), loc = hostPort('--net localaddr', local);
    if (typeof remote === 'string') return remote;
    if (typeof loc === 'string') return loc;
    return { backend: 'socket', remote, local: loc, ...common };
  }
  if (kind === 'unix') {
    const p = opts.get('path');
    if (p === undefined) return `--net unix needs path=SOCKET (in '${spec}')`;
    return { backend: 'unix', path: p, listen: opts.has('listen'), ...common };
  }
  return `--net takes loopback, socket or unix, got '${kind}'`;
}
