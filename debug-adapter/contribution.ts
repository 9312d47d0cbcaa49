/**
 * package.json's `contributes.debuggers` entry for `osdev`, built from the one schema in
 * launch-config.ts. scripts/debugger-contribution.mjs writes it into package.json and
 * test/contribution.test.ts checks package.json still says the same.
 */
import { DEBUG_TYPE, LAUNCH_ATTRIBUTES, REQUIRED_ATTRIBUTES } from './launch-config';

export const ACTIVATION_EVENTS = [`onDebugResolve:${DEBUG_TYPE}`, `onDebugDynamicConfigurations:${DEBUG_TYPE}`, 'onDebugInitialConfigurations'];
export const BREAKPOINT_LANGUAGES = ['c', 'cpp', 'asm', 'riscv'];

export function debuggerContribution(): Record<string, unknown> {
  return {
    type: DEBUG_TYPE,
    label: 'OS Dev Emulator (RISC-V)',
    languages: BREAKPOINT_LANGUAGES,
    configurationAttributes: { launch: { required: [...REQUIRED_ATTRIBUTES], properties: LAUNCH_ATTRIBUTES } },
    initialConfigurations: [
      { type: DEBUG_TYPE, request: 'launch', name: 'Boot kernel in the emulator', program: '${workspaceFolder}/kernel.elf', stopOnEntry: true },
    ],
    configurationSnippets: [
      {
        label: 'OS Dev Emulator: boot a kernel in M-mode (no firmware)',
        description: 'The kernel ELF runs from its own addresses in M-mode, like QEMU -bios none.',
        body: { type: DEBUG_TYPE, request: 'launch', name: 'Boot kernel', program: '^"\\${workspaceFolder}/kernel.elf"', stopOnEntry: true },
      },
      {
        label: 'OS Dev Emulator: boot an S-mode kernel with OpenSBI',
        description: 'OpenSBI (Debian package opensbi) at the start of RAM, the kernel after it, as on QEMU virt.',
        body: {
          type: DEBUG_TYPE, request: 'launch', name: 'Boot kernel with OpenSBI', program: '^"\\${workspaceFolder}/kernel.elf"',
          bios: '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.elf', memory: '256M', stopOnEntry: true,
        },
      },
    ],
  };
}
