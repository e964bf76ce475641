/* Commands of sw-test that live in their own files. */
#ifndef SW_TEST_H
#define SW_TEST_H 1

#include <stdint.h>

/* A small deterministic generator (xorshift), so that randomized tests
 * reproduce from their seed. */
static inline uint32_t
rnd(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x ? x : 0x1234567;
}

int cmd_flow_extract(int argc, char *argv[]);
int cmd_flow_fuzz(int argc, char *argv[]);
int cmd_match_parse(int argc, char *argv[]);
int cmd_dpcls_random(int argc, char *argv[]);
int cmd_rule_table_random(int argc, char *argv[]);
int cmd_mac_learning_random(int argc, char *argv[]);
int cmd_mac_learning_threads(int argc, char *argv[]);
int cmd_offload_segment(int argc, char *argv[]);
int cmd_offload_csum(int argc, char *argv[]);
int cmd_offload_merge(int argc, char *argv[]);
int cmd_tap_hold(int argc, char *argv[]);
int cmd_udp_send(int argc, char *argv[]);
int cmd_udp_recv(int argc, char *argv[]);
int cmd_ip_send(int argc, char *argv[]);
int cmd_eth_send(int argc, char *argv[]);

#endif /* sw-test.h */
