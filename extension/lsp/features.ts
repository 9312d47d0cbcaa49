/**
 * What the DTS language server answers, computed from one analysis of a document
 * (emulator/dts: preprocess → parse → resolve → check). No connection and no I/O here,
 * so each feature is a plain function of (analysis, position).
 */

import {
  CodeAction, CodeActionKind,
  CompletionItem, CompletionItemKind, Diagnostic, DiagnosticSeverity, DocumentSymbol, Hover, Location, MarkupKind,
  Position, Range, SymbolInformation, SymbolKind, TextEdit, WorkspaceEdit,
} from 'vscode-languageserver';
import {
  analyzeDts, BodyItem, DEVICE_TYPES, DeviceModel, dirname, DtNode, DtProp, DtsCompilation, DtsOptions, formatValue,
  joinPath, LineIndex, NodeBody, nodeRole, Ref, regWindows, SourceRange, translateToRoot, typeForCompatible,
} from '../../emulator';
import { STRING_VALUES, isPhandleProperty, phandleCandidates } from './values';
import { stubFileName, stubModelText } from './stub-model';

/** Something at a place in a source file that features look up by position. */
type Site =
  | { kind: 'ref'; range: SourceRange; ref: Ref; target: DtNode | undefined }
  | { kind: 'label'; range: SourceRange; name: string; node: DtNode }
  | { kind: 'node'; range: SourceRange; node: DtNode }
  | { kind: 'prop'; range: SourceRange; prop: DtProp }
  | { kind: 'compatible'; range: SourceRange; value: string; node: DtNode }
  | { kind: 'include'; range: SourceRange; resolved: string | undefined };

export interface Analysis {
  file: string;
  text: string;
  compilation: DtsCompilation;
  sites: Site[];
  lines: Map<string, LineIndex>;
}

export function analyze(file: string, text: string, opts: DtsOptions): Analysis {
  const compilation = analyzeDts(file, text, opts);
  const sites: Site[] = [];
  const r = compilation.range;
  const { tree } = compilation;
  for (const u of tree.refs) sites.push({ kind: 'ref', range: r(u.ref.span), ref: u.ref, target: u.target });
  for (const d of tree.labelDefs) if (d.prop === undefined) sites.push({ kind: 'label', range: r(d.label.span), name: d.label.name, node: d.node });
  const visit = (n: DtNode, depth: number) => {
    if (depth > 256) return;
    // An overlay fragment's only name in the source is its `&target`, a ref site already.
    for (const d of n.decls) if (n.parent !== undefined && !n.fragment) sites.push({ kind: 'node', range: r(d.nameSpan), node: n });
    for (const p of n.props) {
      for (const d of p.decls) {
        sites.push({ kind: 'prop', range: r(d.nameSpan), prop: p });
        if (p.name === 'compatible') for (const part of d.value) if (part.kind === 'string') {
          sites.push({ kind: 'compatible', range: r(part.span), value: new TextDecoder().decode(part.bytes), node: n });
        }
      }
    }
    for (const c of n.children) visit(c, depth + 1);
  };
  visit(tree.root, 0);
  for (const inc of compilation.pp.includes) sites.push({ kind: 'include', range: inc.range, resolved: inc.resolved });
  const lines = new Map<string, LineIndex>();
  for (const [f, t] of compilation.pp.files) lines.set(f, new LineIndex(t));
  lines.set(file, new LineIndex(text));
  return { file, text, compilation, sites, lines };
}

export function toRange(a: Analysis, r: SourceRange): Range {
  const idx = a.lines.get(r.file) ?? new LineIndex('');
  return { start: idx.position(r.start), end: idx.position(r.end) };
}

function siteAt(a: Analysis, pos: Position): Site | undefined {
  const off = a.lines.get(a.file)!.offset(pos.line, pos.character);
  let best: Site | undefined;
  for (const s of a.sites) {
    if (s.range.file !== a.file || off < s.range.start || off > s.range.end) continue;
    if (best === undefined || s.range.end - s.range.start < best.range.end - best.range.start) best = s;
  }
  return best;
}

/** The emulator model implementing a compatible string, if any. */
export function modelFor(compatible: string): DeviceModel | undefined {
  return typeForCompatible(compatible)?.model;
}

function modelDoc(m: DeviceModel): string {
  const regs = m.registers.slice(0, 24).map((r) => `| +0x${r.offset.toString(16)} | ${r.name} | ${r.access} | ${r.doc} |`);
  return [`**${m.model}** — ${m.doc}`, '', `MMIO window 0x${m.size.toString(16)} bytes. Implemented by the emulator.`, '',
    '| offset | register | access | |', '|---|---|---|---|', ...regs, m.registers.length > 24 ? `\n… ${m.registers.length - 24} more` : ''].join('\n');
}

// --- diagnostics ---

export function diagnostics(a: Analysis): Diagnostic[] {
  const out: Diagnostic[] = [];
  const severity = (s: string) => (s === 'error' ? DiagnosticSeverity.Error : s === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information);
  const includeSite = (file: string) => a.compilation.pp.includes.find((i) => i.range.file === a.file && i.resolved === file);
  for (const d of a.compilation.diagnostics) {
    if (d.range.file === a.file) {
      out.push({ range: toRange(a, d.range), severity: severity(d.severity), message: d.message, code: d.code, source: 'dts' });
    } else if (d.severity === 'error') {
      // A problem inside an included file shows on the #include line that brought it in.
      const inc = includeSite(d.range.file) ?? a.compilation.pp.includes.find((i) => i.range.file === a.file);
      if (inc !== undefined) {
        const p = (a.lines.get(d.range.file) ?? new LineIndex('')).position(d.range.start);
        out.push({ range: toRange(a, inc.range), severity: DiagnosticSeverity.Error, message: `${d.range.file}:${p.line + 1}:${p.character + 1}: ${d.message}`, code: d.code, source: 'dts' });
      }
    }
  }
  // A node machine-from-DTS turns into a passthrough stub slot (DESIGN.md: passthrough stubs),
  // marked on its first compatible string: the one the slot is named after.
  for (const s of a.sites) {
    if (s.kind !== 'compatible' || s.range.file !== a.file || s.node.deleted) continue;
    const role = nodeRole(s.node);
    if (role?.kind !== 'stub' || role.compatible !== s.value) continue;
    const node = s.node;
    out.push({ range: toRange(a, s.range), severity: DiagnosticSeverity.Warning, code: 'passthrough_stub', source: 'dts',
      message: `no emulator model for compatible "${s.value}": ${node.path} becomes a passthrough stub slot` });
  }
  return out;
}

// --- symbols ---

export function documentSymbols(a: Analysis): DocumentSymbol[] {
  const { compilation } = a;
  const r = compilation.range;
  const inFile = (sr: SourceRange) => sr.file === a.file;
  const fromBody = (body: NodeBody): DocumentSymbol[] => {
    const out: DocumentSymbol[] = [];
    for (const item of body.items as BodyItem[]) {
      const full = r(item.span);
      const sel = r(item.nameSpan);
      if (!inFile(full) || !inFile(sel)) continue;
      if (item.kind === 'node') {
        out.push({ name: item.name, detail: item.labels.map((l) => l.name + ':').join(' '), kind: SymbolKind.Module, range: toRange(a, full), selectionRange: toRange(a, sel), children: fromBody(item.body) });
      } else if (item.kind === 'prop') {
        out.push({ name: item.name, kind: SymbolKind.Property, range: toRange(a, full), selectionRange: toRange(a, sel) });
      }
    }
    return out;
  };
  const out: DocumentSymbol[] = [];
  for (const top of compilation.doc.tops) {
    if (top.kind !== 'top-node') continue;
    const full = r(top.span);
    if (!inFile(full)) continue;
    const name = top.target === undefined ? '/' : top.target.kind === 'label' ? `&${top.target.name}` : `&{${top.target.name}}`;
    const sel = top.target !== undefined ? r(top.target.span) : { ...full, end: full.start + 1 };
    out.push({ name, kind: SymbolKind.Namespace, range: toRange(a, full), selectionRange: toRange(a, inFile(sel) ? sel : full), children: fromBody(top.body) });
  }
  return out;
}

/** Labels and node paths matching `query` (case-insensitive substring), for workspace symbols. */
export function workspaceSymbols(a: Analysis, query: string, uriOf: (file: string) => string): SymbolInformation[] {
  const q = query.toLowerCase();
  const out: SymbolInformation[] = [];
  for (const s of a.sites) {
    if (out.length >= 500) break;
    if (s.kind === 'label' && s.name.toLowerCase().includes(q)) {
      out.push({ name: s.name, kind: SymbolKind.Constant, containerName: s.node.path, location: { uri: uriOf(s.range.file), range: toRange(a, s.range) } });
    } else if (s.kind === 'node' && s.node.path.toLowerCase().includes(q)) {
      out.push({ name: s.node.path, kind: SymbolKind.Module, location: { uri: uriOf(s.range.file), range: toRange(a, s.range) } });
    }
  }
  return out;
}

// --- navigation ---

function nodeOf(s: Site | undefined): DtNode | undefined {
  if (s === undefined) return undefined;
  if (s.kind === 'ref') return s.target;
  if (s.kind === 'label' || s.kind === 'node') return s.node;
  return undefined;
}

export function definition(a: Analysis, pos: Position, uriOf: (file: string) => string): Location[] {
  const s = siteAt(a, pos);
  if (s?.kind === 'include') return s.resolved !== undefined ? [{ uri: uriOf(s.resolved), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }] : [];
  if (s?.kind === 'prop') return s.prop.decls.map((d) => { const r = a.compilation.range(d.nameSpan); return { uri: uriOf(r.file), range: toRange(a, r) }; });
  const node = nodeOf(s);
  if (node === undefined) return [];
  // A label reference goes to where the label is defined; a path to where the node is.
  const labelName = s?.kind === 'ref' && s.ref.kind === 'label' ? s.ref.name : s?.kind === 'label' ? s.name : undefined;
  const out: Location[] = [];
  if (labelName !== undefined) {
    for (const d of a.compilation.tree.labelDefs) if (d.label.name === labelName && d.node === node) {
      const r = a.compilation.range(d.label.span);
      out.push({ uri: uriOf(r.file), range: toRange(a, r) });
    }
  }
  if (out.length === 0) {
    for (const d of node.decls) { const r = a.compilation.range(d.nameSpan); out.push({ uri: uriOf(r.file), range: toRange(a, r) }); }
  }
  return out;
}

export function references(a: Analysis, pos: Position, uriOf: (file: string) => string, includeDeclaration: boolean): Location[] {
  const node = nodeOf(siteAt(a, pos));
  if (node === undefined) return [];
  const out: Location[] = [];
  for (const s of a.sites) {
    if ((s.kind === 'ref' && s.target === node) || (includeDeclaration && (s.kind === 'label' || s.kind === 'node') && s.node === node)) {
      out.push({ uri: uriOf(s.range.file), range: toRange(a, s.range) });
    }
  }
  return out;
}

/** A node name as dtc lexes it (PROPNODENAME), with at most one `@`-separated unit address. */
const NODE_NAME = /^[a-zA-Z0-9,._+*#?-]+(@[a-zA-Z0-9,._+*#?-]+)?$/;

/**
 * Renames a node: every `name {` that defines it, `/delete-node/ name;` in its parent's
 * bodies, and its component in `&{/path}` references to it or below it. Text that came
 * out of a macro is left alone (its range is the invocation, not the name).
 */
function renameNode(a: Analysis, node: DtNode, newName: string, uriOf: (file: string) => string): WorkspaceEdit | undefined {
  if (node.parent === undefined || node.fragment || !NODE_NAME.test(newName)) return undefined;
  const r = a.compilation.range;
  const changes: Record<string, TextEdit[]> = {};
  const seen = new Set<string>();
  const add = (sr: SourceRange, oldText: string, text: string) => {
    const key = `${sr.file}:${sr.start}`;
    // Only where the source holds the name itself (not a macro, not a `&label` reopening it).
    if (seen.has(key) || a.compilation.pp.files.get(sr.file)?.slice(sr.start, sr.end) !== oldText) return;
    seen.add(key);
    (changes[uriOf(sr.file)] ??= []).push({ range: toRange(a, sr), newText: text });
  };
  for (const s of a.sites) if (s.kind === 'node' && s.node === node) add(s.range, node.name, newName);
  for (const d of node.parent.decls) {
    for (const item of d.body?.items ?? []) if (item.kind === 'delete-node' && item.name === node.name) add(r(item.nameSpan), node.name, newName);
  }
  for (const s of a.sites) {
    if (s.kind !== 'ref' || s.ref.kind !== 'path' || s.target === undefined) continue;
    let up = 0;
    let t: DtNode | undefined = s.target;
    while (t !== undefined && t !== node) { t = t.parent; up++; }
    if (t === undefined) continue;
    const parts = s.ref.name.split('/');
    const index = parts.length - 1 - up;
    // parts[0] is '' before an absolute path, or the label a `&{label/child}` starts from.
    if (index < 1 || parts[index] !== node.name) continue;
    const start = s.range.start + 2 + parts.slice(0, index).join('/').length + 1;
    add({ file: s.range.file, start, end: start + node.name.length }, node.name, newName);
  }
  return { changes };
}

export function rename(a: Analysis, pos: Position, newName: string, uriOf: (file: string) => string): WorkspaceEdit | undefined {
  const s = siteAt(a, pos);
  if (s?.kind === 'node') return renameNode(a, s.node, newName, uriOf);
  const name = s?.kind === 'label' ? s.name : s?.kind === 'ref' && s.ref.kind === 'label' ? s.ref.name : undefined;
  if (name === undefined || !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(newName)) return undefined;
  const changes: Record<string, TextEdit[]> = {};
  const add = (r: SourceRange, text: string) => { (changes[uriOf(r.file)] ??= []).push({ range: toRange(a, r), newText: text }); };
  const seen = new Set<string>();
  for (const x of a.sites) {
    const key = `${x.range.file}:${x.range.start}`;
    if (seen.has(key)) continue;
    if (x.kind === 'label' && x.name === name) { seen.add(key); add(x.range, newName); }
    // `&name`: keep the ampersand.
    if (x.kind === 'ref' && x.ref.kind === 'label' && x.ref.name === name) { seen.add(key); add({ ...x.range, start: x.range.start + 1 }, newName); }
  }
  return { changes };
}

// --- hover ---

/**
 * A property's value for a hover. A value with /incbin/ shows its size and files, never
 * its bytes: a hover is no way to read a file (issue 22, an /incbin/ of /etc/shadow).
 */
function valueText(p: DtProp): string {
  const files = p.value.flatMap((part) => (part.kind === 'incbin' ? [`/incbin/(${JSON.stringify(part.path)})`] : []));
  if (files.length > 0) return `/* ${p.bytes.length} bytes, with ${files.join(', ')} */`;
  return formatValue(p.bytes);
}

function describeNode(n: DtNode): string {
  const head = `**${n.path}**` + (n.labels.filter((l) => !l.deleted).length > 0 ? ` — labels: ${n.labels.filter((l) => !l.deleted).map((l) => l.name).join(', ')}` : '') + (n.phandle !== 0 ? ` — phandle ${n.phandle}` : '');
  const props = n.liveProps.map((p) => { const v = valueText(p); return `\t${p.name}${v === '' ? '' : ` = ${v.length > 200 ? v.slice(0, 200) + '…' : v}`};`; });
  const kids = n.liveChildren.map((c) => `\t${c.name} { … };`);
  const model = (n.prop('compatible') ? new TextDecoder().decode(n.prop('compatible')!.bytes).split('\0') : []).map(modelFor).find((m) => m !== undefined);
  return [head, '', '```dts', `${n.parent === undefined ? '/' : n.name} {`, ...props, ...kids, '};', '```', model !== undefined ? `\nEmulated by **${model.model}**: ${model.doc}` : ''].join('\n');
}

/**
 * The node a hover is about when it could be a device: the physical address of its first
 * `reg` window, through the `ranges` of the buses above it. Undefined without one.
 */
export function hoverDeviceAddress(a: Analysis, pos: Position): bigint | undefined {
  const node = nodeOf(siteAt(a, pos));
  if (node === undefined || node.deleted) return undefined;
  const w = regWindows(node);
  if (!w.ok || w.value.length === 0) return undefined;
  return translateToRoot(node, w.value[0].address);
}

export function hover(a: Analysis, pos: Position): Hover | undefined {
  const s = siteAt(a, pos);
  if (s === undefined) return undefined;
  const range = s.range.file === a.file ? toRange(a, s.range) : undefined;
  if (s.kind === 'compatible') {
    const m = modelFor(s.value);
    return { range, contents: { kind: MarkupKind.Markdown, value: m !== undefined ? modelDoc(m) : `\`${s.value}\`: no emulator model — this node becomes a passthrough stub slot.` } };
  }
  if (s.kind === 'prop') {
    return { range, contents: { kind: MarkupKind.Markdown, value: `\`${s.prop.node.path}:${s.prop.name}\`${s.prop.deleted ? ' (deleted)' : ''}\n\n\`\`\`dts\n${s.prop.name} = ${valueText(s.prop)};\n\`\`\`` } };
  }
  if (s.kind === 'include') return { range, contents: { kind: MarkupKind.Markdown, value: s.resolved !== undefined ? `\`${s.resolved}\`` : 'not found on the include paths' } };
  const node = nodeOf(s);
  if (node === undefined) return { range, contents: { kind: MarkupKind.Markdown, value: 'unresolved reference' } };
  return { range, contents: { kind: MarkupKind.Markdown, value: (node.deleted ? '*(deleted)*\n\n' : '') + describeNode(node) } };
}

// --- code actions ---

export interface FileOps {
  uriOf: (file: string) => string;
  /** Whether a file exists (the stub model quick fix never overwrites one). */
  exists: (file: string) => boolean;
  /** The client applies edits that create files (WorkspaceClientCapabilities resourceOperations). */
  canCreateFiles: boolean;
}

/** "Write a stub model": a new `<node>.osdev-model.json` beside the DTS, for a node without a model. */
function stubModelAction(a: Analysis, d: Diagnostic, ops: FileOps): CodeAction | undefined {
  const site = a.sites.find((s) => s.kind === 'compatible' && s.range.file === a.file
    && JSON.stringify(toRange(a, s.range)) === JSON.stringify(d.range));
  if (site?.kind !== 'compatible') return undefined;
  const file = joinPath(dirname(a.file), stubFileName(site.node));
  if (ops.exists(file)) return undefined;
  const uri = ops.uriOf(file);
  return {
    title: `Write a stub model for ${site.node.name} (${stubFileName(site.node)})`, kind: CodeActionKind.QuickFix, diagnostics: [d],
    edit: {
      documentChanges: [
        { kind: 'create', uri, options: { overwrite: false, ignoreIfExists: false } },
        { textDocument: { uri, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: stubModelText(site.node) }] },
      ],
    },
  };
}

/**
 * Quick fixes: a missing `;` (the one syntax error with one obvious repair), and a stub
 * model file for a compatible the emulator has no model of.
 */
export function codeActions(a: Analysis | undefined, uri: string, diags: readonly Diagnostic[], ops: FileOps): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of diags) {
    if (d.source === 'dts' && d.code === 'passthrough_stub' && a !== undefined && ops.canCreateFiles) {
      const action = stubModelAction(a, d, ops);
      if (action !== undefined) out.push(action);
      continue;
    }
    if (d.source !== 'dts' || d.code !== 'syntax' || typeof d.message !== 'string' || !d.message.startsWith("expected ';'")) continue;
    out.push({
      title: "Insert ';'", kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true,
      edit: { changes: { [uri]: [{ range: { start: d.range.end, end: d.range.end }, newText: ';' }] } },
    });
  }
  return out;
}

// --- completion ---

const COMMON_PROPERTIES = [
  'compatible', 'reg', 'ranges', 'dma-ranges', 'status', 'interrupts', 'interrupts-extended', 'interrupt-parent', 'interrupt-controller',
  '#interrupt-cells', '#address-cells', '#size-cells', 'interrupt-map', 'interrupt-map-mask', 'clocks', 'clock-names', 'clock-frequency',
  'device_type', 'model', 'phandle', 'reg-names', 'interrupt-names', 'bootargs', 'stdout-path', 'riscv,isa', 'mmu-type', 'timebase-frequency',
  'riscv,ndev', 'regmap', 'offset', 'value', 'dma-coherent',
];

/**
 * Completion at `pos` of `text` (the document now). Only the text before the cursor on
 * its line is read from `text`; labels, paths and property names come from the tree of
 * `a`, which may be the analysis of an earlier version: completing right after typing
 * then costs no re-analysis (the largest Linux board takes ~100 ms to analyse).
 */
export function completion(a: Analysis, pos: Position, text = a.text): CompletionItem[] {
  // A line past the end has nothing to complete (the old loop wrapped round to 0 and ran pos.line times).
  let lineStart = 0;
  for (let l = 0; l < pos.line; l++) {
    const nl = text.indexOf('\n', lineStart);
    if (nl < 0) return [];
    lineStart = nl + 1;
  }
  const lineEnd = text.indexOf('\n', lineStart);
  const before = text.slice(lineStart, Math.min(lineStart + pos.character, lineEnd < 0 ? text.length : lineEnd));
  const tree = a.compilation.tree;
  if (/&\{[^}]*$/.test(before)) {
    const paths: CompletionItem[] = [];
    const visit = (n: DtNode, d: number) => { if (d > 64) return; if (n.parent !== undefined) paths.push({ label: n.path, kind: CompletionItemKind.Folder }); for (const c of n.liveChildren) visit(c, d + 1); };
    visit(tree.root, 0);
    return paths;
  }
  // The property whose value the cursor is in, on this line: `name = … <…` or `name = … "…`.
  const inCells = /([a-zA-Z0-9,._+#?-]+)\s*=\s*(?:[^;]*,\s*)?<[^>]*$/.exec(before)?.[1];
  const inString = /([a-zA-Z0-9,._+#?-]+)\s*=\s*("[^"]*"\s*,\s*)*"[^"]*$/.exec(before)?.[1];
  const labelled = (): { label: string; node: DtNode }[] => {
    const seen = new Set<string>();
    const out: { label: string; node: DtNode }[] = [];
    for (const d of tree.labelDefs) {
      if (d.prop !== undefined || seen.has(d.label.name) || d.node.deleted) continue;
      seen.add(d.label.name);
      out.push({ label: d.label.name, node: d.node });
    }
    return out;
  };
  // In a phandle property the nodes that can be on the other end come first
  // (interrupt-parent: interrupt controllers; clocks: nodes with #clock-cells).
  const references = (prefix: string): CompletionItem[] => phandleCandidates(inCells ?? '', labelled()).map((c, i) => ({
    label: prefix + c.label, kind: CompletionItemKind.Reference, detail: c.node.path + (c.fits ? '' : ' (not a provider for this property)'),
    sortText: `${c.fits ? 0 : 1}${String(i).padStart(5, '0')}`, ...(prefix === '' ? {} : { filterText: prefix + c.label }),
  }));
  if (/&[a-zA-Z0-9_]*$/.test(before)) return references('');
  if (inCells !== undefined && isPhandleProperty(inCells) && /[<\s]$/.test(before)) return references('&');
  if (inString === 'compatible') {
    return DEVICE_TYPES.map((t) => t.model).flatMap((m) => m.compatible.map((c) => ({
      label: c, kind: CompletionItemKind.Value, detail: `${m.model} (emulated)`, documentation: { kind: MarkupKind.Markdown, value: modelDoc(m) },
    })));
  }
  if (inString !== undefined && STRING_VALUES[inString] !== undefined) {
    return STRING_VALUES[inString].map(([v, doc]) => ({ label: v, kind: CompletionItemKind.EnumMember, detail: doc }));
  }
  if (/^\s*[a-zA-Z0-9,._+#?-]*$/.test(before)) {
    const names = new Set(COMMON_PROPERTIES);
    const visit = (n: DtNode, d: number) => { if (d > 64) return; for (const p of n.props) names.add(p.name); for (const c of n.children) visit(c, d + 1); };
    visit(tree.root, 0);
    return [...names].map((n) => ({ label: n, kind: CompletionItemKind.Property }));
  }
  return [];
}

// --- formatting ---

/** Re-indents by brace depth with tabs and trims trailing blanks; text inside comments and strings is left alone. */
export function format(text: string): TextEdit[] {
  const lines = text.split('\n');
  const edits: TextEdit[] = [];
  let depth = 0;
  let inComment = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    const trimmed = line.trim();
    const startsInComment = inComment;
    let opens = 0;
    let closesFirst = 0;
    let seenCode = false;
    for (let k = 0; k < line.length; k++) {
      const c = line[k];
      if (inComment) { if (c === '*' && line[k + 1] === '/') { inComment = false; k++; } continue; }
      if (c === '/' && line[k + 1] === '*') { inComment = true; k++; continue; }
      if (c === '/' && line[k + 1] === '/') break;
      if (c === '"') { k++; while (k < line.length && line[k] !== '"') { if (line[k] === '\\') k++; k++; } seenCode = true; continue; }
      if (c === '{') opens++;
      else if (c === '}') { if (!seenCode && opens === 0) closesFirst++; else opens--; }
      if (!/\s/.test(c) && c !== '}') seenCode = true;
    }
    let want = line;
    if (!startsInComment && !trimmed.startsWith('#') && trimmed !== '') {
      want = '\t'.repeat(Math.max(0, depth - closesFirst)) + trimmed;
    } else if (trimmed === '') want = '';
    else want = line.replace(/[ \t]+$/, '');
    depth = Math.max(0, depth - closesFirst + opens);
    if (want !== lines[i].replace(/\r$/, '')) {
      edits.push({ range: { start: { line: i, character: 0 }, end: { line: i, character: line.length } }, newText: want });
    }
  }
  return edits;
}

// --- semantic tokens ---

export const TOKEN_TYPES = ['namespace', 'property', 'variable', 'string', 'macro', 'type'] as const;
export const TOKEN_MODIFIERS = ['declaration'] as const;

export function semanticTokens(a: Analysis): number[] {
  const toks: { line: number; char: number; len: number; type: number; mod: number }[] = [];
  const add = (r: SourceRange, type: (typeof TOKEN_TYPES)[number], decl = false) => {
    if (r.file !== a.file || r.end <= r.start) return;
    const p = a.lines.get(a.file)!.position(r.start);
    const e = a.lines.get(a.file)!.position(r.end);
    if (e.line !== p.line) return;
    toks.push({ line: p.line, char: p.character, len: e.character - p.character, type: TOKEN_TYPES.indexOf(type), mod: decl ? 1 : 0 });
  };
  for (const s of a.sites) {
    if (s.kind === 'node') add(s.range, 'namespace', true);
    else if (s.kind === 'prop') add(s.range, 'property', true);
    else if (s.kind === 'label') add(s.range, 'variable', true);
    else if (s.kind === 'ref') add(s.range, 'variable');
    else if (s.kind === 'compatible') add(s.range, 'type');
  }
  for (const seg of a.compilation.pp.segments) if (seg.expanded && seg.file === a.file) add({ file: seg.file, start: seg.src, end: seg.src + seg.len }, 'macro');
  toks.sort((x, y) => x.line - y.line || x.char - y.char);
  const data: number[] = [];
  let line = 0;
  let char = 0;
  let lastEnd = -1;
  let lastLine = -1;
  for (const t of toks) {
    if (t.line === lastLine && t.char < lastEnd) continue; // no overlaps
    data.push(t.line - line, t.line === line ? t.char - char : t.char, t.len, t.type, t.mod);
    line = t.line;
    char = t.char;
    lastLine = t.line;
    lastEnd = t.char + t.len;
  }
  return data;
}
