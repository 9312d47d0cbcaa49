/**
 * `/incbin/("file"[, offset, length])`: the bytes of a file in a property value. The file
 * is looked up as dtc does (srcpos.c): beside the source file that names it, then along
 * the include paths. Read through the injected readers, and bounded: LIMITS.incbinBytes
 * over all /incbin/s of one compilation, so a property cannot pull in a disk image.
 */

import { BodyItem, DtsDocument, IncbinPart, Span } from './parser';
import { FileReader, LIMITS, SourceRange, dirname, joinPath } from './source';

/** Reads a file's bytes; undefined when it does not exist or cannot be read. */
export type BinaryReader = (path: string) => Uint8Array | undefined;

export interface IncbinDiagnostic { message: string; span: Span }

function* incbins(items: readonly BodyItem[], depth: number): Generator<IncbinPart> {
  if (depth > LIMITS.nodeDepth) return;
  for (const item of items) {
    if (item.kind === 'prop') { for (const part of item.value) if (part.kind === 'incbin') yield part; }
    else if (item.kind === 'node') yield* incbins(item.body.items, depth + 1);
  }
}

/**
 * Fills every /incbin/ part's bytes. `readBinary` when the host has one; otherwise the
 * text reader's characters as UTF-8 (right for text files, which is what a FileReader gives).
 */
/** The first offset dtc cannot seek to on ext4 (its largest file is 16 TiB). */
const INCBIN_SEEK_LIMIT = 1n << 44n;

export function loadIncbins(doc: DtsDocument, range: (span: Span) => SourceRange, opts: { readFile: FileReader; readBinary?: BinaryReader; includePaths?: readonly string[] }): IncbinDiagnostic[] {
  const errors: IncbinDiagnostic[] = [];
  const read = opts.readBinary ?? ((p: string) => { const t = opts.readFile(p); return t === undefined ? undefined : new TextEncoder().encode(t); });
  let budget: number = LIMITS.incbinBytes;
  for (const top of doc.tops) {
    if (top.kind !== 'top-node') continue;
    for (const part of incbins(top.body.items, 0)) {
      const from = dirname(range(part.pathSpan).file);
      const candidates = [joinPath(from, part.path), ...(opts.includePaths ?? []).map((d) => joinPath(d, part.path))];
      let data: Uint8Array | undefined;
      for (const c of candidates) { data = read(c); if (data !== undefined) break; }
      if (data === undefined) { errors.push({ message: `Couldn't open "${part.path}": not found beside the source or on the include paths`, span: part.pathSpan }); continue; }
      // As dtc: a length past the end gives what is there, an offset past the end nothing, and an
      // offset dtc's fseek cannot reach fails (ext4's largest file, 16 TiB, on Debian's default file system).
      if (part.offset >= INCBIN_SEEK_LIMIT) { errors.push({ message: `Couldn't seek to offset ${part.offset} in "${part.path}"`, span: part.span }); continue; }
      const start = part.offset > BigInt(data.length) ? data.length : Number(part.offset);
      const left = BigInt(data.length - start);
      const end = start + Number(part.length === undefined || part.length > left ? left : part.length);
      if (end - start > budget) { errors.push({ message: `/incbin/ of "${part.path}": more than ${LIMITS.incbinBytes} bytes included in all`, span: part.span }); continue; }
      budget -= end - start;
      part.bytes = data.slice(start, end);
    }
  }
  return errors;
}
