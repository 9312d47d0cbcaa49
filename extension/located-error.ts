/** "... /path/model.json:12:7: what is wrong" → the file, its line and column, the message. Pure, for tests. */
export interface LocatedError { file: string; line: number; column: number; message: string }

const LOCATED = /(\/[^:\s]+|[A-Za-z]:\\[^:]+):(\d+):(\d+): (.+)$/;

export function parseLocatedError(text: string): LocatedError | undefined {
  const m = LOCATED.exec(text.trim());
  if (m === null) return undefined;
  return { file: m[1], line: Number(m[2]), column: Number(m[3]), message: m[4] };
}
