/** Runs `f` on a later turn of the event loop: Node's setImmediate, a zero timeout where there is none (a browser). */
export const nextTurn: (f: () => void) => void = typeof setImmediate === 'function'
  ? (f) => { setImmediate(f); }
  : (f) => { setTimeout(f, 0); };
