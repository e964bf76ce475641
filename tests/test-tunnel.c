/* sw-test commands that play the underlay of a tunnel: send arbitrary
 * UDP payloads (well- or ill-formed tunnel packets) and receive what a
 * tunnel port sends; and send arbitrary Ethernet frames. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
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

/* Sends each HEX payload through 'fd' to 'dst'. */
static void
send_payloads(int fd, const struct sockaddr_storage *dst, socklen_t len,
              int n, char *hex[])
{
    for (int i = 0; i < n; i++) {
        uint8_t buf[9216];
        size_t size = parse_hex(hex[i], buf, sizeof buf);
        if (sendto(fd, buf, size, 0, (const struct sockaddr *) dst,
                   len) < 0) {
            sw_fatal("sendto failed (%s)", strerror(errno));
        }
    }
}

/* udp-send SRC DST PORT HEX...: sends each HEX payload from SRC (any
 * port) to DST:PORT. */
int
cmd_udp_send(int argc, char *argv[])
{
    int fd = bound_socket(argv[1], 0);
    struct sockaddr_storage dst;
    socklen_t len = parse_sockaddr(argv[2], atoi(argv[3]), &dst);
    send_payloads(fd, &dst, len, argc - 4, argv + 4);
    close(fd);
    return 0;
}

/* ip-send SRC DST PROTO HEX...: sends each HEX payload from SRC to DST
 * as IP protocol PROTO (a raw socket: root only), e.g. GRE packets. */
int
cmd_ip_send(int argc, char *argv[])
{
    struct sockaddr_storage src, dst;
    socklen_t src_len = parse_sockaddr(argv[1], 0, &src);
    socklen_t dst_len = parse_sockaddr(argv[2], 0, &dst);
    int fd = socket(src.ss_family, SOCK_RAW, atoi(argv[3]));
    if (fd < 0 || bind(fd, (struct sockaddr *) &src, src_len) < 0) {
        sw_fatal("%s: cannot open a raw socket (%s)", argv[1],
                 strerror(errno));
    }
    send_payloads(fd, &dst, dst_len, argc - 4, argv + 4);
    close(fd);
    return 0;
}

/* eth-send IFACE HEX...: sends each HEX frame out of IFACE as it is (a
 * packet socket: root only), VLAN tags included, which a kernel without
 * 8021q could not make otherwise. */
int
cmd_eth_send(int argc, char *argv[])
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_ll *sll = (struct sockaddr_ll *) &ss;
    sll->sll_family = AF_PACKET;
    sll->sll_ifindex = if_nametoindex(argv[1]);
    int fd = socket(AF_PACKET, SOCK_RAW, 0);
    if (!sll->sll_ifindex || fd < 0) {
        sw_fatal("%s: cannot open a packet socket (%s)", argv[1],
                 strerror(errno));
    }
    send_payloads(fd, &ss, sizeof *sll, argc - 2, argv + 2);
    close(fd);
    return 0;
}

/* The TOS (traffic class) and TTL (hop limit) the kernel reported in
 * 'msg''s control messages, or -1. */
static void
get_tos_ttl(struct msghdr *msg, int *tos, int *ttl)
{
    *tos = *ttl = -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
        int value = 0;
        if (c->cmsg_len == CMSG_LEN(1)) {
            value = *CMSG_DATA(c);
        } else if (c->cmsg_len >= CMSG_LEN(sizeof value)) {
            memcpy(&value, CMSG_DATA(c), sizeof value);
        }
        if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS)
            || (c->cmsg_level == IPPROTO_IPV6
                && c->cmsg_type == IPV6_TCLASS)) {
            *tos = value;
        } else if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL)
                   || (c->cmsg_level == IPPROTO_IPV6
                       && c->cmsg_type == IPV6_HOPLIMIT)) {
            *ttl = value;
        }
    }
}

/* udp-recv ADDR PORT N: receives N datagrams on ADDR:PORT (giving up
 * after 5 s without one) and prints each as "SOURCE-PORT TOS TTL HEX".
 * Prints "ready" first, once a sender may start. */
int
cmd_udp_recv(int argc, char *argv[])
{
    int fd = bound_socket(argv[1], atoi(argv[2]));
    int n = atoi(argv[3]);
    int on = 1;
    setsockopt(fd, IPPROTO_IP, IP_RECVTOS, &on, sizeof on);
    setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof on);
    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, &on, sizeof on);
    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on);
    printf("ready\n");
    fflush(stdout);
    for (int i = 0; i < n; i++) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (poll(&pfd, 1, 5000) != 1) {
            fprintf(stderr, "udp-recv: timed out after %d datagrams\n", i);
            return 1;
        }
        uint8_t buf[65536];
        char control[256];
        struct sockaddr_storage from;
        struct iovec iov = { buf, sizeof buf };
        struct msghdr msg = {
            .msg_name = &from, .msg_namelen = sizeof from,
            .msg_iov = &iov, .msg_iovlen = 1,
            .msg_control = control, .msg_controllen = sizeof control,
        };
        ssize_t len = recvmsg(fd, &msg, 0);
        if (len < 0) {
            sw_fatal("recvmsg failed (%s)", strerror(errno));
        }
        int port = ntohs(from.ss_family == AF_INET
                         ? ((struct sockaddr_in *) &from)->sin_port
                         : ((struct sockaddr_in6 *) &from)->sin6_port);
        int tos, ttl;
        get_tos_ttl(&msg, &tos, &ttl);
        struct ds s = DS_EMPTY_INITIALIZER;
        ds_put_hex(&s, buf, len);
        printf("%d %d %d %s\n", port, tos, ttl, ds_cstr(&s));
        ds_destroy(&s);
        fflush(stdout);
    }
    close(fd);
    return 0;
}
