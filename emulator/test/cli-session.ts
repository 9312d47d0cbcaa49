/**
 * Drives the real `osdev-emu` CLI (the tsc build in out/) as a user would: spawn it,
 * watch its console output, type when a prompt appears. For tests only.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';

export const CLI = path.resolve(__dirname, '../hosts/cli.js');

export interface CliResult { code: number | null; stdout: string; stderr: string }

export interface Step { waitFor: string | RegExp; send?: string }

/**
 * Run the CLI; for each step, wait until stdout contains `waitFor`, then type `send`.
 * After the last step stdin is closed. The process is killed after `timeoutMs`.
 */
export function runCli(args: readonly string[], steps: readonly Step[] = [], timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', next = 0, searchFrom = 0;
    const advance = () => {
      while (next < steps.length) {
        const s = steps[next];
        const rest = stdout.slice(searchFrom);
        const m = typeof s.waitFor === 'string' ? rest.indexOf(s.waitFor) : rest.search(s.waitFor);
        if (m < 0) return;
        searchFrom += m + 1;
        if (s.send !== undefined) child.stdin.write(s.send);
        next++;
      }
      child.stdin.end();
    };
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString('latin1'); advance(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString('latin1'); });
    child.stdin.on('error', () => undefined);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    if (steps.length === 0) child.stdin.end();
  });
}
