/* GRE (RFC 2784, with RFC 2890's key and sequence number) carrying
 * Ethernet frames, as Linux "gretap" does.  The protocol's numbers, in
 * one place. */
#ifndef GRE_H
#define GRE_H 1

#include <stdint.h>
#include "packets.h"

enum {
    GRE_BASE_LEN = 4,           /* Flags and protocol. */
    GRE_OPTION_LEN = 4,         /* Each of checksum, key, sequence. */
    GRE_FLAG_CSUM = 0x8000,     /* Checksum (and reserved1) present. */
    GRE_FLAG_KEY = 0x2000,
    GRE_FLAG_SEQ = 0x1000,
    /* Routing (RFC 1701), strict source route, recursion control, the
     * other flags and a version other than 0: not for us. */
    GRE_FLAGS_UNSUPPORTED = 0x4fff,
    GRE_PROTO_TEB = 0x6558,     /* Transparent Ethernet bridging. */
};

struct gre_base_header {
    be16 flags_version;
    be16 protocol;
} __attribute__((packed));

#endif /* gre.h */
