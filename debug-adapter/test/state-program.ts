/**
 * Builds a C guest (test/programs/state.c, the DWARF tests' program, by default) with
 * the guests' start-up code and linker script, with Debian's riscv64-unknown-elf-gcc, for
 * one XLEN, optimisation level and DWARF version, into a temp folder the caller removes.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import { parseElf } from '../../emulator/loaders/elf';
import { DwarfInfo } from '../dwarf-dies';

const ROOT = path.resolve(__dirname, '../../..');
const COMMON = path.join(ROOT, 'emulator/test/guests/common');
export const STATE_SOURCE = path.join(ROOT, 'debug-adapter/test/programs/state.c');

export interface StateBuild { elf: string; dir: string; remove(): void }

export function buildState(xlen: 32 | 64, opt: '-O0' | '-Og' | '-O2', dwarf: 4 | 5 = 5, source = STATE_SOURCE, flags: readonly string[] = []): StateBuild {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osdev-dwarf-'));
  const march = xlen === 64 ? 'rv64imac' : 'rv32imac';
  const abi = xlen === 64 ? 'lp64' : 'ilp32';
  const gcc = 'riscv64-unknown-elf-gcc';
  const libgcc = execFileSync(gcc, [`-march=${march}`, `-mabi=${abi}`, '-print-libgcc-file-name'], { encoding: 'utf8' }).trim();
  const elf = path.join(dir, `${path.basename(source, '.c')}-rv${xlen}${opt}-dwarf${dwarf}.elf`);
  execFileSync(gcc, [`-gdwarf-${dwarf}`, opt, ...flags, `-march=${march}_zicsr_zifencei`, `-mabi=${abi}`, '-mcmodel=medany', '-ffreestanding',
    '-fno-builtin', '-fno-common', '-nostdlib', '-nostartfiles', '-Wall', '-Wextra', '-Werror', '-Wl,--no-warn-rwx-segments',
    '-T', path.join(COMMON, 'link.ld'), '-I', COMMON, source, ...['crt0.S', 'trap.S', 'lib.c'].map((f) => path.join(COMMON, f)),
    libgcc, '-o', elf]);
  return { elf, dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The DWARF of an ELF file, which must have some and read without a warning. */
export function dwarfOf(file: string): DwarfInfo {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const elf = parseElf(bytes);
  assert.ok(elf.ok);
  const warnings: string[] = [];
  const info = DwarfInfo.fromElf(elf.value, bytes, warnings);
  assert.ok(info !== undefined, `${file} has no .debug_info`);
  assert.deepEqual(warnings, []);
  return info;
}

