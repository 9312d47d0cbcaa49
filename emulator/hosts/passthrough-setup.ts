/**
 * Passthrough slots from host options (`--passthrough`, launch.json `passthrough`),
 * shared by the CLI and the debugger's machine worker: default places on the platform
 * bus, and each slot's backend opened (a stub model file read and checked, a
 * Remote-Port peer connected). Every failure is a message naming the slot.
 */
import * as path from 'node:path';
import { PassthroughBackendOption, PassthroughOption } from '../backends';
import { PassthroughDescription, VIRT } from '../machine/description';
import { PassthroughBackend } from '../devices/passthrough/backend';
import { parseStubModel, StubBackend } from '../devices/passthrough/stub';
import { DeviceModel } from '../devices/regmap';
import { openRemotePortBackend } from './remote-port-link';
import { NO_PEER, RemotePortBackend } from '../devices/passthrough/remote-port';
import { READ_LIMITS, readFileBounded, utf8 } from './host-files';

export interface OpenedBackend { backend: PassthroughBackend; target: string }

type Result<T> = { ok: true; value: T } | { ok: false; error: string };

/** Read and check a stub model file. */
export function openStub(file: string): Result<StubBackend> {
  const r = readFileBounded(file, READ_LIMITS.model);
  if (!r.ok) return { ok: false, error: `cannot read the model file '${file}': ${r.error}` };
  const text = utf8(r.bytes);
  const m = parseStubModel(text, file);
  return m.ok ? { ok: true, value: new StubBackend(m.value, file) } : m;
}

/**
 * Open one backend; `null` for `none`. Relative model paths resolve against `cwd`;
 * `index` is the slot's place among the passthrough slots, its Remote-Port device id
 * unless the option gives one (`dev=`). `say` hears which role a Remote-Port link took.
 */
export function openBackend(b: PassthroughBackendOption, cwd: string, index: number, say?: (line: string) => void): Result<OpenedBackend | null> {
  switch (b.kind) {
    case 'none': return { ok: true, value: null };
    case 'stub': {
      const file = path.resolve(cwd, b.model);
      const s = openStub(file);
      return s.ok ? { ok: true, value: { backend: s.value, target: file } } : s;
    }
    case 'remote-port': {
      let model: DeviceModel | undefined;
      if (b.model !== undefined) {
        const s = openStub(path.resolve(cwd, b.model));
        if (!s.ok) return s;
        model = s.value.model;
      }
      // A replay's slot: its recorded answers stand in for the peer.
      if (b.peer === false) {
        return { ok: true, value: { backend: new RemotePortBackend(NO_PEER, { dev: b.dev ?? index, addresses: b.addresses, syncQuantum: b.syncQuantum, timeoutMs: b.timeoutMs, model, peer: false }), target: `${b.address} (recorded)` } };
      }
      const r = openRemotePortBackend(b.address, {
        dev: b.dev ?? index, addresses: b.addresses, syncQuantum: b.syncQuantum, timeoutMs: b.timeoutMs, model, say,
      });
      return r.ok ? { ok: true, value: { backend: r.value, target: b.address } } : r;
    }
  }
}

export interface OpenPassthrough {
  descriptions: PassthroughDescription[];
  backends: (OpenedBackend | null)[];
  close(): void;
}

/** Every slot placed and its backend opened, or none (what was opened is closed again). `say` gets lines for the console. */
export function openPassthrough(opts: readonly PassthroughOption[], cwd: string, say?: (line: string) => void): Result<OpenPassthrough> {
  const descriptions: PassthroughDescription[] = [];
  const backends: (OpenedBackend | null)[] = [];
  const close = () => { for (const b of backends) b?.backend.close(); };
  let nextBase: number = VIRT.platformBus.base, nextIrq: number = VIRT.platformBus.firstIrq;
  for (const o of opts) {
    const b = openBackend(o.backend, cwd, descriptions.length, say === undefined ? undefined : (line) => say(`passthrough "${o.name}": ${line}`));
    if (!b.ok) { close(); return { ok: false, error: `passthrough "${o.name}": ${b.error}` }; }
    backends.push(b.value);
    const compatible = o.compatible ?? b.value?.backend.model?.compatible[0];
    if (compatible === undefined) { close(); return { ok: false, error: `passthrough "${o.name}": give a compatible string (only a stub model brings its own)` }; }
    const size = o.size;
    // Default places follow one another on the platform bus, each aligned to its size.
    const base = o.base ?? Math.ceil(nextBase / size) * size;
    const irq = o.irq ?? nextIrq;
    nextBase = Math.max(nextBase, base + size);
    nextIrq = Math.max(nextIrq, irq + 1);
    const modelSize = b.value?.backend.model?.size;
    if (modelSize !== undefined && modelSize > size) {
      close();
      return { ok: false, error: `passthrough "${o.name}": the model needs a 0x${modelSize.toString(16)}-byte window, the slot has 0x${size.toString(16)}` };
    }
    descriptions.push({ name: o.name, base, size, irq, compatible, unplugged: o.unplugged, ...(o.dma !== undefined ? { dma: o.dma } : {}) });
  }
  return { ok: true, value: { descriptions, backends, close } };
}
