/**
 * Bounded fuzzing of the DTS pipeline (see fuzz.ts). DTS_FUZZ_ITERS and DTS_FUZZ_SEED
 * change the run; `npm run fuzz:dts` runs a long one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzDtb, fuzzDts } from './fuzz';

const ITERS = Number(process.env.DTS_FUZZ_ITERS ?? 300);
const SEED = Number(process.env.DTS_FUZZ_SEED ?? 1);

test(`DTS fuzz: ${ITERS} mutated sources from seed ${SEED}`, () => {
  const stats = fuzzDts(SEED, ITERS);
  if (process.env.DTS_FUZZ_ITERS !== undefined) console.log(`DTS fuzz: ${JSON.stringify(stats)}`);
  assert.equal(stats.cases, ITERS);
  assert.ok(stats.compiled > 0, 'some mutants still compile, so the round trip ran');
  assert.ok(stats.diagnostics > ITERS / 2, 'most mutants are wrong somewhere');
});

test(`DTB fuzz: ${ITERS * 10} mutated blobs from seed ${SEED}`, () => {
  const stats = fuzzDtb(SEED, ITERS * 10);
  if (process.env.DTS_FUZZ_ITERS !== undefined) console.log(`DTB fuzz: ${JSON.stringify(stats)}`);
  assert.equal(stats.cases, ITERS * 10);
  assert.ok(stats.parsed > 0 && stats.parsed < stats.cases, 'some mutants parse and some are refused');
  assert.ok(stats.recompiled > 0, 'some parsed mutants went round the decompiler and compiler');
});
