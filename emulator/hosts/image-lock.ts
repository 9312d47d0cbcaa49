/**
 * Disk-image locks as QEMU 7.2 takes them (block/file-posix.c, raw_apply_lock_bytes and
 * raw_check_lock_bytes), so QEMU and osdev-emu never write one image at once, and two
 * osdev-emu neither. QEMU holds Linux open-file-description (OFD) read locks on single
 * bytes of the image: byte 100 + p for each permission p it uses and byte 200 + p for
 * each it does not share with other openers (p: 0 consistent read, 1 write). An opener is
 * refused when another holds byte 200 + p for a permission p it wants ("Failed to get
 * "write" lock") or byte 100 + p for one it does not share ("Failed to get shared "write"
 * lock"). As QEMU (measured in /proc/locks): a writable drive uses read and write and
 * shares all but write (bytes 100, 101, 201); a read-only one, and our overlay (QEMU's
 * snapshot=on), use read and share all but write (bytes 100, 201). So readers share with
 * readers, and a writer excludes every other opener.
 *
 * Node has no fcntl, and we build no native addon: a small helper process holds the
 * locks. perl runs the script below (perl is in every Debian and Ubuntu base system, and
 * on macOS); it opens the image, takes and checks the locks, says "ok" or which byte is
 * held, and keeps the locks until its stdin closes: our close(), or our death.
 * OFD locks and struct flock's layout are Linux's, on 64-bit hosts; elsewhere, or
 * without perl, the image is opened unlocked with one warning (as QEMU without OFD).
 */
import { spawn } from 'node:child_process';

/** F_OFD_GETLK 36, F_OFD_SETLK 37 (the same on every Linux architecture); struct flock of 64-bit Linux. */
const HELPER = `
use strict; $| = 1;
my ($file, $write) = @ARGV;
open(my $fh, '<', $file) or do { print "unsupported cannot open: $!\\n"; exit 0 };
sub lk { my ($cmd, $type, $byte) = @_; my $s = pack('s s x4 q q i x4', $type, 0, $byte, 1, 0); return (fcntl($fh, $cmd, $s), $s); }
for my $b ($write ? (100, 101, 201) : (100, 201)) {
  my ($ok) = lk(37, 0, $b);
  if (!$ok) { print(($!{EAGAIN} || $!{EACCES}) ? "busy $b\\n" : "unsupported $!\\n"); exit 0 }
}
for my $b ($write ? (200, 201, 101) : (200, 101)) {
  my ($ok, $s) = lk(36, 1, $b);
  if (!$ok) { print "unsupported $!\\n"; exit 0 }
  if (unpack('s', $s) != 2) { print "busy $b\\n"; exit 0 }
}
print "ok\\n";
my $buf; 1 while sysread(STDIN, $buf, 64);
`;

/** QEMU's words for each byte another opener holds. */
const HELD: Record<string, string> = {
  100: 'Failed to get shared "consistent read" lock', 101: 'Failed to get shared "write" lock',
  200: 'Failed to get "consistent read" lock', 201: 'Failed to get "write" lock',
};

export type LockResult =
  | { ok: true; release: () => void; warning?: string }
  | { ok: false; error: string };

const LOCKS_HERE = process.platform === 'linux' && ['x64', 'arm64', 'riscv64', 'ppc64', 's390x'].includes(process.arch);

/** Locks `file` for a writer or a reader, as QEMU would; the error names the image. */
export function lockImage(file: string, write: boolean, what: string): Promise<LockResult> {
  const unlocked = (why: string): LockResult => ({ ok: true, release: () => undefined, warning: `${what}: not locked (${why}): QEMU or another osdev-emu could write it at the same time` });
  if (!LOCKS_HERE) return Promise.resolve({ ok: true, release: () => undefined });
  return new Promise((resolve) => {
    const child = spawn('perl', ['-e', HELPER, '--', file, write ? '1' : '0'], { stdio: ['pipe', 'pipe', 'ignore'] });
    let said = '';
    child.on('error', (e) => resolve(unlocked((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'perl is not installed' : e.message)));
    child.stdin.on('error', () => undefined);
    child.stdout.on('data', (d: Buffer) => {
      said += d.toString();
      const nl = said.indexOf('\n');
      if (nl < 0) return;
      const [word, ...rest] = said.slice(0, nl).split(' ');
      child.stdout.destroy();
      if (word === 'ok') {
        // The helper lives while its stdin is open, without keeping this process alive.
        child.unref();
        (child.stdin as unknown as { unref(): void }).unref();
        resolve({ ok: true, release: () => child.stdin.end() });
      } else if (word === 'busy') {
        resolve({ ok: false, error: `${what} is in use by another process (${HELD[rest[0]] ?? 'locked'}): is QEMU or another osdev-emu using it?` });
      } else {
        resolve(unlocked(rest.join(' ')));
      }
    });
    child.on('close', () => { if (said.indexOf('\n') < 0) resolve(unlocked('the lock helper ended')); });
  });
}
