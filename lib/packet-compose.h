/* Builds frames, for tests, `netdev-dummy/receive`, `ofproto/trace
 * -generate` and the benchmark: from a struct flow, or from text that is
 * either hex bytes or a flow description in ovs-ofctl's field names, such
 * as "eth_src=50:54:00:00:00:01,eth_dst=ff:ff:ff:ff:ff:ff,eth_type=0x0800"
 * or "udp,dl_vlan=10,nw_src=198.18.0.1,nw_dst=198.18.0.2,tp_dst=53".
 * Fields left out get sensible defaults (TTL 64, an ICMP echo request
 * when IP says no protocol); IPv4, ICMP and L4 checksums are filled in;
 * frames are padded to the Ethernet minimum. */
#ifndef PACKET_COMPOSE_H
#define PACKET_COMPOSE_H 1

#include <stddef.h>

struct dp_packet;
struct flow;

/* A frame that flow_extract() turns back into 'flow' (for every field a
 * frame carries), with 'payload_len' zero bytes after the last header. */
struct dp_packet *flow_compose(const struct flow *, size_t payload_len);

/* Returns NULL with '*packetp' set, or an error message to free(). */
char *packet_compose(const char *text, struct dp_packet **packetp);

/* Parses a flow description as packet_compose() does, with its
 * defaults, into '*flow' and '*payload_len'.  Returns NULL or an error
 * message to free(). */
char *packet_compose_flow(const char *text, struct flow *flow,
                          size_t *payload_len);

#endif /* packet-compose.h */
