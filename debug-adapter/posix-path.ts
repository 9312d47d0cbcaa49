/**
 * POSIX path arithmetic (as Node's `path.posix` does it), for the parts of the adapter that
 * also run in VS Code for the Web, where there is no `node:path`: source paths from DWARF
 * line tables, launch.json paths. Paths in the browser are the paths of workspace URIs
 * (the file accessor maps them), which are POSIX-shaped too.
 */

export function isAbsolute(p: string): boolean { return p.startsWith('/'); }

/** `.` and `..` folded, slashes collapsed; a trailing slash kept; '' is '.'. */
export function normalize(p: string): string {
  if (p === '') return '.';
  const absolute = isAbsolute(p);
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
    } else out.push(part);
  }
  let s = (absolute ? '/' : '') + out.join('/');
  if (s === '') s = absolute ? '/' : '.';
  if (p.endsWith('/') && !s.endsWith('/')) s += '/';
  return s;
}

export function join(...parts: string[]): string {
  const joined = parts.filter((x) => x !== '').join('/');
  return joined === '' ? '.' : normalize(joined);
}

/** The working folder a relative path ends up under: the process's in Node, the root in a browser. */
function workingFolder(): string {
  const proc = (globalThis as { process?: { cwd?: () => string } }).process;
  return typeof proc?.cwd === 'function' ? proc.cwd() : '/';
}

/** An absolute path: the parts from the last absolute one on, joined; no trailing slash. */
export function resolve(...parts: string[]): string {
  let at = '';
  for (let i = parts.length - 1; i >= 0 && !isAbsolute(at); i--) if (parts[i] !== '') at = at === '' ? parts[i] : `${parts[i]}/${at}`;
  if (!isAbsolute(at)) at = `${workingFolder()}/${at}`;
  const n = normalize(at);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

export function dirname(p: string): string {
  if (p === '') return '.';
  // Trailing slashes are not a name; the name is what follows the last slash before them.
  let end = p.length;
  while (end > 1 && p[end - 1] === '/') end--;
  const slash = p.lastIndexOf('/', end - 1);
  if (slash < 0) return '.';
  return slash === 0 ? '/' : p.slice(0, slash);
}

export function basename(p: string): string {
  const trimmed = p.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}
