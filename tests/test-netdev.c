/* sw-test commands for offloads and kernel-facing ports. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "dp-packet.h"
#include "dp-packet-offload.h"
#include "packets.h"
#include "sw-test.h"
#include "util.h"

/* A TCP frame (IPv4 or IPv6) of 'payload' bytes whose checksum is left
 * partial, as a sender with offloads leaves it, and which asks to be cut
 * into 'mss'-byte segments (no GSO if 0). */
static struct dp_packet *
make_tcp_frame(bool ipv6, size_t payload, uint16_t mss, uint8_t flags)
{
    size_t l3 = ETH_HEADER_LEN;
    size_t l4 = l3 + (ipv6 ? IPV6_HEADER_LEN : IPV4_HEADER_LEN);
    size_t size = l4 + TCP_HEADER_LEN + payload;
    struct dp_packet *p = dp_packet_new(size);
    uint8_t *d = dp_packet_put(p, NULL, size);

    memcpy(d, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
    d[12] = ipv6 ? 0x86 : 0x08;
    d[13] = ipv6 ? 0xdd : 0x00;
    uint8_t *ip = d + l3;
    size_t l4_len = TCP_HEADER_LEN + payload;
    if (ipv6) {
        ip[0] = 0x60;
        ip[4] = l4_len >> 8;
        ip[5] = l4_len;
        ip[6] = IP_PROTO_TCP;
        ip[7] = 64;
        ip[8] = 0xfd;
        ip[23] = 1;
        ip[24] = 0xfd;
        ip[39] = 2;
    } else {
        size_t tot = IPV4_HEADER_LEN + l4_len;
        ip[0] = 0x45;
        ip[2] = tot >> 8;
        ip[3] = tot;
        ip[4] = 0x12;
        ip[5] = 0x34;
        ip[6] = 0x40;
        ip[8] = 64;
        ip[9] = IP_PROTO_TCP;
        memcpy(ip + 12, "\xc6\x12\x00\x01\xc6\x12\x00\x02", 8);
        be16 csum = inet_checksum(ip, IPV4_HEADER_LEN, 0);
        memcpy(ip + 10, &csum, 2);
    }
    uint8_t *tcp = d + l4;
    memcpy(tcp, "\x9c\x40\x14\x51\x10\x00\x00\x00\x00\x00\x00\x01", 12);
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    tcp[14] = 0xff;
    for (size_t i = 0; i < payload; i++) {
        tcp[TCP_HEADER_LEN + i] = i * 7 + 3;
    }

    /* The pseudo-header's sum, folded, not complemented. */
    const uint8_t *addrs = ipv6 ? ip + 8 : ip + 12;
    uint32_t sum = IP_PROTO_TCP + l4_len;
    for (size_t i = 0; i < (ipv6 ? 32u : 8u); i += 2) {
        sum += (addrs[i] << 8) | addrs[i + 1];
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    tcp[16] = sum >> 8;
    tcp[17] = sum;

    p->offload.csum_start = p->data_ofs + l4;
    p->offload.csum_offset = 16;
    p->offload.gso_size = mss;
    p->offload.gso_type = (!mss ? 0 : ipv6 ? VIRTIO_NET_HDR_GSO_TCPV6
                                           : VIRTIO_NET_HDR_GSO_TCPV4);
    return p;
}

/* Checks one complete frame: IP length and checksum, TCP checksum.
 * Returns a description of what is wrong, or NULL. */
static const char *
check_tcp_frame(const struct dp_packet *p, bool ipv6)
{
    const uint8_t *d = dp_packet_data(p);
    const uint8_t *ip = d + ETH_HEADER_LEN;
    size_t ihl = ipv6 ? IPV6_HEADER_LEN : IPV4_HEADER_LEN;
    size_t l4_len = p->size - ETH_HEADER_LEN - ihl;

    if (ipv6) {
        if ((size_t) ((ip[4] << 8) | ip[5]) != l4_len) {
            return "wrong IPv6 payload length";
        }
    } else {
        if ((size_t) ((ip[2] << 8) | ip[3]) != ihl + l4_len) {
            return "wrong IPv4 total length";
        }
        if (inet_checksum(ip, ihl, 0)) {
            return "bad IPv4 header checksum";
        }
    }
    const uint8_t *addrs = ipv6 ? ip + 8 : ip + 12;
    uint32_t sum = IP_PROTO_TCP + l4_len;
    for (size_t i = 0; i < (ipv6 ? 32u : 8u); i += 2) {
        sum += (addrs[i] << 8) | addrs[i + 1];
    }
    if (inet_checksum(ip + ihl, l4_len, sum)) {
        return "bad TCP checksum";
    }
    return NULL;
}

/* offload-segment: cuts TCP frames of several sizes, IPv4 and IPv6, and
 * checks every segment: lengths, checksums, sequence numbers, flags and
 * the payload bytes themselves. */
int
cmd_offload_segment(int argc, char *argv[])
{
    static const size_t payloads[] = { 1, 1447, 1448, 1449, 5000, 64000 };
    int failures = 0;

    for (int v6 = 0; v6 < 2; v6++) {
        for (size_t k = 0; k < ARRAY_SIZE(payloads); k++) {
            size_t payload = payloads[k];
            struct dp_packet *p = make_tcp_frame(v6, payload, 1448,
                                                 0x19 /* FIN PSH ACK */);
            size_t n = dp_packet_offload_n_segs(p);
            struct dp_packet **segs = xmalloc(n * sizeof *segs);
            int got = dp_packet_offload_segment(p, segs);
            size_t l4 = ETH_HEADER_LEN + (v6 ? IPV6_HEADER_LEN
                                             : IPV4_HEADER_LEN);
            const uint8_t *orig = (const uint8_t *) dp_packet_data(p) + l4;
            size_t want = DIV_ROUND_UP(payload, 1448);
            const char *err = got != (int) want ? "wrong segment count"
                                                : NULL;
            size_t seen = 0;
            for (int i = 0; !err && i < got; i++) {
                const uint8_t *d = dp_packet_data(segs[i]);
                const uint8_t *tcp = d + l4;
                size_t len = segs[i]->size - l4 - TCP_HEADER_LEN;
                uint32_t seq = (tcp[4] << 24) | (tcp[5] << 16)
                               | (tcp[6] << 8) | tcp[7];
                bool last = i == got - 1;
                err = check_tcp_frame(segs[i], v6);
                if (!err && seq != 0x10000000 + seen) {
                    err = "wrong sequence number";
                } else if (!err && tcp[13] != (last ? 0x19 : 0x10)) {
                    err = "wrong flags";
                } else if (!err && memcmp(tcp + TCP_HEADER_LEN,
                                          orig + TCP_HEADER_LEN + seen,
                                          len)) {
                    err = "wrong payload";
                } else if (!err && dp_packet_has_offload(segs[i])) {
                    err = "segment still asks for offloads";
                }
                seen += len;
            }
            if (!err && seen != payload) {
                err = "payload lost";
            }
            printf("%s payload %zu: %s\n", v6 ? "ipv6" : "ipv4", payload,
                   err ? err : "ok");
            failures += err != NULL;
            for (int i = 0; i < got; i++) {
                dp_packet_delete(segs[i]);
            }
            free(segs);
            dp_packet_delete(p);
        }
    }
    return failures != 0;
}

/* Cuts a 'payload'-byte TCP frame into 1448-byte segments; returns
 * how many, in '*segsp'. */
static int
segment_tcp_frame(const struct dp_packet *p, struct dp_packet ***segsp)
{
    *segsp = xmalloc(dp_packet_offload_n_segs(p) * sizeof **segsp);
    return dp_packet_offload_segment(p, *segsp);
}

/* offload-merge: segments then merges TCP frames and expects the frame
 * it started from, byte for byte, with the same offloads; refuses
 * segments with a wrong checksum or out of order. */
int
cmd_offload_merge(int argc, char *argv[])
{
    static const size_t payloads[] = { 2896, 5000, 64000 };
    int failures = 0;

    for (int v6 = 0; v6 < 2; v6++) {
        for (size_t k = 0; k < ARRAY_SIZE(payloads); k++) {
            struct dp_packet *p = make_tcp_frame(v6, payloads[k], 1448,
                                                 0x18 /* PSH ACK */);
            struct dp_packet **segs, *m = NULL;
            int n = segment_tcp_frame(p, &segs);
            size_t merged = dp_packet_offload_merge(segs, n, &m);
            const char *err = (merged != (size_t) n ? "not all merged"
                               : m->size != p->size ? "wrong size"
                               : memcmp(dp_packet_data(m), dp_packet_data(p),
                                        p->size) ? "wrong bytes"
                               : (m->offload.csum_start - m->data_ofs
                                  != p->offload.csum_start - p->data_ofs
                                  || m->offload.csum_offset
                                     != p->offload.csum_offset
                                  || m->offload.gso_size
                                     != p->offload.gso_size
                                  || m->offload.gso_type
                                     != p->offload.gso_type)
                                 ? "wrong offloads" : NULL);
            printf("%s payload %zu merged back: %s\n", v6 ? "ipv6" : "ipv4",
                   payloads[k], err ? err : "ok");
            failures += err != NULL;
            dp_packet_delete(m);
            if (merged != (size_t) n) {
                for (int i = 0; i < n; i++) {
                    dp_packet_delete(segs[i]);
                }
            }
            free(segs);
            dp_packet_delete(p);
        }

        /* A damaged second segment; the second and third swapped; the
         * second from another port. */
        for (int swap = 0; swap < 3; swap++) {
            struct dp_packet *p = make_tcp_frame(v6, 5000, 1448, 0x18);
            struct dp_packet **segs, *m = NULL;
            int n = segment_tcp_frame(p, &segs);
            if (swap == 2) {
                segs[1]->md.in_port = 7;
            } else if (swap) {
                struct dp_packet *tmp = segs[1];
                segs[1] = segs[2];
                segs[2] = tmp;
            } else {
                ((uint8_t *) dp_packet_data(segs[1]))[segs[1]->size - 1]
                    ^= 1;
            }
            size_t merged = dp_packet_offload_merge(segs, n, &m);
            printf("%s %s: %s\n", v6 ? "ipv6" : "ipv4",
                   (swap == 2 ? "other port" : swap ? "out of order"
                    : "bad checksum"),
                   merged ? "merged" : "refused");
            failures += merged != 0;
            for (int i = 0; !merged && i < n; i++) {
                dp_packet_delete(segs[i]);
            }
            free(segs);
            dp_packet_delete(p);
        }
    }
    return failures != 0;
}

/* offload-csum: completes partial checksums, through the offload the
 * sender asked for and through repair of a frame that lost the note;
 * a frame whose checksum is already right is left as it is. */
int
cmd_offload_csum(int argc, char *argv[])
{
    int failures = 0;
    for (int v6 = 0; v6 < 2; v6++) {
        struct dp_packet *p = make_tcp_frame(v6, 300, 0, 0x18);
        const char *err = (dp_packet_offload_csum(p) ? "csum failed"
                           : check_tcp_frame(p, v6));
        printf("%s checksum offload: %s\n", v6 ? "ipv6" : "ipv4",
               err ? err : "ok");
        failures += err != NULL;

        bool again = dp_packet_offload_repair_csum(p);
        printf("%s complete checksum left alone: %s\n",
               v6 ? "ipv6" : "ipv4", again ? "rewritten" : "ok");
        failures += again;
        dp_packet_delete(p);

        p = make_tcp_frame(v6, 300, 0, 0x18);
        p->offload.csum_start = 0;
        err = (!dp_packet_offload_repair_csum(p) ? "not repaired"
               : check_tcp_frame(p, v6));
        printf("%s partial checksum repaired: %s\n", v6 ? "ipv6" : "ipv4",
               err ? err : "ok");
        failures += err != NULL;
        dp_packet_delete(p);
    }

    /* Headers that point outside the frame are refused. */
    struct dp_packet *p = make_tcp_frame(false, 10, 0, 0x18);
    struct virtio_net_hdr vnet = {
        .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
        .csum_start = p->size - 1,
        .csum_offset = 16,
    };
    int error = dp_packet_offload_from_vnet(p, &vnet);
    printf("checksum outside the frame: %s\n",
           error == -EINVAL ? "refused" : "accepted");
    failures += error != -EINVAL;
    vnet = (struct virtio_net_hdr) { .gso_type = VIRTIO_NET_HDR_GSO_UDP,
                                     .gso_size = 1000 };
    error = dp_packet_offload_from_vnet(p, &vnet);
    printf("UDP fragmentation offload: %s\n",
           error == -EINVAL ? "refused" : "accepted");
    failures += error != -EINVAL;
    dp_packet_delete(p);
    return failures != 0;
}

/* tap-hold NAME FIFO: holds tap NAME open, as QEMU holds a VM's vnetN,
 * draining what the kernel sends to it.  Each line written to FIFO makes
 * it write one ARP request (who has 198.18.0.1? tell 198.18.0.77) into
 * the tap, as if the VM sent it.  Runs until killed. */
int
cmd_tap_hold(int argc, char *argv[])
{
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", argv[1]);
    if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0) {
        fprintf(stderr, "tap-hold: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    if (mkfifo(argv[2], 0600) && errno != EEXIST) {
        fprintf(stderr, "tap-hold: %s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    int fifo = open(argv[2], O_RDWR | O_NONBLOCK | O_CLOEXEC);

    static const uint8_t arp[42] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0x12, 0x34,
        0x56, 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
        0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 198, 18, 0, 77,
        0, 0, 0, 0, 0, 0, 198, 18, 0, 1,
    };
    for (;;) {
        struct pollfd fds[2] = { { fd, POLLIN, 0 }, { fifo, POLLIN, 0 } };
        if (poll(fds, 2, -1) < 0) {
            continue;
        }
        char buf[65536];
        if (fds[0].revents & POLLIN) {
            ignore_result(read(fd, buf, sizeof buf));
        }
        if (fds[1].revents & POLLIN) {
            ssize_t n = read(fifo, buf, sizeof buf);
            for (ssize_t i = 0; i < n; i++) {
                if (buf[i] == '\n' && write(fd, arp, sizeof arp) < 0) {
                    fprintf(stderr, "tap-hold: write: %s\n",
                            strerror(errno));
                }
            }
        }
    }
}
