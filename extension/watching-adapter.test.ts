import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type * as vscode from 'vscode';
import { WatchingAdapter } from './watching-adapter';

/** An adapter that answers setDataBreakpoints at once, verifying every entry, and records what it got. */
function fakeAdapter() {
  const received: DebugProtocol.SetDataBreakpointsRequest[] = [];
  let emit: (m: vscode.DebugProtocolMessage) => void = () => {};
  const inner: vscode.DebugAdapter = {
    onDidSendMessage: (listener) => { emit = listener; return { dispose() {} }; },
    handleMessage(message) {
      const req = message as DebugProtocol.SetDataBreakpointsRequest;
      received.push(req);
      const response: DebugProtocol.SetDataBreakpointsResponse = {
        seq: 0, type: 'response', request_seq: req.seq, success: true, command: req.command,
        body: { breakpoints: req.arguments.breakpoints.map((b) => ({ verified: true, message: b.dataId })) },
      };
      emit(response);
    },
    dispose() {},
  };
  return { inner, received };
}

function vscodeRequest(seq: number, dataIds: string[]): DebugProtocol.SetDataBreakpointsRequest {
  return { seq, type: 'request', command: 'setDataBreakpoints', arguments: { breakpoints: dataIds.map((dataId) => ({ dataId })) } };
}

test("VS Code's setDataBreakpoints keeps the extension's watches and sees only its own answers", async () => {
  const { inner, received } = fakeAdapter();
  const adapter = new WatchingAdapter(inner);
  const toVscode: DebugProtocol.SetDataBreakpointsResponse[] = [];
  adapter.onDidSendMessage((m) => toVscode.push(m as DebugProtocol.SetDataBreakpointsResponse));

  adapter.handleMessage(vscodeRequest(3, ['vs-a']));
  const verdicts = await adapter.setWatches([{ name: 'uart0.THR', dataId: 'thr', accessType: 'write' }]);
  assert.deepEqual(verdicts, [{ verified: true, message: 'thr' }]);
  assert.deepEqual(received.at(-1)?.arguments.breakpoints, [{ dataId: 'vs-a' }, { dataId: 'thr', accessType: 'write' }]);
  assert.equal(toVscode.length, 1, 'the answer to our own request stays with us');

  // VS Code replaces its list: ours is appended again, and VS Code gets one answer per entry of its own.
  adapter.handleMessage(vscodeRequest(4, ['vs-b', 'vs-c']));
  assert.deepEqual(received.at(-1)?.arguments.breakpoints.map((b) => b.dataId), ['vs-b', 'vs-c', 'thr']);
  assert.deepEqual(toVscode.at(-1)?.body.breakpoints.map((b) => b.message), ['vs-b', 'vs-c']);
  assert.equal(toVscode.at(-1)?.request_seq, 4);

  await adapter.setWatches([]);
  assert.deepEqual(received.at(-1)?.arguments.breakpoints.map((b) => b.dataId), ['vs-b', 'vs-c']);
});

test('other messages pass through both ways untouched', () => {
  const { inner, received } = fakeAdapter();
  const adapter = new WatchingAdapter(inner);
  const passed: unknown[] = [];
  adapter.onDidSendMessage((m) => passed.push(m));
  const request = { seq: 1, type: 'request', command: 'setDataBreakpoints', arguments: { breakpoints: [] } };
  adapter.handleMessage(request);
  assert.equal(received[0], request, 'without watches the request goes on as it is');
  assert.equal(passed.length, 1);
});
