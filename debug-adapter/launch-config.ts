/**
 * launch.json attributes of debug type `osdev`: the schema (written once, here; the
 * package.json `contributes.debuggers` entry is generated from it by
 * scripts/debugger-contribution.js and a test checks they agree) and the one validator
 * every launch config goes through, which names the attribute that is wrong.
 */
import {
  DEFAULT_ENGINE, Engine, ENGINES, checkIsa, DriveOption, HostPort, hostPort, MAX_HARTS, MAX_MEMORY_BYTES, NetOption, parseConsole, parseDrive, parseNet,
  MAX_DISPLAY, parseDisplay, parseNumber, parseRng, parseSize, passthroughFromPairs, PassthroughOption,
} from '../emulator';

export const DEBUG_TYPE = 'osdev';

export interface LaunchConfig {
  /** The kernel; with `replay`, the replay file names it (empty until the file is read). */
  program: string;
  /** A replay file ("OS Dev: Save Replay"): it gives the program, images and machine, and the run up to where it was saved. */
  replay?: string;
  /** 'none', 'builtin', a firmware path, or undefined: the program's default (emulator defaultBios). */
  bios?: string;
  memoryBytes: number;
  harts: number;
  xlen?: 32 | 64;
  /** The harts' ISA as a riscv,isa string (F, D, Zba, ...; its XLEN is `xlen`). */
  isa?: string;
  /** Which OS's tasks to show as threads: "auto" (default), "none", "xv6-riscv", "linux", or a *.osdev-os.json path. */
  os: string;
  append?: string;
  initrd?: string;
  /** A snapshot file (`osdev-emu run --snapshot-at`) to start from instead of reset. */
  restore?: string;
  stopOnEntry: boolean;
  stepInterrupts: 'masked' | 'enabled';
  /** How guest code runs; undefined: the worker's default (js). */
  engine?: Engine;
  cwd?: string;
  /** Compile-time path prefix → local path prefix, for sources built elsewhere. */
  sourceFileMap: Record<string, string>;
  /** virtio-blk disks, first in slot order (paths relative to `cwd`); each may ask for a slot. */
  drives: DriveOption[];
  /** virtio-net links, after the drives. */
  net: NetOption[];
  rng?: 'seeded' | 'host';
  /** `rng: "host,slot=N"`: the slot asked for, in QEMU's numbering. */
  rngSlot?: number;
  /** A screen (virtio-gpu, keyboard, tablet) offering this display size; absent: none. */
  display?: { width: number; height: number };
  /** The console device the guest reads: UART0 or an added virtio-console. */
  guestConsole: 'uart' | 'virtio';
  /** `guestConsole: "virtio,slot=N"`: the slot asked for. */
  guestConsoleSlot?: number;
  /** Where the guest console shows: a terminal in VS Code, or the Debug Console. */
  console: 'terminal' | 'debugConsole';
  /** Passthrough slots (paths in backends relative to `cwd`). */
  passthrough: PassthroughOption[];
  /** UART0 on a loopback TCP port instead of the console. */
  serialTcp?: HostPort;
  /** The GDB remote stub on this loopback port (0: any free port). */
  gdbServer?: number;
  /** More ELF files whose symbols, lines and unwind tables to use, each moved by `offset`. */
  symbols: { path: string; offset: bigint }[];
  /** A device-tree source to build the machine from (relative to `cwd`). */
  machine?: string;
}

/** JSON schema of each attribute, as package.json's configurationAttributes.launch.properties. */
export const LAUNCH_ATTRIBUTES = {
  program: {
    type: 'string',
    description: 'The kernel to boot: a RISC-V ELF executable (or a raw image with a firmware in "bios").',
    default: '${workspaceFolder}/kernel.elf',
  },
  bios: {
    type: 'string',
    description: 'Firmware: "none" enters the kernel in M-mode at its own addresses (like QEMU -bios none), "builtin" enters it in S-mode behind the emulator\'s own SBI v2.0 (no firmware file; the default for a Linux Image), or a path to firmware such as OpenSBI\'s fw_dynamic.elf.',
    default: 'none',
  },
  machine: {
    type: 'string',
    description: 'A device-tree source (.dts) to build the machine from instead of the virt board: memory, harts and every device at the addresses it gives; nodes the emulator does not emulate become passthrough stub slots. The guest gets that tree. "osdev-emu dts --preset virt" prints the default machine as a starting point. Replaces "memory", "harts" and "xlen".',
  },
  memory: {
    type: 'string',
    description: 'RAM size, e.g. "128M" or "1G" (a bare number is MiB).',
    default: '128M',
  },
  harts: {
    type: 'integer',
    description: 'Number of harts (CPUs), each shown as a thread.',
    minimum: 1,
    maximum: MAX_HARTS,
    default: 1,
  },
  xlen: {
    type: 'integer',
    enum: [32, 64],
    description: 'Base ISA width; by default the ELF class of "program".',
  },
  os: {
    type: 'string',
    description: 'The guest\'s tasks as threads in the call stack, read from its memory through the kernel\'s DWARF types: "auto" (the default) recognises xv6-riscv and Linux by their symbols, "none" shows harts only, "xv6-riscv" or "linux" choose one, or the path of your own OS description (*.osdev-os.json, schema in the extension\'s media folder).',
    default: 'auto',
  },
  isa: {
    type: 'string',
    description: 'The harts\' ISA as a riscv,isa string, e.g. "rv64imac" to leave out F, D and Zba-Zbs, or "rv64gc_zba_zbb_zbc_zbs_zicbom_zicboz_svpbmt" to add Zicbom, Zicboz and Svpbmt. Default: QEMU 7.2\'s rv64 (rv32) CPU, rv64imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc. Gives "xlen" too.',
  },
  append: {
    type: 'string',
    description: 'Kernel command line (/chosen/bootargs in the device tree).',
  },
  initrd: {
    type: 'string',
    description: 'Initial ramdisk, placed as QEMU does and named in /chosen.',
  },
  replay: {
    type: 'string',
    description: 'Open a replay file (saved with "OS Dev: Save Replay"): the session boots the program, images and machine it names (checked by hash: a file that differs is named), runs the recorded session again with its input, and stops where it was saved, with its history for Step Back and Reverse Continue. Replaces "program" and every attribute that describes the machine.',
  },
  restore: {
    type: 'string',
    description: 'Start from this snapshot file (written by `osdev-emu run --snapshot-at N FILE`) instead of reset: the session stops where it was taken. The program, firmware, initrd, drives and machine options must be those it was taken with (checked: a mismatch names the image).',
  },
  stopOnEntry: {
    type: 'boolean',
    description: 'Stop at the kernel\'s entry point.',
    default: false,
  },
  engine: {
    type: 'string',
    enum: [...ENGINES],
    enumDescriptions: [
      'Every instruction interpreted: the reference, slowest.',
      'Hot blocks translated to JavaScript functions.',
      'Hot blocks compiled to WebAssembly, whole hot pages at a time (the default; js where the host lacks WebAssembly).',
    ],
    description: 'How guest code runs. All three retire the same instructions; breakpoints, watchpoints, stepping and time travel work the same in each.',
    default: DEFAULT_ENGINE,
  },
  stepInterrupts: {
    type: 'string',
    enum: ['masked', 'enabled'],
    enumDescriptions: [
      'Single steps hold pending interrupts back, so a timer does not throw each step into the trap handler.',
      'Single steps take pending interrupts as the guest would.',
    ],
    description: 'Whether pending interrupts are taken while stepping.',
    default: 'masked',
  },
  sourceFileMap: {
    type: 'object',
    description: 'Source paths as the compiler saw them → where they are here, e.g. {"/build/linux": "${workspaceFolder}"}. Longest prefix wins.',
    additionalProperties: { type: 'string' },
    default: {},
  },
  cwd: {
    type: 'string',
    description: 'Folder that relative paths in this configuration start from.',
    default: '${workspaceFolder}',
  },
  drives: {
    type: 'array',
    items: { type: 'string' },
    description: 'Disk images for virtio-blk devices, as osdev-emu --drive: "PATH[,mode=overlay|writeback|readonly][,legacy][,serial=ID][,slot=N]". overlay (the default) never writes the file. Virtio devices fill slots from 0x10008000 down, as on QEMU; ",slot=N" puts one in slot N, QEMU\'s bus=virtio-mmio-bus.N (slot 0 is 0x10001000, where xv6-riscv looks for its disk).',
    default: [],
  },
  net: {
    type: 'array',
    items: { type: 'string' },
    description: 'virtio-net links, as osdev-emu --net: "loopback" or "socket,udp=127.0.0.1:PORT,localaddr=127.0.0.1:PORT" (loopback addresses only), with ",mac=...", ",pcap=FILE", ",legacy", ",slot=N".',
    default: [],
  },
  rng: {
    type: 'string',
    anyOf: [{ enum: ['seeded', 'host'] }, { pattern: '^((seeded|host),)?slot=[0-9]+$' }],
    description: 'Add a virtio-rng device: reproducible seeded bytes, or host entropy, as osdev-emu --rng; ",slot=N" puts it in virtio slot N (e.g. "host,slot=1").',
  },
  display: {
    anyOf: [{ type: 'boolean' }, { type: 'string', pattern: '^[0-9]+x[0-9]+$' }],
    description: 'A screen, as osdev-emu --display: a virtio-gpu (2D) with a virtio keyboard and tablet, after the other virtio devices (QEMU\'s -device virtio-gpu-device -device virtio-keyboard-device -device virtio-tablet-device). true offers QEMU\'s 1280x800 display; "WxH" another size. The screen opens in a panel when the guest sets a scanout.',
    default: false,
  },
  guestConsole: {
    type: 'string',
    anyOf: [{ enum: ['uart', 'virtio'] }, { pattern: '^virtio,slot=[0-9]+$' }],
    description: 'Console device the guest gets input from: UART0, or an added virtio-console, as osdev-emu --console; "virtio,slot=N" puts it in virtio slot N.',
    default: 'uart',
  },
  console: {
    type: 'string',
    enum: ['terminal', 'debugConsole'],
    enumDescriptions: [
      'A terminal connected to the guest console: what you type goes to the guest.',
      'Guest output in the Debug Console (input: the osdev/consoleInput request).',
    ],
    description: 'Where the guest console is shown.',
    default: 'debugConsole',
  },
  passthrough: {
    type: 'array',
    description: 'Passthrough slots: an MMIO window with a PLIC line (and a DMA window) served by a stub model file or a Remote-Port peer; plug, unplug and switch backends from the Devices view while the guest runs.',
    items: {
      type: 'object',
      required: ['name', 'backend'],
      properties: {
        name: { type: 'string', description: 'Device and device-tree node name, e.g. "dma0".' },
        backend: { type: 'string', description: '"stub:MODEL.osdev-model.json", "remote-port:unix:PATH", "remote-port:tcp:127.0.0.1:PORT" or "none". A Remote-Port address nobody listens at is listened at, for the peer to connect.' },
        base: { type: ['string', 'integer'], description: 'Physical base address; default: the next free place from 0x4000000.' },
        size: { type: ['string', 'integer'], description: 'Window size (a power of two), default 0x1000.' },
        irq: { type: 'integer', description: 'PLIC source; default: the next free one from 64.' },
        compatible: { type: 'string', description: 'Device-tree compatible string; a stub model brings its own.' },
        dma: { type: 'string', description: 'DMA window "BASE:SIZE" inside RAM, e.g. "0x80000000:0x8000000".' },
        unplugged: { type: 'string', enum: ['ones', 'fault'], description: 'What accesses do while unplugged: read all-ones, or fault.' },
        model: { type: 'string', description: 'Remote-Port only: a model file naming the peer\'s registers for the Devices view and the trace.' },
        sync: { type: 'integer', description: 'Remote-Port only: a SYNC every N instructions (default 100000).' },
        timeout: { type: 'integer', description: 'Remote-Port only: milliseconds to wait for the peer before the slot is unplugged (default 5000).' },
        dev: { type: 'integer', description: 'Remote-Port only: the device id on the wire (Xilinx QEMU\'s rp-chan); default: the slot\'s index among the passthrough slots.' },
        addresses: { type: 'string', enum: ['absolute', 'relative'], description: 'Remote-Port only: guest accesses carry guest-physical addresses ("absolute", the default, as Xilinx QEMU\'s memory master) or offsets in the slot ("relative").' },
      },
    },
    default: [],
  },
  symbols: {
    type: 'array',
    description: 'More ELF files to take symbols, source lines and unwind tables from (firmware, a user program, a module), each with the offset it was loaded at relative to its link addresses. The kernel\'s and an ELF bios\'s come without asking.',
    items: {
      anyOf: [
        { type: 'string', description: 'Path of an ELF file (offset 0).' },
        {
          type: 'object',
          required: ['path'],
          properties: {
            path: { type: 'string', description: 'Path of an ELF file.' },
            offset: { type: ['string', 'integer'], description: 'Load offset added to its addresses, e.g. "0x40000000".' },
          },
        },
      ],
    },
    default: [],
  },
  serial: {
    type: 'array',
    description: 'Serve a UART on a loopback TCP port, like QEMU -serial tcp::PORT,server: a terminal program or a test script talks to the guest there.',
    items: {
      type: 'object',
      required: ['uart', 'tcp'],
      properties: {
        uart: { type: 'string', enum: ['uart0'], description: 'The UART (the virt board has one).' },
        tcp: { type: 'integer', minimum: 1, maximum: 65535, description: 'Port on 127.0.0.1.' },
      },
    },
    default: [],
  },
  gdbServer: {
    type: 'integer',
    minimum: 0,
    maximum: 65535,
    description: 'Also serve the GDB remote protocol on this port of 127.0.0.1 while VS Code debugs (like QEMU -gdb tcp::PORT): gdb-multiarch attaches with "target remote 127.0.0.1:PORT" beside VS Code, both see the same stops and either continues the machine. 0 takes a free port, named in the Debug Console. Not in VS Code for the Web.',
  },
} as const;

export const REQUIRED_ATTRIBUTES = ['program'] as const;

export type Validated<T> = { ok: true; value: T } | { ok: false; error: string };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A list attribute of option strings parsed as the CLI parses them (`drives`, `net`):
 * the values, or what is wrong with the first bad one (the CLI's flag name dropped).
 */
function specList<T>(value: unknown, parse: (spec: string) => T | string, flag: string): T[] | string {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return `must be a list of strings like the ${flag.trim()} option takes`;
  const out: T[] = [];
  for (const spec of value) {
    const v = typeof spec === 'string' ? parse(spec) : `must hold strings, got ${JSON.stringify(spec)}`;
    if (typeof v === 'string') return v.startsWith(flag) ? v.slice(flag.length) : v;
    out.push(v);
  }
  return out;
}

/**
 * Attributes every launch configuration may carry that VS Code itself reads or adds
 * (debugConfiguration schema, Run Without Debugging, compounds); keys starting with `__`
 * are VS Code's bookkeeping (`__sessionId`, `__configurationTarget`, `__restart`...).
 */
const CLIENT_ATTRIBUTES = new Set([
  'type', 'request', 'name', 'preLaunchTask', 'postDebugTask', 'internalConsoleOptions', 'presentation', 'debugServer',
  'suppressMultipleSessionWarning', 'noDebug', 'linux', 'osx', 'windows', 'serverReadyAction',
]);

/** Levenshtein distance, case-insensitive: how far a misspelling is from a known name. */
function editDistance(a: string, b: string): number {
  const x = a.toLowerCase(), y = b.toLowerCase();
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    row = next;
  }
  return row[y.length];
}

/**
 * One line per attribute this debugger does not know (a typo such as "stopOnEntri" would
 * otherwise be ignored without a word), naming the nearest known attribute when one is close.
 */
export function unknownAttributes(args: unknown): string[] {
  if (!isObj(args)) return [];
  const known = Object.keys(LAUNCH_ATTRIBUTES);
  return Object.keys(args).filter((k) => !(k in LAUNCH_ATTRIBUTES) && !CLIENT_ATTRIBUTES.has(k) && !k.startsWith('__')).map((k) => {
    const nearest = known.map((name) => ({ name, d: editDistance(k, name) })).sort((p, q) => p.d - q.d)[0];
    // Close means a few edits, fewer than a third of the name: "stopOnEntri", not "env".
    const close = nearest !== undefined && nearest.d <= Math.max(1, Math.floor(nearest.name.length / 3));
    return `launch attribute "${k}" is not known to the osdev debugger and is ignored${close ? `: did you mean "${nearest.name}"?` : ''}`;
  });
}

/** Attributes a replay file gives (launch attribute `replay`). */
const REPLAY_GIVES = ['program', 'bios', 'machine', 'memory', 'harts', 'xlen', 'isa', 'append', 'initrd', 'restore', 'stepInterrupts',
  'drives', 'net', 'rng', 'display', 'guestConsole', 'passthrough', 'serial'];

/** The one validator for launch configs: `args` is whatever the client sent. */
export function validateLaunchConfig(args: unknown): Validated<LaunchConfig> {
  if (!isObj(args)) return { ok: false, error: 'the launch configuration is not an object' };
  const bad = (name: string, what: string): Validated<LaunchConfig> =>
    ({ ok: false, error: `launch attribute "${name}" ${what}` });
  const str = (name: string) => args[name] === undefined || typeof args[name] === 'string';

  if (args.replay !== undefined) {
    if (typeof args.replay !== 'string' || args.replay.trim() === '') return bad('replay', 'must be the path of a replay file (*.osdev-replay)');
    // The file gives these; two sources for one fact would disagree.
    const clash = REPLAY_GIVES.find((k) => args[k] !== undefined);
    if (clash !== undefined) return bad(clash, 'cannot be used with "replay": the replay file gives the program, the images and the machine');
  } else if (typeof args.program !== 'string' || args.program.trim() === '') {
    return bad('program', args.program === undefined ? 'is missing: give the path of the kernel ELF to boot' : 'must be a non-empty path');
  }
  for (const name of ['bios', 'memory', 'append', 'initrd', 'restore', 'cwd', 'stepInterrupts', 'machine', 'isa', 'os']) {
    if (!str(name)) return bad(name, `must be a string, got ${JSON.stringify(args[name])}`);
  }
  if (args.machine !== undefined) {
    // The file describes these; two sources for one fact would disagree sooner or later.
    const clash = ['memory', 'harts', 'xlen', 'isa', 'passthrough'].find((k) => args[k] !== undefined);
    if (clash !== undefined) return bad(clash, `cannot be used with "machine": the machine file gives ${clash === 'passthrough' ? 'the devices' : clash === 'isa' ? 'the ISA (riscv,isa)' : `the ${clash}`}`);
    if ((args.machine as string).trim() === '') return bad('machine', 'must be the path of a .dts file');
  }
  let memoryBytes = 128 * 1024 * 1024;
  if (args.memory !== undefined) {
    const n = typeof args.memory === 'string' ? parseSize(args.memory) : undefined;
    if (n === undefined) return bad('memory', `must be a size like "128M" or "1G", got ${JSON.stringify(args.memory)}`);
    if (n < 2 * 1024 * 1024 || n > MAX_MEMORY_BYTES || n % 4096 !== 0) {
      return bad('memory', `must be a multiple of 4K between 2M and ${MAX_MEMORY_BYTES / 1024 ** 3}G, got ${JSON.stringify(args.memory)}`);
    }
    memoryBytes = n;
  }
  const harts = args.harts ?? 1;
  if (typeof harts !== 'number' || !Number.isInteger(harts) || harts < 1 || harts > MAX_HARTS) {
    return bad('harts', `must be a whole number from 1 to ${MAX_HARTS}, got ${JSON.stringify(args.harts)}`);
  }
  if (args.xlen !== undefined && args.xlen !== 32 && args.xlen !== 64) return bad('xlen', `must be 32 or 64, got ${JSON.stringify(args.xlen)}`);
  let xlen = args.xlen as 32 | 64 | undefined;
  if (args.isa !== undefined) {
    const isa = checkIsa(args.isa as string);
    if (!isa.ok) return bad('isa', isa.error);
    if (xlen !== undefined && xlen !== isa.value) return bad('isa', `is rv${isa.value} but "xlen" is ${xlen}`);
    xlen = isa.value;
  }
  if (args.stopOnEntry !== undefined && typeof args.stopOnEntry !== 'boolean') {
    return bad('stopOnEntry', `must be true or false, got ${JSON.stringify(args.stopOnEntry)}`);
  }
  const map = args.sourceFileMap ?? {};
  if (!isObj(map) || !Object.values(map).every((v) => typeof v === 'string')) {
    return bad('sourceFileMap', 'must be an object mapping compile-time paths to local paths (strings)');
  }
  const drives = specList(args.drives, parseDrive, '--drive ');
  if (typeof drives === 'string') return bad('drives', drives);
  const net = specList(args.net, parseNet, '--net ');
  if (typeof net === 'string') return bad('net', net);
  const rng = args.rng === undefined ? undefined : typeof args.rng === 'string' ? parseRng(args.rng) : 'not a string';
  if (typeof rng === 'string') return bad('rng', `must be "seeded" or "host", optionally with ",slot=N", got ${JSON.stringify(args.rng)}`);
  const display = args.display === undefined || args.display === false ? undefined : args.display === true ? parseDisplay('')
    : typeof args.display === 'string' ? parseDisplay(args.display) : 'not a size';
  if (typeof display === 'string') return bad('display', `must be true, false or "WxH" (16x16 to ${MAX_DISPLAY}x${MAX_DISPLAY}), got ${JSON.stringify(args.display)}`);
  const guestConsole = args.guestConsole === undefined ? { console: 'uart' as const } : typeof args.guestConsole === 'string' ? parseConsole(args.guestConsole) : 'not a string';
  if (typeof guestConsole === 'string') return bad('guestConsole', `must be "uart", "virtio" or "virtio,slot=N", got ${JSON.stringify(args.guestConsole)}`);
  if (args.console !== undefined && args.console !== 'terminal' && args.console !== 'debugConsole') {
    return bad('console', `must be "terminal" or "debugConsole", got ${JSON.stringify(args.console)}`);
  }
  const passthrough: PassthroughOption[] = [];
  if (args.passthrough !== undefined && !Array.isArray(args.passthrough)) return bad('passthrough', 'must be a list of slots like { "name": "dma0", "backend": "stub:dma.osdev-model.json" }');
  for (const [i, slot] of ((args.passthrough ?? []) as unknown[]).entries()) {
    if (!isObj(slot)) return bad(`passthrough[${i}]`, 'must be an object with "name" and "backend"');
    const pairs: [string, string][] = [];
    for (const [k, v] of Object.entries(slot)) {
      if (typeof v !== 'string' && typeof v !== 'number') return bad(`passthrough[${i}].${k}`, `must be a string or a number, got ${JSON.stringify(v)}`);
      pairs.push([k, String(v)]);
    }
    const p = passthroughFromPairs(pairs);
    if (typeof p === 'string') return bad(`passthrough[${i}]`, p);
    passthrough.push(p);
  }
  let serialTcp: HostPort | undefined;
  if (args.serial !== undefined) {
    const list = args.serial;
    if (!Array.isArray(list) || list.length > 1 || !list.every((x) => isObj(x) && x.uart === 'uart0' && Number.isInteger(x.tcp))) {
      return bad('serial', 'must be a list with at most one { "uart": "uart0", "tcp": PORT }');
    }
    if (list.length === 1) {
      const hp = hostPort('tcp', `127.0.0.1:${String((list[0] as Record<string, unknown>).tcp)}`);
      if (typeof hp === 'string') return bad('serial', hp);
      serialTcp = hp;
    }
  }
  const symbols: { path: string; offset: bigint }[] = [];
  if (args.symbols !== undefined && !Array.isArray(args.symbols)) return bad('symbols', 'must be a list of ELF paths or { "path": ..., "offset": ... }');
  for (const [i, e] of ((args.symbols ?? []) as unknown[]).entries()) {
    const file = typeof e === 'string' ? e : isObj(e) && typeof e.path === 'string' ? e.path : undefined;
    if (file === undefined || file.trim() === '') return bad(`symbols[${i}]`, 'must be a path or { "path": "...", "offset": "0x..." }');
    const raw = isObj(e) ? e.offset : undefined;
    const offset = raw === undefined ? 0 : typeof raw === 'number' && Number.isSafeInteger(raw) ? raw : typeof raw === 'string' ? parseNumber(raw) : undefined;
    if (offset === undefined) return bad(`symbols[${i}].offset`, `must be a number like "0x40000000", got ${JSON.stringify(raw)}`);
    symbols.push({ path: file, offset: BigInt(offset) });
  }
  const gdbServer = args.gdbServer;
  if (gdbServer !== undefined && !(Number.isInteger(gdbServer) && (gdbServer as number) >= 0 && (gdbServer as number) <= 65535)) {
    return bad('gdbServer', `must be a TCP port number (0 to 65535; 0 takes a free one), got ${JSON.stringify(gdbServer)}`);
  }
  const engine = args.engine;
  if (engine !== undefined && !(ENGINES as readonly unknown[]).includes(engine)) {
    return bad('engine', `must be one of ${ENGINES.map((e) => `"${e}"`).join(', ')}, got ${JSON.stringify(engine)}`);
  }
  const stepInterrupts = args.stepInterrupts ?? 'masked';
  if (stepInterrupts !== 'masked' && stepInterrupts !== 'enabled') {
    return bad('stepInterrupts', `must be "masked" or "enabled", got ${JSON.stringify(stepInterrupts)}`);
  }
  return {
    ok: true,
    value: {
      program: (args.program as string | undefined) ?? '',
      ...(args.replay !== undefined ? { replay: args.replay as string } : {}),
      bios: args.bios as string | undefined,
      memoryBytes,
      harts,
      xlen,
      ...(args.isa !== undefined ? { isa: args.isa as string } : {}),
      os: (args.os as string | undefined)?.trim() || 'auto',
      append: args.append as string | undefined,
      initrd: args.initrd as string | undefined,
      ...(args.restore !== undefined ? { restore: args.restore as string } : {}),
      stopOnEntry: (args.stopOnEntry as boolean | undefined) ?? false,
      stepInterrupts,
      ...(engine !== undefined ? { engine: engine as Engine } : {}),
      cwd: args.cwd as string | undefined,
      sourceFileMap: map as Record<string, string>,
      drives,
      net,
      rng: rng?.source,
      ...(rng?.slot !== undefined ? { rngSlot: rng.slot } : {}),
      ...(display !== undefined ? { display } : {}),
      guestConsole: guestConsole.console,
      ...(guestConsole.slot !== undefined ? { guestConsoleSlot: guestConsole.slot } : {}),
      console: (args.console as 'terminal' | 'debugConsole' | undefined) ?? 'debugConsole',
      passthrough,
      symbols,
      ...(serialTcp !== undefined ? { serialTcp } : {}),
      ...(gdbServer !== undefined ? { gdbServer: gdbServer as number } : {}),
      ...(args.machine !== undefined ? { machine: args.machine as string } : {}),
    },
  };
}
