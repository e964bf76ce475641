/* Geneve (RFC 8926): an Ethernet frame behind an 8-byte header and up
 * to 252 bytes of TLV options in a UDP datagram.  The protocol's
 * numbers, in one place. */
#ifndef GENEVE_H
#define GENEVE_H 1

#include <stdint.h>
#include "packets.h"

enum {
    GENEVE_PORT = 6081,         /* IANA's UDP port. */
    GENEVE_HEADER_LEN = 8,
    GENEVE_VERSION = 0,
    GENEVE_OPT_LEN_UNIT = 4,    /* Lengths count 4-byte words. */
    GENEVE_MAX_OPTS_LEN = 63 * GENEVE_OPT_LEN_UNIT,
    GENEVE_FLAG_OAM = 0x80,     /* "O": a control packet. */
    GENEVE_FLAG_CRITICAL = 0x40, /* "C": critical options present. */
    GENEVE_OPT_TYPE_CRITICAL = 0x80,
    GENEVE_PROTO_TEB = 0x6558,  /* Transparent Ethernet bridging. */
    GENEVE_MAX_VNI = (1 << 24) - 1,
};

struct geneve_header {
    uint8_t ver_opt_len;        /* Version (2 bits), options length in
                                 * 4-byte words (6 bits). */
    uint8_t flags;              /* O, C, then reserved. */
    be16 protocol;
    be32 vni_reserved;          /* VNI (24 bits), then 8 reserved bits. */
} __attribute__((packed));

struct geneve_option {
    be16 opt_class;
    uint8_t type;               /* High bit: critical. */
    uint8_t flags_len;          /* 3 reserved bits, length of the data in
                                 * 4-byte words (5 bits). */
} __attribute__((packed));

#endif /* geneve.h */
