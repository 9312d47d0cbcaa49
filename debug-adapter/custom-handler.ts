/**
 * The adapter's custom requests (custom-requests.ts) turned into machine-worker
 * requests. Arguments come from any DAP client, so each is checked here and a bad one
 * is an error naming it. The trace file, when asked for, is appended here: the adapter
 * is the side that may touch the user's files.
 */
import { MachineRequests } from './session-context';
import { DEFAULT_PROFILE_RATE, MAX_DISPLAY, MIN_DISPLAY, parseBackendSpec } from '../emulator';
import { DebugInfo } from './debug-info';
import type { TraceFile } from './adapter-host';
import { encodeBase64 } from './base64';
import { buildCpuProfile, buildLcov, lossNotes } from './profile-writer';
import type { HartState, TaskSource } from '../emulator';

/** What profiles need of the guest's tasks (task-threads.ts). */
export interface ProfileTasks {
  profileSources(harts: readonly HartState[]): Promise<TaskSource[]>;
  profileNames(harts: readonly HartState[]): Promise<Map<string, string>>;
}
import type { ScreenFrame } from '../emulator';
import { CustomRequestName, CustomRequestResult, MachineStatus, ScreenFrameJson } from './custom-requests';

export class CustomRequestError extends Error {}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function str(args: Record<string, unknown>, name: string): string {
  const v = args[name];
  if (typeof v !== 'string' || v === '') throw new CustomRequestError(`argument "${name}" must be a non-empty string`);
  return v;
}

export class CustomRequests {
  /** The trace file, while tracing to one. */
  private traceFile: TraceFile | null = null;

  constructor(private readonly machine: () => MachineRequests, private readonly debugInfo: () => DebugInfo,
    /** The guest's tasks, when an OS description applies (task-threads.ts): profiles name them. */
    private readonly tasks?: ProfileTasks,
    /** How a trace file is opened (the host's: adapter-host.ts). */
    private readonly openTraceFile: (file: string) => TraceFile = () => { throw new Error('this host writes no files'); }) {}

  static handles(command: string): command is CustomRequestName {
    return ['osdev/devices', 'osdev/writeDeviceRegister', 'osdev/resetDevice', 'osdev/plug', 'osdev/setBackend', 'osdev/trace',
      'osdev/consoleInput', 'osdev/status', 'osdev/profile', 'osdev/screen', 'osdev/screenChanges', 'osdev/inputEvents', 'osdev/screenSize', 'osdev/saveReplay'].includes(command);
  }

  async handle(command: CustomRequestName, raw: unknown): Promise<CustomRequestResult<CustomRequestName>> {
    const args = isObj(raw) ? raw : {};
    // A panel's long poll outlives the machine (the guest powered off while a request was on its way): null, as at power-off.
    if (command === 'osdev/screenChanges') return { frame: await this.screenChanges() };
    const m = this.machine();
    switch (command) {
      case 'osdev/devices': {
        const device = args.device === undefined ? undefined : str(args, 'device');
        return { devices: await m.request({ type: 'devices', device }) };
      }
      case 'osdev/writeDeviceRegister': {
        const field = args.field === undefined ? undefined : str(args, 'field');
        if (typeof args.value !== 'number') throw new CustomRequestError('argument "value" must be a number');
        return { register: await m.request({ type: 'writeDevice', device: str(args, 'device'), register: str(args, 'register'), field, value: args.value }) };
      }
      case 'osdev/resetDevice':
        await m.request({ type: 'resetDevice', device: str(args, 'device') });
        return {};
      case 'osdev/plug': {
        if (typeof args.plugged !== 'boolean') throw new CustomRequestError('argument "plugged" must be true or false');
        return { state: await m.request({ type: 'plug', device: str(args, 'device'), plugged: args.plugged }) };
      }
      case 'osdev/setBackend': {
        const spec = args.backend === 'stub' ? `stub:${str(args, 'model')}` : args.backend === 'remote-port' ? `remote-port:${str(args, 'address')}`
          : args.backend === 'none' ? 'none' : undefined;
        if (spec === undefined) throw new CustomRequestError('argument "backend" must be "stub", "remote-port" or "none"');
        const backend = parseBackendSpec(spec);
        if (typeof backend === 'string') throw new CustomRequestError(backend);
        return { state: await m.request({ type: 'setBackend', device: str(args, 'device'), backend }) };
      }
      case 'osdev/trace': {
        const devices = args.devices === undefined ? [] : args.devices;
        if (!Array.isArray(devices) || !devices.every((d) => typeof d === 'string')) throw new CustomRequestError('argument "devices" must be a list of device names');
        const mmio = args.mmio === true, traps = args.traps === true;
        this.closeTraceFile();
        if ((mmio || traps) && typeof args.file === 'string' && args.file !== '') {
          try { this.traceFile = this.openTraceFile(args.file); } catch (e) { throw new CustomRequestError(`cannot write the trace to '${args.file}': ${(e as Error).message}`); }
        }
        await m.request({ type: 'trace', mmio, traps, devices: devices as string[] });
        return {};
      }
      case 'osdev/consoleInput':
        await m.request({ type: 'input', bytes: new TextEncoder().encode(str(args, 'text')) });
        return {};
      case 'osdev/screen': {
        const frame = await m.request({ type: 'screen' });
        return { frame: frame === null ? null : frameJson(frame) };
      }
      case 'osdev/inputEvents': {
        const device = args.device;
        if (device !== 'keyboard' && device !== 'tablet') throw new CustomRequestError('argument "device" must be "keyboard" or "tablet"');
        const events = args.events;
        const ok = Array.isArray(events) && events.length % 3 === 0 && events.length <= 3 * 256 &&
          events.every((n, i) => Number.isInteger(n) && (i % 3 === 2 ? n >= -0x8000_0000 && n <= 0xffff_ffff : n >= 0 && n <= 0xffff));
        if (!ok) throw new CustomRequestError('argument "events" must be at most 256 [type, code, value] triples of integers');
        await m.request({ type: 'inputEvents', device, events: events as number[] });
        return {};
      }
      case 'osdev/screenSize': {
        const side = (name: 'width' | 'height') => {
          const v = args[name];
          if (typeof v !== 'number' || !Number.isInteger(v) || v < MIN_DISPLAY || v > MAX_DISPLAY) {
            throw new CustomRequestError(`argument "${name}" must be a whole number of pixels from ${MIN_DISPLAY} to ${MAX_DISPLAY}, got ${JSON.stringify(v)}`);
          }
          return v;
        };
        await m.request({ type: 'screenSize', width: side('width'), height: side('height') });
        return {};
      }
      case 'osdev/saveReplay': {
        const r = await m.request({ type: 'saveReplay', folder: str(args, 'folder') });
        return { data: encodeBase64(r.bytes), instructions: r.retired, state: r.state, notes: r.notes };
      }
      case 'osdev/status': {
        const s = await m.request({ type: 'status' });
        const state: MachineStatus['state'] = s.exited ? 'exited' : s.idle ? 'idle' : s.running ? 'running' : 'paused';
        return { state, guestTimeNs: s.guestTimeNs, instructions: s.instructions, ips: s.ips };
      }
      case 'osdev/profile': {
        if (args.action === 'start') {
          const rate = args.rate ?? DEFAULT_PROFILE_RATE;
          if (typeof rate !== 'number' || !Number.isInteger(rate) || rate < 1 || rate > 1e12) throw new CustomRequestError('argument "rate" must be a whole number of instructions, at least 1');
          const harts = this.tasks !== undefined ? await m.request({ type: 'harts' }) : [];
          const tasks = this.tasks !== undefined ? await this.tasks.profileSources(harts) : [];
          await m.request({ type: 'profile', action: 'start', rate, coverage: args.coverage === true, ...(tasks.length > 0 ? { tasks } : {}) });
          return {};
        }
        if (args.action !== 'stop') throw new CustomRequestError('argument "action" must be "start" or "stop"');
        const got = await m.request({ type: 'profile', action: 'stop' });
        if (got === null || got.profile === null) throw new CustomRequestError('no profile is running (start one first)');
        const info = this.debugInfo();
        const notes = lossNotes(got.profile, got.coverage);
        return {
          profile: buildCpuProfile(info, got.profile, this.tasks !== undefined ? await this.tasks.profileNames(await m.request({ type: 'harts' })) : undefined),
          ...(got.coverage !== null ? { lcov: buildLcov(info, got.coverage) } : {}),
          ...(notes.length > 0 ? { notes } : {}),
        };
      }
    }
  }

  /** Trace lines from the machine: to the file too, when one was asked for. */
  traceLines(lines: string[]): void {
    this.traceFile?.append(lines.join('\n') + '\n');
  }

  closeTraceFile(): void {
    this.traceFile?.close();
    this.traceFile = null;
  }

  /** The next frame for a panel; null when the machine is gone (ended before or while asking). */
  private async screenChanges(): Promise<ScreenFrameJson | null> {
    const gone = () => { try { this.machine(); return false; } catch { return true; } };
    if (gone()) return null;
    try {
      const frame = await this.machine().request({ type: 'screenChanges' });
      return frame === null ? null : frameJson(frame);
    } catch (e) {
      if (gone()) return null;
      throw e;
    }
  }
}

const b64 = encodeBase64;

/** The worker's screen frame for a DAP response: bytes as base64. */
export function frameJson(f: ScreenFrame): ScreenFrameJson {
  const c = f.cursor;
  return {
    generation: f.generation, width: f.width, height: f.height, full: f.full,
    rects: f.rects.map((r) => ({ x: r.x, y: r.y, width: r.width, height: r.height, png: b64(r.png) })),
    cursor: c === null ? null : {
      x: c.x, y: c.y, hotX: c.hotX, hotY: c.hotY, visible: c.visible, width: c.width, height: c.height,
      ...(c.image !== undefined ? { image: b64(c.image) } : {}),
    },
  };
}
