/**
 * Linux 6.1's tasks as threads, and its log, against what the kernel itself says: the
 * root disk's init (emulator/test/linux/init.c, with `ps=1` on the command line) prints
 * every process as /proc lists it, then calls getppid(2). Stopped in sys_getppid, our thread
 * list must hold exactly those processes (pid, name, and the state letter /proc gives, but
 * for a task listed runnable, which may have slept since) and at most newer ones, with init
 * running on the hart that stopped; `dmesg` must be the kernel's own console
 * lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { IMAGE, linuxMissing, ROOTFS, VMLINUX } from './linux-build';

const ROOT = path.resolve(__dirname, '../../..');
const ADAPTER = path.join(ROOT, 'out/debug-adapter/main.js');

/** /proc's state letters (fs/proc/array.c task_state_array) by the words our threads use. */
const LETTER: Record<string, string> = {
  running: 'R', sleeping: 'S', 'disk sleep': 'D', stopped: 'T', 'tracing stop': 't', dead: 'X', zombie: 'Z', parked: 'P', idle: 'I',
};


test('Linux 6.1: the threads at a system call are the processes /proc lists, and dmesg is the kernel\'s log', { skip: linuxMissing(), timeout: 10 * 60_000 }, async () => {
  const dc = new DebugClient('node', ADAPTER, 'osdev');
  dc.defaultTimeout = 300_000;
  let console = '', messages = '';
  dc.on('output', (e: DebugProtocol.OutputEvent) => { if (e.body.category === 'stdout') console += e.body.output; else messages += e.body.output; });
  try {
    await dc.start();
    const entry = dc.waitForEvent('stopped');
    await Promise.all([dc.configurationSequence(), dc.launch({
      type: 'osdev', request: 'launch', name: 'linux tasks', program: IMAGE, bios: 'builtin', symbols: [VMLINUX], drives: [ROOTFS],
      append: 'root=/dev/vda rw console=ttyS0 ignore_loglevel ps=1', harts: 2, stopOnEntry: true,
    })]);
    await entry;
    // A profile of the boot, each sample under the task its hart ran (tp in S-mode, sscratch in U-mode).
    await dc.customRequest('osdev/profile', { action: 'start', rate: 20_000 });
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'sys_getppid' }] });
    const hit = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await dc.continueRequest({ threadId: 1 });
    const stop = await hit;
    const hart = (stop.body.threadId ?? 0) - 1;

    // /proc names a workqueue's worker with what it works on ("kworker/1:1-events_long", fs/proc/array.c); its comm is the part before.
    const { profile } = (await dc.customRequest('osdev/profile', { action: 'stop' })).body as { profile: { nodes: { id: number; callFrame: { functionName: string }; children: number[] }[] } };
    const named = (name: string) => profile.nodes.filter((n) => n.callFrame.functionName === name);
    const childNames = (n: { children: number[] }) => n.children.map((c) => profile.nodes[c - 1].callFrame.functionName);
    assert.ok(childNames(named('U-mode')[0]).includes('pid 1 init'), `init's user-mode samples: ${childNames(named('U-mode')[0]).join(', ')}`);
    assert.ok(['pid 0 swapper/0', 'pid 1 init', 'pid 2 kthreadd'].every((t) => childNames(named('S-mode')[0]).includes(t)), `kernel samples by task: ${childNames(named('S-mode')[0]).join(', ')}`);

    const listed = [...console.matchAll(/^init: ps: (\d+) \((.*)\) (\S)\r?$/gm)].map((m) => `${m[1]} ${m[2].replace(/^(kworker\/[^-]*)-.*$/, '$1')} ${m[3]}`);
    assert.ok(listed.length > 5, `init listed the processes:\n${console}`);
    const threads = (await dc.threadsRequest()).body.threads.filter((t) => t.name.startsWith('pid '));
    const tasks = threads.map((t) => /^pid (\d+) (.*) \((.*)\)$/.exec(t.name)!).map((m) => ({ pid: Number(m[1]), name: m[2], state: m[3] }));
    // /proc has no pid 0 (the idle task, init_task itself); init runs, on the hart that stopped.
    const ours = tasks.filter((t) => t.pid !== 0).map((t) => `${t.pid} ${t.name} ${t.state.startsWith('running on hart') ? 'R' : LETTER[t.state] ?? t.state}`);
    // A worker the kernel started between init's listing and the stop may be there too: only a newer pid.
    const newest = Math.max(...listed.map((l) => Number(l.split(' ')[0])));
    // A task init listed as runnable (R) may have run and gone back to sleep before the stop (rcu_sched
    // does, on 2 harts): its state is the one thing that may differ; a sleeping task stays asleep.
    const same = (l: string) => Number(l.split(' ')[0]) <= newest;
    const loose = (l: string) => l.replace(/ \S$/, ' ?');
    const wasRunnable = new Set(listed.filter((l) => l.endsWith(' R')).map(loose));
    const agreed = (l: string) => (wasRunnable.has(loose(l)) ? loose(l) : l);
    assert.deepEqual(ours.filter(same).map(agreed).sort(), listed.map(agreed).sort());
    assert.equal(tasks.find((t) => t.pid === 1)?.state, `running on hart ${hart}`);
    assert.equal(tasks[0].pid, 0, 'the list starts at init_task');

    // A sleeping kernel thread's stack: unwound from its saved context into the scheduler.
    const sleeper = threads.find((t) => / \(sleeping\)$/.test(t.name) && t.name.includes('kthreadd'))!;
    assert.ok(sleeper !== undefined, 'kthreadd sleeps');
    const frames = (await dc.stackTraceRequest({ threadId: sleeper.id })).body.stackFrames.map((f) => f.name);
    assert.ok(frames.includes('__schedule') || frames.includes('schedule'), `kthreadd's stack goes through the scheduler: ${frames.join(' < ')}`);
    assert.ok(frames.includes('kthreadd'), `kthreadd's stack: ${frames.join(' < ')}`);

    // dmesg: the kernel's log as its console printed it (console=ttyS0, ignore_loglevel: every level; no
    // CONFIG_PRINTK_TIME, so the console's lines carry no time stamp and ours are cut off).
    const log = (await dc.evaluateRequest({ expression: 'dmesg', context: 'repl' })).body.result.split('\n').map((l) => l.replace(/^\[\s*\d+\.\d{6}\] /, ''));
    const printed = console.split(/\r?\n/);
    let at = 0;
    for (const line of log) {
      const found = printed.indexOf(line, at);
      assert.ok(found >= 0, `dmesg's "${line}" is on the console after line ${at}`);
      at = found + 1;
    }
    assert.equal(log[0], printed.find((l) => l.startsWith('Linux version')), 'dmesg starts at the banner');
    assert.ok(log.includes('Run /sbin/init as init process'), `dmesg goes on to init (${log.length} lines)`);

    // A corrupt list (init's link made to point at itself) ends where it loops, with a message, not a hang.
    const link = BigInt((await dc.evaluateRequest({ expression: '(unsigned long)init_task.tasks.next', context: 'watch' })).body.result.split(' ')[0]);
    const bytes = Buffer.alloc(8);
    bytes.writeBigUInt64LE(link);
    await dc.customRequest('writeMemory', { memoryReference: `0x${link.toString(16)}`, data: bytes.toString('base64') });
    const cut = (await dc.threadsRequest()).body.threads.filter((t) => t.name.startsWith('pid ')).map((t) => t.name.replace(/ \(.*$/, ''));
    assert.deepEqual(cut, ['pid 0 swapper/0', 'pid 1 init']);
    assert.match(messages, /Linux tasks: the list loops back to 0x[0-9a-f]+ without reaching its start/);
  } finally {
    await dc.stop().catch(() => undefined);
  }
});
