/*
 * /sbin/init of the Linux boot test's root disk: a static RV64 program with no libc, only
 * raw Linux system calls (numbers from the generic table, include/uapi/asm-generic/
 * unistd.h). It says which pid it runs as and how many CPUs it may run on, reads a
 * file from the root disk (so the virtio-blk path carries real data), then powers
 * the machine off. Built by build.sh; the test matches its lines.
 */

#define SYS_openat 56
#define SYS_close 57
#define SYS_read 63
#define SYS_write 64
#define SYS_exit 93
#define SYS_sched_getaffinity 123
#define SYS_reboot 142
#define SYS_getpid 172

#define AT_FDCWD (-100)
#define LINUX_REBOOT_MAGIC1 0xfee1deadL
#define LINUX_REBOOT_MAGIC2 672274793L
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedcL

static long syscall4(long n, long a0, long a1, long a2, long a3)
{
    register long a7 __asm__("a7") = n;
    register long r0 __asm__("a0") = a0;
    register long r1 __asm__("a1") = a1;
    register long r2 __asm__("a2") = a2;
    register long r3 __asm__("a3") = a3;
    __asm__ volatile("ecall" : "+r"(r0) : "r"(a7), "r"(r1), "r"(r2), "r"(r3) : "memory");
    return r0;
}

static unsigned long length(const char *s)
{
    unsigned long n = 0;
    while (s[n] != 0) n++;
    return n;
}

static void put(const char *s)
{
    syscall4(SYS_write, 1, (long)s, (long)length(s), 0);
}

/* Decimal, for small non-negative numbers (a pid, a CPU count, an errno). */
static void put_number(long v)
{
    char buf[24];
    int i = sizeof buf - 1;
    buf[i] = 0;
    if (v < 0) v = -v;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0 && i > 0);
    put(&buf[i]);
}

static int count_cpus(void)
{
    unsigned long mask[4] = {0, 0, 0, 0};
    long bytes = syscall4(SYS_sched_getaffinity, 0, sizeof mask, (long)mask, 0);
    int n = 0;
    for (long w = 0; w < bytes / (long)sizeof mask[0]; w++)
        for (unsigned long m = mask[w]; m != 0; m &= m - 1) n++;
    return n;
}

/* Prints the disk file's first line after a prefix, or the error number. */
static void show_file(const char *path)
{
    static char text[128];
    put("init: ");
    put(path);
    put(": ");
    long fd = syscall4(SYS_openat, AT_FDCWD, (long)path, 0, 0);
    if (fd < 0) {
        put("open failed, errno ");
        put_number(fd);
        put("\n");
        return;
    }
    long n = syscall4(SYS_read, fd, (long)text, sizeof text - 1, 0);
    syscall4(SYS_close, fd, 0, 0, 0);
    if (n < 0) {
        put("read failed, errno ");
        put_number(n);
        put("\n");
        return;
    }
    text[n] = 0;
    for (long i = 0; i < n; i++) {
        if (text[i] == '\n') {
            text[i + 1] = 0;
            break;
        }
    }
    put(text);
}

void _start(void) __attribute__((noreturn));
void _start(void)
{
    put("init: hello from pid ");
    put_number(syscall4(SYS_getpid, 0, 0, 0, 0));
    put(" on ");
    put_number(count_cpus());
    put(" cpus\n");
    show_file("/hello.txt");
    put("init: powering off\n");
    syscall4(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF, 0);
    /* Only reached if the kernel refused: pid 1 exiting makes it panic, which the test sees. */
    for (;;) syscall4(SYS_exit, 1, 0, 0, 0);
}
