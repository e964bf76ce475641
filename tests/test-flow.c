/* sw-test commands for flow keys: extraction, fuzzing, match syntax. */
#include <config.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dp-packet.h"
#include "dynamic-string.h"
#include "flow.h"
#include "match.h"
#include "packet-compose.h"
#include "tests/sw-test.h"
#include "util.h"

/* flow-extract [--len=N] FRAME...: parses each frame (hex or a flow
 * description) and prints its flow, with the reason if the parse
 * stopped early.  --len cuts every frame to N bytes first. */
int
cmd_flow_extract(int argc, char *argv[])
{
    long long cut = -1;
    for (int i = 1; i < argc; i++) {
        if (str_starts_with(argv[i], "--len=")) {
            cut = atoll(argv[i] + 6);
            continue;
        }
        struct dp_packet *p;
        char *error = packet_compose(argv[i], &p);
        if (error) {
            printf("error: %s\n", error);
            free(error);
            continue;
        }
        size_t size = dp_packet_size(p);
        if (cut >= 0 && (size_t) cut < size) {
            size = cut;
        }
        /* An exact-size copy, so that a sanitizer sees any overread. */
        void *data = xmemdup(dp_packet_data(p), size ? size : 1);
        struct flow flow;
        enum flow_parse_error e = flow_extract_data(data, size, 0, &flow);
        struct ds s = DS_EMPTY_INITIALIZER;
        flow_format(&flow, NULL, &s);
        if (e) {
            ds_put_format(&s, " (%s)", flow_parse_error_to_string(e));
        }
        printf("%s\n", ds_cstr(&s));
        ds_destroy(&s);
        free(data);
        dp_packet_delete(p);
    }
    return 0;
}

/* Checks that fields of layers the frame does not have stayed zero. */
static bool
flow_is_consistent(const struct flow *f)
{
    uint16_t type = ntohs(f->dl_type);
    bool ip4 = type == ETH_TYPE_IP, ip6 = type == ETH_TYPE_IPV6;
    bool arp = type == ETH_TYPE_ARP;
    if (!ip4 && !arp && (f->nw_src || f->nw_dst)) {
        return false;
    }
    struct in6_addr zero;
    memset(&zero, 0, sizeof zero);
    if (!ip6 && (memcmp(&f->ipv6_src, &zero, sizeof zero)
                 || memcmp(&f->nd_target, &zero, sizeof zero))) {
        return false;
    }
    if (!ip4 && !ip6 && (f->tp_src || f->tp_dst || f->nw_ttl)) {
        return false;
    }
    return !(f->nw_frag & FLOW_NW_FRAG_LATER) || (!f->tp_src && !f->tp_dst);
}

/* flow-fuzz N SEED: parses N frames made by mangling well-formed ones
 * (truncating, flipping bytes, stretching lengths), each in a buffer of
 * exactly its size.  Fails on an inconsistent key; a sanitizer catches
 * any read past the end. */
int
cmd_flow_fuzz(int argc, char *argv[])
{
    static const char *const seeds[] = {
        "udp,eth_src=50:54:00:00:00:01,eth_dst=50:54:00:00:00:02,"
        "nw_src=198.18.0.1,nw_dst=198.18.0.2,tp_src=1,tp_dst=53",
        "tcp,dl_vlan=10,nw_src=198.18.0.1,nw_dst=198.18.0.2,tp_dst=80",
        "arp,eth_src=50:54:00:00:00:01,arp_spa=198.18.0.1,"
        "arp_tpa=198.18.0.2",
        "icmp,nw_src=198.18.0.1,nw_dst=198.18.0.2,icmp_type=8",
        "udp6,ipv6_src=2001:db8::1,ipv6_dst=2001:db8::2,tp_dst=53",
        "icmp6,ipv6_src=fe80::1,ipv6_dst=ff02::1,icmp_type=135,"
        "nd_target=fe80::2,nd_sll=50:54:00:00:00:01",
        "sctp,nw_src=198.18.0.1,nw_dst=198.18.0.2,tp_dst=9",
        "udp,ip_frag=later,nw_src=198.18.0.1,nw_dst=198.18.0.2",
        "tcp6,ip_frag=first,ipv6_src=2001:db8::1,ipv6_dst=2001:db8::2",
    };
    long n = atol(argv[1]);
    uint32_t state = strtoul(argv[2], NULL, 0) | 1;

    for (long i = 0; i < n; i++) {
        struct dp_packet *p;
        char *error = packet_compose(seeds[rnd(&state) % ARRAY_SIZE(seeds)],
                                     &p);
        if (error) {
            printf("seed frame: %s\n", error);
            return 1;
        }
        size_t size = dp_packet_size(p);
        uint8_t *data = xmalloc(size + 64);
        memcpy(data, dp_packet_data(p), size);
        memset(data + size, 0xaa, 64);
        dp_packet_delete(p);

        /* Flip a few bytes, favouring headers. */
        for (int flips = rnd(&state) % 6; flips > 0; flips--) {
            data[rnd(&state) % MIN(size, 80)] = rnd(&state);
        }
        /* Truncate, or claim more than there is. */
        switch (rnd(&state) % 3) {
        case 0:
            size = rnd(&state) % (size + 1);
            break;
        case 1:
            size += rnd(&state) % 65;
            break;
        }
        uint8_t *exact = xmemdup(data, size ? size : 1);
        free(data);

        struct flow flow;
        enum flow_parse_error e = flow_extract_data(exact, size, 0, &flow);
        if (e >= FLOW_PARSE_N_ERRORS || !flow_is_consistent(&flow)) {
            struct ds s = DS_EMPTY_INITIALIZER;
            ds_put_hex(&s, exact, size);
            printf("inconsistent key for frame %s\n", ds_cstr(&s));
            ds_destroy(&s);
            free(exact);
            return 1;
        }
        free(exact);
    }
    printf("%ld frames parsed\n", n);
    return 0;
}

/* match-parse MATCH...: parses each match and prints it back, or the
 * error. */
int
cmd_match_parse(int argc, char *argv[])
{
    for (int i = 1; i < argc; i++) {
        struct match m;
        match_init_catchall(&m);
        char *error = match_parse(&m, argv[i], NULL);
        if (error) {
            printf("error: %s\n", error);
            free(error);
            continue;
        }
        struct ds s = DS_EMPTY_INITIALIZER;
        match_format(&m, NULL, &s);
        printf("%s\n", s.length ? ds_cstr(&s) : "(any)");
        ds_destroy(&s);
    }
    return 0;
}
