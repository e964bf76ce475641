/* sw-test: small programs the autotest suite runs to test lib/ units and
 * to talk to the daemon at the byte level.  "sw-test help" lists them. */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "db/db-datum.h"
#include "db/db-error.h"
#include "db/db-execute.h"
#include "db/db-schema.h"
#include "db/db.h"
#include "db/db-types.h"
#include "dp-packet.h"
#include "dynamic-string.h"
#include "json-stream.h"
#include "jsonrpc.h"
#include "packet-compose.h"
#include "pcap-file.h"
#include "tests/sw-test.h"
#include "util.h"

static char *
read_stdin(size_t *n)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    char buf[4096];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, stdin)) > 0) {
        ds_put_buffer(&s, buf, got);
    }
    *n = s.length;
    return ds_steal_cstr(&s);
}

/* json-stream [MAX]: splits stdin into JSON texts, feeding it in chunks
 * of 1 to 7 bytes to exercise resumption; prints each text compactly, or
 * the error that stops the stream. */
static int
cmd_json_stream(int argc, char *argv[])
{
    size_t max = argc > 1 ? strtoul(argv[1], NULL, 10) : 1 << 20;
    size_t n;
    char *input = read_stdin(&n);
    struct json_stream *js = json_stream_create(max);
    size_t pos = 0, chunk = 1;

    while (pos < n) {
        size_t len = MIN(chunk, n - pos);
        size_t used = json_stream_feed(js, input + pos, len);
        pos += used;
        chunk = chunk % 7 + 1;
        json_t *value = json_stream_take(js);
        if (value) {
            char *s = json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS);
            printf("%s\n", s);
            free(s);
            json_decref(value);
        } else if (json_stream_error(js)) {
            printf("error: %s\n", json_stream_error(js));
            break;
        }
    }
    if (!json_stream_error(js) && json_stream_in_text(js)) {
        printf("incomplete text at end of input\n");
    }
    json_stream_destroy(js);
    free(input);
    return 0;
}

/* jsonrpc-msg JSON: validates JSON as a JSON-RPC message. */
static int
cmd_jsonrpc_msg(int argc, char *argv[])
{
    json_error_t jerror;
    json_t *json = json_loads(argv[1], JSON_DECODE_ANY, &jerror);
    if (!json) {
        printf("not JSON: %s\n", jerror.text);
        return 1;
    }
    char *error;
    struct jsonrpc_msg *msg = jsonrpc_msg_from_json(json, &error);
    if (msg) {
        char *s = jsonrpc_msg_to_string(msg);
        printf("%s: %s\n", jsonrpc_msg_type_to_string(msg->type), s);
        free(s);
        jsonrpc_msg_destroy(msg);
    } else {
        printf("invalid: %s\n", error);
        free(error);
    }
    json_decref(json);
    return 0;
}

static int
connect_unix(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || strlen(path) >= sizeof sun.sun_path) {
        sw_fatal("%s: cannot create socket", path);
    }
    strcpy(sun.sun_path, path);
    if (connect(fd, (struct sockaddr *) &sun, sizeof sun) < 0) {
        sw_fatal("%s: connect failed (%s)", path, strerror(errno));
    }
    return fd;
}

/* Prints what arrives on 'fd' within 'idle_ms' of silence, one JSON text
 * per line; "<closed>" if the peer closes. */
static void
print_replies(int fd, int idle_ms)
{
    struct json_stream *js = json_stream_create(SIZE_MAX);
    char buf[65536];
    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (poll(&pfd, 1, idle_ms) <= 0) {
            break;
        }
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) {
            printf("<closed>\n");
            break;
        }
        size_t pos = 0;
        while (pos < (size_t) n) {
            pos += json_stream_feed(js, buf + pos, n - pos);
            json_t *value = json_stream_take(js);
            if (value) {
                char *s = json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS);
                printf("%s\n", s);
                free(s);
                json_decref(value);
            } else if (json_stream_error(js)) {
                printf("bad reply: %s\n", json_stream_error(js));
                pos = n;
            }
        }
    }
    fflush(stdout);
    json_stream_destroy(js);
}

/* rpc SOCKET [--idle=MS] [--file=FILE] [--shut] [--no-read] TEXT...:
 * sends each TEXT (and FILE's contents) as raw bytes on unix socket
 * SOCKET, then prints the replies.  --shut half-closes after sending;
 * --no-read reads nothing, but stays connected for the idle time. */
static int
cmd_rpc(int argc, char *argv[])
{
    int fd = connect_unix(argv[1]);
    int idle_ms = 300;
    bool shut = false;
    bool no_read = false;

    for (int i = 2; i < argc; i++) {
        if (str_starts_with(argv[i], "--idle=")) {
            idle_ms = atoi(argv[i] + 7);
        } else if (!strcmp(argv[i], "--shut")) {
            shut = true;
        } else if (!strcmp(argv[i], "--no-read")) {
            no_read = true;
        } else if (str_starts_with(argv[i], "--file=")) {
            FILE *f = fopen(argv[i] + 7, "rb");
            char buf[65536];
            size_t n;
            if (!f) {
                sw_fatal("%s: cannot open", argv[i] + 7);
            }
            while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
                if (write_fully(fd, buf, n)) {
                    printf("<send failed>\n");
                    break;
                }
            }
            fclose(f);
        } else if (write_fully(fd, argv[i], strlen(argv[i]))) {
            printf("<send failed>\n");
        }
    }
    if (shut) {
        shutdown(fd, SHUT_WR);
    }
    if (no_read) {
        poll(NULL, 0, idle_ms);
    } else {
        print_replies(fd, idle_ms);
    }
    close(fd);
    return 0;
}

static void
print_db_error(struct db_error *error)
{
    char *s = db_error_to_string_free(error);
    printf("error: %s\n", s);
    free(s);
}

static bool
parse_type(const char *s, struct db_type *type)
{
    json_error_t jerror;
    json_t *json = json_loads(s, JSON_DECODE_ANY, &jerror);
    if (!json) {
        printf("type is not JSON: %s\n", jerror.text);
        return false;
    }
    struct db_error *error = db_type_from_json(type, json);
    json_decref(json);
    if (error) {
        print_db_error(error);
        return false;
    }
    return true;
}

/* datum-from-string TYPE STRING...: parses each STRING as the command
 * line would, printing JSON and the text form back. */
static int
cmd_datum_from_string(int argc, char *argv[])
{
    struct db_type type;
    if (!parse_type(argv[1], &type)) {
        return 1;
    }
    for (int i = 2; i < argc; i++) {
        struct db_datum datum;
        char *error = db_datum_from_string(&datum, &type, argv[i], NULL);
        if (error) {
            printf("error: %s\n", error);
            free(error);
            continue;
        }
        struct db_error *e = db_datum_check_constraints(&datum, &type);
        if (e) {
            print_db_error(e);
        } else {
            struct ds s = DS_EMPTY_INITIALIZER;
            json_t *json = db_datum_to_json(&datum, &type);
            char *j = json_dumps(json, JSON_COMPACT | JSON_ENCODE_ANY);
            db_datum_to_string(&datum, &type, &s);
            printf("%s %s\n", j, ds_cstr(&s));
            free(j);
            json_decref(json);
            ds_destroy(&s);
        }
        db_datum_destroy(&datum, &type);
    }
    db_type_destroy(&type);
    return 0;
}

/* datum-from-json TYPE JSON...: parses each JSON as the wire would. */
static int
cmd_datum_from_json(int argc, char *argv[])
{
    struct db_type type;
    if (!parse_type(argv[1], &type)) {
        return 1;
    }
    for (int i = 2; i < argc; i++) {
        json_error_t jerror;
        json_t *json = json_loads(argv[i], JSON_DECODE_ANY, &jerror);
        struct db_datum datum;
        struct db_error *error = (json
                                  ? db_datum_from_json(&datum, &type, json,
                                                       NULL)
                                  : db_syntax_error(NULL, "not JSON"));
        json_decref(json);
        if (!error) {
            error = db_datum_check_constraints(&datum, &type);
            if (error) {
                db_datum_destroy(&datum, &type);
            }
        }
        if (error) {
            print_db_error(error);
            continue;
        }
        struct ds s = DS_EMPTY_INITIALIZER;
        db_datum_to_string(&datum, &type, &s);
        printf("%s\n", ds_cstr(&s));
        ds_destroy(&s);
        db_datum_destroy(&datum, &type);
    }
    db_type_destroy(&type);
    return 0;
}

/* types[0]: a set of integers; types[1]: a map of integers to integers;
 * both of any size. */
static void
init_random_types(struct db_type types[2])
{
    db_type_init(&types[0]);
    types[0].key.type = DB_TYPE_INTEGER;
    types[0].n_min = 0;
    types[0].n_max = DB_N_MAX_UNLIMITED;
    types[1] = types[0];
    types[1].value.type = DB_TYPE_INTEGER;
}

/* db-transact SCHEMA TXN...: runs each TXN (a JSON array of operations)
 * in turn against an empty in-memory database with SCHEMA, printing each
 * result. */
static int
cmd_db_transact(int argc, char *argv[])
{
    struct db_schema *schema;
    struct db_error *error = db_schema_from_file(argv[1], &schema);
    if (error) {
        print_db_error(error);
        return 1;
    }
    struct db *db = db_create(schema);
    for (int i = 2; i < argc; i++) {
        json_error_t jerror;
        json_t *ops = json_loads(argv[i], 0, &jerror);
        if (!json_is_array(ops)) {
            printf("transaction %d is not a JSON array\n", i - 1);
            json_decref(ops);
            continue;
        }
        long long wait;
        json_t *result = db_execute(db, ops, NULL, 0, &wait);
        char *s = (result ? json_dumps(result, JSON_COMPACT | JSON_SORT_KEYS)
                          : xstrdup("(waiting)"));
        printf("%s\n", s);
        free(s);
        json_decref(result);
        json_decref(ops);
    }
    db_destroy(db);
    return 0;
}

/* A random set of small integers, or a map of them to small integers. */
static void
random_datum(struct db_datum *datum, const struct db_type *type)
{
    db_datum_init_empty(datum);
    int n = random() % 8;
    for (int i = 0; i < n; i++) {
        union db_atom key = { .integer = random() % 10 };
        union db_atom value = { .integer = random() % 3 };
        db_datum_add_unsafe(datum, &key,
                            db_type_is_map(type) ? &value : NULL);
    }
    db_datum_sort(datum, type);
}

/* datum-diff N: checks on N random set and map pairs that applying the
 * diff from A to B to A gives B. */
static int
cmd_datum_diff(int argc, char *argv[])
{
    int n = atoi(argv[1]);
    struct db_type types[2];
    init_random_types(types);

    srandom(1);
    for (int i = 0; i < n; i++) {
        const struct db_type *type = &types[i % 2];
        struct db_datum a, b, diff;
        random_datum(&a, type);
        random_datum(&b, type);
        db_datum_diff(&diff, &a, &b, type);
        db_datum_apply_diff(&a, &diff, type);
        if (!db_datum_equals(&a, &b, type)) {
            printf("mismatch in case %d\n", i);
            return 1;
        }
        db_datum_destroy(&a, type);
        db_datum_destroy(&b, type);
        db_datum_destroy(&diff, type);
    }
    printf("%d cases passed\n", n);
    return 0;
}

/* The value of 'key' in 'd' (a map of small integers), or -1. */
static int
naive_lookup(const struct db_datum *d, int64_t key)
{
    for (unsigned int i = 0; i < d->n; i++) {
        if (d->keys[i].integer == key) {
            return d->values ? d->values[i].integer : 1;
        }
    }
    return -1;
}

/* datum-setops N: checks union (with and without replacing) and
 * subtraction of random sets and maps against plain loops over the
 * possible keys. */
static int
cmd_datum_setops(int argc, char *argv[])
{
    int n = atoi(argv[1]);
    struct db_type types[2];
    init_random_types(types);

    srandom(2);
    for (int i = 0; i < n; i++) {
        const struct db_type *type = &types[i % 2];
        bool replace = (i / 2) % 2;
        struct db_datum a, b, u, d;
        random_datum(&a, type);
        random_datum(&b, type);
        db_datum_clone(&u, &a, type);
        db_datum_union(&u, &b, type, replace);
        db_datum_clone(&d, &a, type);
        db_datum_subtract(&d, type, &b, type);

        for (int64_t k = 0; k < 10; k++) {
            int va = naive_lookup(&a, k), vb = naive_lookup(&b, k);
            int want_u = va < 0 ? vb : vb >= 0 && replace ? vb : va;
            int want_d = (va >= 0 && !(vb >= 0 && (!db_type_is_map(type)
                                                   || va == vb))
                          ? va : -1);
            if (naive_lookup(&u, k) != want_u
                || naive_lookup(&d, k) != want_d) {
                printf("mismatch in case %d, key %d\n", i, (int) k);
                return 1;
            }
        }
        for (unsigned int j = 1; j < u.n; j++) {
            if (u.keys[j - 1].integer >= u.keys[j].integer) {
                printf("union not sorted in case %d\n", i);
                return 1;
            }
        }
        db_datum_destroy(&a, type);
        db_datum_destroy(&b, type);
        db_datum_destroy(&u, type);
        db_datum_destroy(&d, type);
    }
    printf("%d cases passed\n", n);
    return 0;
}

/* compose TEXT...: builds frames as netdev-dummy/receive would and
 * prints them in hex. */
static int
cmd_compose(int argc, char *argv[])
{
    for (int i = 1; i < argc; i++) {
        struct dp_packet *p;
        char *error = packet_compose(argv[i], &p);
        if (error) {
            printf("error: %s\n", error);
            free(error);
            continue;
        }
        struct ds s = DS_EMPTY_INITIALIZER;
        ds_put_hex(&s, dp_packet_data(p), dp_packet_size(p));
        printf("%s\n", ds_cstr(&s));
        ds_destroy(&s);
        dp_packet_delete(p);
    }
    return 0;
}

/* pcap-print FILE: prints each frame of FILE in hex. */
static int
cmd_pcap_print(int argc, char *argv[])
{
    FILE *file;
    int error = pcap_open_read(argv[1], &file);
    if (error) {
        sw_fatal("%s: cannot read (%s)", argv[1], strerror(-error));
    }
    for (;;) {
        struct dp_packet *p;
        error = pcap_read(file, &p);
        if (error || !p) {
            break;
        }
        struct ds s = DS_EMPTY_INITIALIZER;
        ds_put_hex(&s, dp_packet_data(p), dp_packet_size(p));
        printf("%s\n", ds_cstr(&s));
        ds_destroy(&s);
        dp_packet_delete(p);
    }
    fclose(file);
    return error ? 1 : 0;
}

static const struct {
    const char *name;
    int min_args;
    int (*run)(int argc, char *argv[]);
    const char *usage;
} commands[] = {
    { "json-stream", 0, cmd_json_stream, "[MAX] < INPUT" },
    { "jsonrpc-msg", 1, cmd_jsonrpc_msg, "JSON" },
    { "rpc", 1, cmd_rpc,
      "SOCKET [--idle=MS] [--file=F] [--shut] [--no-read] TEXT..." },
    { "datum-from-string", 1, cmd_datum_from_string, "TYPE STRING..." },
    { "datum-from-json", 1, cmd_datum_from_json, "TYPE JSON..." },
    { "datum-diff", 1, cmd_datum_diff, "N" },
    { "db-transact", 1, cmd_db_transact, "SCHEMA TXN..." },
    { "datum-setops", 1, cmd_datum_setops, "N" },
    { "compose", 0, cmd_compose, "TEXT..." },
    { "pcap-print", 1, cmd_pcap_print, "FILE" },
    { "flow-extract", 0, cmd_flow_extract, "[--len=N] FRAME..." },
    { "flow-fuzz", 2, cmd_flow_fuzz, "N SEED" },
    { "match-parse", 0, cmd_match_parse, "MATCH..." },
    { "dpcls-random", 2, cmd_dpcls_random, "N SEED" },
    { "rule-table-random", 2, cmd_rule_table_random, "N SEED" },
    { "mac-learning-random", 2, cmd_mac_learning_random, "N SEED" },
    { "mac-learning-threads", 1, cmd_mac_learning_threads, "N" },
    { "offload-segment", 0, cmd_offload_segment, "" },
    { "offload-csum", 0, cmd_offload_csum, "" },
    { "offload-merge", 0, cmd_offload_merge, "" },
    { "tap-hold", 2, cmd_tap_hold, "NAME FIFO" },
    { "udp-send", 3, cmd_udp_send, "SRC DST PORT HEX..." },
    { "udp-recv", 3, cmd_udp_recv, "ADDR PORT N" },
    { "ip-send", 3, cmd_ip_send, "SRC DST PROTO HEX..." },
    { "eth-send", 2, cmd_eth_send, "IFACE HEX..." },
};

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    signal(SIGPIPE, SIG_IGN);   /* A peer that hangs up is reported. */
    if (argc < 2 || !strcmp(argv[1], "help")) {
        for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
            printf("%s %s %s\n", program_name, commands[i].name,
                   commands[i].usage);
        }
        return argc < 2;
    }
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        if (!strcmp(argv[1], commands[i].name)) {
            if (argc - 2 < commands[i].min_args) {
                sw_fatal("%s: missing arguments: %s", argv[1],
                         commands[i].usage);
            }
            return commands[i].run(argc - 1, argv + 1);
        }
    }
    sw_fatal("unknown command %s (use \"help\")", argv[1]);
}
