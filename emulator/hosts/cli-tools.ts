/**
 * `osdev-emu dts` and `osdev-emu lsp`: the device-tree tools of the command line.
 * Kept out of cli.ts (which runs machines) so the two grow apart; cli.ts hands argv
 * here when the first word is `dts` or `lsp`.
 *
 *   osdev-emu dts --preset virt [--harts N] [--xlen 32|64] [-m SIZE]   the virt board as DTS
 *   osdev-emu dts FILE.dts [-o OUT.dtb] [-I DIR]... [-D NAME[=V]]... [-@]  compile (cpp included; -@ adds __symbols__)
 *   osdev-emu dts FILE.dtb [-o OUT.dts]                                decompile
 *   osdev-emu lsp --stdio                                              the DTS language server
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { buildVirtFdt } from '../machine/fdt';
import { MAX_HARTS, Xlen, defaultDescription } from '../machine/description';
import { compileDts, decompileDtb } from '../dts/index';
import { DtsDiagnostic, LineIndex } from '../dts/source';
import { parseArgs, RunOptions } from './cli-options';
import { READ_LIMITS, readFileBounded, readStdinBounded, readTextBounded, utf8, writeOutput } from './host-files';

export type ToolCommand =
  | { command: 'dts'; preset?: 'virt'; harts: number; xlen: Xlen; memoryBytes: number; input?: string; output?: string; includePaths: string[]; defines: Record<string, string>; symbols: boolean }
  | { command: 'lsp' };

export function parseToolArgs(argv: readonly string[]): { ok: true; value: ToolCommand } | { ok: false; error: string } {
  if (argv[0] === 'lsp') {
    if (argv.slice(1).some((a) => a !== '--stdio')) return { ok: false, error: `lsp takes only --stdio, got '${argv.slice(1).join(' ')}'` };
    return { ok: true, value: { command: 'lsp' } };
  }
  const o: Extract<ToolCommand, { command: 'dts' }> = { command: 'dts', harts: 1, xlen: 64, memoryBytes: 128 * 1024 * 1024, includePaths: [], defines: {}, symbols: false };
  const seen = new Set<string>();
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    const next = (): string | undefined => (i + 1 < argv.length ? argv[++i] : undefined);
    if (a === '--preset' || a === '--harts' || a === '--xlen' || a === '-m' || a === '-o' || a === '-I' || a === '-D') {
      const v = next();
      if (v === undefined) return { ok: false, error: `${a} needs a value` };
      if (a !== '-I' && a !== '-D' && seen.has(a)) return { ok: false, error: `${a} given twice` };
      seen.add(a);
      if (a === '--preset') { if (v !== 'virt') return { ok: false, error: `unknown preset '${v}' (only 'virt')` }; o.preset = 'virt'; }
      else if (a === '--harts') { const n = Number(v); if (!Number.isInteger(n) || n < 1 || n > MAX_HARTS) return { ok: false, error: `--harts must be 1..${MAX_HARTS}` }; o.harts = n; }
      else if (a === '--xlen') { if (v !== '32' && v !== '64') return { ok: false, error: '--xlen must be 32 or 64' }; o.xlen = Number(v) as Xlen; }
      else if (a === '-m') {
        // The same sizes as `run -m`, checked by run's own parser (one place for the range).
        const run = parseArgs(['run', '--dump-dtb', '-', '-m', v]);
        if (!run.ok) return run;
        o.memoryBytes = (run.value as RunOptions).memoryBytes;
      }
      else if (a === '-o') o.output = v;
      else if (a === '-I') o.includePaths.push(v);
      else { const eq = v.indexOf('='); o.defines[eq < 0 ? v : v.slice(0, eq)] = eq < 0 ? '1' : v.slice(eq + 1); }
    } else if (a === '-@') o.symbols = true;
    else if (a.startsWith('-') && a !== '-') return { ok: false, error: `unknown dts option '${a}'` };
    else if (o.input !== undefined) return { ok: false, error: `dts takes one input file, got '${o.input}' and '${a}'` };
    else o.input = a;
  }
  if (o.preset === undefined && o.input === undefined) return { ok: false, error: 'dts needs --preset virt or an input FILE (.dts to compile, .dtb to decompile)' };
  if (o.preset !== undefined && o.input !== undefined) return { ok: false, error: 'dts takes --preset or a FILE, not both' };
  return { ok: true, value: o };
}

/** /incbin/ files. */
function readBytes(file: string): Uint8Array | undefined {
  const r = readFileBounded(file, READ_LIMITS.source);
  return r.ok ? r.bytes : undefined;
}

/** Sources and includes. */
const readText = (file: string): string | undefined => readTextBounded(file, READ_LIMITS.source);

/** `file:line:col: severity: message [code]`, as compilers print them. */
export function formatDiagnostic(d: DtsDiagnostic, files: Map<string, LineIndex>): string {
  let idx = files.get(d.range.file);
  if (idx === undefined) { idx = new LineIndex(readText(d.range.file) ?? ''); files.set(d.range.file, idx); }
  const p = idx.position(d.range.start);
  return `${d.range.file}:${p.line + 1}:${p.character + 1}: ${d.severity}: ${d.message} [${d.code}]`;
}

/** Writes the result to -o FILE or stdout; false (the error said) when it cannot. */
function write(output: string | undefined, data: string | Uint8Array): boolean {
  const err = writeOutput(output ?? '-', data);
  if (err !== null) process.stderr.write(`osdev-emu: ${err}\n`);
  return err === null;
}

/** Runs a tool command; resolves to the exit status (2 for bad input, as the rest of the CLI). */
export async function runTool(argv: readonly string[]): Promise<number> {
  const parsed = parseToolArgs(argv);
  if (!parsed.ok) { process.stderr.write(`osdev-emu: ${parsed.error}\n`); return 2; }
  const c = parsed.value;
  if (c.command === 'lsp') return runLanguageServer();
  try {
    if (c.preset !== undefined) {
      const blob = buildVirtFdt(defaultDescription({ xlen: c.xlen, harts: c.harts, memoryBytes: c.memoryBytes }));
      const text = decompileDtb(blob, { labels: true });
      if (!text.ok) throw new Error(text.error);
      return write(c.output, text.value) ? 0 : 2;
    }
    const input = c.input!;
    if (input.endsWith('.dtb')) {
      const blob = readFileBounded(input, READ_LIMITS.source);
      if (!blob.ok) { process.stderr.write(`osdev-emu: cannot read '${input}': ${blob.error}\n`); return 2; }
      const text = decompileDtb(blob.bytes, { labels: true });
      if (!text.ok) { process.stderr.write(`osdev-emu: ${input}: ${text.error}\n`); return 2; }
      return write(c.output, text.value) ? 0 : 2;
    }
    const fromStdin = input === '-' || input === '/dev/stdin';
    const read = fromStdin ? readStdinBounded(READ_LIMITS.source) : readFileBounded(input, READ_LIMITS.source);
    if (!read.ok) { process.stderr.write(`osdev-emu: cannot read '${fromStdin ? 'stdin' : input}': ${read.error}\n`); return 2; }
    const source = utf8(read.bytes);
    const result = compileDts(fromStdin ? '<stdin>' : path.resolve(input), source, {
      readFile: readText, readBinary: readBytes, includePaths: c.includePaths.map((p) => path.resolve(p)), defines: c.defines, symbols: c.symbols,
    });
    const indexes = new Map<string, LineIndex>();
    const shown = result.ok ? result.warnings : result.errors;
    for (const d of shown) process.stderr.write(formatDiagnostic(d, indexes) + '\n');
    if (!result.ok) return 2;
    return write(c.output, result.dtb) ? 0 : 2;
  } catch (e) {
    process.stderr.write(`osdev-emu: internal error (a bug, please report): ${(e as Error).stack ?? String(e)}\n`);
    return 70;
  }
}

/**
 * The language server is the extension's (extension/lsp/server.ts, bundled as
 * dist/dts-server.js); the emulator room may not import it, so run it as a child on
 * our own stdio.
 */
function runLanguageServer(): Promise<number> {
  const candidates = [path.join(__dirname, 'dts-server.js'), path.join(__dirname, '..', '..', 'extension', 'lsp', 'server.js')];
  const server = candidates.find((p) => fs.existsSync(p));
  if (server === undefined) { process.stderr.write(`osdev-emu: the language server is not built (looked for ${candidates.join(', ')})\n`); return Promise.resolve(2); }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [server, '--stdio'], { stdio: 'inherit' });
    child.on('exit', (code) => resolve(code ?? 1));
    child.on('error', (e) => { process.stderr.write(`osdev-emu: cannot start the language server: ${e.message}\n`); resolve(70); });
  });
}
