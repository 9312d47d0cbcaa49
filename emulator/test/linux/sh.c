/*
 * /bin/sh of the Linux tests' root disk: a small interactive shell (Debian has no riscv64
 * busybox to install here). Built like init.c: riscv64-linux-gnu-gcc, glibc, -static.
 *
 * It prints "# ", reads a line (the tty's canonical mode edits and echoes it), splits it
 * at blanks and runs it: the built-ins echo, cat, ls, cd, pwd, uname, exit, poweroff, or
 * else a program (a name with a '/' as it is, any other in /bin then /sbin) in a child it
 * waits for. `> FILE` at the end of a line sends the line's output to FILE. Messages say
 * "sh: " first. End of input (Ctrl-D on an empty line) ends the shell.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_WORDS 32

static void complain(const char *what, const char *name)
{
    fprintf(stderr, "sh: %s: %s\n", name, what);
}

static int cat(int argc, char **argv)
{
    int status = 0;
    char buf[4096];
    for (int i = 1; i < argc; i++) {
        int fd = open(argv[i], O_RDONLY);
        if (fd < 0) {
            complain(strerror(errno), argv[i]);
            status = 1;
            continue;
        }
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0) fwrite(buf, 1, (size_t)n, stdout);
        close(fd);
    }
    return status;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in a folder, sorted, on one line (dot files left out, as ls does). */
static int ls(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    DIR *d = opendir(dir);
    if (d == NULL) {
        complain(strerror(errno), dir);
        return 1;
    }
    char *names[256];
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && count < 256) {
        if (e->d_name[0] != '.') names[count++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, count, sizeof names[0], compare_names);
    for (size_t i = 0; i < count; i++) {
        printf("%s%s", i == 0 ? "" : "  ", names[i]);
        free(names[i]);
    }
    printf("\n");
    return 0;
}

static int run_program(char **argv)
{
    pid_t pid = fork();
    if (pid < 0) {
        complain(strerror(errno), "fork");
        return 1;
    }
    if (pid == 0) {
        if (strchr(argv[0], '/') != NULL) {
            execv(argv[0], argv);
        } else {
            char path[256];
            static const char *const dirs[] = {"/bin", "/sbin"};
            for (size_t i = 0; i < 2; i++) {
                snprintf(path, sizeof path, "%s/%s", dirs[i], argv[0]);
                execv(path, argv);
            }
        }
        complain(errno == ENOENT ? "not found" : strerror(errno), argv[0]);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) continue;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* One command line; returns 0 to go on, 1 when the shell should end. */
static int run_line(char *line, int *status)
{
    char *argv[MAX_WORDS + 1];
    int argc = 0;
    const char *into = NULL;
    for (char *w = strtok(line, " \t\n"); w != NULL; w = strtok(NULL, " \t\n")) {
        if (strcmp(w, ">") == 0) {
            into = strtok(NULL, " \t\n");
            if (into == NULL) {
                fprintf(stderr, "sh: > needs a file\n");
                return 0;
            }
            continue;
        }
        if (argc == MAX_WORDS) {
            fprintf(stderr, "sh: more than %d words\n", MAX_WORDS);
            return 0;
        }
        argv[argc++] = w;
    }
    argv[argc] = NULL;
    if (argc == 0) return 0;
    if (strcmp(argv[0], "exit") == 0) return 1;

    int saved = -1;
    fflush(stdout);
    if (into != NULL) {
        int fd = open(into, O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY, 0644);
        if (fd < 0) {
            complain(strerror(errno), into);
            *status = 1;
            return 0;
        }
        saved = dup(1);
        dup2(fd, 1);
        close(fd);
    }
    const char *cmd = argv[0];
    if (strcmp(cmd, "echo") == 0) {
        for (int i = 1; i < argc; i++) printf("%s%s", i > 1 ? " " : "", argv[i]);
        printf("\n");
        *status = 0;
    } else if (strcmp(cmd, "cat") == 0) {
        *status = cat(argc, argv);
    } else if (strcmp(cmd, "ls") == 0) {
        *status = ls(argc, argv);
    } else if (strcmp(cmd, "cd") == 0) {
        *status = chdir(argc > 1 ? argv[1] : "/") == 0 ? 0 : (complain(strerror(errno), argc > 1 ? argv[1] : "/"), 1);
    } else if (strcmp(cmd, "pwd") == 0) {
        char here[256];
        *status = getcwd(here, sizeof here) != NULL ? (printf("%s\n", here), 0) : 1;
    } else if (strcmp(cmd, "uname") == 0) {
        struct utsname u;
        uname(&u);
        printf("%s %s %s\n", u.sysname, u.release, u.machine);
        *status = 0;
    } else if (strcmp(cmd, "poweroff") == 0) {
        sync();
        reboot(RB_POWER_OFF);
        complain(strerror(errno), "poweroff");
        *status = 1;
    } else {
        *status = run_program(argv);
    }
    fflush(stdout);
    if (saved >= 0) {
        dup2(saved, 1);
        close(saved);
    }
    return 0;
}

int main(void)
{
    char line[512];
    int status = 0;
    printf("sh: a small shell; built-ins: echo cat ls cd pwd uname exit poweroff\n");
    for (;;) {
        printf("# ");
        fflush(stdout);
        if (fgets(line, sizeof line, stdin) == NULL) break;
        if (run_line(line, &status) != 0) break;
    }
    return status;
}
