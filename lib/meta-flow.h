/* Match fields by name: the table that maps ovs-ofctl's field names
 * (dl_src, nw_dst, tp_dst, tun_id, ...) and their OXM aliases (eth_src,
 * ipv4_dst, ...) onto the bits of struct flow that hold them, with how
 * to parse and print their values and which other fields they need (a
 * TCP port means something only in a TCP packet).
 *
 * Integer fields (ports, VLAN bits, IPv4 addresses, ...) travel as
 * host-order integers in union mf_value's 'u64'; Ethernet and IPv6
 * addresses as themselves.  Constant tables; thread-safe. */
#ifndef META_FLOW_H
#define META_FLOW_H 1

#include <stdbool.h>
#include <stdint.h>
#include "flow.h"

struct ds;
struct match;

enum mf_format {
    MF_FMT_DEC,                 /* 80 */
    MF_FMT_HEX,                 /* 0x800 */
    MF_FMT_ETH,                 /* 50:54:00:00:00:01 */
    MF_FMT_IPV4,                /* 198.18.0.1 */
    MF_FMT_IPV6,                /* 2001:db8::1 */
    MF_FMT_FRAG,                /* no, yes, first, later, not_later */
};

/* What the rest of a flow must say for a field to mean anything. */
enum mf_prereq {
    MFP_NONE,
    MFP_ARP,
    MFP_IPV4,
    MFP_IPV6,
    MFP_IP_ANY,
    MFP_IPV4_OR_ARP,            /* nw_src and nw_dst double as ARP's. */
    MFP_TCP,
    MFP_UDP,
    MFP_SCTP,
    MFP_L4_PORTS,               /* TCP, UDP or SCTP, over IPv4 or IPv6. */
    MFP_ICMPV4,
    MFP_ICMPV6,
    MFP_ND,                     /* Neighbour solicitation or advert. */
    MFP_ND_SOLICIT,
    MFP_ND_ADVERT,
};

struct mf_field {
    const char *name;           /* As ovs-ofctl prints it. */
    const char *alias;          /* OXM-style name, or NULL. */
    uint16_t offset;            /* In struct flow. */
    uint8_t n_bytes;            /* Of the storage at 'offset'. */
    uint8_t shift;              /* Integer fields: value << shift... */
    uint64_t bits;              /* ...lands in these bits of storage. */
    uint64_t implied;           /* Bits a match also fixes to 1 (CFI). */
    enum mf_format format;
    enum mf_prereq prereq;
    bool maskable;
    bool host_order;            /* Storage in host byte order (in_port). */
};

union mf_value {
    uint64_t u64;
    struct eth_addr mac;
    struct in6_addr ipv6;
};

/* The field called 'name', or NULL. */
const struct mf_field *mf_from_name(const char *name);

/* The field at index 'i' in table order, or NULL past the end. */
const struct mf_field *mf_field_at(size_t i);

/* N for tun_metadataN, else -1. */
int mf_tun_metadata_slot(const struct mf_field *);

/* True for integer fields: values in 'u64'. */
bool mf_is_integer(const struct mf_field *);

/* Largest value an integer field can hold. */
uint64_t mf_max_value(const struct mf_field *);

/* Parses "VALUE" or "VALUE/MASK" (or "ADDR/PREFIXLEN") for 'field'.
 * Returns NULL, or an error message to free() that the caller prefixes
 * with the field's name as the user spelled it. */
char *mf_parse(const struct mf_field *, const char *s, union mf_value *value,
               union mf_value *mask);

/* Appends 'value' (and "/MASK" unless 'mask' is NULL or all-ones). */
void mf_format(const struct mf_field *, const union mf_value *value,
               const union mf_value *mask, struct ds *);

/* Reads or writes the field in a flow (or a mask laid out as a flow). */
void mf_get(const struct mf_field *, const struct flow *, union mf_value *);
void mf_set_flow(const struct mf_field *, const union mf_value *,
                 struct flow *);

/* Fixes the bits of 'mask' (all of them if NULL) of the field in
 * 'match' to 'value', plus any implied bits. */
void mf_set_match(const struct mf_field *, const union mf_value *value,
                  const union mf_value *mask, struct match *);

/* How much of the field 'wc' matches: none, all, or some. */
bool mf_is_wild(const struct mf_field *, const struct flow *wc);
bool mf_is_exact(const struct mf_field *, const struct flow *wc);

/* Marks every bit of the field in 'wc' as significant. */
void mf_mask_exact(const struct mf_field *, struct flow *wc);

/* The all-ones mask for 'field'. */
void mf_exact_mask(const struct mf_field *, union mf_value *);

/* True if 'match' pins the fields that 'field' depends on. */
bool mf_prereqs_ok(const struct mf_field *, const struct match *);

/* Same for a packet's flow; while checking, marks in 'wc' (if nonnull)
 * the bits it looked at, as a translation must. */
bool mf_prereqs_ok_flow(const struct mf_field *, const struct flow *,
                        struct flow *wc);

#endif /* meta-flow.h */
