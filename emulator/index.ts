/**
 * The emulator as the other rooms see it: debug-adapter/ and extension/ import this
 * file and nothing else under emulator/ (eslint.config.mjs enforces it; tests may
 * reach further). What is here is the contract; everything else may move. Node-free:
 * the web extension bundles it; the Node-only parts are in ./node.ts.
 * docs/architecture.md, "Rooms and arrows".
 */

// Talking to the machine worker (hosts/worker.ts): the messages, and what they carry.
export type {
  DebugStop, HartState, ImageBytes, LaunchParams, LaunchVirtio, PageWalk, ScreenCursorState, ScreenFrame, TlbEntry, TrapFilter, TrapMatch,
  WalkLevel, WorkerEvent, WorkerMessage, WorkerRequest, WorkerRequestBody, WorkerResults,
} from './machine/debug-protocol';
export { MAX_MEMORY_TRANSFER } from './machine/debug-protocol';
// Profiles and coverage as the machine collects them (raw pcs); the adapter names them.
export type { RawCoverage, RawProfile, RawSample, TaskSource } from './machine/profiler';
export { DEFAULT_PROFILE_RATE } from './machine/profiler';
export { PRIV_LETTER } from './machine/debug-surface';
export { formatDevices, formatTlb, formatWalk } from './machine/inspect-text';
export { MAX_HARTS, MAX_MEMORY_BYTES } from './machine/description';
export { checkIsa } from './machine/dts-cpus';
export type {
  DeviceGroup, DeviceInfo, FieldValue, PassthroughState, RegisterValue, VirtioQueueState, VirtioState,
} from './devices/device-view';

// Options in words, shared by the CLI and launch.json, and the values they give.
export type { DriveOption, HostPort, NetOption, PassthroughOption } from './backends';
export type { Engine } from './options';
export {
  DEFAULT_ENGINE, ENGINES, hostPort, MAX_DISPLAY, MIN_DISPLAY, parseBackendSpec, parseConsole, parseDisplay, parseDrive, parseNet, parseNumber, parseRng, parseSize, passthroughFromPairs,
} from './options';

// Reading programs: ELF images, instruction encodings, CSR and trap names.
export type { ElfImage } from './loaders/elf';
export { elfAddressToNumber, hasElfMagic, parseElf } from './loaders/elf';
export { defaultBios } from './loaders/raw';
export type { Encoding } from './hart/isa-table';
export { expandCompressed, findEncoding, immB, immI, immJ, immS, immU } from './hart/decode';
export { CAUSE_NAMES, CSR, INTERRUPT_NAMES, MCONTROL, MIP, MSTATUS, SATP_MODE, TRIGGER_TYPE } from './hart/csr';
export type { CsrDecl } from './hart/csr-table';
export { CSR_AT, csrDecl, TRIGGER_TYPE_NAMES } from './hart/csr-table';

// The screen: evdev events for the display's keyboard and tablet.
export { ABS_MAX, BTN, keyEvents, pointerEvents } from './devices/virtio/input';

// How large a file from outside may be (reading one bounded is the host's: ./node.ts in Node).
export { READ_LIMITS } from './hosts/read-limits';

// Device trees (the language server) and the device models it knows compatibles by.
export * from './dts/index';
export { DEVICE_TYPES, typeForCompatible } from './machine/description';
export { nodeRole } from './machine/machine-from-dts';
export type { DeviceModel } from './devices/regmap';
export { decodeReplayFile, replayImageFiles, replayLaunchParams, REPLAY_EXTENSION } from './snapshot/replay-file';
export type { Replay } from './snapshot/replay-file';
