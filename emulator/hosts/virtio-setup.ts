/**
 * Virtio devices from host options, shared by the CLI and the debugger's machine
 * worker: the device list in the order QEMU fills slots, and the disk images opened.
 */
import { DriveOption } from '../backends';
import { OpenDrive, openDrive } from './drives';
import { lockImage } from './image-lock';

// The device layout and bootargs are host-neutral (the browser's machine worker uses them too).
export { bootargsFor, virtioDevices } from './virtio-layout';
export type { VirtioOptions } from './virtio-layout';

export async function openDrives(drives: readonly DriveOption[]): Promise<{ ok: true; value: OpenDrive[]; warnings: string[] } | { ok: false; error: string }> {
  const open: OpenDrive[] = [];
  const warnings: string[] = [];
  const fail = (error: string) => { for (const o of open) o.close(); return { ok: false as const, error }; };
  for (const d of drives) {
    const r = openDrive(d);
    if (!r.ok) return fail(r.error);
    const same = open.findIndex((o) => o.identity === r.value.identity);
    if (same >= 0 && (d.mode === 'writeback' || drives[same].mode === 'writeback')) {
      r.value.close();
      return fail(`drive '${d.path}' is the same image as drive '${drives[same].path}', and one of them is writable (mode=writeback)`);
    }
    const lock = await lockImage(d.path, d.mode === 'writeback', `drive '${d.path}'`);
    if (!lock.ok) { r.value.close(); return fail(lock.error); }
    if (lock.warning !== undefined && warnings.length === 0) warnings.push(lock.warning); // the same reason for every drive: said once
    const file = r.value;
    open.push({ ...file, close: () => { file.close(); lock.release(); } });
  }
  return { ok: true, value: open, warnings };
}

