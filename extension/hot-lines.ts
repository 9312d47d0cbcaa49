/**
 * Which source lines a .cpuprofile spends its samples on: the leaves' positionTicks
 * (profile-writer.ts puts each sample's own line there) summed per file and line, as a
 * share of all samples. Pure, so it is tested without VS Code; hot-line-decorations.ts
 * draws it.
 */
import type { CpuProfile } from '../debug-adapter';

/** file → line (1-based) → share of the profile's samples, 0..1. */
export type HotLines = Map<string, Map<number, number>>;

/** Lines below this share are not drawn: a flame graph's long tail is noise in an editor. */
export const MIN_SHARE = 0.001;

export function hotLines(profile: Pick<CpuProfile, 'nodes' | 'samples'>): HotLines {
  const out: HotLines = new Map();
  const total = profile.samples.length;
  if (total === 0) return out;
  for (const n of profile.nodes) {
    const file = n.callFrame.url;
    if (file === '' || n.positionTicks === undefined) continue;
    let lines = out.get(file);
    if (lines === undefined) { lines = new Map(); out.set(file, lines); }
    for (const t of n.positionTicks) lines.set(t.line, (lines.get(t.line) ?? 0) + t.ticks);
  }
  for (const [file, lines] of out) {
    for (const [line, ticks] of lines) {
      if (ticks / total < MIN_SHARE) lines.delete(line);
      else lines.set(line, ticks / total);
    }
    if (lines.size === 0) out.delete(file);
  }
  return out;
}

/** "12.3 %" or "0.4 %": what the decoration says after a line. */
export function shareText(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

/**
 * The lines of `file` in `hot`: by its path, else by its name when only one of the
 * profile's files has it (the program built elsewhere, its sources copied here, as the
 * debugger's source lookup allows).
 */
export function linesFor(hot: HotLines, file: string): Map<number, number> | undefined {
  const exact = hot.get(file);
  if (exact !== undefined) return exact;
  const name = baseName(file);
  const same = [...hot.keys()].filter((f) => baseName(f) === name);
  return same.length === 1 ? hot.get(same[0]) : undefined;
}

function baseName(file: string): string {
  return file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
}
