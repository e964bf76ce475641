/* Becoming a daemon: --detach (fork, and have the parent exit only once
 * the child is serving, with the child's status if it fails first),
 * --pidfile (locked, so a second daemon on the same files refuses to
 * start), --no-chdir. */
#ifndef DAEMON_H
#define DAEMON_H 1

#include <stdbool.h>

struct daemon_options {
    bool detach;
    bool chdir;                 /* chdir("/") when detaching. */
    char *pidfile;              /* NULL for none. */
};

/* Forks if detaching (the parent waits in here and never returns), then
 * creates the pidfile.  Exits with a message on failure. */
void daemon_start(const struct daemon_options *);

/* Tells a waiting parent that start-up is complete and detaches from the
 * terminal. */
void daemon_ready(void);

/* Removes the pidfile; call on orderly exit. */
void daemon_cleanup(void);

#endif /* daemon.h */
