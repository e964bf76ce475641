/* sw-ofctl: a bridge's OpenFlow tables from the command line, in
 * ovs-ofctl's syntax and output format:
 *
 *     sw-ofctl add-flow br0 "priority=100,tcp,tp_dst=80,actions=output:2"
 *     sw-ofctl dump-flows br0
 *
 * Until the OpenFlow wire protocol arrives, it talks to sw-vswitchd over
 * the daemon's control socket. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"
#include "timeval.h"
#include "unixctl-client.h"
#include "util.h"

struct options {
    const char *target;
    long long deadline;
    bool strict;
    int names;                  /* -1: default, 0: numbers, 1: names. */
    bool stats;
    int sort;                   /* 0, 1 (--sort), -1 (--rsort). */
};

static void NO_RETURN
usage(void)
{
    printf("%s: OpenFlow tables of a softswitch bridge\n"
           "usage: %s [OPTIONS] COMMAND BRIDGE [ARG...]\n"
           "Commands:\n"
           "  show BRIDGE                   ports and features\n"
           "  dump-flows BRIDGE [FLOW]      print the rules (matching FLOW)\n"
           "  add-flow BRIDGE FLOW          add a rule\n"
           "  add-flows BRIDGE FILE         add rules, one per line (- for "
           "stdin)\n"
           "  mod-flows BRIDGE FLOW         change the actions of rules\n"
           "  del-flows BRIDGE [FLOW]       delete rules (all without FLOW)\n"
           "  add-tlv-map BRIDGE MAP        map Geneve options to fields:\n"
           "                                {class=C,type=T,len=L}->"
           "tun_metadataN,...\n"
           "  del-tlv-map BRIDGE [MAP]      unmap them (all without MAP)\n"
           "  dump-tlv-map BRIDGE           print the map\n"
           "Options:\n"
           "  --strict                match priority and fields exactly\n"
           "  --names, --no-names     show port names, or numbers\n"
           "  --no-stats              leave out counters and timers\n"
           "  --sort, --rsort         sort dump-flows by priority\n"
           "  -O, --protocols=LIST    accepted for ovs-ofctl compatibility\n"
           "  -t, --timeout=SECS      give up after SECS seconds\n"
           "  -h, --help              display this help and exit\n"
           "  -V, --version           display version and exit\n",
           program_name, program_name);
    exit(EXIT_SUCCESS);
}

/* Runs 'command' with 'args' on the daemon; exits on failure.  On a
 * daemon error, 'fix_error' (if nonnull) may rewrite the message. */
static char *
call(const struct options *o, const char *command, int argc,
     const char *const argv[], char *(*fix_error)(const char *, void *),
     void *aux)
{
    char *result, *error_text;
    int error = unixctl_client_call(o->target, command, argc, argv,
                                    o->deadline, &result, &error_text);
    if (error) {
        char *stream = unixctl_target_to_stream(o->target);
        sw_fatal("cannot connect to \"%s\" (%s): is sw-vswitchd running?",
                 stream + 5,
                 error == -ETIMEDOUT ? "timed out" : strerror(-error));
    }
    if (error_text) {
        char *fixed = fix_error ? fix_error(error_text, aux) : NULL;
        const char *msg = fixed ? fixed : error_text;
        size_t len = strlen(msg);
        while (len && msg[len - 1] == '\n') {
            len--;
        }
        sw_fatal("%.*s", (int) len, msg);
    }
    return result;
}

static void
cmd_show(const struct options *o, int argc, char *argv[])
{
    char *result = call(o, "ofctl/show", 1, (const char *const *) argv, NULL,
                        NULL);
    fputs(result, stdout);
    free(result);
}

static void
cmd_dump_flows(const struct options *o, int argc, char *argv[])
{
    /* ovs-ofctl prints the raw reply (a header, idle_age) unless asked
     * for names or sorting; scripts that skip the first line rely on
     * it. */
    bool raw = o->names != 1 && !o->sort && o->stats;
    const char *args[8];
    int n = 0;
    args[n++] = argv[0];
    if (o->names == 1) {
        args[n++] = "--names";
    }
    if (!o->stats) {
        args[n++] = "--no-stats";
    }
    if (raw) {
        args[n++] = "--idle-age";
    }
    if (o->sort) {
        args[n++] = o->sort > 0 ? "--sort" : "--rsort";
    }
    if (argc > 1) {
        args[n++] = argv[1];
    }
    char *result = call(o, "ofctl/dump-flows", n, args, NULL, NULL);
    if (raw) {
        printf("NXST_FLOW reply (xid=0x%x):\n", argc > 1 ? 8 : 4);
    }
    fputs(result, stdout);
    free(result);
}

static void
cmd_add_flow(const struct options *o, int argc, char *argv[])
{
    free(call(o, "ofctl/add-flows", 2, (const char *const *) argv, NULL,
              NULL));
}

/* Which line of the file each flow came from. */
struct flow_file {
    const char *name;
    int *lines;
    int n_flows;
};

/* "3: message" (the third flow; just "message" if there is only one) ->
 * "FILE:LINE: message". */
static char *
fix_file_error(const char *error, void *file_)
{
    const struct flow_file *file = file_;
    int index, n = 0;
    if (file->n_flows == 1) {
        return xasprintf("%s:%d: %s", file->name, file->lines[0], error);
    }
    if (sscanf(error, "%d: %n", &index, &n) == 1 && n > 0
        && index >= 1 && index <= file->n_flows) {
        return xasprintf("%s:%d: %s", file->name, file->lines[index - 1],
                         error + n);
    }
    return NULL;
}

static void
cmd_add_flows(const struct options *o, int argc, char *argv[])
{
    const char *name = argv[1];
    FILE *f = !strcmp(name, "-") ? stdin : fopen(name, "r");
    if (!f) {
        sw_fatal("%s: open failed (%s)", name, strerror(errno));
    }

    const char **args = xmalloc(sizeof *args);
    int *lines = NULL;
    int n = 0;
    args[n++] = argv[0];
    char *line = NULL;
    size_t allocated = 0;
    for (int line_no = 1; getline(&line, &allocated, f) >= 0; line_no++) {
        char *s = line + strspn(line, " \t");
        s[strcspn(s, "\r\n")] = '\0';
        if (!*s || *s == '#') {
            continue;
        }
        args = xrealloc(args, (n + 1) * sizeof *args);
        lines = xrealloc(lines, n * sizeof *lines);
        args[n] = xstrdup(s);
        lines[n - 1] = line_no;
        n++;
    }
    free(line);
    if (f != stdin) {
        fclose(f);
    }

    if (n > 1) {
        struct flow_file file = { name, lines, n - 1 };
        free(call(o, "ofctl/add-flows", n, args, fix_file_error, &file));
    }
    for (int i = 1; i < n; i++) {
        free((char *) args[i]);
    }
    free(args);
    free(lines);
}

static void
cmd_mod_or_del(const struct options *o, int argc, char *argv[],
               const char *command)
{
    const char *args[3];
    int n = 0;
    args[n++] = argv[0];
    if (o->strict) {
        args[n++] = "--strict";
    }
    if (argc > 1) {
        args[n++] = argv[1];
    }
    free(call(o, command, n, args, NULL, NULL));
}

static void
cmd_mod_flows(const struct options *o, int argc, char *argv[])
{
    cmd_mod_or_del(o, argc, argv, "ofctl/mod-flows");
}

static void
cmd_del_flows(const struct options *o, int argc, char *argv[])
{
    cmd_mod_or_del(o, argc, argv, "ofctl/del-flows");
}

static void
cmd_add_tlv_map(const struct options *o, int argc, char *argv[])
{
    free(call(o, "ofctl/add-tlv-map", argc, (const char *const *) argv,
              NULL, NULL));
}

static void
cmd_del_tlv_map(const struct options *o, int argc, char *argv[])
{
    free(call(o, "ofctl/del-tlv-map", argc, (const char *const *) argv,
              NULL, NULL));
}

static void
cmd_dump_tlv_map(const struct options *o, int argc, char *argv[])
{
    char *result = call(o, "ofctl/dump-tlv-map", argc,
                        (const char *const *) argv, NULL, NULL);
    printf("NXT_TLV_TABLE_REPLY (xid=0x2):\n%s", result);
    free(result);
}

struct command {
    const char *name;
    int min_args, max_args;     /* After the command, including BRIDGE. */
    void (*run)(const struct options *, int argc, char *argv[]);
};

static const struct command commands[] = {
    { "show", 1, 1, cmd_show },
    { "dump-flows", 1, 2, cmd_dump_flows },
    { "add-flow", 2, 2, cmd_add_flow },
    { "add-flows", 2, 2, cmd_add_flows },
    { "mod-flows", 2, 2, cmd_mod_flows },
    { "del-flows", 1, 2, cmd_del_flows },
    { "add-tlv-map", 2, 2, cmd_add_tlv_map },
    { "del-tlv-map", 1, 2, cmd_del_tlv_map },
    { "dump-tlv-map", 1, 1, cmd_dump_tlv_map },
};

int
main(int argc, char *argv[])
{
    enum { OPT_STRICT = 256, OPT_NAMES, OPT_NO_NAMES, OPT_NO_STATS, OPT_SORT,
           OPT_RSORT, OPT_TARGET };
    static const struct option long_options[] = {
        { "strict", no_argument, NULL, OPT_STRICT },
        { "names", no_argument, NULL, OPT_NAMES },
        { "no-names", no_argument, NULL, OPT_NO_NAMES },
        { "no-stats", no_argument, NULL, OPT_NO_STATS },
        { "sort", optional_argument, NULL, OPT_SORT },
        { "rsort", optional_argument, NULL, OPT_RSORT },
        { "protocols", required_argument, NULL, 'O' },
        { "timeout", required_argument, NULL, 't' },
        { "target", required_argument, NULL, OPT_TARGET },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    struct options o = {
        .target = "sw-vswitchd", .deadline = LLONG_MAX, .names = -1,
        .stats = true,
    };

    set_program_name(argv[0]);
    for (;;) {
        int c = getopt_long(argc, argv, "O:t:hV", long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_STRICT:
            o.strict = true;
            break;
        case OPT_NAMES:
            o.names = 1;
            break;
        case OPT_NO_NAMES:
            o.names = 0;
            break;
        case OPT_NO_STATS:
            o.stats = false;
            break;
        case OPT_SORT:
        case OPT_RSORT:
            if (optarg && strcmp(optarg, "priority")) {
                sw_fatal("--sort and --rsort sort by priority only");
            }
            o.sort = c == OPT_SORT ? 1 : -1;
            break;
        case 'O':
            break;              /* One "protocol" here: the control socket. */
        case 't': {
            int secs;
            if (!str_to_int(optarg, 1, INT_MAX / 1000, &secs)) {
                sw_fatal("value %s on -t or --timeout is invalid", optarg);
            }
            o.deadline = time_msec() + secs * 1000LL;
            break;
        }
        case OPT_TARGET:
            o.target = optarg;
            break;
        case 'h':
            usage();
        case 'V':
            printf("sw-ofctl (softswitch) %s\n", PACKAGE_VERSION);
            exit(EXIT_SUCCESS);
        default:
            fprintf(stderr, "Try '%s --help' for more information.\n",
                    program_name);
            exit(EXIT_FAILURE);
        }
    }
    if (optind >= argc) {
        sw_fatal("missing command name; use --help for help");
    }

    const char *name = argv[optind];
    int n_args = argc - optind - 1;
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        const struct command *cmd = &commands[i];
        if (strcmp(name, cmd->name)) {
            continue;
        }
        if (n_args < cmd->min_args || n_args > cmd->max_args) {
            sw_fatal("'%s' command requires %d to %d arguments (BRIDGE "
                     "first)", name, cmd->min_args, cmd->max_args);
        }
        cmd->run(&o, n_args, &argv[optind + 1]);
        return EXIT_SUCCESS;
    }
    sw_fatal("unknown command '%s'; use --help for help", name);
}
