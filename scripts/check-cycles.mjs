#!/usr/bin/env node
// Part of `npm run lint`: no import cycles among the project's TypeScript files
// (docs/architecture.md, "Rooms and arrows"). Reads the files tsconfig.json compiles,
// resolves every relative import as tsc does, and finds the strongly connected
// components of that graph (Tarjan). `import type` counts too: a cycle of types still
// ties two modules' designs together, and it is one edit away from a runtime cycle.
// Prints one line per cycle, shortest path first, and exits 1 when there is any.
// `node scripts/check-cycles.mjs [TSCONFIG]` checks another project (the test uses it).
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const CONFIG = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'tsconfig.json'));
/** Files are named relative to the project's folder. */
const ROOT = path.dirname(CONFIG);

/** file -> the project files it imports, both as paths relative to ROOT. */
function importGraph() {
  const host = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      console.error(`check-cycles: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
      process.exit(2);
    },
  };
  const config = ts.getParsedCommandLineOfConfigFile(CONFIG, {}, host);
  const files = config.fileNames.filter((f) => !f.endsWith('.d.ts'));
  const graph = new Map();
  for (const file of files) {
    const imports = new Set();
    const info = ts.preProcessFile(ts.sys.readFile(file) ?? '', true, true);
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) continue; // packages cannot close a cycle through our files
      const resolved = ts.resolveModuleName(fileName, file, config.options, ts.sys).resolvedModule;
      if (resolved !== undefined && !resolved.isExternalLibraryImport) imports.add(path.relative(ROOT, resolved.resolvedFileName));
    }
    graph.set(path.relative(ROOT, file), [...imports].sort());
  }
  return graph;
}

/** Strongly connected components with more than one file, or a file importing itself. */
function cyclicComponents(graph) {
  const index = new Map(), low = new Map(), stack = [], onStack = new Set(), found = [];
  let next = 0;
  // Iterative Tarjan: the graph is a few hundred files, but recursion depth should not depend on it.
  for (const start of [...graph.keys()].sort()) {
    if (index.has(start)) continue;
    const work = [{ node: start, edge: 0 }];
    index.set(start, next); low.set(start, next); next++; stack.push(start); onStack.add(start);
    while (work.length > 0) {
      const top = work[work.length - 1];
      const edges = graph.get(top.node) ?? [];
      if (top.edge < edges.length) {
        const to = edges[top.edge++];
        if (!index.has(to)) {
          index.set(to, next); low.set(to, next); next++; stack.push(to); onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) {
          low.set(top.node, Math.min(low.get(top.node), index.get(to)));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent), low.get(top.node)));
      }
      if (low.get(top.node) === index.get(top.node)) {
        const component = [];
        let member;
        do { member = stack.pop(); onStack.delete(member); component.push(member); } while (member !== top.node);
        if (component.length > 1 || (graph.get(top.node) ?? []).includes(top.node)) found.push(component.sort());
      }
    }
  }
  return found;
}

/** The shortest cycle through `from` inside `component` (breadth-first), as a list of files ending where it began. */
function shortestCycle(graph, component, from) {
  const inside = new Set(component);
  const cameFrom = new Map([[from, null]]);
  const queue = [from];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const to of graph.get(node) ?? []) {
      if (to === from) {
        const cycle = [from];
        for (let n = node; n !== from; n = cameFrom.get(n)) cycle.splice(1, 0, n);
        return [...cycle, from];
      }
      if (inside.has(to) && !cameFrom.has(to)) { cameFrom.set(to, node); queue.push(to); }
    }
  }
  return [from, from];
}

const graph = importGraph();
const cycles = cyclicComponents(graph).map((c) => shortestCycle(graph, c, c[0]));
for (const cycle of cycles) console.error(`import cycle: ${cycle.join(' -> ')}`);
if (cycles.length > 0) {
  console.error(`${cycles.length} import cycle(s) among ${graph.size} files: break each by moving the shared part down (docs/architecture.md, "Rooms and arrows").`);
  process.exit(1);
}
console.log(`no import cycles among ${graph.size} files`);
