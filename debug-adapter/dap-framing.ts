/**
 * DAP's base protocol (`Content-Length: N` header lines, a blank line, N bytes of JSON)
 * read with bounds, for the adapter's stdio and TCP transports. The reader in
 * @vscode/debugadapter concatenates every chunk onto what it holds (quadratic: 128 MB
 * took 69 s) and believes any length; this one copies each byte once, refuses a header
 * over MAX_DAP_HEADER bytes and a body over the limit, and then stops: after a bad
 * header the stream cannot be resynchronised, so its connection is closed.
 */

/** The largest message accepted: far above any real request (a 64 KiB writeMemory is ~90 KB of JSON). */
export const MAX_DAP_MESSAGE = 16 << 20;
/** The largest header block (the spec defines two short fields). */
export const MAX_DAP_HEADER = 1024;

const BLANK_LINE = Buffer.from('\r\n\r\n');

export class DapFrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** The body length of the message being read, or -1 while reading its header. */
  private bodyLength = -1;
  private failed = false;

  /**
   * `onMessage` gets each body; `onError` is called once with a sentence saying what was
   * wrong, after which input is ignored.
   */
  constructor(private readonly onMessage: (body: Buffer) => void, private readonly onError: (why: string) => void,
    private readonly maxBody = MAX_DAP_MESSAGE) {}

  push(data: Buffer): void {
    if (this.failed) return;
    this.chunks.push(data);
    this.buffered += data.length;
    for (;;) {
      if (this.bodyLength < 0) {
        const head = this.peek(Math.min(this.buffered, MAX_DAP_HEADER + BLANK_LINE.length));
        const end = head.indexOf(BLANK_LINE);
        if (end < 0) {
          if (head.length > MAX_DAP_HEADER) this.fail(`a header longer than ${MAX_DAP_HEADER} bytes (no blank line)`);
          return;
        }
        const length = contentLength(head.toString('latin1', 0, end), this.maxBody);
        if (typeof length === 'string') { this.fail(length); return; }
        this.take(end + BLANK_LINE.length);
        this.bodyLength = length;
      }
      if (this.buffered < this.bodyLength) return;
      const body = this.take(this.bodyLength);
      this.bodyLength = -1;
      this.onMessage(body);
      if (this.failed) return; // onMessage may have closed the stream
    }
  }

  /** Stop reading (the connection is closing). */
  close(): void { this.failed = true; this.chunks = []; this.buffered = 0; }

  private fail(why: string): void {
    this.close();
    this.onError(why);
  }

  /** The first `n` buffered bytes, without consuming them. */
  private peek(n: number): Buffer {
    if (this.chunks.length > 0 && this.chunks[0].length >= n) return this.chunks[0].subarray(0, n);
    const parts: Buffer[] = [];
    for (let i = 0, got = 0; got < n; i++) {
      const c = this.chunks[i].subarray(0, n - got);
      parts.push(c);
      got += c.length;
    }
    return Buffer.concat(parts, n);
  }

  /** Remove and return the first `n` buffered bytes (n <= buffered); a view when they lie in one chunk. */
  private take(n: number): Buffer {
    const out = this.peek(n);
    this.buffered -= n;
    while (n > 0) {
      const first = this.chunks[0];
      if (first.length > n) { this.chunks[0] = first.subarray(n); break; }
      this.chunks.shift();
      n -= first.length;
    }
    return out;
  }
}

/** The body length from a header block (lines without the blank line), or why it is unusable. */
function contentLength(header: string, max: number): number | string {
  let value: string | undefined;
  for (const line of header.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === 'content-length') value = line.slice(colon + 1).trim();
  }
  if (value === undefined) return 'a header without Content-Length';
  if (!/^\d{1,16}$/.test(value)) return `Content-Length '${value.slice(0, 40)}' is not a byte count`;
  const n = Number(value);
  if (n > max) return `a Content-Length of ${n} bytes, more than the limit of ${max}`;
  return n;
}
