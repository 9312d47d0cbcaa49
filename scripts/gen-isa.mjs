// `npm run gen:isa`: writes the interpreter's instruction cases (exec-rv64.ts, exec-rv32.ts)
// from emulator/hart/isa-semantics.ts, as compiled into out/ by the tsc run before it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'out/emulator/hart/isa-semantics.js');
if (!existsSync(compiled)) { console.error(`gen-isa: ${compiled} is missing: run tsc -p . first (npm run gen:isa does)`); process.exit(1); }
const { INTERPRETER_FILE, withCurrentCases } = createRequire(import.meta.url)(compiled);
for (const xlen of [64, 32]) {
  const file = join(root, INTERPRETER_FILE[xlen]);
  const before = readFileSync(file, 'utf8');
  const after = withCurrentCases(before, xlen);
  if (after === undefined) { console.error(`gen-isa: ${INTERPRETER_FILE[xlen]} has no generated-cases markers`); process.exit(1); }
  if (after !== before) { writeFileSync(file, after); console.log(`gen-isa: wrote ${INTERPRETER_FILE[xlen]}`); }
}
