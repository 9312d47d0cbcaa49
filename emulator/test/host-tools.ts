/**
 * The host programs the tests run, and the Debian package each comes from, once: a test
 * that cannot start one says which package to install (.ci/run installs them all).
 */
import { spawnSync, type SpawnSyncOptions, type SpawnSyncReturns } from 'node:child_process';
import assert from 'node:assert/strict';

const DEBIAN_PACKAGE: Record<string, string> = {
  'riscv64-unknown-elf-gcc': 'gcc-riscv64-unknown-elf',
  'riscv64-unknown-elf-objdump': 'binutils-riscv64-unknown-elf',
  'riscv64-unknown-elf-readelf': 'binutils-riscv64-unknown-elf',
  'riscv64-unknown-elf-objcopy': 'binutils-riscv64-unknown-elf',
  'qemu-system-riscv64': 'qemu-system-misc',
  'qemu-system-riscv32': 'qemu-system-misc',
  'gdb-multiarch': 'gdb-multiarch',
  dtc: 'device-tree-compiler',
  cpp: 'cpp',
  make: 'make',
};

/** "install Debian's X (.ci/run does)" for a tool, or a plain hint for one not listed. */
export function installHint(tool: string): string {
  const pkg = DEBIAN_PACKAGE[tool];
  return pkg === undefined ? 'install it; these tests need it' : `install Debian's ${pkg}; .ci/run does`;
}

/** spawnSync that fails the test, naming the package, when the program cannot start. */
export function spawnTool(cmd: string, args: string[], options: SpawnSyncOptions): SpawnSyncReturns<string | Buffer> {
  const r = spawnSync(cmd, args, options);
  if (r.error) assert.fail(`cannot run ${cmd}: ${r.error.message} (${installHint(cmd)})`);
  return r;
}
