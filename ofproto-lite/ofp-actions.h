/* OpenFlow actions, as ovs-ofctl writes them: "output:2", "NORMAL",
 * "mod_vlan_vid:10", "strip_vlan", "set_field:0x5->tun_id",
 * "resubmit(,1)", "goto_table:1", "drop", ...
 *
 * A list is parsed from text, checked against the rule it belongs to,
 * printed back in a canonical spelling that parses to the same list, and
 * then never changes (rules replace theirs whole).  Thread-safe: lists
 * are immutable once built. */
#ifndef OFP_ACTIONS_H
#define OFP_ACTIONS_H 1

#include <stddef.h>
#include <stdint.h>
#include "meta-flow.h"
#include "packets.h"

struct ds;
struct match;
struct port_namer;

enum { OFP_N_TABLES = 254 };    /* Tables 0...253; 255 means "all". */

enum ofpact_type {
    OFPACT_OUTPUT,              /* 'port', maybe a reserved one. */
    OFPACT_SET_VLAN_VID,        /* mod_vlan_vid: 'vid', pushing a tag if
                                 * there is none. */
    OFPACT_SET_VLAN_PCP,        /* mod_vlan_pcp: 'pcp', likewise. */
    OFPACT_PUSH_VLAN,           /* 'tpid'. */
    OFPACT_STRIP_VLAN,          /* strip_vlan, pop_vlan. */
    OFPACT_SET_ETH_SRC,         /* mod_dl_src: 'mac'. */
    OFPACT_SET_ETH_DST,
    OFPACT_SET_IPV4_SRC,        /* mod_nw_src: 'ipv4'. */
    OFPACT_SET_IPV4_DST,
    OFPACT_SET_FIELD,           /* set_field: 'field' := 'value'. */
    OFPACT_RESUBMIT,            /* 'port' (OFPP_IN_PORT: unchanged),
                                 * 'table' (255: the current one). */
    OFPACT_GOTO_TABLE,          /* 'table'. */
};

struct ofpact {
    enum ofpact_type type;
    union {
        uint32_t port;          /* OUTPUT; RESUBMIT with 'table'. */
        uint16_t vid;
        uint8_t pcp;
        be16 tpid;
        struct eth_addr mac;
        be32 ipv4;
        struct {
            const struct mf_field *field;
            union mf_value value;
        } set_field;
    };
    uint8_t table;              /* RESUBMIT, GOTO_TABLE. */
};

struct ofpacts {
    size_t n;                   /* 0: drop. */
    struct ofpact acts[];
};

/* Parses 'text' (what follows "actions=").  Port names go through
 * 'namer'.  Returns NULL with '*actsp' set (free()), or an error message
 * to free(). */
char *ofpacts_parse(const char *text, const struct port_namer *,
                    struct ofpacts **actsp);

/* Checks the list against the rule that holds it: goto_table forward
 * and last, set_field prerequisites met by the rule's 'match'.  Returns
 * NULL or an error message to free(). */
char *ofpacts_check(const struct ofpacts *, const struct match *,
                    uint8_t table_id);

void ofpacts_format(const struct ofpacts *, const struct port_namer *,
                    struct ds *);
/* Formats one action, as ofproto/trace lists them. */
void ofpact_format(const struct ofpact *, const struct port_namer *,
                   struct ds *);

bool ofpacts_equal(const struct ofpacts *, const struct ofpacts *);
/* True if some action outputs to 'port' (for out_port filters). */
bool ofpacts_output_to(const struct ofpacts *, uint32_t port);

#endif /* ofp-actions.h */
