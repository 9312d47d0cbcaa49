/** Status bar wording for guest time and speed. No vscode import: tested in status-text.test.ts. */

/** Guest time in the largest unit that keeps it readable: "812 µs", "1.250 ms", "3.5 s", "2 min 05 s". */
export function formatGuestTime(ns: number): string {
  if (ns < 1_000) return `${Math.round(ns)} ns`;
  if (ns < 1_000_000) return `${Math.round(ns / 1_000)} µs`;
  if (ns < 1_000_000_000) return `${(ns / 1_000_000).toFixed(3)} ms`;
  const s = ns / 1_000_000_000;
  if (s < 60) return `${s.toFixed(3)} s`;
  const whole = Math.floor(s);
  return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
}

/** Instructions per second as "850 kIPS" or "123.4 MIPS". */
export function formatRate(ips: number): string {
  if (ips >= 1_000_000) return `${(ips / 1_000_000).toFixed(1)} MIPS`;
  if (ips >= 1_000) return `${Math.round(ips / 1_000)} kIPS`;
  return `${Math.round(ips)} IPS`;
}
