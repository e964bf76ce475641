/* Builds a frame from text, for tests and `netdev-dummy/receive`: either
 * hex bytes, or a flow description in ovs-ofctl's field names, such as
 * "eth_src=50:54:00:00:00:01,eth_dst=ff:ff:ff:ff:ff:ff,eth_type=0x0800"
 * or "udp,dl_vlan=10,nw_src=198.18.0.1,nw_dst=198.18.0.2,tp_dst=53".
 * Fields left out get sensible defaults; IPv4 and L4 checksums are
 * filled in; frames are padded to the Ethernet minimum. */
#ifndef PACKET_COMPOSE_H
#define PACKET_COMPOSE_H 1

struct dp_packet;

/* Returns NULL with '*packetp' set, or an error message to free(). */
char *packet_compose(const char *text, struct dp_packet **packetp);

#endif /* packet-compose.h */
