/**
 * Command-line parsing for `osdev-emu`: every bad option is one clear message, never
 * a stack trace. Pure: no I/O, so tests can feed it anything.
 */
import { FloatExt, IsaExtension, MAX_HARTS, MAX_MEMORY_BYTES, Xlen } from '../machine/description';
import { checkIsa, extensionsOf, floatExtOf } from '../machine/dts-cpus';
import { DriveOption, HostPort, NetOption, PassthroughOption } from '../backends';
import { parseGdbAddress } from './gdb-stub/server';
import { DEFAULT_PROFILE_RATE } from '../machine/profiler';
import { DEFAULT_ENGINE, Engine, ENGINES, hostPort, intArg, parseConsole, parseDisplay, parseDrive, parseNet, parsePassthrough, parseRng, parseSize } from '../options';

export type TraceKind = 'insn' | 'mmio' | 'trap';

export interface RunOptions {
  command: 'run';
  kernel: string;
  /** 'none', 'builtin', a firmware file, or undefined: the kernel's default (loaders/raw.ts defaultBios). */
  bios?: 'none' | 'builtin' | string;
  memoryBytes: number;
  harts: number;
  xlen?: Xlen;
  /** F/D of the harts, from `--isa` (default both). */
  fpu?: FloatExt;
  /** Zba, Zicboz, Svpbmt, ... of the harts, from `--isa` (default QEMU 7.2's: machine/description.ts). */
  extensions?: IsaExtension[];
  append?: string;
  initrd?: string;
  timeoutSeconds?: number;
  maxInsns?: number;
  dumpDtb?: string;
  trace: TraceKind[];
  clock: 'icount' | 'realtime';
  /** How guest code runs: the interpreter only, or with hot blocks as JavaScript or WebAssembly (DEFAULT_ENGINE). Same instructions retired either way. */
  engine: Engine;
  /** Guest instructions per second of guest time. */
  rate: number;
  /** Print instructions retired and host time to stderr at exit. */
  stats: boolean;
  /** Virtio disks, in command-line order (which is slot order, as on QEMU). */
  drives: DriveOption[];
  /** Which console the guest's input goes to: the UART (default) or a virtio-console device. */
  console: 'uart' | 'virtio';
  /** The virtio console's slot (`--console virtio,slot=N`). */
  consoleSlot?: number;
  /** Add a virtio-rng device: seeded (deterministic, the default) or host entropy. */
  rng?: 'seeded' | 'host';
  /** The rng's slot (`--rng ...,slot=N`). */
  rngSlot?: number;
  /** virtio-net devices, in command-line order. */
  nets: NetOption[];
  /** Order the virtio devices were given in. */
  virtioOrder: ('drive' | 'rng' | 'console' | 'net' | 'display')[];
  /** `--display [WxH]`: a virtio-gpu with a keyboard and a tablet; the size the display offers (default 1280x800). */
  display?: { width: number; height: number };
  /** Write the screen as PNG to this file at power-off (or at `screenshotAt`). */
  screenshot?: string;
  /** Take the screenshot after this many instructions instead of at power-off. */
  screenshotAt?: number;
  /** Passthrough slots, in order. */
  passthrough: PassthroughOption[];
  /** Write every outside input event, stamped, to this file (JSON lines). */
  record?: string;
  /** Take the machine's outside input from this recorded file instead of stdin and sockets. */
  replay?: string;
  /** Write a whole-machine snapshot to `file` at the first round boundary at or past `at` instructions; the run goes on. */
  snapshotAt?: { at: number; file: string };
  /** Start from this snapshot file (the same kernel, images and machine options as when it was taken). */
  restore?: string;
  /** At exit, print a hash of the whole machine state (RAM, harts, devices) beside the instruction count. */
  stateHash: boolean;
  /** Serve UART0 on a loopback TCP port instead of stdio (like QEMU's -serial tcp::PORT,server). */
  serialTcp?: HostPort;
  /** Build the machine from this device-tree source instead of the virt preset. */
  machine?: string;
  /** Serve gdb's remote protocol on a loopback TCP port (QEMU's -gdb tcp::PORT); port 0 picks one. */
  gdb?: HostPort;
  /** Start halted until gdb lets the machine run (QEMU's -S). */
  gdbWait: boolean;
  /** Write a .cpuprofile of the run here (machine/profiler.ts, debug-adapter/profile-writer.ts). */
  profile?: string;
  /** Instructions each hart retires between samples (default DEFAULT_PROFILE_RATE). */
  profileRate?: number;
  /** Write the run's line coverage here as lcov. */
  coverage?: string;
  /** ELF files whose DWARF names the profile's and coverage's pcs besides KERNEL's (a Linux Image's vmlinux). */
  symbols: string[];
}

/** `osdev-emu dap`: the debug adapter on stdio (default) or on a loopback TCP port. */
export interface DapOptions { command: 'dap'; port?: number }

export type CliCommand = RunOptions | DapOptions | { command: 'devices' } | { command: 'help' } | { command: 'version' };
export type ParseResult = { ok: true; value: CliCommand } | { ok: false; error: string };

export const USAGE = `usage: osdev-emu run KERNEL [options]
       osdev-emu devices        print every device model's register map
       osdev-emu dap [--stdio | --port N]   the debug adapter (DAP) on stdio, or on 127.0.0.1:N
       osdev-emu dts --preset virt [--harts N] [--xlen 32|64] [-m SIZE]   the virt board as DTS
       osdev-emu dts FILE.dts|FILE.dtb [-o OUT] [-I DIR] [-D NAME=V]    compile a DTS (cpp included), or decompile a DTB
       osdev-emu lsp --stdio    the device-tree language server, for any LSP editor
       osdev-emu rp-peer unix:PATH|tcp:127.0.0.1:PORT   the example Remote-Port peer (a DMA copy engine)
       osdev-emu replay FILE    run a replay file (VS Code's OS Dev: Save Replay) again to where it was
                                saved: its console on stdout, then the state hash, checked against the file
       osdev-emu --version

run options:
  --bios none|builtin|PATH  firmware: none (KERNEL runs in M-mode from its own addresses), builtin
                        (the emulator's own SBI v2.0; KERNEL runs in S-mode), or a file at 0x80000000
                        (default: builtin for a Linux Image, else none)
  -m, --memory SIZE     RAM size, e.g. 128M, 1G (default 128M; a bare number is MiB)
  --harts N             number of harts, 1-${MAX_HARTS} (default 1)
  --xlen 64|32          base ISA width (default: from KERNEL's ELF class, else 64)
  --isa STR             the harts' ISA as a riscv,isa string, e.g. rv64imac to leave out F, D, Zba...,
                        rv64gc_zba_zbb_zbc_zbs_zicbom_zicboz_svpbmt to add Zicbom, Zicboz and Svpbmt
                        (default rv64imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc as
                        QEMU 7.2's rv64 CPU, or rv32...; sets the XLEN too)
  --append STR          kernel command line (/chosen/bootargs)
  --initrd PATH         initial ramdisk (/chosen linux,initrd-start/end)
  --timeout SECONDS     stop after this much host time: exit status 124
  --max-insns N         stop after N instructions: exit status 124
  --dump-dtb PATH       write the device tree blob and exit
  --trace insn|mmio|trap  trace to stderr (repeatable, or comma-separated)
  --clock icount|realtime guest time from instructions (default, reproducible) or the host clock
  --rate N              guest instructions per second of guest time (default 100000000)
  --stats               at exit, print instructions retired and host time to stderr
  --engine interp|js|wasm
                        run guest code interpreted only, or with hot blocks translated to
                        JavaScript or compiled to WebAssembly, a page at a time (default);
                        all retire the same instructions (for bug reports)
  --drive PATH[,mode=overlay|writeback|readonly][,legacy][,serial=ID][,slot=N]
                        a virtio-blk disk (repeatable). overlay (default): guest writes stay in
                        memory, PATH is never written; writeback: writes reach PATH, FLUSH is
                        fsync; readonly: the guest sees a read-only disk. legacy: virtio-mmio
                        version 1. Virtio devices take slots from 0x10008000 down, in order, as on
                        QEMU; slot=N (every virtio option takes it) puts one in slot N, QEMU's
                        bus=virtio-mmio-bus.N: slot 0 is 0x10001000, where xv6-riscv looks
  --console uart|virtio[,slot=N]  console input goes to the UART (default) or to a virtio-console device
  --rng [seeded|host][,slot=N]  a virtio-rng device: deterministic bytes (default) or host entropy
  --display [WxH]       a screen: virtio-gpu (2D) with a virtio keyboard and tablet, in the next three
                        free slots, as QEMU's -device virtio-gpu-device -device virtio-keyboard-device
                        -device virtio-tablet-device; WxH is the display size offered (default 1280x800),
                        until a --replay log's {"kind":"display","width":W,"height":H} resizes it
  --screenshot FILE     at power-off, write the screen (the gpu's scanout) to FILE as PNG
  --screenshot-at N     take the --screenshot once N instructions have run instead (the run goes on)
  --net loopback|socket,udp=127.0.0.1:PORT,localaddr=127.0.0.1:PORT|unix,path=PATH[,listen]
        [,mac=52:54:00:12:34:56][,pcap=FILE][,legacy][,slot=N]
                        a virtio-net device (repeatable): frames come back (loopback), travel as
                        UDP datagrams on loopback to another instance (socket), or over a unix
                        stream socket one instance listens on (unix); pcap= captures every frame
  --passthrough name=N,backend=stub:MODEL.json|remote-port:unix:PATH|remote-port:tcp:127.0.0.1:PORT|none
                [,base=ADDR][,size=SIZE][,irq=N][,dma=ADDR:SIZE][,unplugged=ones|fault][,compatible=STR]
                        a passthrough slot (repeatable): an MMIO window with a PLIC line, served by a
                        stub model or a Remote-Port peer; base and irq default to the next free place
                        from 0x4000000 / irq 64; compatible= takes the rest of the option. After a
                        remote-port backend: model=FILE (register names for views and traces),
                        sync=N (a SYNC every N instructions, default 100000), timeout=MS (default 5000),
                        dev=N (Remote-Port device id, default the slot's index), addresses=absolute|relative
                        (guest-physical addresses, the default, or offsets in the slot). Connects to the
                        peer's address, or listens there when nobody does
  --record FILE         write every outside input (console bytes, frames, plug events, what a
                        Remote-Port peer did on its own), stamped with guest time, to FILE
  --replay FILE         take the outside input from a recorded FILE: the run repeats exactly
  --snapshot-at N FILE  write the whole machine (RAM, harts, devices, waiting input) to FILE at the
                        first round boundary at or past N instructions; the run goes on
  --restore FILE        start from a snapshot FILE instead of reset: give the same KERNEL, images,
                        drives and machine options it was taken with (checked: a mismatch is an error)
  --state-hash          at exit, print the instruction count and a hash of the whole machine state
  --serial tcp:127.0.0.1:PORT  UART0 on a loopback TCP port (one client at a time) instead of stdio
  --gdb tcp:127.0.0.1:PORT  serve gdb's remote protocol there (loopback only; PORT 0 picks a free port,
                        printed on stderr), as QEMU's -gdb: \`target remote :PORT\` in gdb-multiarch
  --gdb-wait            start halted until gdb continues the machine (QEMU's -S); needs --gdb
  --machine FILE.dts    build the machine from a device-tree source (memory, harts, devices at its
                        addresses; nodes we do not emulate become passthrough stub slots); the guest
                        gets that tree. \`osdev-emu dts --preset virt\` prints the default machine as DTS
  --profile FILE        sample every hart each N instructions and write a .cpuprofile (VS Code and
                        Chrome DevTools open it), samples by function and line through KERNEL's DWARF
  --profile-rate N      instructions between samples of one hart (default ${DEFAULT_PROFILE_RATE})
  --coverage FILE       write the lines the run executed as lcov (SF:, DA:line,count) from KERNEL's
                        DWARF; the harts run one instruction at a time meanwhile (slower)
  --symbols ELF         more debug info for --profile and --coverage (repeatable): a Linux Image's
                        vmlinux, an ELF firmware's own file

exit status: 0 guest passed (sifive_test 0x5555, HTIF exit 0), N guest failed with code N,
124 timeout, 125 a hart stuck trapping at its own trap vector, 2 bad input, 141 stdout closed by its reader,
74 another error writing stdout (or no screenshot to write).`;

export function parseArgs(argv: readonly string[]): ParseResult {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') return { ok: true, value: { command: 'help' } };
  if (argv[0] === '--version' || argv[0] === 'version') return { ok: true, value: { command: 'version' } };
  if (argv[0] === 'devices') {
    if (argv.length > 1) return { ok: false, error: `devices takes no arguments, got '${argv[1]}'` };
    return { ok: true, value: { command: 'devices' } };
  }
  if (argv[0] === 'dap') return parseDap(argv.slice(1));
  if (argv[0] !== 'run') return { ok: false, error: `unknown command '${argv[0]}' (try 'osdev-emu run KERNEL')` };
  const o: RunOptions = {
    command: 'run', kernel: '', memoryBytes: 128 * 1024 * 1024, harts: 1, trace: [], clock: 'icount', engine: DEFAULT_ENGINE, rate: 100_000_000, stats: false,
    drives: [], console: 'uart', virtioOrder: [], nets: [], passthrough: [], gdbWait: false, symbols: [], stateHash: false,
  };
  /** The XLEN --isa names (checked against --xlen after the loop). */
  let isaXlen: Xlen | undefined;
  /** Flags given, for the ones a machine file takes the place of. */
  const given = new Set<string>();
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const takesValue = ['--bios', '-m', '--memory', '--harts', '--xlen', '--isa', '--append', '--initrd', '--timeout', '--max-insns',
      '--dump-dtb', '--trace', '--clock', '--engine', '--rate', '--drive', '--console', '--net', '--passthrough', '--record', '--replay', '--serial', '--machine', '--gdb',
      '--profile', '--profile-rate', '--coverage', '--symbols',
      '--screenshot', '--screenshot-at', '--snapshot-at', '--restore'].includes(flag);
    // One value each: a second one is a mistake, not "the last wins" (devices and traces add up).
    if (takesValue && given.has(flag) && !['--drive', '--net', '--passthrough', '--trace', '--symbols'].includes(flag)) return { ok: false, error: `${flag} given twice` };
    given.add(flag);
    let value = '';
    if (takesValue) {
      if (eq > 0) value = a.slice(eq + 1);
      else if (i + 1 < argv.length) value = argv[++i];
      else return { ok: false, error: `${flag} needs a value` };
    } else if (a === '--stats') {
      o.stats = true;
      continue;
    } else if (a === '--state-hash') {
      o.stateHash = true;
      continue;
    } else if (a === '--gdb-wait') {
      o.gdbWait = true;
      continue;
    } else if (flag === '--rng') {
      // The value is optional: `--rng`, `--rng host`, `--rng=seeded`, `--rng host,slot=2`, `--rng slot=2`.
      const v = eq > 0 ? a.slice(eq + 1) : /^(host|seeded|slot=)/.test(argv[i + 1] ?? '') ? argv[++i] : 'seeded';
      const r = parseRng(v);
      if (typeof r === 'string') return { ok: false, error: r };
      if (o.rng !== undefined) return { ok: false, error: '--rng given twice' };
      o.rng = r.source;
      if (r.slot !== undefined) o.rngSlot = r.slot;
      o.virtioOrder.push('rng');
      continue;
    } else if (flag === '--display') {
      const v = eq > 0 ? a.slice(eq + 1) : /^\d+x\d+$/.test(argv[i + 1] ?? '') ? argv[++i] : '';
      if (o.display !== undefined) return { ok: false, error: '--display given twice' };
      const size = parseDisplay(v);
      if (typeof size === 'string') return { ok: false, error: size };
      o.display = size;
      o.virtioOrder.push('display');
      continue;
    } else if (a.startsWith('-') && a !== '-') {
      return { ok: false, error: `unknown option '${a}'` };
    }
    switch (flag) {
      case '--bios': o.bios = value; break;
      case '-m': case '--memory': {
        const n = parseSize(value);
        if (n === undefined) return { ok: false, error: `memory size '${value}' is not a size like 128M or 1G` };
        if (n < 2 * 1024 * 1024 || n > MAX_MEMORY_BYTES) return { ok: false, error: `memory size ${value} must be between 2M and ${MAX_MEMORY_BYTES / 1024 ** 3}G` };
        if (n % 4096 !== 0) return { ok: false, error: `memory size ${value} must be a multiple of 4K` };
        o.memoryBytes = n;
        break;
      }
      case '--harts': { const n = intArg('--harts', value, 1, MAX_HARTS); if (typeof n === 'string') return { ok: false, error: n }; o.harts = n; break; }
      case '--xlen': if (value !== '32' && value !== '64') return { ok: false, error: `--xlen must be 32 or 64, got '${value}'` }; o.xlen = Number(value) as Xlen; break;
      case '--isa': {
        const isa = checkIsa(value);
        if (!isa.ok) return { ok: false, error: `--isa: ${isa.error}` };
        isaXlen = isa.value;
        o.fpu = floatExtOf(value);
        o.extensions = extensionsOf(value);
        break;
      }
      case '--append': o.append = value; break;
      case '--initrd': o.initrd = value; break;
      case '--timeout': {
        const n = Number(value);
        if (!Number.isFinite(n) || n <= 0) return { ok: false, error: `--timeout needs a positive number of seconds, got '${value}'` };
        o.timeoutSeconds = n;
        break;
      }
      case '--max-insns': { const n = intArg('--max-insns', value, 1, Number.MAX_SAFE_INTEGER); if (typeof n === 'string') return { ok: false, error: n }; o.maxInsns = n; break; }
      case '--rate': { const n = intArg('--rate', value, 1000, 1e12); if (typeof n === 'string') return { ok: false, error: n }; o.rate = n; break; }
      case '--dump-dtb': o.dumpDtb = value; break;
      case '--trace':
        for (const t of value.split(',')) {
          if (t !== 'insn' && t !== 'mmio' && t !== 'trap') return { ok: false, error: `--trace takes insn, mmio or trap, got '${t}'` };
          o.trace.push(t);
        }
        break;
      case '--drive': {
        const d = parseDrive(value);
        if (typeof d === 'string') return { ok: false, error: d };
        o.drives.push(d);
        o.virtioOrder.push('drive');
        break;
      }
      case '--net': {
        const n = parseNet(value);
        if (typeof n === 'string') return { ok: false, error: n };
        o.nets.push(n);
        o.virtioOrder.push('net');
        break;
      }
      case '--console': {
        const c = parseConsole(value);
        if (typeof c === 'string') return { ok: false, error: c };
        if (c.console === 'virtio' && o.console !== 'virtio') o.virtioOrder.push('console');
        o.console = c.console;
        if (c.slot !== undefined) o.consoleSlot = c.slot;
        break;
      }
      case '--passthrough': {
        const p = parsePassthrough(value);
        if (typeof p === 'string') return { ok: false, error: p };
        o.passthrough.push(p);
        break;
      }
      case '--record': o.record = value; break;
      case '--profile': o.profile = value; break;
      case '--coverage': o.coverage = value; break;
      case '--symbols': o.symbols.push(value); break;
      case '--profile-rate': { const n = intArg('--profile-rate', value, 1, 1e12); if (typeof n === 'string') return { ok: false, error: n }; o.profileRate = n; break; }
      case '--screenshot': o.screenshot = value; break;
      case '--screenshot-at': { const n = intArg('--screenshot-at', value, 1, Number.MAX_SAFE_INTEGER); if (typeof n === 'string') return { ok: false, error: n }; o.screenshotAt = n; break; }
      case '--machine': o.machine = value; break;
      case '--replay': o.replay = value; break;
      case '--restore': o.restore = value; break;
      case '--snapshot-at': {
        // Two values: the count, then the file.
        const n = intArg('--snapshot-at', value, 0, Number.MAX_SAFE_INTEGER);
        if (typeof n === 'string') return { ok: false, error: n };
        if (i + 1 >= argv.length) return { ok: false, error: '--snapshot-at needs N and a FILE to write' };
        o.snapshotAt = { at: n, file: argv[++i] };
        break;
      }
      case '--serial': {
        if (!value.startsWith('tcp:')) return { ok: false, error: `--serial takes tcp:127.0.0.1:PORT, got '${value}'` };
        const hp = hostPort('--serial', value.slice(4));
        if (typeof hp === 'string') return { ok: false, error: hp };
        o.serialTcp = hp;
        break;
      }
      case '--gdb': {
        const hp = parseGdbAddress(value);
        if (typeof hp === 'string') return { ok: false, error: hp };
        o.gdb = hp;
        break;
      }
      case '--engine': if (!(ENGINES as readonly string[]).includes(value)) return { ok: false, error: `--engine takes ${ENGINES.join(', ')}, got '${value}'` }; o.engine = value as Engine; break;
      case '--clock': if (value !== 'icount' && value !== 'realtime') return { ok: false, error: `--clock must be icount or realtime, got '${value}'` }; o.clock = value; break;
      default:
        if (o.kernel !== '') return { ok: false, error: `unexpected argument '${a}' (the kernel is already '${o.kernel}')` };
        o.kernel = a;
    }
  }
  if (o.machine !== undefined) {
    // The file describes these; two sources for one fact would disagree sooner or later.
    const clash = ['-m', '--memory', '--harts', '--xlen', '--isa', '--passthrough'].find((f) => given.has(f));
    if (clash !== undefined) {
      const what = clash === '--passthrough' ? 'its devices (nodes it does not emulate become passthrough slots)'
        : clash === '--harts' ? 'the harts (/cpus)' : clash === '--xlen' || clash === '--isa' ? 'the ISA (riscv,isa)' : 'the memory (/memory)';
      return { ok: false, error: `${clash} cannot be used with --machine: the machine file gives ${what}` };
    }
  }
  if (isaXlen !== undefined) {
    if (o.xlen !== undefined && o.xlen !== isaXlen) return { ok: false, error: `--isa is rv${isaXlen} but --xlen is ${o.xlen}` };
    o.xlen = isaXlen;
  }
  if (o.gdbWait && o.gdb === undefined) return { ok: false, error: '--gdb-wait needs --gdb tcp:127.0.0.1:PORT (it waits for that gdb)' };
  if (o.profileRate !== undefined && o.profile === undefined) return { ok: false, error: '--profile-rate needs --profile FILE' };
  if (o.symbols.length > 0 && o.profile === undefined && o.coverage === undefined) return { ok: false, error: '--symbols names pcs for --profile or --coverage: give one of them' };
  if (o.screenshotAt !== undefined && o.screenshot === undefined) return { ok: false, error: '--screenshot-at needs --screenshot FILE' };
  if (o.screenshot !== undefined && o.display === undefined) return { ok: false, error: '--screenshot needs --display (a screen to take)' };
  if (o.record !== undefined && o.replay !== undefined) return { ok: false, error: '--record and --replay cannot be used together' };
  if (o.restore !== undefined && o.gdb !== undefined) return { ok: false, error: '--restore cannot be used with --gdb yet (the stub starts from reset)' };
  if (o.kernel === '' && o.dumpDtb === undefined && (o.bios === undefined || o.bios === 'none' || o.bios === 'builtin')) return { ok: false, error: 'run needs a KERNEL to boot (or --bios PATH)' };
  return { ok: true, value: o };
}

/** `dap [--stdio | --port N | --port=N]`. */
function parseDap(args: readonly string[]): ParseResult {
  if (args.length === 0 || (args.length === 1 && args[0] === '--stdio')) return { ok: true, value: { command: 'dap' } };
  const value = args.length === 2 && args[0] === '--port' ? args[1] : args.length === 1 && args[0].startsWith('--port=') ? args[0].slice(7) : undefined;
  if (value === undefined) return { ok: false, error: `dap takes --stdio or --port N, got '${args.join(' ')}'` };
  const port = intArg('--port', value, 1, 65535);
  if (typeof port === 'string') return { ok: false, error: port };
  return { ok: true, value: { command: 'dap', port } };
}
