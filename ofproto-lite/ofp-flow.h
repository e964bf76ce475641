/* Flow-table changes and queries in ovs-ofctl's syntax:
 *
 *     add-flow     "table=1,priority=100,idle_timeout=60,tcp,tp_dst=80,
 *                   actions=output:2"
 *     mod-flows    "[--strict] MATCH,actions=..."
 *     del-flows    "[--strict] [MATCH]"
 *     dump-flows   "[MATCH]"
 *
 * The keywords table, priority, cookie (with a mask to match on it),
 * idle_timeout, hard_timeout, out_port and actions go to the flow mod;
 * everything else is the match.  Thread-safe. */
#ifndef OFP_FLOW_H
#define OFP_FLOW_H 1

#include <stdbool.h>
#include <stdint.h>
#include "match.h"

struct ofpacts;

enum ofp_flow_mod_command {
    OFPFC_ADD,
    OFPFC_MODIFY,
    OFPFC_MODIFY_STRICT,
    OFPFC_DELETE,
    OFPFC_DELETE_STRICT,
    OFPFC_DUMP,                 /* Not OpenFlow: a dump-flows filter. */
};

enum {
    OFP_DEFAULT_PRIORITY = 32768,
    OFP_TABLE_ALL = 255,
};

struct ofp_flow_mod {
    enum ofp_flow_mod_command command;
    struct match match;
    int priority;
    uint8_t table_id;           /* OFP_TABLE_ALL: any (not for add). */
    uint64_t cookie;            /* New cookie (add, modify). */
    bool has_cookie;
    uint64_t cookie_match;      /* Cookie filter (modify, delete, dump). */
    uint64_t cookie_mask;
    uint16_t idle_timeout;
    uint16_t hard_timeout;
    uint32_t out_port;          /* Filter (delete, dump); OFPP_NONE: any. */
    struct ofpacts *actions;    /* Owned; NULL for delete and dump. */
};

/* Parses 'text' for 'command'.  Returns NULL, or an error message to
 * free() (and then '*fm' owns nothing). */
char *ofp_flow_mod_parse(const char *text, enum ofp_flow_mod_command,
                         const struct port_namer *, struct ofp_flow_mod *fm);
void ofp_flow_mod_destroy(struct ofp_flow_mod *);

#endif /* ofp-flow.h */
