/**
 * Whether the host's virtio devices fit a machine description: host-neutral, for the
 * Node hosts (machine-file.ts re-exports it) and the browser's machine worker.
 */
import { boardOf, MachineDescription, virtioSlots } from '../machine/description';

/**
 * Why the host's virtio devices cannot go on this machine (more devices than slots, a
 * slot asked for twice or that the board lacks), or null. The CLI and the worker ask
 * this of every description, the virt board's too.
 */
export function checkHostFit(desc: MachineDescription): string | null {
  const r = virtioSlots(desc.virtio ?? [], boardOf(desc).virtio.length);
  return r.ok ? null : r.error;
}
