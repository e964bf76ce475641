/* Where runtime files live.  Each directory can be moved by an
 * environment variable, so that tests and the sandbox never touch the
 * system's: SW_RUNDIR (sockets, pidfiles), SW_DBDIR (conf.db), SW_LOGDIR
 * (logs), SW_PKGDATADIR (the schema). */
#ifndef DIRS_H
#define DIRS_H 1

const char *sw_rundir(void);
const char *sw_dbdir(void);
const char *sw_logdir(void);
const char *sw_pkgdatadir(void);

/* "$SW_RUNDIR/db.sock" as a stream name: "unix:...".  free(). */
char *sw_default_db(void);

#endif /* dirs.h */
