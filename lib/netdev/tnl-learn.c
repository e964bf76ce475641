#include <config.h>
#include "netdev/tnl-learn.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "hash.h"
#include "util.h"

enum { TNL_LEARN_SLOTS = 4096 };     /* Power of 2. */

/* A direct-mapped cache of MACs: a collision replaces the older entry,
 * which then floods until learned again.  Bounded memory for a table fed
 * by whoever sends to the port. */
struct tnl_learn_entry {
    struct eth_addr mac;
    struct in6_addr remote;
    long long used;             /* 0: empty. */
};

struct tnl_learn {
    pthread_mutex_t mutex;
    struct tnl_learn_entry macs[TNL_LEARN_SLOTS];
    struct in6_addr remotes[TNL_LEARN_MAX_REMOTES];
    long long remote_used[TNL_LEARN_MAX_REMOTES];
    size_t n_remotes;
};

struct tnl_learn *
tnl_learn_create(void)
{
    struct tnl_learn *l = xzalloc(sizeof *l);
    pthread_mutex_init(&l->mutex, NULL);
    return l;
}

void
tnl_learn_destroy(struct tnl_learn *l)
{
    if (l) {
        pthread_mutex_destroy(&l->mutex);
        free(l);
    }
}

static struct tnl_learn_entry *
tnl_learn_slot(struct tnl_learn *l, struct eth_addr mac)
{
    return &l->macs[hash_bytes(mac.ea, ETH_ADDR_LEN, 0)
                    & (TNL_LEARN_SLOTS - 1)];
}

static bool
fresh(long long used, long long now)
{
    return used && now - used < TNL_LEARN_AGE_MSEC;
}

/* The remotes list: refreshed, else added over an aged or the oldest
 * one. */
static void
tnl_learn_remote(struct tnl_learn *l, const struct in6_addr *remote,
                 long long now)
{
    size_t victim = 0;
    for (size_t i = 0; i < l->n_remotes; i++) {
        if (!memcmp(&l->remotes[i], remote, sizeof *remote)) {
            l->remote_used[i] = now;
            return;
        }
        if (l->remote_used[i] < l->remote_used[victim]) {
            victim = i;
        }
    }
    if (l->n_remotes < TNL_LEARN_MAX_REMOTES) {
        victim = l->n_remotes++;
    }
    l->remotes[victim] = *remote;
    l->remote_used[victim] = now;
}

void
tnl_learn_update(struct tnl_learn *l, struct eth_addr mac,
                 const struct in6_addr *remote, long long now)
{
    if (eth_addr_is_multicast(mac) || eth_addr_is_zero(mac)) {
        return;
    }
    pthread_mutex_lock(&l->mutex);
    struct tnl_learn_entry *e = tnl_learn_slot(l, mac);
    e->mac = mac;
    e->remote = *remote;
    e->used = now;
    tnl_learn_remote(l, remote, now);
    pthread_mutex_unlock(&l->mutex);
}

bool
tnl_learn_lookup(struct tnl_learn *l, struct eth_addr mac,
                 struct in6_addr *remote, long long now)
{
    bool found = false;
    pthread_mutex_lock(&l->mutex);
    const struct tnl_learn_entry *e = tnl_learn_slot(l, mac);
    if (fresh(e->used, now) && eth_addr_equals(e->mac, mac)) {
        *remote = e->remote;
        found = true;
    }
    pthread_mutex_unlock(&l->mutex);
    return found;
}

size_t
tnl_learn_remotes(struct tnl_learn *l, struct in6_addr *remotes, size_t max,
                  long long now)
{
    size_t n = 0;
    pthread_mutex_lock(&l->mutex);
    for (size_t i = 0; i < l->n_remotes && n < max; i++) {
        if (fresh(l->remote_used[i], now)) {
            remotes[n++] = l->remotes[i];
        }
    }
    pthread_mutex_unlock(&l->mutex);
    return n;
}

void
tnl_learn_count(struct tnl_learn *l, size_t *n_macs, size_t *n_remotes,
                long long now)
{
    *n_macs = *n_remotes = 0;
    pthread_mutex_lock(&l->mutex);
    for (size_t i = 0; i < TNL_LEARN_SLOTS; i++) {
        *n_macs += fresh(l->macs[i].used, now);
    }
    for (size_t i = 0; i < l->n_remotes; i++) {
        *n_remotes += fresh(l->remote_used[i], now);
    }
    pthread_mutex_unlock(&l->mutex);
}
