/**
 * The debug adapter as extension/ sees it: the session class VS Code runs inline, the
 * debug type, and the typed custom requests and events of an `osdev` session.
 * extension/ imports this file and nothing else under debug-adapter/ (eslint.config.mjs).
 */
export { OsdevDebugSession } from './adapter';
export { DEBUG_TYPE } from './launch-config';
export type {
  CpuProfile, CustomEvents, CustomRequestArgs, CustomRequestName, CustomRequestResult, CustomRequests, DeviceGroup, DeviceInfo, FieldValue,
  MachineStatus, PassthroughState, RegisterValue, ScreenFrameJson, VirtioQueueState, VirtioState,
} from './custom-requests';
export type { ScreenFrame } from '../emulator';
