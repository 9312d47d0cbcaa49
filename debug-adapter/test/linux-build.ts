/**
 * The Linux 6.1 build the debugger's Linux tests run (emulator/test/linux/build.sh): where
 * its files are, and why a test cannot run when they are not there.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const OUT = path.resolve(__dirname, '../../../emulator/test/guests/build/linux');
export const IMAGE = path.join(OUT, 'Image');
export const VMLINUX = path.join(OUT, 'vmlinux');
export const ROOTFS = path.join(OUT, 'rootfs.img');

/** Why the Linux build is not there, or undefined when it is. */
export function linuxMissing(): string | undefined {
  for (const f of [IMAGE, VMLINUX, ROOTFS]) {
    if (!fs.existsSync(f)) return `${f} was not built: run bash emulator/test/linux/build.sh (it needs Debian's linux-source-6.1)`;
  }
  return undefined;
}
