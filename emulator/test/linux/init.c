/*
 * /sbin/init of the Linux tests' root disk: an ordinary user program, built by build.sh
 * with riscv64-linux-gnu-gcc's defaults (rv64gc, lp64d), glibc and -static. Every line
 * it prints starts with "init: " (the tests compare those lines between our emulator and
 * QEMU); the last one is "init: powering off".
 *
 * In order: its pid and CPU count; /proc mounted, /proc/cpuinfo and /proc/consoles
 * printed; some double and float arithmetic printed with %f and %.17g; a file of the disk
 * read, one written, read back and renamed; then, when the kernel command line gives
 * `netip=A.B.C.D`, `netpeer=A.B.C.D` and `netrole=` (the kernel hands unknown `name=value`
 * words to init as environment), eth0 is brought up and a UDP datagram goes to the peer
 * and back (`netrole=ping` sends first and retries until answered, `netrole=pong` waits
 * and answers), and eth0 goes down again. With `ps=1`, the processes as /proc lists them
 * ("init: ps: PID (COMM) STATE"), then getppid(2), which nothing else here calls: the
 * debugger's tests stop in that system call and compare their task list with these lines. With
 * `shell=ttyN` (the screen's test gives tty1, the VT fbcon draws), only /proc is mounted
 * and /bin/sh (linux/sh.c) runs as a session leader with that VT as its controlling
 * terminal; when it ends, init powers off.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define UDP_PORT 5000

/* One line, flushed at once: the console is the test's only witness if init dies. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("init: ", stdout);
    vfprintf(stdout, fmt, ap);
    fputc('\n', stdout);
    fflush(stdout);
    va_end(ap);
}

static void fail(const char *what)
{
    say("%s failed: %s", what, strerror(errno));
}

/* Every non-empty line of a /proc file, after "init: NAME: ". */
static void show_proc(const char *name)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%s", name);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fail(path);
        return;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\n")] = 0;
        if (line[0] != 0) say("%s: %s", name, line);
    }
    fclose(f);
}

/*
 * Floating point the way user programs use it: a sum that rounds at every step, libm's
 * transcendental functions (glibc's use fused multiply-add), division and square root,
 * singles converted to doubles, and printf's conversions of both. volatile keeps the
 * compiler from folding it all at build time.
 */
static void compute(void)
{
    volatile int n = 100000;
    double basel = 0;
    for (int k = 1; k <= n; k++) basel += 1.0 / ((double)k * k);
    volatile double one = 1.0;
    double pi = sqrt(6 * basel);
    say("double: sqrt(6 * sum 1/k^2, k <= %d) = %f = %.17g", n, pi, pi);
    say("double: exp(1) = %.17g, log(10) = %.17g, sin(1) = %.17g, atan2(1, 3) = %.17g",
        exp(one), log(10 * one), sin(one), atan2(one, 3 * one));
    say("double: 1/3 = %.17g, 2^-1074 = %.17g, 1e308 * 10 = %f", one / 3, ldexp(one, -1074), 1e308 * (10 * one));
    volatile float third = 1.0f / 3;
    float harmonic = 0;
    for (int k = 1; k <= 1000; k++) harmonic += third / (float)k;
    say("float: sum 1/(3k), k <= 1000 = %.9g, sqrtf(2) = %.9g", harmonic, sqrtf(2 * third * 3));
    say("long: %ld, unsigned: %lu", lrint(pi * 1e15), (unsigned long)(pi * 1e18));
}

static int read_first_line(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) return -1;
    if (fgets(buf, (int)size, f) == NULL) buf[0] = 0;
    buf[strcspn(buf, "\n")] = 0;
    fclose(f);
    return 0;
}

/* The virtio disk carries real data both ways: a file made by mke2fs, one made here. */
static void files(void)
{
    char text[128];
    if (read_first_line("/hello.txt", text, sizeof text) != 0) fail("open /hello.txt");
    else say("/hello.txt: %s", text);

    FILE *f = fopen("/written.txt", "w");
    if (f == NULL) {
        fail("create /written.txt");
        return;
    }
    for (int i = 1; i <= 100; i++) fprintf(f, "line %d of a file written by init, squared %d\n", i, i * i);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) fail("write /written.txt");
    fclose(f);
    if (rename("/written.txt", "/renamed.txt") != 0) fail("rename /written.txt");
    struct stat st;
    if (stat("/renamed.txt", &st) != 0) {
        fail("stat /renamed.txt");
        return;
    }
    if (read_first_line("/renamed.txt", text, sizeof text) != 0) fail("open /renamed.txt");
    else say("/renamed.txt: %lld bytes, first line: %s", (long long)st.st_size, text);
    sync();
}

/* eth0 up with address `ip`/24 (the old ioctls: no netlink code needed). */
static int configure_eth0(const char *ip)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) {
        fail("socket");
        return -1;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, "eth0", IFNAMSIZ - 1);
    struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
    sin->sin_family = AF_INET;
    int ok = inet_pton(AF_INET, ip, &sin->sin_addr) == 1 && ioctl(s, SIOCSIFADDR, &ifr) == 0;
    if (ok) {
        inet_pton(AF_INET, "255.255.255.0", &sin->sin_addr);
        ok = ioctl(s, SIOCSIFNETMASK, &ifr) == 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0;
    }
    if (ok) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        ok = ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
    }
    if (!ok) fail("configure eth0");
    close(s);
    return ok ? 0 : -1;
}

/*
 * eth0 down, as a distribution's shutdown stops networking before it powers off. Without
 * it a late datagram (an answer to a retry) can race the power-off: Debian's 6.1 marks
 * virtqueues broken in virtio_dev_shutdown while another CPU's receive softirq answers the
 * datagram with an ICMP error, and start_xmit then spins forever on the broken transmit
 * queue (free_old_xmit_skbs frees nothing, virtqueue_enable_cb_delayed keeps failing), so
 * the CPU the power-off migrates to never runs it. Seen on ours under load; QEMU can too.
 */
static void eth0_down(void)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, "eth0", IFNAMSIZ - 1);
    int ok = s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0;
    if (ok) {
        ifr.ifr_flags &= ~IFF_UP;
        ok = ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
    }
    if (!ok) fail("eth0 down");
    if (s >= 0) close(s);
}

/*
 * ping sends "ping from IP" every 200 ms until "pong from PEER" comes back (the peer may
 * still be booting: the first datagrams find nobody); pong waits for a ping and answers
 * every ping until none has come for 3 s (an answer lost as its machine powers off, or a
 * retry that crossed it, is answered again). Only the first datagram each side gets is
 * printed, so both emulators print the same lines.
 */
static void udp(const char *ip, const char *peer, const char *role)
{
    if (configure_eth0(ip) != 0) return;
    say("eth0 is %s", ip);
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in me = {.sin_family = AF_INET, .sin_port = htons(UDP_PORT)}, to = me, from;
    inet_pton(AF_INET, ip, &me.sin_addr);
    if (s < 0 || inet_pton(AF_INET, peer, &to.sin_addr) != 1 || bind(s, (struct sockaddr *)&me, sizeof me) != 0) {
        fail("udp socket");
        return;
    }
    char out[64], in[64];
    snprintf(out, sizeof out, "%s from %s", strcmp(role, "ping") == 0 ? "ping" : "pong", ip);
    int ping = strcmp(role, "ping") == 0, answered = 0;
    for (int tries = 0; tries < 100000; tries++) {
        if (ping) sendto(s, out, strlen(out), 0, (struct sockaddr *)&to, sizeof to);
        struct pollfd p = {.fd = s, .events = POLLIN};
        int ready = poll(&p, 1, ping ? 200 : answered ? 3000 : -1);
        if (ready == 0 && answered) break; /* pong: the peer has its answer */
        if (ready <= 0) continue;
        socklen_t len = sizeof from;
        ssize_t got = recvfrom(s, in, sizeof in - 1, 0, (struct sockaddr *)&from, &len);
        if (got < 0) continue;
        in[got] = 0;
        if (!answered) {
            char who[INET_ADDRSTRLEN];
            inet_ntop(AF_INET, &from.sin_addr, who, sizeof who);
            say("udp: got '%s' from %s:%d", in, who, ntohs(from.sin_port));
        }
        answered = 1;
        if (ping) break;
        if (sendto(s, out, strlen(out), 0, (struct sockaddr *)&from, len) < 0) fail("udp answer");
    }
    if (!answered) say("udp: no answer from %s", peer);
    close(s);
    eth0_down();
}

/* Every process of /proc, by its stat line's first three fields; then getppid(2). */
static void ps_then_getppid(void)
{
    char path[64], line[512];
    for (int pid = 1; pid < 32768; pid++) {
        snprintf(path, sizeof path, "/proc/%d/stat", pid);
        FILE *f = fopen(path, "r");
        if (f == NULL) continue;
        if (fgets(line, sizeof line, f) != NULL) {
            char *end = strrchr(line, ')'); /* a name may hold spaces and parentheses */
            if (end != NULL && end[1] == ' ') say("ps: %.*s %c", (int)(end - line + 1), line, end[2]);
        }
        fclose(f);
    }
    tcdrain(STDOUT_FILENO); /* the lines on the wire before the debugger stops the machine */
    if (getppid() != 0) say("ps: init has a parent");
}

/* /bin/sh on /dev/TTY, its controlling terminal; returns when the shell has ended. */
static void shell_on(const char *tty)
{
    char path[64];
    snprintf(path, sizeof path, "/dev/%s", tty);
    pid_t pid = fork();
    if (pid < 0) {
        fail("fork");
        return;
    }
    if (pid == 0) {
        setsid();
        int fd = open(path, O_RDWR);
        if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) != 0) {
            fail(path);
            _exit(1);
        }
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (fd > 2) close(fd);
        execl("/bin/sh", "sh", (char *)NULL);
        fail("exec /bin/sh");
        _exit(1);
    }
    say("/bin/sh on %s", path);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) continue;
    say("/bin/sh ended");
}

int main(void)
{
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    sched_getaffinity(0, sizeof cpus, &cpus);
    say("hello from pid %d on %d cpus", getpid(), CPU_COUNT(&cpus));
    if (mount("proc", "/proc", "proc", 0, NULL) != 0) fail("mount /proc");
    const char *tty = getenv("shell");
    if (tty != NULL) {
        shell_on(tty);
        say("powering off");
        reboot(RB_POWER_OFF);
        fail("reboot");
        return 1;
    }
    show_proc("cpuinfo");
    show_proc("consoles"); /* which device the kernel's console (and ours) is */
    compute();
    files();
    const char *ip = getenv("netip"), *peer = getenv("netpeer"), *role = getenv("netrole");
    if (ip != NULL && peer != NULL && role != NULL) udp(ip, peer, role);
    if (getenv("ps") != NULL) ps_then_getppid();
    say("powering off");
    reboot(RB_POWER_OFF);
    /* Only reached if the kernel refused: pid 1 exiting makes it panic, which the test sees. */
    fail("reboot");
    return 1;
}
