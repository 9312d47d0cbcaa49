/**
 * gdb-multiarch driving QEMU's gdbstub over GDB/MI: the reference debugger that the
 * oracle test (gdb-oracle.test.ts) and `npm run bench` (scripts/bench-debugger.mjs)
 * hold our adapter against.
 *
 * gdb starts QEMU itself (`target remote | qemu-system-riscvNN ... -S -gdb stdio`):
 * the stub talks over the pipe, so there is no TCP port to pick, race other test
 * runs for, or wait for; and QEMU dies with the connection. QEMU runs the same hart
 * as ours (QEMU_CPU_OPTION) on the same board and memory size as the differential
 * tests (emulator/test/qemu.ts).
 *
 * Every command carries a numeric token, so its result record is matched to it and
 * never to an unrelated `^done`. Timeouts are safety nets for a hung gdb, never a
 * verdict.
 */
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { QEMU_CPU_OPTION, Xlen } from '../../emulator/machine/description';

export const GDB = 'gdb-multiarch';
const SAFETY_NET_MS = 60_000;

/* ---- GDB/MI output syntax (GDB manual, "GDB/MI Output Syntax") ---- */

/** A c-string, a tuple `{a=..}` or a list `[..]` (a list of `name=value` results keeps the values). */
export type MiValue = string | MiTuple | MiValue[];
export interface MiTuple { [name: string]: MiValue }

/** One output line: `token^class,results`, `*class,results`, `~"text"` and the like. */
export interface MiRecord {
  token?: number;
  /** `^` result, `*` exec async, `+` status async, `=` notify, `~` console, `@` target, `&` log. */
  kind: string;
  /** `done`, `running`, `stopped`, ...; for stream records, the text. */
  klass: string;
  results: MiTuple;
}

/** Parses one line of MI output; undefined for the `(gdb)` prompt and blank lines. */
export function parseMiLine(line: string): MiRecord | undefined {
  const m = /^(\d*)([\^*+=~@&])(.*)$/.exec(line);
  if (m === null) return undefined;
  const token = m[1] === '' ? undefined : Number(m[1]);
  const kind = m[2];
  const p = new MiParser(m[3]);
  if ('~@&'.includes(kind)) return { token, kind, klass: p.cString(), results: {} };
  const klass = p.word();
  const results: MiTuple = {};
  while (p.eat(',')) {
    const [name, value] = p.result();
    results[name] = value;
  }
  return { token, kind, klass, results };
}

class MiParser {
  private at = 0;
  constructor(private readonly text: string) {}

  eat(c: string): boolean {
    if (this.text[this.at] !== c) return false;
    this.at++;
    return true;
  }

  private expect(c: string): void {
    if (!this.eat(c)) throw new Error(`MI: expected '${c}' at ${this.at} in ${this.text}`);
  }

  word(): string {
    const m = /^[A-Za-z0-9_-]*/.exec(this.text.slice(this.at));
    const w = m === null ? '' : m[0];
    this.at += w.length;
    return w;
  }

  result(): [string, MiValue] {
    const name = this.word();
    this.expect('=');
    return [name, this.value()];
  }

  value(): MiValue {
    const c = this.text[this.at];
    if (c === '"') return this.cString();
    if (c === '{') {
      this.at++;
      const tuple: MiTuple = {};
      if (this.eat('}')) return tuple;
      do {
        const [name, value] = this.result();
        tuple[name] = value;
      } while (this.eat(','));
      this.expect('}');
      return tuple;
    }
    if (c === '[') {
      this.at++;
      const list: MiValue[] = [];
      if (this.eat(']')) return list;
      do {
        // Lists hold either bare values or `name=value` results (`stack=[frame={..},..]`).
        list.push(this.text[this.at] === '"' || this.text[this.at] === '{' || this.text[this.at] === '[' ? this.value() : this.result()[1]);
      } while (this.eat(','));
      this.expect(']');
      return list;
    }
    throw new Error(`MI: unexpected '${c}' at ${this.at} in ${this.text}`);
  }

  /** A C string with gdb's escapes (\n, \t, \", \\, octal). */
  cString(): string {
    this.expect('"');
    let out = '';
    for (;;) {
      const c = this.text[this.at++];
      if (c === undefined) throw new Error(`MI: unterminated string in ${this.text}`);
      if (c === '"') return out;
      if (c !== '\\') { out += c; continue; }
      const e = this.text[this.at++];
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', a: '\x07', b: '\b', f: '\f', v: '\v', e: '\x1b' };
      if (e in simple) { out += simple[e]; continue; }
      const oct = /^[0-7]{1,3}/.exec(this.text.slice(this.at - 1));
      if (oct !== null) { out += String.fromCharCode(parseInt(oct[0], 8)); this.at += oct[0].length - 1; continue; }
      out += e;
    }
  }
}

/** Field access on parsed MI values, throwing (with the record) when the shape is not the one expected. */
export function miString(v: MiValue | undefined, what: string): string {
  if (typeof v !== 'string') throw new Error(`MI: ${what} is not a string: ${JSON.stringify(v)}`);
  return v;
}
export function miTuple(v: MiValue | undefined, what: string): MiTuple {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`MI: ${what} is not a tuple: ${JSON.stringify(v)}`);
  return v;
}
export function miList(v: MiValue | undefined, what: string): MiValue[] {
  if (!Array.isArray(v)) throw new Error(`MI: ${what} is not a list: ${JSON.stringify(v)}`);
  return v;
}

/* ---- the tools ---- */

/** Why the oracle cannot run here (a missing tool), or undefined when it can. */
export function gdbOracleMissing(xlens: Xlen[] = [64, 32]): string | undefined {
  const tools = [GDB, ...xlens.map((x) => `qemu-system-riscv${x}`)];
  for (const tool of tools) {
    const r = spawnSync(tool, ['--version'], { stdio: 'ignore' });
    if (r.error !== undefined || r.status !== 0) return `${tool} is not installed (Debian: gdb-multiarch, qemu-system-misc; .ci/run installs both)`;
  }
  return undefined;
}

/** The QEMU command line gdb starts: the differential tests' board, halted before the first instruction. */
export function qemuGdbCommand(elf: string, xlen: Xlen): string[] {
  return [`qemu-system-riscv${xlen}`, '-machine', 'virt', '-cpu', QEMU_CPU_OPTION[xlen], '-m', '128M', '-smp', '1',
    '-bios', 'none', '-display', 'none', '-serial', 'none', '-monitor', 'none', '-kernel', elf, '-S', '-gdb', 'stdio'];
}

/** A frame of gdb's backtrace. */
export interface GdbFrame { level: number; pc: bigint; func: string }

/**
 * What ended an exec command: `*stopped` with reason "breakpoint-hit", "end-stepping-range",
 * "exited-normally" and the like, or "exited" when the target went away (QEMU powered off).
 */
export interface GdbStop { reason: string; results: MiTuple }

export class GdbSession {
  private nextToken = 1;
  private buffered = '';
  private readonly waiting = new Map<number, { resolve: (r: MiRecord) => void; reject: (e: Error) => void }>();
  private stopWaiter: ((s: GdbStop) => void) | undefined;
  /** The last lines gdb wrote (console, log, stderr), for error messages. */
  private readonly recent: string[] = [];
  private exitError: Error | undefined;

  private constructor(private readonly proc: ChildProcess) {
    proc.stdout?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk: string) => this.onData(chunk));
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (chunk: string) => this.remember(`stderr: ${chunk.trimEnd()}`));
    proc.on('exit', (code, signal) => {
      this.exitError = new Error(`${GDB} exited (${signal ?? code})\n${this.recent.join('\n')}`);
      for (const w of this.waiting.values()) w.reject(this.exitError);
      this.waiting.clear();
    });
  }

  /**
   * Starts gdb on `elf`, and QEMU under it, stopped at QEMU's reset vector (0x1000)
   * before the first instruction. `qemu` replaces the QEMU command line (it must end in
   * `-S -gdb stdio`): a firmware and a raw kernel image, with `elf` only its symbols.
   */
  static async start(elf: string, xlen: Xlen, qemu = qemuGdbCommand(elf, xlen)): Promise<GdbSession> {
    const proc = spawn(GDB, ['-nx', '-q', '--interpreter=mi3'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const s = new GdbSession(proc);
    await s.command(`-file-exec-and-symbols ${miQuote(elf)}`);
    // The pager and confirmations would wait for a terminal that is not there.
    await s.command('-gdb-set pagination off');
    await s.command('-gdb-set confirm off');
    // `exec`: the pipe's child is QEMU itself, so gdb's closing the pipe ends it.
    await s.command(`target remote | exec ${qemu.map(shellQuote).join(' ')}`);
    return s;
  }

  private remember(line: string): void {
    this.recent.push(line);
    if (this.recent.length > 20) this.recent.shift();
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, nl).replace(/\r$/, '');
      this.buffered = this.buffered.slice(nl + 1);
      const rec = parseMiLine(line);
      if (rec === undefined) continue;
      if ('~@&'.includes(rec.kind)) { this.remember(rec.klass.trimEnd()); continue; }
      if (rec.kind === '^' && rec.token !== undefined) {
        const w = this.waiting.get(rec.token);
        if (w === undefined) continue;
        this.waiting.delete(rec.token);
        if (rec.klass === 'error') w.reject(new Error(`${GDB}: ${String(rec.results.msg)}\n${this.recent.join('\n')}`));
        else w.resolve(rec);
      } else if ((rec.kind === '*' && rec.klass === 'stopped') || (rec.kind === '=' && rec.klass === 'thread-group-exited')) {
        // QEMU powered off by the guest closes the pipe without an exit packet: gdb says
        // only that the inferior's thread group exited, which ends an exec command too.
        const reason = rec.klass === 'stopped' ? (typeof rec.results.reason === 'string' ? rec.results.reason : '') : 'exited';
        const stop = { reason, results: rec.results };
        // A stop nobody waits for (the one at connection) needs no answer.
        const w = this.stopWaiter;
        this.stopWaiter = undefined;
        w?.(stop);
      }
    }
  }

  /** Sends one MI (or CLI) command; resolves with its result record, rejects on `^error`. */
  command(text: string): Promise<MiRecord> {
    if (this.exitError !== undefined) return Promise.reject(this.exitError);
    const token = this.nextToken++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(token);
        reject(new Error(`${GDB}: no answer to ${text} (safety net)\n${this.recent.join('\n')}`));
      }, SAFETY_NET_MS);
      this.waiting.set(token, {
        resolve: (r) => { clearTimeout(timer); resolve(r); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.proc.stdin?.write(`${token}${text}\n`);
    });
  }

  /** Sends an exec command (continue, step...) and resolves with the stop that ends it. */
  async resume(text: string, safetyNetMs = SAFETY_NET_MS): Promise<GdbStop> {
    let timer: NodeJS.Timeout | undefined;
    // Waiting starts before the command is sent: the stop may come right behind `^running`.
    const stopped = new Promise<GdbStop>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${GDB}: no stop after ${text} (safety net)\n${this.recent.join('\n')}`)), safetyNetMs);
      this.stopWaiter = resolve;
    });
    try {
      await this.command(text);
      return await stopped;
    } finally {
      clearTimeout(timer);
      this.stopWaiter = undefined;
    }
  }

  /** A software breakpoint at a function (`name`) or address (`*0x...`); resolves with its address. */
  async breakAt(location: string): Promise<bigint> {
    const [address, ...more] = await this.breakLocations(location);
    if (more.length > 0) throw new Error(`gdb: ${location} has ${more.length + 1} locations`);
    return address;
  }

  /** A breakpoint's every location (a function inlined in places has several). */
  async breakLocations(location: string): Promise<bigint[]> {
    const r = await this.command(`-break-insert ${miQuote(location)}`);
    const bkpt = miTuple(r.results.bkpt, 'bkpt');
    const addr = miString(bkpt.addr, 'bkpt.addr');
    if (addr !== '<MULTIPLE>') return [BigInt(addr)];
    return miList(bkpt.locations, 'bkpt.locations').map((l, i) => BigInt(miString(miTuple(l, `locations[${i}]`).addr, 'addr')));
  }

  /** gdb's backtrace, as far as it unwinds. */
  async frames(): Promise<GdbFrame[]> {
    const r = await this.command('-stack-list-frames');
    return miList(r.results.stack, 'stack').map((f, i) => {
      const t = miTuple(f, `stack[${i}]`);
      return { level: Number(miString(t.level, 'level')), pc: BigInt(miString(t.addr, 'addr')), func: typeof t.func === 'string' ? t.func : '??' };
    });
  }

  /**
   * x0..x31 and pc by gdb's names (zero, ra, ..., fp for x8, ..., pc). Only these numbers
   * are asked for: asking for every register fails on the CSRs QEMU 7.2 declares but
   * cannot read (pmpcfg1 on rv64).
   */
  async registers(): Promise<Map<string, bigint>> {
    const names = miList((await this.command('-data-list-register-names 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32')).results['register-names'], 'register-names');
    const values = miList((await this.command('-data-list-register-values x 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32')).results['register-values'], 'register-values');
    const out = new Map<string, bigint>();
    for (const v of values) {
      const t = miTuple(v, 'register value');
      out.set(miString(names[Number(miString(t.number, 'number'))], 'register name'), BigInt(miString(t.value, 'value')));
    }
    return out;
  }

  /** An expression's value as gdb prints it (`$mepc`, `*(unsigned long *)0x2004000`). */
  async evaluate(expression: string): Promise<string> {
    return miString((await this.command(`-data-evaluate-expression ${miQuote(expression)}`)).results.value, 'value');
  }

  /** Ends QEMU (gdbstub `k`) and gdb. */
  async close(): Promise<void> {
    if (this.exitError === undefined && this.proc.exitCode === null) {
      const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
      // `kill` fails once the guest has exited on its own; gdb-exit still ends gdb.
      await this.command('kill').catch(() => undefined);
      this.proc.stdin?.write('-gdb-exit\n');
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), SAFETY_NET_MS);
      await exited;
      clearTimeout(timer);
    }
  }
}

/** An MI c-string argument. */
function miQuote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** gdb hands the pipe command to /bin/sh. */
function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./=,:+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
