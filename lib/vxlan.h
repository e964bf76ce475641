/* VXLAN (RFC 7348): an Ethernet frame behind an 8-byte header in a UDP
 * datagram.  The protocol's numbers, in one place. */
#ifndef VXLAN_H
#define VXLAN_H 1

#include <stdint.h>
#include "packets.h"

enum {
    VXLAN_PORT = 4789,          /* IANA's UDP port. */
    VXLAN_HEADER_LEN = 8,
    VXLAN_FLAG_VNI = 0x08,      /* "I": the VNI is valid; must be set. */
    VXLAN_MAX_VNI = (1 << 24) - 1,
};

struct vxlan_header {
    uint8_t flags;              /* Only VXLAN_FLAG_VNI may be set. */
    uint8_t reserved1[3];
    be32 vni_reserved;          /* VNI (24 bits), then 8 reserved bits. */
} __attribute__((packed));

#endif /* vxlan.h */
