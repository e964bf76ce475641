/* The client side of a daemon's control socket, for sw-appctl and
 * sw-ofctl: one command, one reply. */
#ifndef UNIXCTL_CLIENT_H
#define UNIXCTL_CLIENT_H 1

/* "sw-vswitchd" -> "unix:$SW_RUNDIR/sw-vswitchd.ctl"; a path as given.
 * Free the result. */
char *unixctl_target_to_stream(const char *target);

/* Runs 'command' with 'argc' string arguments on daemon 'target' (as for
 * unixctl_target_to_stream()), waiting until 'deadline' (time_msec(), or
 * LLONG_MAX).  Returns 0 with either '*result' (the reply text) or
 * '*error' (the daemon's error text) set, the other NULL; both to free.
 * Returns a negative errno if the daemon could not be reached. */
int unixctl_client_call(const char *target, const char *command, int argc,
                        const char *const argv[], long long deadline,
                        char **result, char **error);

#endif /* unixctl-client.h */
