/* The options of a tunnel port (vxlan, gre, geneve), named as Open
 * vSwitch names them, parsed and checked once so that the data path only
 * reads numbers.  Addresses are kept as IPv6; an IPv4 one is v4-mapped
 * (::ffff:a.b.c.d).  Not thread-safe: the main thread parses, and the
 * result is read-only while the port runs. */
#ifndef TNL_CONFIG_H
#define TNL_CONFIG_H 1

#include <netinet/in.h>
#include <sys/socket.h>
#include <stdbool.h>
#include <stdint.h>

struct smap;

/* What a tunnel type takes, for the checks. */
struct tnl_config_rules {
    const char *type;           /* "vxlan", "gre", "geneve". */
    uint16_t default_port;      /* 0: no UDP port (GRE). */
    uint32_t max_key;           /* Largest key (VNI) the header holds. */
    bool has_seq;               /* Takes "seq" (GRE). */
};

struct tnl_config {
    int family;                 /* AF_INET or AF_INET6: the underlay. */
    struct in6_addr *remotes;   /* remote_ip: one, a list, or none (then
                                 * any remote, learned per inner MAC). */
    size_t n_remotes;
    struct in6_addr local;      /* local_ip, or :: for any. */
    bool has_local;
    bool has_key;               /* A key was given (GRE sends none
                                 * otherwise; VXLAN and Geneve use 0). */
    bool key_flow;              /* key=flow: set by the rules, and any
                                 * key is accepted. */
    uint32_t key;
    uint16_t dst_port;          /* UDP port, host order; 0 for GRE. */
    int tos;                    /* Outer TOS, or -1 to copy the inner. */
    int ttl;                    /* Outer TTL (hop limit), or -1 to copy. */
    bool df;                    /* df_default: IPv4 "don't fragment". */
    bool csum;                  /* UDP or GRE checksums. */
    bool seq;                   /* GRE sequence numbers. */
};

/* Parses 'options' for a port of 'rules->type' named 'name' into 'cfg'.
 * Returns 0, or -EINVAL with '*errp' saying what is wrong. */
int tnl_config_parse(struct tnl_config *cfg, const char *name,
                     const struct tnl_config_rules *rules,
                     const struct smap *options, char **errp);
void tnl_config_destroy(struct tnl_config *);

/* True if 'a' is an IPv4 address (v4-mapped). */
bool tnl_addr_is_ipv4(const struct in6_addr *a);
/* Fills 'ss' with 'a' and 'port' (host order) as a sockaddr of 'family'
 * and returns its length. */
unsigned int tnl_addr_to_sockaddr(const struct in6_addr *a, uint16_t port,
                                  int family, struct sockaddr_storage *ss);
/* The address in 'ss' (AF_INET or AF_INET6), v4-mapped if IPv4. */
void tnl_addr_from_sockaddr(const struct sockaddr_storage *ss,
                            struct in6_addr *a);
/* Formats 'a' as "a.b.c.d" or an IPv6 address into 'buf'. */
const char *tnl_addr_format(const struct in6_addr *a, char buf[46]);

#endif /* tnl-config.h */
