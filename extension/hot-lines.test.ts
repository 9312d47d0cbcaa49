import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hotLines, linesFor, shareText } from './hot-lines';

const frame = (functionName: string, url: string) => ({ functionName, scriptId: '1', url, lineNumber: 0, columnNumber: 0 });

test('samples per line: ticks of every node on a line add up, as a share of all samples; tiny shares and nameless nodes are left out', () => {
  const profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', ''), hitCount: 0, children: [2, 3, 4] },
      { id: 2, callFrame: frame('hot', '/src/a.c'), hitCount: 1500, children: [], positionTicks: [{ line: 10, ticks: 1000 }, { line: 11, ticks: 500 }] },
      // The same line reached through another stack (another hart, another mode).
      { id: 3, callFrame: frame('hot', '/src/a.c'), hitCount: 498, children: [], positionTicks: [{ line: 10, ticks: 497 }, { line: 12, ticks: 1 }] },
      { id: 4, callFrame: frame('(no symbol)', ''), hitCount: 2, children: [] },
    ],
    samples: new Array<number>(2000).fill(2),
  };
  const hot = hotLines(profile);
  assert.deepEqual([...hot.keys()], ['/src/a.c']);
  const a = hot.get('/src/a.c');
  assert.equal(a?.get(10), 1497 / 2000);
  assert.equal(a?.get(11), 500 / 2000);
  assert.equal(a?.has(12), false, '1 sample in 2000 is below 0.1 %');
  assert.equal(shareText(1497 / 2000), '74.9 %');
  assert.deepEqual(hotLines({ nodes: [], samples: [] }), new Map());
});

test('a source opened from elsewhere finds its lines by name when only one of the profile\'s files has that name', () => {
  const hot = new Map([['/build/a.c', new Map([[3, 0.5]])], ['/build/x/b.c', new Map([[4, 0.2]])], ['/build/y/b.c', new Map([[5, 0.3]])]]);
  assert.equal(linesFor(hot, '/build/a.c')?.get(3), 0.5);
  assert.equal(linesFor(hot, '/home/me/copy/a.c')?.get(3), 0.5);
  assert.equal(linesFor(hot, '/home/me/b.c'), undefined, 'two b.c: neither is chosen');
  assert.equal(linesFor(hot, '/build/y/b.c')?.get(5), 0.3);
});
