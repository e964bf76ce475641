/* A match: values for some bits of a flow, with a mask saying which.
 * Parsed from and printed in ovs-ofctl's syntax ("tcp,in_port=1,
 * nw_dst=10.0.0.0/8,tp_dst=80"), where protocol shorthands (ip, tcp,
 * udp6, arp, ...) stand for dl_type and nw_proto.  Thread-safe: every
 * function works only on its arguments. */
#ifndef MATCH_H
#define MATCH_H 1

#include <stdbool.h>
#include "flow.h"

struct ds;

struct match {
    struct flow flow;           /* Values; zero where 'wc' is zero. */
    struct flow wc;             /* Mask: 1 bits matter. */
};

/* Port numbers and names, for in_port and output actions: the caller's
 * bridge knows them.  Either function may be NULL. */
struct port_namer {
    /* Sets '*port' for 'name'; false if there is no such port. */
    bool (*name_to_port)(const char *name, uint32_t *port, void *aux);
    /* The name of 'port', or NULL to print the number. */
    const char *(*port_to_name)(uint32_t port, void *aux);
    void *aux;
};

/* Reserved OpenFlow port numbers (OpenFlow 1.0 spelling). */
enum {
    OFPP_MAX = 0xff00,          /* Highest ordinary port number + 1. */
    OFPP_IN_PORT = 0xfff8,
    OFPP_NORMAL = 0xfffa,
    OFPP_FLOOD = 0xfffb,
    OFPP_ALL = 0xfffc,
    OFPP_CONTROLLER = 0xfffd,
    OFPP_LOCAL = 0xfffe,
    OFPP_NONE = 0xffff,
};

void match_init_catchall(struct match *);

/* A match on every field of 'flow' that a frame like it carries. */
void match_init_exact(struct match *, const struct flow *);

/* Parses one item of a match: a field ("nw_dst", value "10.0.0.0/8") or
 * a protocol shorthand ("tcp", value NULL).  Returns NULL or an error
 * message to free(). */
char *match_parse_item(struct match *, const char *name, const char *value,
                       const struct port_namer *);

/* Parses a whole comma-separated match.  Returns NULL or an error. */
char *match_parse(struct match *, const char *s, const struct port_namer *);

/* Checks that each field the match fixes has what it needs (nw_src
 * needs ip or arp, tp_dst needs tcp, udp or sctp, ...).  Returns NULL or
 * an error message to free(). */
char *match_check_prereqs(const struct match *);

/* Parses a port number or name (including LOCAL, IN_PORT, ...) into
 * '*port'.  Returns NULL or an error message to free(). */
char *port_parse(const char *s, const struct port_namer *, uint32_t *port);
void port_format(uint32_t port, const struct port_namer *, struct ds *);

/* Appends the match in ovs-ofctl's syntax, with no trailing comma;
 * nothing for a match that matches everything. */
void match_format(const struct match *, const struct port_namer *,
                  struct ds *);

/* Appends a frame's flow in the same syntax (as ofproto/trace shows). */
void flow_format(const struct flow *, const struct port_namer *,
                 struct ds *);

bool match_equal(const struct match *, const struct match *);

#endif /* match.h */
