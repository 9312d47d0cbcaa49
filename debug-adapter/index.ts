/**
 * The debug adapter as extension/ sees it: the session class VS Code runs inline, the
 * debug type, and the typed custom requests and events of an `osdev` session.
 * extension/ imports this file and nothing else under debug-adapter/ but node-host.ts
 * (eslint.config.mjs). Node-free: the web extension bundles it.
 */
export { OsdevDebugSession } from './adapter';
export { DEBUG_TYPE } from './launch-config';
// What a host hands the session (node-host.ts is Node's; the web extension builds its own).
export type { AdapterHost, MachineTransport, TraceFile } from './adapter-host';
export type { FileAccessor } from './file-accessor';
export type {
  CpuProfile, CustomEvents, CustomRequestArgs, CustomRequestName, CustomRequestResult, CustomRequests, DeviceGroup, DeviceInfo, FieldValue,
  MachineStatus, PassthroughState, RegisterValue, ScreenFrameJson, VirtioQueueState, VirtioState,
} from './custom-requests';
export type { ScreenFrame } from '../emulator';
