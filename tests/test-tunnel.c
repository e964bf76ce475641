/* sw-test commands that play the underlay of a tunnel: send arbitrary
 * UDP payloads (well- or ill-formed tunnel packets) and receive what a
 * tunnel port sends. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "dynamic-string.h"
#include "sw-test.h"
#include "util.h"

/* Fills 'ss' from "ADDR" (IPv4 or IPv6) and 'port'. */
static socklen_t
parse_sockaddr(const char *addr, int port, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *sin = (struct sockaddr_in *) ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) ss;
    if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        return sizeof *sin;
    }
    if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        return sizeof *sin6;
    }
    sw_fatal("%s: not an IP address", addr);
}

static int
bound_socket(const char *addr, int port)
{
    struct sockaddr_storage ss;
    socklen_t len = parse_sockaddr(addr, port, &ss);
    int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *) &ss, len) < 0) {
        sw_fatal("%s port %d: cannot bind (%s)", addr, port,
                 strerror(errno));
    }
    return fd;
}

static size_t
parse_hex(const char *hex, uint8_t *buf, size_t max)
{
    size_t n = 0;
    for (; hex[0] && hex[1] && n < max; hex += 2) {
        unsigned int byte;
        if (sscanf(hex, "%2x", &byte) != 1) {
            sw_fatal("%s: not hex", hex);
        }
        buf[n++] = byte;
    }
    return n;
}

/* udp-send SRC DST PORT HEX...: sends each HEX payload from SRC (any
 * port) to DST:PORT. */
int
cmd_udp_send(int argc, char *argv[])
{
    int fd = bound_socket(argv[1], 0);
    struct sockaddr_storage dst;
    socklen_t len = parse_sockaddr(argv[2], atoi(argv[3]), &dst);
    for (int i = 4; i < argc; i++) {
        uint8_t buf[9216];
        size_t n = parse_hex(argv[i], buf, sizeof buf);
        if (sendto(fd, buf, n, 0, (struct sockaddr *) &dst, len) < 0) {
            sw_fatal("sendto failed (%s)", strerror(errno));
        }
    }
    close(fd);
    return 0;
}

/* udp-recv ADDR PORT N: receives N datagrams on ADDR:PORT (giving up
 * after 5 s without one) and prints each as "SOURCE-PORT HEX". */
int
cmd_udp_recv(int argc, char *argv[])
{
    int fd = bound_socket(argv[1], atoi(argv[2]));
    int n = atoi(argv[3]);
    /* Ready to receive: a test may now send. */
    printf("ready\n");
    fflush(stdout);
    for (int i = 0; i < n; i++) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (poll(&pfd, 1, 5000) != 1) {
            fprintf(stderr, "udp-recv: timed out after %d datagrams\n", i);
            return 1;
        }
        uint8_t buf[65536];
        struct sockaddr_storage from;
        socklen_t from_len = sizeof from;
        ssize_t len = recvfrom(fd, buf, sizeof buf, 0,
                               (struct sockaddr *) &from, &from_len);
        if (len < 0) {
            sw_fatal("recvfrom failed (%s)", strerror(errno));
        }
        int port = ntohs(from.ss_family == AF_INET
                         ? ((struct sockaddr_in *) &from)->sin_port
                         : ((struct sockaddr_in6 *) &from)->sin6_port);
        struct ds s = DS_EMPTY_INITIALIZER;
        ds_put_hex(&s, buf, len);
        printf("%d %s\n", port, ds_cstr(&s));
        ds_destroy(&s);
        fflush(stdout);
    }
    close(fd);
    return 0;
}
