/* sw-appctl: sends one command to a running daemon's control socket and
 * prints the reply. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unixctl-client.h"
#include "timeval.h"
#include "util.h"

static void NO_RETURN
usage(void)
{
    printf("%s: send a command to a running softswitch daemon\n"
           "usage: %s [OPTIONS] COMMAND [ARG...]\n"
           "Common commands:\n"
           "  list-commands      list the daemon's commands\n"
           "  version            print the daemon's version\n"
           "  vlog/list          show log levels\n"
           "  vlog/set SPEC      set log levels (module:dest:level)\n"
           "  coverage/show      show event counters\n"
           "  dpctl/show         show the datapath's ports and counters\n"
           "  netdev-dummy/receive PORT FRAME  inject a frame\n"
           "  exit               stop the daemon\n"
           "Options:\n"
           "  -t, --target=TARGET  daemon name or socket path "
           "(default: sw-vswitchd)\n"
           "  -T, --timeout=SECS   give up after SECS seconds\n"
           "  -h, --help           display this help and exit\n"
           "  -V, --version        display version and exit\n",
           program_name, program_name);
    exit(EXIT_SUCCESS);
}

int
main(int argc, char *argv[])
{
    static const struct option long_options[] = {
        { "target", required_argument, NULL, 't' },
        { "timeout", required_argument, NULL, 'T' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    const char *target = "sw-vswitchd";
    long long deadline = LLONG_MAX;

    set_program_name(argv[0]);
    for (;;) {
        int c = getopt_long(argc, argv, "+t:T:hV", long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case 't':
            target = optarg;
            break;
        case 'T': {
            int secs;
            if (!str_to_int(optarg, 1, INT_MAX / 1000, &secs)) {
                sw_fatal("value %s on -T or --timeout is invalid", optarg);
            }
            deadline = time_msec() + secs * 1000LL;
            break;
        }
        case 'h':
            usage();
        case 'V':
            printf("sw-appctl (softswitch) %s\n", PACKAGE_VERSION);
            exit(EXIT_SUCCESS);
        default:
            fprintf(stderr, "Try '%s --help' for more information.\n",
                    program_name);
            exit(EXIT_FAILURE);
        }
    }
    if (optind >= argc) {
        sw_fatal("at least one non-option argument is required (use "
                 "--help for help)");
    }

    char *result, *error_text;
    int error = unixctl_client_call(target, argv[optind], argc - optind - 1,
                                    (const char *const *) &argv[optind + 1],
                                    deadline, &result, &error_text);
    char *stream = unixctl_target_to_stream(target);
    if (error) {
        sw_fatal("cannot connect to \"%s\" (%s)", stream + 5,
                 error == -ETIMEDOUT ? "timed out" : strerror(-error));
    }

    int status = EXIT_SUCCESS;
    if (error_text) {
        fputs(error_text, stderr);
        if (!str_ends_with(error_text, "\n")) {
            fputc('\n', stderr);
        }
        fprintf(stderr, "%s: %s: server returned an error\n", program_name,
                stream + 5);
        status = 2;
    } else if (*result) {
        fputs(result, stdout);
        if (!str_ends_with(result, "\n")) {
            putchar('\n');
        }
    }
    free(result);
    free(error_text);
    free(stream);
    return status;
}
