/**
 * The program's state over DAP, as VS Code asks for it, against gdb-multiarch on QEMU at
 * the same breakpoint in state.c: the Locals, Arguments, Statics and Globals scopes, a
 * struct pointer expanded twice (`p`, then `*p`, then its members), a paged array, and
 * evaluate (watch and hover) of C paths: `p->pid`, `procs[2].name`, `*current`,
 * `&procs[3]`, `matrix[1]`, each equal to gdb's `print`; then, stopped in a function
 * inlined into a loop, the call stack with its inline frames and each frame's variables.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import * as fs from 'node:fs';
import { GdbSession, gdbOracleMissing, miList, miString, miTuple } from './gdb-session';
import { buildState, dwarfOf, STATE_SOURCE } from './state-program';
import { DW_TAG } from '../dwarf-dies';

const lineOf = (text: string) => fs.readFileSync(STATE_SOURCE, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;

const ROOT = path.resolve(__dirname, '../../..');
const ADAPTER = path.join(ROOT, 'out/debug-adapter/main.js');
const EXPRESSIONS = ['p->pid', 'p->name', 'procs[2].name', '*current', '&procs[3]', 'matrix[1]', 'current->inner', 'runqueue[1]->parent->pid',
  'word.b', 'budget', 'p->ctx.s', 'banner'];
/** C beyond paths: casts to the program's types, sizeof, arithmetic and comparisons with C's conversions, enumerators. */
const TYPED = ['(struct proc *)runqueue[2]', '((struct proc *)opaque)->pid', '(proc_t *)current', 'sizeof(struct proc)', 'sizeof(procs)',
  'sizeof procs[0].name', 'p->pid + 1', 'p->pid * 2 - budget', 'procs[1].pid == 2', 'matrix[1][2] * 10', '*p->name', '&matrix[1]',
  'current - procs', 'runqueue[1] + 1', '(char)65', 'u16 >> 4', 'lg / 3', '-sh', 'uc + 10', 'ull + 1', 'IRQ_EXT', 'last_state == RUNNABLE',
  '(enum procstate)2', 'p->flags + p->ready', '*runqueue[3]', 'word.b[1]', 'point.y < 0', '!ready', '~u8', 'matrix[0][1] + matrix[1][0]',
  'banner[0]', '&banner[1]', '*greeting', 'greeting[1]', 'fixed', 'll * 2', 'sc * sc', 'sizeof(proc_t)', '(long)&procs[1] - (long)procs',
  'runqueue[0]->parent == 0', 'p->ctx.s[0] + 1', '(unsigned char)-1', 'ulg >> 16', '(int)ulg', 'u64 & 0xffff', 'bits.neg * 2', 'bits.mid', 'bits'];

for (const [xlen, opt] of [[64, '-O0'], [32, '-O2']] as const) {
  test(`scopes, expansion and C paths over DAP equal gdb's print (rv${xlen} ${opt})`, { skip: gdbOracleMissing() }, async (t) => {
    const build = buildState(xlen, opt);
    const dc = new DebugClient('node', ADAPTER, 'osdev');
    dc.defaultTimeout = 60_000;
    const gdb = await GdbSession.start(build.elf, xlen);
    try {
      await dc.start();
      const stopped = dc.waitForEvent('stopped');
      await Promise.all([
        dc.configurationSequence(),
        dc.launch({ type: 'osdev', request: 'launch', name: 'state', program: build.elf, stopOnEntry: true }),
      ]);
      await stopped;
      // Where gdb puts `break schedule` (after the prologue), on both machines.
      const at = await gdb.breakAt('schedule');
      await gdb.resume('-exec-continue');
      await dc.customRequest('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `0x${at.toString(16)}` }] });
      const hit = dc.waitForEvent('stopped');
      await dc.continueRequest({ threadId: 1 });
      await hit;

      const frame = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
      assert.equal(frame.name, 'schedule');
      const scopes = (await dc.scopesRequest({ frameId: frame.id })).body.scopes;
      assert.deepEqual(scopes.slice(0, 4).map((s) => s.name), ['Locals', 'Arguments', 'Statics', 'Globals']);
      const [locals, args, statics, globals] = scopes;
      assert.equal(globals.expensive, true, 'Globals reads every unit: VS Code opens it on request');
      const vars = async (ref: number, start?: number, count?: number) => (await dc.variablesRequest({ variablesReference: ref, start, count })).body.variables;

      const argRows = await vars(args.variablesReference);
      assert.deepEqual(argRows.map((v) => v.name).filter((n) => !n.endsWith('@entry')), ['p', 'budget']);
      const budget = argRows.find((v) => v.name === 'budget')!;
      assert.equal(budget.value, await gdb.evaluate('budget'));
      assert.equal(budget.type, 'int');
      assert.ok((await vars(locals.variablesReference)).some((v) => v.name === 'ran'));
      assert.ok((await vars(statics.variablesReference)).some((v) => v.name === 'procs' && v.type === 'struct proc [4]'));

      // p, expanded: *p; *p expanded: the members, each as gdb prints p->member.
      const p = argRows.find((v) => v.name === 'p')!;
      assert.equal(p.type, 'struct proc *');
      assert.ok(p.variablesReference > 0);
      const [star] = await vars(p.variablesReference);
      assert.equal(star.name, '*p');
      assert.equal(star.value, await gdb.evaluate('*p'));
      const fields = await vars(star.variablesReference);
      assert.deepEqual(fields.map((f) => f.name), ['state', 'pid', 'name', 'parent', 'ctx', 'inner', 'flags', 'ready', 'handler']);
      for (const f of fields) {
        assert.equal(f.value, await gdb.evaluate(`p->${f.name}`), `p->${f.name}`);
        assert.equal(f.evaluateName, `p->${f.name}`);
      }

      // Set Value: a member through its expanded parent, an enum by its enumerator's name,
      // an argument (in memory at -O0, in a register at -O2); a struct is refused in words.
      const setPid = await dc.setVariableRequest({ variablesReference: star.variablesReference, name: 'pid', value: '41 + 1' });
      assert.equal(setPid.body.value, '42');
      assert.equal((await dc.evaluateRequest({ expression: 'p->pid', context: 'watch', frameId: frame.id })).body.result, '42');
      const setState = await dc.setVariableRequest({ variablesReference: star.variablesReference, name: 'state', value: 'ZOMBIE' });
      assert.equal(setState.body.value, 'ZOMBIE');
      await gdb.command('set var p->pid = 42');
      await gdb.command('set var p->state = ZOMBIE');
      const setBudget = await dc.setVariableRequest({ variablesReference: args.variablesReference, name: 'budget', value: '7' });
      assert.equal(setBudget.body.value, '7');
      await gdb.command('set var budget = 7');
      await assert.rejects(dc.setVariableRequest({ variablesReference: star.variablesReference, name: 'ctx', value: '1' }), /cannot set p->ctx: it is struct context; set its members/);

      // An array in pages, as VS Code asks for a long one.
      const procs = (await vars(statics.variablesReference)).find((v) => v.name === 'procs')!;
      assert.equal(procs.indexedVariables, 4);
      const page = await vars(procs.variablesReference, 2, 2);
      assert.deepEqual(page.map((v) => v.name), ['[2]', '[3]']);
      assert.equal(page[0].value, await gdb.evaluate('procs[2]'));

      // Globals: all of the program's, paged.
      assert.ok((globals.indexedVariables ?? 0) >= 30);
      const firstGlobals = await vars(globals.variablesReference, 0, 5);
      assert.equal(firstGlobals.length, 5);

      // Watch and hover: C paths, each as gdb's print shows it.
      for (const e of EXPRESSIONS) {
        for (const context of ['watch', 'hover']) {
          const ours = (await dc.evaluateRequest({ expression: e, context, frameId: frame.id })).body;
          assert.equal(ours.result, await gdb.evaluate(e), `${context} ${e}`);
        }
      }
      for (const e of TYPED) {
        const ours = (await dc.evaluateRequest({ expression: e, context: 'watch', frameId: frame.id })).body;
        assert.equal(ours.result, await gdb.evaluate(e), `watch ${e}`);
      }
      const cast = (await dc.evaluateRequest({ expression: '(struct proc *)runqueue[2]', context: 'watch', frameId: frame.id })).body;
      assert.equal(cast.type, 'struct proc *');
      assert.ok(cast.variablesReference > 0, 'a cast to a struct pointer expands');
      const [target] = await vars(cast.variablesReference);
      assert.equal(target.value, await gdb.evaluate('*runqueue[2]'));
      await assert.rejects(dc.evaluateRequest({ expression: 'p->nosuch', context: 'watch', frameId: frame.id }), /struct proc has no member named nosuch/);
      await assert.rejects(dc.evaluateRequest({ expression: 'procs[9]', context: 'watch', frameId: frame.id }), /index 9 is outside procs, which has 4 elements/);
      // An inlined function is a frame of its own, with its own locals, as gdb shows it:
      // stopped at the first instruction GCC kept of `scaled` inlined into schedule's loop.
      const inlined = [...dwarfOf(build.elf).units.flatMap((u) => [...u.all()])]
        .find((d) => d.tag === DW_TAG.inlinedSubroutine && d.name === 'scaled' && d.ranges().length > 0);
      if (inlined === undefined) t.diagnostic(`GCC ${opt} kept no code of scaled's inlined instance`);
      else {
        const at = inlined.ranges().reduce((lo, r) => (r[0] < lo ? r[0] : lo), inlined.ranges()[0][0]);
        await gdb.breakAt(`*0x${at.toString(16)}`);
        assert.equal((await gdb.resume('-exec-continue')).reason, 'breakpoint-hit');
        await dc.customRequest('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `0x${at.toString(16)}` }] });
        const again = dc.waitForEvent('stopped');
        await dc.continueRequest({ threadId: 1 });
        await again;
        const theirFrames = await gdb.frames();
        const ourFrames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
        assert.deepEqual(ourFrames.slice(0, theirFrames.length).map((f) => f.name), theirFrames.map((f) => f.func));
        assert.equal(ourFrames[0].name, 'scaled');
        assert.equal(ourFrames[1].line, lineOf('int slice = scaled(i, p->pid);'), 'the caller of an inlined frame is at the call');
        for (let i = 0; i < theirFrames.length; i++) {
          const [ourLocals, ourArgs] = (await dc.scopesRequest({ frameId: ourFrames[i].id })).body.scopes;
          const names = [...await vars(ourArgs.variablesReference), ...await vars(ourLocals.variablesReference)].map((v) => `${v.name} = ${v.value}`).sort();
          const listed = miList((await gdb.command(`-stack-list-variables --thread 1 --frame ${i} --all-values`)).results.variables, 'variables');
          const theirs = listed.map((v) => { const x = miTuple(v, 'variable'); return `${miString(x.name, 'name')} = ${typeof x.value === 'string' ? x.value : '<no value>'}`; }).sort();
          assert.deepEqual(names, theirs, `frame ${i} (${theirFrames[i].func})`);
        }
      }

      if (opt === '-O0') {
        // A breakpoint condition in C over the frame's locals, with a cast to a typedef: it stops where it holds only.
        await dc.customRequest('setInstructionBreakpoints', { breakpoints: [] });
        const line = lineOf('p->state = i & 1 ? RUNNING : RUNNABLE;');
        const set = await dc.setBreakpointsRequest({ source: { path: STATE_SOURCE }, breakpoints: [{ line, condition: 'i == 3 && (proc_t *)p == current && p->pid * 2 > sizeof(int)' }] });
        assert.equal(set.body.breakpoints[0].verified, true, set.body.breakpoints[0].message);
        const cond = dc.waitForEvent('stopped');
        await dc.continueRequest({ threadId: 1 });
        await cond;
        const top = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
        assert.equal(top.line, line);
        assert.equal((await dc.evaluateRequest({ expression: 'i', context: 'watch', frameId: top.id })).body.result, '3');
      }
      const stillNumeric = (await dc.evaluateRequest({ expression: '$a0 + 1', context: 'watch', frameId: frame.id })).body as DebugProtocol.EvaluateResponse['body'];
      assert.match(stillNumeric.result, /^0x[0-9a-f]+ \(\d+( \/ -\d+)?\)$/, 'machine-level expressions still evaluate as before');
    } finally {
      await dc.stop().catch(() => undefined);
      await gdb.close();
      build.remove();
    }
  });
}
