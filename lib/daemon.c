#include <config.h>
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "util.h"

static int ready_fd = -1;       /* The child's end of the readiness pipe. */
static char *pidfile_name;
static bool chdir_when_ready;

/* Parent side of --detach: waits until the child says it is ready (exit
 * 0) or dies (exit with its status). */
static void NO_RETURN
daemon_wait_for_child(pid_t child, int fd)
{
    char byte;
    ssize_t n;

    do {
        n = read(fd, &byte, 1);
    } while (n < 0 && errno == EINTR);
    if (n == 1) {
        _exit(0);
    }

    int status;
    if (waitpid(child, &status, 0) == child) {
        if (WIFEXITED(status)) {
            _exit(WEXITSTATUS(status) ? WEXITSTATUS(status) : 1);
        }
        if (WIFSIGNALED(status)) {
            fprintf(stderr, "%s: child died with signal %d\n", program_name,
                    WTERMSIG(status));
        }
    }
    _exit(1);
}

static void
pidfile_create(const char *name)
{
    int fd = open(name, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        sw_fatal("%s: create failed (%s)", name, strerror(errno));
    }

    struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    if (fcntl(fd, F_SETLK, &lock) < 0) {
        char buf[32] = "";
        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
        buf[n > 0 ? n : 0] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        sw_fatal("%s: already running as pid %s, aborting", name, buf);
    }

    char *pid = xasprintf("%ld\n", (long) getpid());
    if (ftruncate(fd, 0) < 0 || write_fully(fd, pid, strlen(pid)) < 0) {
        sw_fatal("%s: write failed (%s)", name, strerror(errno));
    }
    free(pid);
    pidfile_name = xstrdup(name);
    /* 'fd' stays open: the lock lives as long as the process. */
}

void
daemon_start(const struct daemon_options *options)
{
    if (options->detach) {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) < 0) {
            sw_fatal("pipe failed (%s)", strerror(errno));
        }
        fflush(stdout);
        fflush(stderr);
        pid_t pid = fork();
        if (pid < 0) {
            sw_fatal("fork failed (%s)", strerror(errno));
        } else if (pid > 0) {
            close(fds[1]);
            daemon_wait_for_child(pid, fds[0]);
        }
        close(fds[0]);
        ready_fd = fds[1];
        setsid();
        chdir_when_ready = options->chdir;
    }
    if (options->pidfile) {
        pidfile_create(options->pidfile);
    }
}

void
daemon_ready(void)
{
    if (ready_fd < 0) {
        return;
    }
    int null_fd = open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
        dup2(null_fd, STDIN_FILENO);
        dup2(null_fd, STDOUT_FILENO);
        dup2(null_fd, STDERR_FILENO);
        if (null_fd > STDERR_FILENO) {
            close(null_fd);
        }
    }
    if (chdir_when_ready && chdir("/") < 0) {
        /* Nothing to report to: the terminal is gone. */
    }
    if (write_fully(ready_fd, "", 1) < 0) {
        /* The parent died; carry on regardless. */
    }
    close(ready_fd);
    ready_fd = -1;
}

void
daemon_cleanup(void)
{
    if (pidfile_name) {
        unlink(pidfile_name);
        free(pidfile_name);
        pidfile_name = NULL;
    }
}
