/* swctl: configures softswitch through its config DB, with ovs-vsctl's
 * syntax and behaviour (see swctl.h for how a run works). */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "db/db-client.h"
#include "db/db-txn.h"
#include "dirs.h"
#include "stream-tls.h"
#include "swctl.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

enum {
    EXIT_TIMEOUT = 142,         /* As ovs-vsctl, killed by SIGALRM. */
};

/* One command of the command line, and what it produced. */
struct command {
    const struct swctl_command *syntax;
    int argc;
    char **argv;
    struct smap options;
    struct ds output;
    struct table *table;
    bool print_uuid;
    struct uuid created_uuid;   /* Local UUID of a "create"d row. */
};

/* Nothing has been sent or printed when a command fails, so there is
 * nothing to clean up: leave at once (and without a leak report from a
 * sanitizer build for what the run had built). */
void
swctl_exit(int status)
{
    fflush(stdout);
    fflush(stderr);
    _exit(status);
}

/* Whether the command line names a command that may change the database,
 * as ovs-vsctl decides it: any word at all that is such a command.  It
 * logs itself at INFO then, which numbers its later log lines one on. */
static bool might_write;

static const char *const read_only_commands[] = {
    "show", "list-br", "br-exists", "br-to-vlan", "br-to-parent",
    "br-get-external-id", "list-ports", "list-ifaces", "port-to-br",
    "iface-to-br", "get-controller", "get-fail-mode", "get-manager",
    "get-ssl", "list", "find", "get", "wait-until", "comment",
};

static const struct swctl_command *find_command(const char *name);

static bool
is_read_only_command(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(read_only_commands); i++) {
        if (!strcmp(name, read_only_commands[i])) {
            return true;
        }
    }
    return false;
}

static bool
might_write_to_db(char *argv[])
{
    for (; *argv; argv++) {
        if (find_command(*argv) && !is_read_only_command(*argv)) {
            return true;
        }
    }
    return false;
}

/* Like ovs-vsctl, whose --timeout is a SIGALRM: the process dies of the
 * signal (a shell sees status 142).  Installed as ovs-vsctl, it says
 * what ovs-vsctl's fatal-signal handler logs, for scripts that compare;
 * as swctl, what timed out. */
static void NO_RETURN
swctl_timed_out(long long timeout_msec, const char *doing)
{
    if (!strcmp(program_name, "ovs-vsctl")) {
        char stamp[32];
        time_t now = time(NULL);
        struct tm tm;
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ",
                 gmtime_r(&now, &tm));
        fprintf(stderr, "%s|%05d|fatal_signal|WARN|terminating with signal "
                "14 (Alarm clock)\n", stamp, might_write ? 2 : 1);
    } else {
        fprintf(stderr, "%s: timed out after %lld seconds %s\n",
                program_name, timeout_msec / 1000, doing);
    }
    fflush(stdout);
    fflush(stderr);
    signal(SIGALRM, SIG_DFL);
    raise(SIGALRM);
    _exit(EXIT_TIMEOUT);
}

void
swctl_warn(const char *format, ...)
{
    va_list args;
    fprintf(stderr, "%s: warning: ", program_name);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
}

bool
swctl_has_option(const struct swctl_context *ctx, const char *option)
{
    return smap_get(ctx->options, option) != NULL;
}

static const struct swctl_command *const command_tables[] = {
    swctl_bridge_commands,
    swctl_show_commands,
    swctl_db_commands,
    swctl_list_commands,
};

static const struct swctl_command *
find_command(const char *name)
{
    for (size_t t = 0; t < ARRAY_SIZE(command_tables); t++) {
        for (const struct swctl_command *c = command_tables[t]; c->name;
             c++) {
            if (!strcmp(c->name, name)) {
                return c;
            }
        }
    }
    return NULL;
}

static void NO_RETURN
usage(void)
{
    printf("%s: softswitch configuration utility\n"
           "usage: %s [OPTIONS] COMMAND [ARG...] [-- COMMAND [ARG...]]...\n"
           "\nCommands:\n", program_name, program_name);
    for (size_t t = 0; t < ARRAY_SIZE(command_tables); t++) {
        for (const struct swctl_command *c = command_tables[t]; c->name;
             c++) {
            printf("  %s %s\n", c->name, c->usage);
        }
    }
    printf("\nOptions:\n"
           "  --db=DATABASE       connect to DATABASE "
           "(default: unix:$SW_RUNDIR/db.sock)\n"
           "  --no-wait           do not wait for sw-vswitchd to apply the "
           "change\n"
           "  -t, --timeout=SECS  give up after SECS seconds\n"
           "  --retry             keep trying to connect until the "
           "timeout\n"
           "  --dry-run           do not commit changes\n"
           "  --oneline           print each command's output on one line\n"
           "  -f, --format=FMT    list, table, csv, json or html\n"
           "  -d, --data=FMT      string, bare or json\n"
           "  --no-headings       omit column headings\n"
           "  --pretty            indent JSON output\n"
           "  --bare              --format=list --data=bare --no-headings\n"
           "  --columns=COLS      columns to print in list and find\n"
           "  -p, --private-key=FILE  for ssl: databases, our private "
           "key,\n"
           "  -c, --certificate=FILE  our certificate,\n"
           "  -C, --ca-cert=FILE      and the CA that signed the "
           "server's\n"
           "  -v, --verbose[=SPEC]  set log levels\n"
           "  -h, --help          display this help and exit\n"
           "  -V, --version       display version and exit\n"
           "\nShort form: add-port BRIDGE PORT type=vxlan key=100 takes "
           "KEY=VALUE\npairs that are not columns as interface options.\n");
    exit(EXIT_SUCCESS);
}

/* Command options: those every command may take somewhere. */
static const char *const command_options[] = {
    "--may-exist", "--if-exists", "--with-iface", "--id=", "--all",
    "--real", "--fake", "--fake-iface", "--bootstrap",
};

/* True if command 'c' takes option 'name' ("--id" matches "--id="). */
static bool
command_allows(const struct swctl_command *c, const char *name)
{
    const char *p = c->options;
    size_t len = strlen(name);
    while (p && *p) {
        size_t n = strcspn(p, ",");
        size_t name_len = n && p[n - 1] == '=' ? n - 1 : n;
        if (name_len == len && !strncmp(p, name, len)) {
            return true;
        }
        p += n + (p[n] == ',');
    }
    return false;
}

/* Adds "--name[=value]" to 'options', checking that a command option of
 * that name exists. */
static void
add_command_option(struct smap *options, const char *arg)
{
    const char *eq = strchr(arg, '=');
    char *name = eq ? xstrndup(arg, eq - arg) : xstrdup(arg);
    bool known = false;
    for (size_t i = 0; i < ARRAY_SIZE(command_options); i++) {
        size_t len = strcspn(command_options[i], "=");
        bool takes_value = command_options[i][len] == '=';
        if (strlen(name) == len && !strncmp(name, command_options[i], len)) {
            if (takes_value != (eq != NULL)) {
                sw_fatal("option '%s' %s an argument", name,
                            takes_value ? "requires" : "does not take");
            }
            known = true;
        }
    }
    if (!known) {
        sw_fatal("unrecognized option '%s'", arg);
    }
    smap_replace(options, name, eq ? eq + 1 : "");
    free(name);
}

/* Splits argv into commands at "--". 'first_options' are command
 * options that came before the first command. */
static struct command *
parse_commands(int argc, char *argv[], const struct smap *first_options,
               size_t *n_commands)
{
    /* Allocate once: each command's smap must not move. */
    size_t max = 1;
    for (int j = 0; j < argc; j++) {
        max += !strcmp(argv[j], "--");
        if (!utf8_is_valid(argv[j])) {
            /* The database holds only UTF-8 (RFC 7047). */
            sw_fatal("argument %d is not valid UTF-8", j + 1);
        }
    }
    struct command *commands = xcalloc(max, sizeof *commands);
    size_t n = 0;
    int i = 0;

    while (i < argc) {
        struct command *c = &commands[n];
        smap_init(&c->options);
        if (!n) {
            struct smap_node *node;
            SMAP_FOR_EACH (node, first_options) {
                smap_add(&c->options, node->key, node->value);
            }
        }
        while (i < argc && str_starts_with(argv[i], "--")
               && strcmp(argv[i], "--")) {
            add_command_option(&c->options, argv[i++]);
        }
        int start = i;
        while (i < argc && strcmp(argv[i], "--")) {
            i++;
        }
        if (i == start) {
            if (smap_count(&c->options)) {
                sw_fatal("missing command name (use --help for help)");
            }
            smap_destroy(&c->options);
            i++;                /* An empty segment: "-- --" or a trailing
                                 * "--". */
            continue;
        }

        c->syntax = find_command(argv[start]);
        if (!c->syntax) {
            sw_fatal("unknown command '%s'; use --help for help",
                        argv[start]);
        }
        c->argc = i - start;
        c->argv = &argv[start];
        int n_args = c->argc - 1;
        if (n_args < c->syntax->min_args) {
            sw_fatal("'%s' command requires at least %d arguments",
                        c->syntax->name, c->syntax->min_args);
        }
        if (n_args > c->syntax->max_args) {
            sw_fatal("'%s' command takes at most %d arguments",
                        c->syntax->name, c->syntax->max_args);
        }
        struct smap_node *node;
        SMAP_FOR_EACH (node, &c->options) {
            if (!command_allows(c->syntax, node->key)) {
                sw_fatal("'%s' command has no '%s' option",
                            c->syntax->name, node->key);
            }
        }
        ds_init(&c->output);
        n++;
        i++;                    /* Past "--". */
    }
    if (!n) {
        sw_fatal("missing command name (use --help for help)");
    }
    *n_commands = n;
    return commands;
}

struct global_options {
    struct swctl_options opts;
    char *db;
    char *private_key, *certificate, *ca_cert;  /* For "ssl:". */
    long long timeout_msec;     /* 0 for none. */
    bool retry;
    struct smap first_options;  /* Command options before the command. */
};

static void
parse_options(int argc, char *argv[], struct global_options *g)
{
    enum {
        OPT_DB = UCHAR_MAX + 1, OPT_NO_WAIT, OPT_RETRY, OPT_DRY_RUN,
        OPT_ONELINE, OPT_NO_HEADINGS, OPT_PRETTY, OPT_BARE, OPT_COLUMNS,
        OPT_NO_SYSLOG, OPT_COMMAND_OPTION,
    };
    static const struct option long_options[] = {
        { "db", required_argument, NULL, OPT_DB },
        { "no-wait", no_argument, NULL, OPT_NO_WAIT },
        { "timeout", required_argument, NULL, 't' },
        { "retry", no_argument, NULL, OPT_RETRY },
        { "dry-run", no_argument, NULL, OPT_DRY_RUN },
        { "oneline", no_argument, NULL, OPT_ONELINE },
        { "format", required_argument, NULL, 'f' },
        { "data", required_argument, NULL, 'd' },
        { "no-headings", no_argument, NULL, OPT_NO_HEADINGS },
        { "pretty", no_argument, NULL, OPT_PRETTY },
        { "bare", no_argument, NULL, OPT_BARE },
        { "columns", required_argument, NULL, OPT_COLUMNS },
        { "no-syslog", no_argument, NULL, OPT_NO_SYSLOG },
        { "private-key", required_argument, NULL, 'p' },
        { "certificate", required_argument, NULL, 'c' },
        { "ca-cert", required_argument, NULL, 'C' },
        { "verbose", optional_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { "may-exist", no_argument, NULL, OPT_COMMAND_OPTION },
        { "if-exists", no_argument, NULL, OPT_COMMAND_OPTION },
        { "with-iface", no_argument, NULL, OPT_COMMAND_OPTION },
        { "id", required_argument, NULL, OPT_COMMAND_OPTION },
        { "all", no_argument, NULL, OPT_COMMAND_OPTION },
        { "real", no_argument, NULL, OPT_COMMAND_OPTION },
        { "fake", no_argument, NULL, OPT_COMMAND_OPTION },
        { "fake-iface", no_argument, NULL, OPT_COMMAND_OPTION },
        { "bootstrap", no_argument, NULL, OPT_COMMAND_OPTION },
        { NULL, 0, NULL, 0 },
    };

    memset(g, 0, sizeof *g);
    g->opts.style.format = TABLE_FORMAT_LIST;
    g->opts.style.headings = true;
    g->opts.data = DATA_STRING;
    g->opts.wait = true;
    smap_init(&g->first_options);
    opterr = 0;
    for (;;) {
        int idx = -1;
        int c = getopt_long(argc, argv, "+t:f:d:p:c:C:v::hV", long_options,
                            &idx);
        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_DB:
            free(g->db);
            g->db = xstrdup(optarg);
            break;
        case OPT_NO_WAIT:
            g->opts.wait = false;
            break;
        case 't': {
            int secs;
            if (!str_to_int(optarg, 0, INT_MAX / 1000, &secs)) {
                sw_fatal("value %s on -t or --timeout is invalid",
                            optarg);
            }
            g->timeout_msec = secs * 1000LL;
            break;
        }
        case OPT_RETRY:
            g->retry = true;
            break;
        case OPT_DRY_RUN:
            g->opts.dry_run = true;
            break;
        case OPT_ONELINE:
            g->opts.oneline = true;
            break;
        case 'f':
            if (!table_format_from_string(optarg, &g->opts.style.format)) {
                sw_fatal("unknown output format \"%s\"", optarg);
            }
            break;
        case 'd':
            if (!strcmp(optarg, "string")) {
                g->opts.data = DATA_STRING;
            } else if (!strcmp(optarg, "bare")) {
                g->opts.data = DATA_BARE;
            } else if (!strcmp(optarg, "json")) {
                g->opts.data = DATA_JSON;
            } else {
                sw_fatal("unknown data format \"%s\"", optarg);
            }
            break;
        case OPT_NO_HEADINGS:
            g->opts.style.headings = false;
            break;
        case OPT_PRETTY:
            g->opts.style.pretty = true;
            break;
        case OPT_BARE:
            g->opts.style.format = TABLE_FORMAT_LIST;
            g->opts.data = DATA_BARE;
            g->opts.style.headings = false;
            break;
        case OPT_COLUMNS:
            free(g->opts.columns);
            g->opts.columns = xstrdup(optarg);
            break;
        case OPT_NO_SYSLOG:
            break;
        case 'p':
            free(g->private_key);
            g->private_key = xstrdup(optarg);
            break;
        case 'c':
            free(g->certificate);
            g->certificate = xstrdup(optarg);
            break;
        case 'C':
            free(g->ca_cert);
            g->ca_cert = xstrdup(optarg);
            break;
        case OPT_COMMAND_OPTION: {
            char *arg = (optarg
                         ? xasprintf("--%s=%s", long_options[idx].name,
                                     optarg)
                         : xasprintf("--%s", long_options[idx].name));
            add_command_option(&g->first_options, arg);
            free(arg);
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
            printf("swctl (softswitch) %s\n", PACKAGE_VERSION);
            exit(EXIT_SUCCESS);
        case '?':
            if (optopt) {
                sw_fatal("invalid option -- '%c'", optopt);
            }
            sw_fatal("unrecognized option '%s'", argv[optind - 1]);
        case ':':
        default:
            sw_fatal("option '%s' requires an argument",
                        argv[optind - 1]);
        }
    }
    if (!g->db) {
        g->db = sw_default_db();
    }
    if (str_starts_with(g->db, "ssl:")) {
        if (!g->private_key || !g->certificate || !g->ca_cert) {
            sw_fatal("%s: a private key, a certificate and a CA certificate "
                     "are all needed (--private-key, --certificate, "
                     "--ca-cert)", g->db);
        }
        char *error = tls_set_config(g->private_key, g->certificate,
                                     g->ca_cert);
        if (error) {
            sw_fatal("%s: %s (--private-key, --certificate, --ca-cert)",
                     g->db, error);
        }
    }
}

/* "swctl (invoked by bash): swctl add-br br0", for the server's log. */
static char *
make_comment(int argc, char *argv[])
{
    struct ds s = DS_EMPTY_INITIALIZER;
    char path[64], parent[64] = "unknown";
    snprintf(path, sizeof path, "/proc/%ld/comm", (long) getppid());
    FILE *f = fopen(path, "re");
    if (f) {
        if (fgets(parent, sizeof parent, f)) {
            parent[strcspn(parent, "\n")] = '\0';
        }
        fclose(f);
    }
    ds_put_format(&s, "%s (invoked by %s):", program_name, parent);
    for (int i = 0; i < argc; i++) {
        ds_put_format(&s, " %s", argv[i]);
    }
    return ds_steal_cstr(&s);
}

/* True if 'txn' would send anything. */
static bool
txn_has_changes(const struct db_txn *txn)
{
    struct db_txn_row *txn_row;
    DB_TXN_FOR_EACH_ROW (txn_row, txn) {
        const struct db_table_schema *ts = txn_row->row->table->schema;
        if (!txn_row->old) {
            if (txn_row->new) {
                return true;
            }
        } else if (!txn_row->new) {
            if (ts->is_root) {
                return true;
            }
        } else {
            for (unsigned int c = DB_N_STD_COLUMNS; c < ts->n_columns; c++) {
                if (!db_datum_equals(&txn_row->old->fields[c],
                                     &txn_row->new->fields[c],
                                     &ts->columns[c]->type)) {
                    return true;
                }
            }
        }
    }
    return false;
}

/* The first error in a "transact" result, or NULL. */
static const json_t *
find_txn_error(const json_t *result)
{
    size_t i;
    const json_t *elem;
    json_array_foreach (result, i, elem) {
        if (json_object_get(elem, "error")) {
            return elem;
        }
    }
    return NULL;
}

static struct db_row *
replica_root(struct db *db)
{
    struct db_row *row;
    DB_TABLE_FOR_EACH (row, db_get_table(db, "Open_vSwitch")) {
        return row;
    }
    return NULL;
}

/* Waits until sw-vswitchd has applied configuration 'next_cfg'. */
static void
wait_for_reload(struct db_client *client, long long next_cfg,
                long long deadline, long long timeout_msec)
{
    for (;;) {
        struct db_row *root = replica_root(db_client_get_db(client));
        if (root && db_row_get_int(root, "cur_cfg", 0) >= next_cfg) {
            return;
        }
        char *error;
        int err = db_client_wait_update(client, deadline, &error);
        if (err == -ETIMEDOUT) {
            swctl_timed_out(timeout_msec, "waiting for sw-vswitchd to apply "
                            "the change (which is committed)");
        } else if (err) {
            sw_fatal("%s", error);
        }
    }
}

/* Reports new interfaces that sw-vswitchd could not set up. */
static void
check_new_ifaces(struct db_client *client, const struct swctl_context *ctx)
{
    struct db_table *table = db_get_table(db_client_get_db(client),
                                          "Interface");
    bool any = false;
    for (size_t i = 0; i < ctx->n_new_ifaces; i++) {
        const struct uuid *uuid = db_client_get_inserted_uuid(
            client, &ctx->new_ifaces[i]);
        struct db_row *row = uuid ? db_table_get_row(table, uuid) : NULL;
        if (!row || db_row_get_int(row, "ofport", -1) != -1) {
            continue;
        }
        const char *error = db_row_get_string(row, "error");
        fprintf(stderr, "%s: Error detected while setting up '%s'%s%s.  See "
                "sw-vswitchd log for details.\n", program_name,
                db_row_get_string(row, "name"), error ? ": " : "",
                error ? error : "");
        any = true;
    }
    if (any) {
        fprintf(stderr, "%s: The default log directory is \"%s\".\n",
                program_name, sw_logdir());
    }
}

static void
print_output(const struct swctl_options *opts, struct db_client *client,
             const struct command *c)
{
    struct ds out = DS_EMPTY_INITIALIZER;
    if (c->print_uuid) {
        const struct uuid *uuid = db_client_get_inserted_uuid(
            client, &c->created_uuid);
        ds_put_format(&out, UUID_FMT"\n",
                      UUID_ARGS(uuid ? uuid : &c->created_uuid));
    }
    ds_put_buffer(&out, c->output.string ? c->output.string : "",
                  c->output.length);
    if (c->table) {
        table_format(c->table, &opts->style, &out);
    }
    if (opts->oneline) {
        ds_chomp(&out, '\n');
        for (const char *p = ds_cstr(&out); *p; p++) {
            fputs(*p == '\n' ? "\\n" : (char[]) { *p, '\0' }, stdout);
        }
        putchar('\n');
    } else {
        fputs(ds_cstr(&out), stdout);
    }
    ds_destroy(&out);
}

/* Runs every command against a new transaction in 'ctx'.  Returns false if
 * a wait-until wants them run again later. */
static bool
run_commands(struct swctl_context *ctx, struct command *commands,
             size_t n_commands)
{
    db_symtab_init(ctx->symtab);
    ctx->txn = db_txn_create(ctx->db);
    ctx->n_new_ifaces = 0;
    swctl_cache_invalidate(ctx);
    for (size_t i = 0; i < n_commands; i++) {
        struct command *c = &commands[i];
        ds_clear(&c->output);
        table_destroy(c->table);
        ctx->argc = c->argc;
        ctx->argv = c->argv;
        ctx->options = &c->options;
        ctx->output = c->output;
        ctx->table = NULL;
        ctx->print_uuid_after_commit = false;
        ctx->try_again = false;
        c->syntax->run(ctx);
        if (ctx->exit_2) {
            swctl_exit(2);
        }
        c->output = ctx->output;
        c->table = ctx->table;
        c->print_uuid = ctx->print_uuid_after_commit;
        c->created_uuid = ctx->created_uuid;
        if (ctx->try_again) {
            return false;
        }
    }
    return true;
}

/* What 'commands' need from the database: as little as they say, or
 * everything if one of them cannot say. */
static struct swctl_fetch *
plan_fetch(const struct db_schema *schema, const struct command *commands,
           size_t n_commands)
{
    struct swctl_fetch *fetch = swctl_fetch_create();
    if (getenv("SWCTL_FULL_REPLICA")) {
        swctl_fetch_all(fetch);     /* For tests: the other way. */
    }
    for (size_t i = 0; i < n_commands; i++) {
        const struct command *c = &commands[i];
        if (c->syntax->prefetch) {
            c->syntax->prefetch(fetch, schema, c->argc, c->argv,
                                &c->options);
        } else {
            swctl_fetch_all(fetch);
        }
    }
    return fetch;
}

/* A partial replica follows no changes: watch the root's cur_cfg and the
 * new interfaces, which the wait for sw-vswitchd looks at. */
static void
watch_for_reload(struct db_client *client, const struct swctl_context *ctx,
                 long long deadline, long long timeout_msec)
{
    json_t *requests = json_pack("{s:{s:[s]}}", "Open_vSwitch", "columns",
                                 "cur_cfg");
    json_t *where = json_array();
    for (size_t i = 0; i < ctx->n_new_ifaces; i++) {
        const struct uuid *uuid = db_client_get_inserted_uuid(
            client, &ctx->new_ifaces[i]);
        if (uuid) {
            char s[UUID_LEN + 1];
            snprintf(s, sizeof s, UUID_FMT, UUID_ARGS(uuid));
            json_array_append_new(where, json_pack("[s,s,[s,s]]", "_uuid",
                                                   "==", "uuid", s));
        }
    }
    if (json_array_size(where)) {
        json_object_set_new(requests, "Interface", json_pack(
                                "{s:[s,s,s], s:o}", "columns", "name",
                                "ofport", "error", "where", where));
    } else {
        json_decref(where);     /* An empty "where" would watch them all. */
    }

    char *error;
    int err = db_client_monitor(client, requests, deadline, &error);
    if (err == -ETIMEDOUT) {
        swctl_timed_out(timeout_msec, "waiting for sw-vswitchd to apply "
                        "the change (which is committed)");
    } else if (err) {
        sw_fatal("%s", error);
    }
}

/* Connects and loads what 'commands' need ('*fetchp' says what). */
static struct db_client *
connect_db(const struct global_options *g, const struct command *commands,
           size_t n_commands, long long deadline,
           struct swctl_fetch **fetchp)
{
    for (;;) {
        char *error;
        struct db_client *client = db_client_open(g->db, "Open_vSwitch",
                                                  deadline, &error);
        if (client) {
            *fetchp = plan_fetch(db_client_get_db(client)->schema, commands,
                                 n_commands);
            if (!swctl_fetch_load(*fetchp, client, deadline, &error)) {
                return client;
            }
            swctl_fetch_destroy(*fetchp);
        }
        if (time_msec() >= deadline) {
            swctl_timed_out(g->timeout_msec, "talking to the database");
        }
        if (client) {
            sw_fatal("%s", error);
        }
        if (!g->retry || time_msec() + 1000 >= deadline) {
            sw_fatal("%s", error);
        }
        free(error);
        sleep(1);
    }
}

int
main(int argc, char *argv[])
{
    struct global_options g;

    set_program_name(argv[0]);
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_WARN);
    might_write = might_write_to_db(argv);
    parse_options(argc, argv, &g);
    long long deadline = (g.timeout_msec ? time_msec() + g.timeout_msec
                                         : LLONG_MAX);

    size_t n_commands;
    struct command *commands = parse_commands(argc - optind, argv + optind,
                                              &g.first_options, &n_commands);
    struct swctl_fetch *fetch;
    struct db_client *client = connect_db(&g, commands, n_commands, deadline,
                                          &fetch);
    struct db *db = db_client_get_db(client);
    struct db_symtab symtab;
    struct swctl_context ctx = {
        .opts = &g.opts,
        .db = db,
        .symtab = &symtab,
    };
    hmap_init(&ctx.bridges);
    hmap_init(&ctx.ports);
    hmap_init(&ctx.ifaces);
    /* wait-until may send us round again, with a fresh transaction, after
     * each change to the database until its condition holds. */
    while (!run_commands(&ctx, commands, n_commands)) {
        db_txn_abort(ctx.txn);
        db_symtab_destroy(&symtab);
        char *error;
        int err = db_client_wait_update(client, deadline, &error);
        if (err == -ETIMEDOUT) {
            swctl_timed_out(g.timeout_msec, "waiting for wait-until");
        } else if (err) {
            sw_fatal("%s", error);
        }
    }

    const struct db_symbol *uncreated = db_symtab_find_uncreated(&symtab);
    if (uncreated) {
        sw_fatal("row id \"%s\" is referenced but never created (e.g. "
                    "with \"-- --id=%s create ...\")", uncreated->name,
                    uncreated->name);
    }

    if (g.opts.dry_run || !txn_has_changes(ctx.txn)) {
        db_txn_abort(ctx.txn);
    } else {
        json_t *extra = json_array();
        if (g.opts.wait) {
            json_array_append_new(extra, json_pack(
                "{s:s, s:s, s:[], s:[[s,s,i]]}", "op", "mutate", "table",
                "Open_vSwitch", "where", "mutations", "next_cfg", "+=", 1));
            json_array_append_new(extra, json_pack(
                "{s:s, s:s, s:[], s:[s]}", "op", "select", "table",
                "Open_vSwitch", "where", "columns", "next_cfg"));
        }
        char *comment = make_comment(argc, argv);
        json_array_append_new(extra, json_pack("{s:s, s:s}", "op",
                                               "comment", "comment",
                                               comment));
        free(comment);

        json_t *result;
        char *error;
        if (db_client_commit(client, ctx.txn, extra, deadline, &result,
                             &error)) {
            if (time_msec() >= deadline) {
                swctl_timed_out(g.timeout_msec, "committing the change");
            }
            sw_fatal("%s", error);
        }
        const json_t *txn_error = find_txn_error(result);
        if (txn_error) {
            char *s = json_dumps(txn_error, JSON_COMPACT | JSON_SORT_KEYS);
            sw_fatal("transaction error: %s", s);
        }
        if (g.opts.wait) {
            const json_t *select = json_array_get(
                result, db_client_n_txn_ops(client) + 1);
            const json_t *row = json_array_get(json_object_get(select,
                                                               "rows"), 0);
            json_t *next_cfg = json_object_get(row, "next_cfg");
            if (json_is_integer(next_cfg)) {
                if (!swctl_fetch_needs_all(fetch)) {
                    watch_for_reload(client, &ctx, deadline, g.timeout_msec);
                }
                wait_for_reload(client, json_integer_value(next_cfg),
                                deadline, g.timeout_msec);
                check_new_ifaces(client, &ctx);
            }
        }
        json_decref(result);
    }

    for (size_t i = 0; i < n_commands; i++) {
        print_output(&g.opts, client, &commands[i]);
        ds_destroy(&commands[i].output);
        table_destroy(commands[i].table);
        smap_destroy(&commands[i].options);
    }
    free(commands);
    swctl_fetch_destroy(fetch);
    free(ctx.new_ifaces);
    swctl_cache_destroy(&ctx);
    db_symtab_destroy(&symtab);
    db_client_close(client);
    smap_destroy(&g.first_options);
    free(g.opts.columns);
    free(g.db);
    free(g.private_key);
    free(g.certificate);
    free(g.ca_cert);
    return 0;
}
