/* sw-vswitchd: the softswitch daemon.  It serves the config DB (embedded:
 * a journal file plus JSON-RPC on $SW_RUNDIR/db.sock), builds bridges
 * and ports from it, runs the datapath, and answers sw-appctl. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>
#include "bridge.h"
#include "db-remotes.h"
#include "daemon.h"
#include "db/db-error.h"
#include "db/db-log.h"
#include "db/db-schema.h"
#include "db/db-server.h"
#include "db/db.h"
#include "dirs.h"
#include "dpif/dpctl.h"
#include "dpif/dpif.h"
#include "ofproto-lite/ofproto.h"
#include "rcu.h"
#include "timeval.h"
#include "jsonrpc-server.h"
#include "jsonrpc-session.h"
#include "netdev/netdev.h"
#include "stream.h"
#include "unixctl.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(vswitchd);

/* The schema compiled in (vswitch-schema.c, from vswitch.ovsschema). */
extern const char vswitch_schema[];

struct options {
    struct daemon_options daemon;
    char *db_file;
    char *schema_file;
    char *unixctl_path;
    char *log_file;
    char **remotes;
    size_t n_remotes;
    size_t max_backlog;
};

static uv_loop_t *loop;
static struct jsonrpc_server *db_rpc;
static struct db_server *db_server;
static struct unixctl_server *unixctl;
static struct db_log *db_log;
static struct db *db;
static struct dpif *dpif;
static uv_signal_t sigterm, sigint, sighup;
static uv_timer_t exit_timer;

static void NO_RETURN
usage(void)
{
    printf("%s: the softswitch daemon\n"
           "usage: %s [OPTIONS] [DATABASE]\n"
           "DATABASE is the config DB file (default: $SW_DBDIR/conf.db,\n"
           "created if missing).  It is served at punix:$SW_RUNDIR/db.sock.\n"
           "\nOptions:\n"
           "  --remote=REMOTE        also serve the DB on REMOTE "
           "(punix:PATH, ptcp:PORT[:IP])\n"
           "  --schema=FILE          use FILE instead of the built-in "
           "schema\n"
           "  --unixctl=PATH         control socket "
           "(default: $SW_RUNDIR/sw-vswitchd.ctl)\n"
           "  --enable-dummy         use dummy ports for system, internal "
           "and tap types\n"
           "  --max-backlog=BYTES    cut off a DB client that leaves more "
           "than BYTES\n"
           "                         of replies unread (default 64 MiB)\n"
           "  --detach               run in the background\n"
           "  --pidfile[=FILE]       write a pidfile "
           "(default: $SW_RUNDIR/sw-vswitchd.pid)\n"
           "  --no-chdir             do not chdir to / when detaching\n"
           "  --log-file[=FILE]      log to FILE "
           "(default: $SW_LOGDIR/sw-vswitchd.log)\n"
           "  -v, --verbose[=SPEC]   set log levels (module:dest:level)\n"
           "  -h, --help             display this help and exit\n"
           "  -V, --version          display version and exit\n",
           program_name, program_name);
    exit(EXIT_SUCCESS);
}

/* Makes 'path' absolute, since a detached daemon runs from "/". */
static char *
abs_path(const char *path)
{
    if (path[0] == '/') {
        return xstrdup(path);
    }
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) {
        sw_fatal("cannot get the current directory (%s)", strerror(errno));
    }
    return xasprintf("%s/%s", cwd, path);
}

static void
parse_options(int argc, char *argv[], struct options *o)
{
    enum {
        OPT_REMOTE = UCHAR_MAX + 1,
        OPT_SCHEMA,
        OPT_UNIXCTL,
        OPT_ENABLE_DUMMY,
        OPT_DETACH,
        OPT_PIDFILE,
        OPT_NO_CHDIR,
        OPT_LOG_FILE,
        OPT_MAX_BACKLOG,
    };
    static const struct option long_options[] = {
        { "remote", required_argument, NULL, OPT_REMOTE },
        { "schema", required_argument, NULL, OPT_SCHEMA },
        { "unixctl", required_argument, NULL, OPT_UNIXCTL },
        { "enable-dummy", optional_argument, NULL, OPT_ENABLE_DUMMY },
        { "detach", no_argument, NULL, OPT_DETACH },
        { "pidfile", optional_argument, NULL, OPT_PIDFILE },
        { "no-chdir", no_argument, NULL, OPT_NO_CHDIR },
        { "log-file", optional_argument, NULL, OPT_LOG_FILE },
        { "max-backlog", required_argument, NULL, OPT_MAX_BACKLOG },
        { "verbose", optional_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };

    memset(o, 0, sizeof *o);
    o->daemon.chdir = true;
    o->max_backlog = JSONRPC_MAX_BACKLOG_DEFAULT;
    for (;;) {
        int c = getopt_long(argc, argv, "v::hV", long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_REMOTE:
            if (!pstream_name_is_valid(optarg)) {
                sw_fatal("%s: not a valid remote (use punix:PATH or "
                         "ptcp:PORT[:IP])", optarg);
            }
            o->remotes = xrealloc(o->remotes,
                                  (o->n_remotes + 1) * sizeof *o->remotes);
            o->remotes[o->n_remotes++] = xstrdup(optarg);
            break;
        case OPT_SCHEMA:
            o->schema_file = abs_path(optarg);
            break;
        case OPT_UNIXCTL:
            o->unixctl_path = abs_path(optarg);
            break;
        case OPT_ENABLE_DUMMY:
            netdev_enable_dummy();
            break;
        case OPT_DETACH:
            o->daemon.detach = true;
            break;
        case OPT_PIDFILE:
            o->daemon.pidfile = (optarg ? abs_path(optarg)
                                 : xasprintf("%s/sw-vswitchd.pid",
                                             sw_rundir()));
            break;
        case OPT_NO_CHDIR:
            o->daemon.chdir = false;
            break;
        case OPT_LOG_FILE:
            o->log_file = (optarg ? abs_path(optarg)
                           : xasprintf("%s/sw-vswitchd.log", sw_logdir()));
            break;
        case OPT_MAX_BACKLOG: {
            unsigned long long bytes;
            if (!str_to_ullong(optarg, 10, SIZE_MAX, &bytes)
                || bytes < 1024 * 1024) {
                /* Below a few replies' worth, readers that are merely
                 * slow would be cut off. */
                sw_fatal("--max-backlog: \"%s\" is not a number of bytes "
                         "(at least 1048576)", optarg);
            }
            o->max_backlog = bytes;
            break;
        }
        case 'v': {
            char *error = vlog_set_levels_from_string(optarg ? optarg
                                                             : "dbg");
            if (error) {
                sw_fatal("%s", error);
            }
            break;
        }
        case 'h':
            usage();
        case 'V':
            printf("sw-vswitchd (softswitch) %s\n", PACKAGE_VERSION);
            exit(EXIT_SUCCESS);
        default:
            fprintf(stderr, "Try '%s --help' for more information.\n",
                    program_name);
            exit(EXIT_FAILURE);
        }
    }
    if (optind + 1 < argc) {
        sw_fatal("at most one DATABASE argument is allowed");
    }
    o->db_file = (optind < argc ? abs_path(argv[optind])
                  : xasprintf("%s/conf.db", sw_dbdir()));
    if (!o->unixctl_path) {
        o->unixctl_path = xasprintf("%s/sw-vswitchd.ctl", sw_rundir());
    }
}

/* Every DB client and port holds a file descriptor: take all the
 * descriptors the hard limit allows (a soft limit of 1024 is common), so
 * that thousands of clients, idle or not, can be connected at once. */
static void
raise_fd_limit(void)
{
    struct rlimit r;
    if (!getrlimit(RLIMIT_NOFILE, &r) && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &r)) {
            VLOG_WARN("could not raise the file descriptor limit (%s)",
                      strerror(errno));
        }
    }
}

static struct db_schema *
load_schema(const char *file)
{
    struct db_schema *schema;
    struct db_error *error;
    if (file) {
        error = db_schema_from_file(file, &schema);
    } else {
        error = db_schema_from_string(vswitch_schema, "built-in schema",
                                      &schema);
    }
    if (error) {
        sw_fatal("%s", db_error_to_string_free(error));
    }
    return schema;
}

/* Orderly exit: stop serving, let replies drain, then leave the loop. */
static void
finish_exit(uv_timer_t *timer)
{
    uv_stop(loop);
}

static void
start_exit(void)
{
    if (!uv_is_active((uv_handle_t *) &exit_timer)) {
        VLOG_INFO("exiting");
        uv_timer_start(&exit_timer, finish_exit, 10, 0);
    }
}

static void
unixctl_exit(struct unixctl_conn *conn, int argc, const char *argv[],
             void *aux)
{
    unixctl_command_reply(conn, NULL);
    start_exit();
}

static void
on_signal(uv_signal_t *handle, int signum)
{
    if (signum == SIGHUP) {
        vlog_reopen_log_file();
    } else {
        VLOG_INFO("caught signal %d", signum);
        start_exit();
    }
}

static int
make_dir(const char *path)
{
    if (mkdir(path, 0755) < 0 && errno != EEXIST) {
        return -errno;
    }
    return 0;
}

/* time/stop and time/warp: a clock that tests can move, so that none has
 * to sleep through aging or expiry. */
static void
unixctl_time_stop(struct unixctl_conn *conn, int argc, const char *argv[],
                  void *aux)
{
    time_stop();
    unixctl_command_reply(conn, NULL);
}

static void
unixctl_time_warp(struct unixctl_conn *conn, int argc, const char *argv[],
                  void *aux)
{
    long long msecs;
    if (!str_to_llong(argv[1], 0, 365LL * 24 * 3600 * 1000, &msecs)) {
        unixctl_command_reply_error(conn, "time/warp: MSECS must be a "
                                    "number of milliseconds");
        return;
    }
    time_warp(msecs);
    ofproto_run();
    unixctl_command_reply(conn, "warped");
}

int
main(int argc, char *argv[])
{
    struct options o;
    int error;

    set_program_name(argv[0]);
    signal(SIGPIPE, SIG_IGN);
    /* Datapath threads free and allocate 64 kB packets (TCP segments)
     * thousands of times a second: by default glibc hands the freed
     * memory back to the kernel each time and faults it in again. */
    mallopt(M_TRIM_THRESHOLD, 32 << 20);
    parse_options(argc, argv, &o);

    /* The default directories may not exist on a fresh install. */
    const char *dirs[] = { sw_rundir(), sw_dbdir(), sw_logdir() };
    for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
        error = make_dir(dirs[i]);
        if (error) {
            sw_fatal("%s: cannot create directory (%s)", dirs[i],
                     strerror(-error));
        }
    }
    if (o.log_file) {
        error = vlog_set_log_file(o.log_file);
        if (error) {
            sw_fatal("%s: cannot open log file (%s)", o.log_file,
                     strerror(-error));
        }
    }
    daemon_start(&o.daemon);
    raise_fd_limit();
    rcu_thread_start(false);

    struct db_error *db_error = db_log_open(o.db_file,
                                            load_schema(o.schema_file),
                                            &db, &db_log);
    if (db_error) {
        sw_fatal("%s", db_error_to_string_free(db_error));
    }

    loop = uv_default_loop();
    db_rpc = jsonrpc_server_create(loop);
    jsonrpc_server_set_max_backlog(db_rpc, o.max_backlog);
    db_server = db_server_create(loop, db, db_rpc);
    char *db_remote = xasprintf("punix:%s/db.sock", sw_rundir());
    error = jsonrpc_server_listen(db_rpc, db_remote);
    if (error) {
        sw_fatal("%s: cannot listen (%s)", db_remote, uv_strerror(error));
    }
    free(db_remote);
    for (size_t i = 0; i < o.n_remotes; i++) {
        error = jsonrpc_server_listen(db_rpc, o.remotes[i]);
        if (error) {
            sw_fatal("%s: cannot listen (%s)", o.remotes[i],
                     uv_strerror(error));
        }
        int port = jsonrpc_server_get_port(db_rpc, o.remotes[i]);
        if (port) {
            VLOG_INFO("%s: listening on port %d", o.remotes[i], port);
        }
    }

    error = unixctl_server_create(loop, o.unixctl_path, &unixctl);
    if (error) {
        sw_fatal("%s: cannot listen (%s)", o.unixctl_path,
                 uv_strerror(error));
    }
    unixctl_command_register("exit", "", 0, 0, unixctl_exit, NULL);
    unixctl_command_register("time/stop", "", 0, 0, unixctl_time_stop, NULL);
    unixctl_command_register("time/warp", "MSECS", 1, 1, unixctl_time_warp,
                             NULL);

    dpif = dpif_create("sw-netdev");
    dpctl_register_commands(dpif);
    bridge_init(loop, db, dpif);
    db_remotes_init(loop, db, db_rpc);

    uv_timer_init(loop, &exit_timer);
    uv_signal_init(loop, &sigterm);
    uv_signal_init(loop, &sigint);
    uv_signal_init(loop, &sighup);
    uv_signal_start(&sigterm, on_signal, SIGTERM);
    uv_signal_start(&sigint, on_signal, SIGINT);
    uv_signal_start(&sighup, on_signal, SIGHUP);

    VLOG_INFO("%s (softswitch) %s: serving %s", program_name,
              PACKAGE_VERSION, o.db_file);
    daemon_ready();
    uv_run(loop, UV_RUN_DEFAULT);

    db_remotes_exit();
    bridge_exit();
    dpif_destroy(dpif);
    rcu_drain();
    unixctl_server_destroy(unixctl);
    db_server_destroy(db_server);
    jsonrpc_server_destroy(db_rpc);
    db_log_close(db_log);
    db_destroy(db);
    uv_close((uv_handle_t *) &exit_timer, NULL);
    uv_close((uv_handle_t *) &sigterm, NULL);
    uv_close((uv_handle_t *) &sigint, NULL);
    uv_close((uv_handle_t *) &sighup, NULL);
    /* Let connections flush their last replies, for a second at most. */
    for (int i = 0; i < 100 && uv_run(loop, UV_RUN_NOWAIT); i++) {
        usleep(10 * 1000);
    }
    uv_loop_close(loop);
    daemon_cleanup();
    rcu_drain();
    rcu_thread_stop();

    free(o.db_file);
    free(o.schema_file);
    free(o.unixctl_path);
    free(o.log_file);
    free(o.daemon.pidfile);
    for (size_t i = 0; i < o.n_remotes; i++) {
        free(o.remotes[i]);
    }
    free(o.remotes);
    return 0;
}
