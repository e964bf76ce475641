/* Which remote each inner MAC lives behind, for a tunnel port that has
 * several remotes or accepts any: learned from the outer source of what
 * arrives, so that known unicast goes to one remote and the rest is
 * replicated to all (head-end replication).  Entries age out after
 * TNL_LEARN_AGE_MSEC.  Thread-safe: the receiving thread learns while
 * sending threads look up. */
#ifndef TNL_LEARN_H
#define TNL_LEARN_H 1

#include <netinet/in.h>
#include <stddef.h>
#include "packets.h"

enum {
    TNL_LEARN_AGE_MSEC = 300 * 1000,
    TNL_LEARN_MAX_REMOTES = 256,
};

struct tnl_learn;

struct tnl_learn *tnl_learn_create(void);
void tnl_learn_destroy(struct tnl_learn *);

/* Notes that 'mac' was seen behind 'remote' at 'now' (msec). */
void tnl_learn_update(struct tnl_learn *, struct eth_addr mac,
                      const struct in6_addr *remote, long long now);
/* Sets '*remote' to where 'mac' lives and returns true, if known. */
bool tnl_learn_lookup(struct tnl_learn *, struct eth_addr mac,
                      struct in6_addr *remote, long long now);
/* Copies up to 'max' remotes heard from recently into 'remotes' and
 * returns how many. */
size_t tnl_learn_remotes(struct tnl_learn *, struct in6_addr *remotes,
                         size_t max, long long now);
/* Number of MACs and remotes known, for status. */
void tnl_learn_count(struct tnl_learn *, size_t *n_macs, size_t *n_remotes,
                     long long now);

#endif /* tnl-learn.h */
