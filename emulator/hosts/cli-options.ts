/**
 * Command-line parsing for `osdev-emu`: every bad option is one clear message, never
 * a stack trace. Pure: no I/O, so tests can feed it anything.
 */
import { MAX_HARTS, MAX_MEMORY_BYTES, Xlen } from '../machine/description';

export type TraceKind = 'insn' | 'mmio' | 'trap';

export interface RunOptions {
  command: 'run';
  kernel: string;
  bios: 'none' | string;
  memoryBytes: number;
  harts: number;
  xlen?: Xlen;
  append?: string;
  initrd?: string;
  timeoutSeconds?: number;
  maxInsns?: number;
  dumpDtb?: string;
  trace: TraceKind[];
  clock: 'icount' | 'realtime';
  /** Guest instructions per second of guest time. */
  rate: number;
  /** Print instructions retired and host time to stderr at exit. */
  stats: boolean;
}

export type CliCommand = RunOptions | { command: 'devices' } | { command: 'help' } | { command: 'version' };
export type ParseResult = { ok: true; value: CliCommand } | { ok: false; error: string };

export const USAGE = `usage: osdev-emu run KERNEL [options]
       osdev-emu devices        print every device model's register map
       osdev-emu --version

run options:
  --bios none|PATH      firmware at 0x80000000 (default none: KERNEL runs in M-mode from its own addresses)
  -m, --memory SIZE     RAM size, e.g. 128M, 1G (default 128M; a bare number is MiB)
  --harts N             number of harts, 1-${MAX_HARTS} (default 1)
  --xlen 64|32          base ISA width (default: from KERNEL's ELF class, else 64)
  --append STR          kernel command line (/chosen/bootargs)
  --initrd PATH         initial ramdisk (/chosen linux,initrd-start/end)
  --timeout SECONDS     stop after this much host time: exit status 124
  --max-insns N         stop after N instructions: exit status 124
  --dump-dtb PATH       write the device tree blob and exit
  --trace insn|mmio|trap  trace to stderr (repeatable, or comma-separated)
  --clock icount|realtime guest time from instructions (default, reproducible) or the host clock
  --rate N              guest instructions per second of guest time (default 100000000)
  --stats               at exit, print instructions retired and host time to stderr

exit status: 0 guest passed (sifive_test 0x5555, HTIF exit 0), N guest failed with code N,
124 timeout, 2 bad input.`;

/** "128M", "1G", "65536K", "128" (MiB, as QEMU's -m). */
export function parseSize(s: string): number | undefined {
  const m = /^(\d+)([KMG]?)i?B?$/i.exec(s.trim());
  if (m === null) return undefined;
  const n = Number(m[1]);
  const unit = m[2].toUpperCase();
  const mult = unit === 'K' ? 1024 : unit === 'G' ? 1024 ** 3 : 1024 ** 2;
  return n * mult;
}

function intArg(name: string, v: string, min: number, max: number): number | string {
  if (!/^\d+$/.test(v)) return `${name} needs a whole number, got '${v}'`;
  const n = Number(v);
  if (n < min || n > max) return `${name} must be between ${min} and ${max}, got ${v}`;
  return n;
}

export function parseArgs(argv: readonly string[]): ParseResult {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') return { ok: true, value: { command: 'help' } };
  if (argv[0] === '--version' || argv[0] === 'version') return { ok: true, value: { command: 'version' } };
  if (argv[0] === 'devices') {
    if (argv.length > 1) return { ok: false, error: `devices takes no arguments, got '${argv[1]}'` };
    return { ok: true, value: { command: 'devices' } };
  }
  if (argv[0] !== 'run') return { ok: false, error: `unknown command '${argv[0]}' (try 'osdev-emu run KERNEL')` };
  const o: RunOptions = {
    command: 'run', kernel: '', bios: 'none', memoryBytes: 128 * 1024 * 1024, harts: 1, trace: [], clock: 'icount', rate: 100_000_000, stats: false,
  };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const takesValue = ['--bios', '-m', '--memory', '--harts', '--xlen', '--append', '--initrd', '--timeout', '--max-insns',
      '--dump-dtb', '--trace', '--clock', '--rate'].includes(flag);
    let value = '';
    if (takesValue) {
      if (eq > 0) value = a.slice(eq + 1);
      else if (i + 1 < argv.length) value = argv[++i];
      else return { ok: false, error: `${flag} needs a value` };
    } else if (a === '--stats') {
      o.stats = true;
      continue;
    } else if (a.startsWith('-') && a !== '-') {
      return { ok: false, error: `unknown option '${a}'` };
    }
    switch (flag) {
      case '--bios': o.bios = value === 'none' ? 'none' : value; break;
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
      case '--clock': if (value !== 'icount' && value !== 'realtime') return { ok: false, error: `--clock must be icount or realtime, got '${value}'` }; o.clock = value; break;
      default:
        if (o.kernel !== '') return { ok: false, error: `unexpected argument '${a}' (the kernel is already '${o.kernel}')` };
        o.kernel = a;
    }
  }
  if (o.kernel === '' && o.dumpDtb === undefined && o.bios === 'none') return { ok: false, error: 'run needs a KERNEL to boot (or --bios PATH)' };
  return { ok: true, value: o };
}
