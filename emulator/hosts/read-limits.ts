/**
 * Input size limits, whoever reads the input: host-files.ts in Node, the web extension
 * through vscode.workspace.fs.
 */

const MiB = 1024 * 1024;

/** How large each kind of input may be (DESIGN.md idea 3: bounded memory on bad input). */
export const READ_LIMITS = {
  /** Kernels, firmware, initrds, ELF files for symbols: the largest RAM (`-m 2G`). */
  image: 2048 * MiB,
  /** Device-tree sources, their includes and /incbin/ files, DTBs. */
  source: 16 * MiB,
  /** `--replay` input logs. */
  inputLog: 256 * MiB,
  /** Stub device models (a model describes registers: a large one is a few kilobytes). */
  model: 1 * MiB,
} as const;
