#include <config.h>
#include "ofproto-lite/mac-learning.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <urcu/list.h>
#include "dynamic-string.h"
#include "hash.h"
#include "hmap.h"
#include "rcu.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(mac_learning);

struct mac_port;

struct mac_entry {
    struct mac_entry *next;     /* RCU: in its bucket's chain. */
    struct eth_addr mac;
    uint16_t vlan;
    uint32_t port;              /* Atomic. */
    long long used;             /* Atomic: last seen. */
    long long held_until;       /* Atomic: moves ignored until then. */

    /* Under the mutex. */
    uint64_t seqno;             /* Creation order, for stable output. */
    long long queued;           /* 'used' when last put on the lists. */
    long long first_move;       /* Start of the current move window. */
    unsigned int n_moves;       /* Moves within the window. */
    struct mac_port *mport;
    struct cds_list_head lru_node;  /* In the table's 'lru'. */
    struct cds_list_head port_node; /* In 'mport->entries'. */
};

/* The entries on one port, oldest queued first, for eviction. */
struct mac_port {
    struct hmap_node node;
    uint32_t port;
    size_t n;
    struct cds_list_head entries;
};

struct mac_buckets {
    uint32_t mask;
    struct mac_entry *heads[];
};

struct mac_learning {
    pthread_mutex_t mutex;      /* For every change. */
    struct mac_buckets *buckets;    /* RCU. */
    uint32_t basis;             /* Hash seed. */

    /* Under the mutex. */
    size_t n_entries;
    size_t max_entries;
    unsigned int aging_sec;
    struct cds_list_head lru;   /* Oldest queued first. */
    struct hmap ports;          /* struct mac_port, by port. */
    uint64_t next_seqno;
    struct mac_change *changes; /* Since mac_learning_take_changes(). */
    size_t n_changes;
    bool too_many_changes;

    /* Atomic. */
    uint64_t seq;
    uint64_t learned, expired, evicted, moved, held;
};

static uint32_t
mac_hash(const struct mac_learning *ml, struct eth_addr mac, uint16_t vlan)
{
    uint32_t a = ((uint32_t) mac.ea[0] << 24) | (mac.ea[1] << 16)
                 | (mac.ea[2] << 8) | mac.ea[3];
    uint32_t b = ((uint32_t) mac.ea[4] << 24) | (mac.ea[5] << 16) | vlan;
    return hash_finish(hash_add(hash_add(ml->basis, a), b), 8);
}

static struct mac_buckets *
buckets_create(size_t max_entries)
{
    size_t n = 1024;
    while (n < max_entries / 2) {
        n *= 2;
    }
    struct mac_buckets *b = xzalloc(sizeof *b + n * sizeof *b->heads);
    b->mask = n - 1;
    return b;
}

struct mac_learning *
mac_learning_create(void)
{
    struct mac_learning *ml = xzalloc(sizeof *ml);
    pthread_mutex_init(&ml->mutex, NULL);
    if (getrandom(&ml->basis, sizeof ml->basis, 0) != sizeof ml->basis) {
        ml->basis = (uintptr_t) ml;
    }
    ml->max_entries = MAC_DEFAULT_MAX;
    ml->aging_sec = MAC_DEFAULT_AGING_SEC;
    ml->buckets = buckets_create(ml->max_entries);
    CDS_INIT_LIST_HEAD(&ml->lru);
    hmap_init(&ml->ports);
    return ml;
}

static void
mac_learning_free(struct mac_learning *ml)
{
    struct mac_buckets *b = ml->buckets;
    for (size_t i = 0; i <= b->mask; i++) {
        for (struct mac_entry *e = b->heads[i], *next; e; e = next) {
            next = e->next;
            free(e);
        }
    }
    free(b);
    struct mac_port *mp;
    HMAP_FOR_EACH (mp, node, &ml->ports) {
        free(mp);
    }
    hmap_destroy(&ml->ports);
    pthread_mutex_destroy(&ml->mutex);
    free(ml->changes);
    free(ml);
}

void
mac_learning_destroy(struct mac_learning *ml)
{
    if (ml) {
        rcu_postpone(mac_learning_free, ml);
    }
}

/* Under the mutex. */
static void
note_change(struct mac_learning *ml, struct eth_addr mac, uint16_t vlan)
{
    if (ml->n_changes < MAC_MAX_CHANGES) {
        if (!ml->changes) {
            ml->changes = xmalloc(MAC_MAX_CHANGES * sizeof *ml->changes);
        }
        ml->changes[ml->n_changes++] = (struct mac_change) { mac, vlan };
    } else {
        ml->too_many_changes = true;
    }
}

bool
mac_learning_take_changes(struct mac_learning *ml,
                          struct mac_change **changesp, size_t *n)
{
    pthread_mutex_lock(&ml->mutex);
    bool ok = !ml->too_many_changes;
    *changesp = ok ? ml->changes : NULL;
    *n = ok ? ml->n_changes : 0;
    if (!ok) {
        free(ml->changes);
    }
    ml->changes = NULL;
    ml->n_changes = 0;
    ml->too_many_changes = false;
    pthread_mutex_unlock(&ml->mutex);
    return ok;
}

static void
bump_seq(struct mac_learning *ml)
{
    __atomic_add_fetch(&ml->seq, 1, __ATOMIC_RELEASE);
}

uint64_t
mac_learning_seq(const struct mac_learning *ml)
{
    return __atomic_load_n(&ml->seq, __ATOMIC_ACQUIRE);
}

static void
count(uint64_t *counter)
{
    __atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
}

static struct mac_entry *
mac_find(const struct mac_learning *ml, struct eth_addr mac, uint16_t vlan)
{
    const struct mac_buckets *b = rcu_get(ml->buckets);
    struct mac_entry *e = rcu_get(b->heads[mac_hash(ml, mac, vlan)
                                           & b->mask]);
    for (; e; e = rcu_get(e->next)) {
        if (e->vlan == vlan && eth_addr_equals(e->mac, mac)) {
            return e;
        }
    }
    return NULL;
}

bool
mac_learning_lookup(const struct mac_learning *ml, struct eth_addr mac,
                    uint16_t vlan, uint32_t *port)
{
    const struct mac_entry *e = mac_find(ml, mac, vlan);
    if (e) {
        *port = __atomic_load_n(&e->port, __ATOMIC_RELAXED);
    }
    return e != NULL;
}

bool
mac_learning_is_held(const struct mac_learning *ml, struct eth_addr mac,
                     uint16_t vlan, long long now)
{
    const struct mac_entry *e = mac_find(ml, mac, vlan);
    return e && now < __atomic_load_n(&e->held_until, __ATOMIC_RELAXED);
}

/* Lists, under the mutex. */

static void
list_move_tail(struct cds_list_head *elem, struct cds_list_head *head)
{
    cds_list_del(elem);
    cds_list_add_tail(elem, head);
}

/* The LRU list is sorted by 'queued', which aging relies on to stop at
 * the first entry that is too young.  A refresh does not touch the list
 * (it is one atomic store on the datapath); whoever next looks at the
 * entry moves it to its place for its new 'used', near the tail. */
static void
lru_requeue(struct mac_learning *ml, struct mac_entry *e, long long used)
{
    cds_list_del(&e->lru_node);
    e->queued = used;
    struct cds_list_head *pos = ml->lru.prev;
    while (pos != &ml->lru
           && cds_list_entry(pos, struct mac_entry, lru_node)->queued > used) {
        pos = pos->prev;
    }
    cds_list_add(&e->lru_node, pos);
    list_move_tail(&e->port_node, &e->mport->entries);
}

static struct mac_port *
mac_port_get(struct mac_learning *ml, uint32_t port)
{
    struct mac_port *mp;
    HMAP_FOR_EACH_WITH_HASH (mp, node, hash_int(port, 0), &ml->ports) {
        if (mp->port == port) {
            return mp;
        }
    }
    mp = xzalloc(sizeof *mp);
    mp->port = port;
    CDS_INIT_LIST_HEAD(&mp->entries);
    hmap_insert(&ml->ports, &mp->node, hash_int(port, 0));
    return mp;
}

static void
entry_detach_port(struct mac_learning *ml, struct mac_entry *e)
{
    cds_list_del(&e->port_node);
    if (!--e->mport->n) {
        hmap_remove(&ml->ports, &e->mport->node);
        free(e->mport);
    }
    e->mport = NULL;
}

static void
entry_attach_port(struct mac_learning *ml, struct mac_entry *e, uint32_t port)
{
    e->mport = mac_port_get(ml, port);
    e->mport->n++;
    cds_list_add_tail(&e->port_node, &e->mport->entries);
}

static void
entry_remove(struct mac_learning *ml, struct mac_entry *e)
{
    note_change(ml, e->mac, e->vlan);
    struct mac_buckets *b = ml->buckets;
    struct mac_entry **prev = &b->heads[mac_hash(ml, e->mac, e->vlan)
                                        & b->mask];
    while (*prev != e) {
        prev = &(*prev)->next;
    }
    rcu_set(*prev, e->next);
    cds_list_del(&e->lru_node);
    entry_detach_port(ml, e);
    ml->n_entries--;
    rcu_postpone(free, e);
}

/* Evicts the least recently seen entry of the port with the most. */
static void
evict_one(struct mac_learning *ml)
{
    struct mac_port *biggest = NULL, *mp;
    HMAP_FOR_EACH (mp, node, &ml->ports) {
        if (!biggest || mp->n > biggest->n) {
            biggest = mp;
        }
    }
    if (!biggest) {
        return;
    }
    for (size_t tries = 0; tries <= biggest->n; tries++) {
        struct mac_entry *e = cds_list_first_entry(&biggest->entries,
                                                   struct mac_entry,
                                                   port_node);
        long long used = __atomic_load_n(&e->used, __ATOMIC_RELAXED);
        if (used > e->queued && tries < biggest->n) {
            lru_requeue(ml, e, used);
            continue;
        }
        entry_remove(ml, e);
        count(&ml->evicted);
        return;
    }
}

/* Adds an entry to the lists and to the chains of 'b' (the published
 * buckets, or new ones being filled). */
static struct mac_entry *
entry_insert(struct mac_learning *ml, struct mac_buckets *b,
             struct eth_addr mac, uint16_t vlan, uint32_t port, long long now)
{
    struct mac_entry *e = xzalloc(sizeof *e);
    e->mac = mac;
    e->vlan = vlan;
    e->port = port;
    e->used = e->queued = now;
    e->seqno = ml->next_seqno++;
    cds_list_add_tail(&e->lru_node, &ml->lru);
    entry_attach_port(ml, e, port);
    ml->n_entries++;

    struct mac_entry **head = &b->heads[mac_hash(ml, mac, vlan) & b->mask];
    e->next = *head;
    rcu_set(*head, e);
    return e;
}

/* Notes a move of 'e' to 'port', or holds it if it keeps moving. */
static enum mac_learn_result
entry_move(struct mac_learning *ml, struct mac_entry *e, uint32_t port,
           long long now)
{
    if (now - e->first_move > MAC_FLAP_WINDOW_MSEC) {
        e->first_move = now;
        e->n_moves = 0;
    }
    if (++e->n_moves >= MAC_FLAP_MOVES) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 60);
        __atomic_store_n(&e->held_until, now + MAC_FLAP_HOLD_MSEC,
                         __ATOMIC_RELAXED);
        e->n_moves = 0;
        VLOG_WARN_RL(&rl, ETH_ADDR_FMT " in VLAN %u keeps moving between "
                     "ports (seen on %u, learned on %u): holding it on "
                     "port %u for %d s", ETH_ADDR_ARGS(e->mac), e->vlan,
                     port, e->port, e->port, MAC_FLAP_HOLD_MSEC / 1000);
        count(&ml->held);
        return MAC_LEARN_HELD;
    }
    entry_detach_port(ml, e);
    entry_attach_port(ml, e, port);
    note_change(ml, e->mac, e->vlan);
    __atomic_store_n(&e->port, port, __ATOMIC_RELAXED);
    __atomic_store_n(&e->used, now, __ATOMIC_RELAXED);
    count(&ml->moved);
    return MAC_LEARN_MOVED;
}

enum mac_learn_result
mac_learning_learn(struct mac_learning *ml, struct eth_addr mac,
                   uint16_t vlan, uint32_t port, long long now, bool may_wait)
{
    if (eth_addr_is_multicast(mac) || eth_addr_is_zero(mac)) {
        return MAC_LEARN_REFUSED;
    }

    /* The common case needs no lock: a refresh. */
    struct mac_entry *e = mac_find(ml, mac, vlan);
    if (e && __atomic_load_n(&e->port, __ATOMIC_RELAXED) == port) {
        if (__atomic_load_n(&e->used, __ATOMIC_RELAXED) < now) {
            __atomic_store_n(&e->used, now, __ATOMIC_RELAXED);
        }
        return MAC_LEARN_UNCHANGED;
    }
    if (e && now < __atomic_load_n(&e->held_until, __ATOMIC_RELAXED)) {
        count(&ml->held);
        return MAC_LEARN_HELD;
    }

    if (may_wait) {
        pthread_mutex_lock(&ml->mutex);
    } else if (pthread_mutex_trylock(&ml->mutex)) {
        return MAC_LEARN_BUSY;
    }

    enum mac_learn_result result;
    e = mac_find(ml, mac, vlan);
    if (e && e->port == port) {
        __atomic_store_n(&e->used, now, __ATOMIC_RELAXED);
        result = MAC_LEARN_UNCHANGED;
    } else if (e) {
        result = entry_move(ml, e, port, now);
    } else {
        while (ml->n_entries >= ml->max_entries) {
            evict_one(ml);
        }
        entry_insert(ml, ml->buckets, mac, vlan, port, now);
        note_change(ml, mac, vlan);
        count(&ml->learned);
        result = MAC_LEARN_NEW;
    }
    if (result == MAC_LEARN_NEW || result == MAC_LEARN_MOVED) {
        bump_seq(ml);
    }
    pthread_mutex_unlock(&ml->mutex);
    return result;
}

/* Most entries looked at per call, so that a huge table ages in slices
 * instead of stalling the main loop. */
enum { MAC_RUN_BUDGET = 100000 };

size_t
mac_learning_run(struct mac_learning *ml, long long now)
{
    size_t n_expired = 0;
    pthread_mutex_lock(&ml->mutex);
    long long idle_msec = (long long) ml->aging_sec * 1000;
    for (size_t budget = MAC_RUN_BUDGET; budget && !cds_list_empty(&ml->lru);
         budget--) {
        struct mac_entry *e = cds_list_first_entry(&ml->lru,
                                                   struct mac_entry,
                                                   lru_node);
        long long used = __atomic_load_n(&e->used, __ATOMIC_RELAXED);
        if (now - used >= idle_msec) {
            entry_remove(ml, e);
            count(&ml->expired);
            n_expired++;
        } else if (used > e->queued) {
            lru_requeue(ml, e, used);
        } else {
            break;              /* Everything after is younger. */
        }
    }
    if (n_expired) {
        bump_seq(ml);
    }
    pthread_mutex_unlock(&ml->mutex);
    return n_expired;
}

static void
flush__(struct mac_learning *ml, bool all, uint32_t port)
{
    pthread_mutex_lock(&ml->mutex);
    struct mac_entry *e, *next;
    bool any = false;
    cds_list_for_each_entry_safe (e, next, &ml->lru, lru_node) {
        if (all || e->port == port) {
            entry_remove(ml, e);
            any = true;
        }
    }
    if (any) {
        bump_seq(ml);
    }
    pthread_mutex_unlock(&ml->mutex);
}

void
mac_learning_flush(struct mac_learning *ml)
{
    flush__(ml, true, 0);
}

void
mac_learning_flush_port(struct mac_learning *ml, uint32_t port)
{
    flush__(ml, false, port);
}

void
mac_learning_set_aging(struct mac_learning *ml, unsigned int seconds)
{
    seconds = MIN(MAX(seconds, MAC_MIN_AGING_SEC), MAC_MAX_AGING_SEC);
    pthread_mutex_lock(&ml->mutex);
    ml->aging_sec = seconds;
    pthread_mutex_unlock(&ml->mutex);
}

unsigned int
mac_learning_get_aging(const struct mac_learning *ml)
{
    return ml->aging_sec;
}

/* Moves every entry into buckets sized for 'max_entries'.  Entries are
 * copied, not relinked, so that readers walking the old chains are never
 * led astray; the new chains are published once complete. */
static void
rehash(struct mac_learning *ml)
{
    struct mac_buckets *old = ml->buckets;
    struct mac_buckets *fresh = buckets_create(ml->max_entries);
    struct cds_list_head old_lru;
    CDS_INIT_LIST_HEAD(&old_lru);
    cds_list_splice(&ml->lru, &old_lru);
    CDS_INIT_LIST_HEAD(&ml->lru);

    struct mac_port *mp;
    HMAP_FOR_EACH (mp, node, &ml->ports) {
        hmap_remove(&ml->ports, &mp->node);
        free(mp);
    }
    ml->n_entries = 0;

    struct mac_entry *e, *next;
    cds_list_for_each_entry_safe (e, next, &old_lru, lru_node) {
        struct mac_entry *copy = entry_insert(ml, fresh, e->mac, e->vlan,
                                              e->port, e->used);
        copy->seqno = e->seqno;
        copy->held_until = e->held_until;
        rcu_postpone(free, e);
    }
    rcu_set(ml->buckets, fresh);
    rcu_postpone(free, old);
}

void
mac_learning_set_max(struct mac_learning *ml, unsigned int max_entries)
{
    max_entries = MIN(MAX(max_entries, MAC_MIN_MAX), MAC_MAX_MAX);
    pthread_mutex_lock(&ml->mutex);
    if (max_entries != ml->max_entries) {
        ml->max_entries = max_entries;
        while (ml->n_entries > ml->max_entries) {
            evict_one(ml);
        }
        rehash(ml);
        bump_seq(ml);
    }
    pthread_mutex_unlock(&ml->mutex);
}

void
mac_learning_get_stats(const struct mac_learning *ml_,
                       struct mac_learning_stats *s)
{
    struct mac_learning *ml = (struct mac_learning *) ml_;
    pthread_mutex_lock(&ml->mutex);
    s->n_entries = ml->n_entries;
    s->max_entries = ml->max_entries;
    pthread_mutex_unlock(&ml->mutex);
    s->learned = __atomic_load_n(&ml->learned, __ATOMIC_RELAXED);
    s->expired = __atomic_load_n(&ml->expired, __ATOMIC_RELAXED);
    s->evicted = __atomic_load_n(&ml->evicted, __ATOMIC_RELAXED);
    s->moved = __atomic_load_n(&ml->moved, __ATOMIC_RELAXED);
    s->held = __atomic_load_n(&ml->held, __ATOMIC_RELAXED);
}

static int
compare_entries(const void *a_, const void *b_)
{
    const struct mac_entry *a = *(const struct mac_entry *const *) a_;
    const struct mac_entry *b = *(const struct mac_entry *const *) b_;
    if (a->used != b->used) {
        return a->used < b->used ? -1 : 1;
    }
    return a->seqno < b->seqno ? -1 : a->seqno > b->seqno;
}

void
mac_learning_format(const struct mac_learning *ml_, long long now,
                    void (*port_name)(uint32_t port, struct ds *, void *aux),
                    void *aux, struct ds *ds)
{
    struct mac_learning *ml = (struct mac_learning *) ml_;
    pthread_mutex_lock(&ml->mutex);
    struct mac_entry **entries = xmalloc((ml->n_entries + 1)
                                         * sizeof *entries);
    size_t n = 0;
    struct mac_entry *e;
    cds_list_for_each_entry (e, &ml->lru, lru_node) {
        entries[n++] = e;
    }
    qsort(entries, n, sizeof *entries, compare_entries);

    ds_put_cstr(ds, " port  VLAN  MAC                Age\n");
    for (size_t i = 0; i < n; i++) {
        struct ds port = DS_EMPTY_INITIALIZER;
        port_name(entries[i]->port, &port, aux);
        ds_put_format(ds, "%5s  %4u  " ETH_ADDR_FMT "  %3lld\n",
                      ds_cstr(&port), entries[i]->vlan,
                      ETH_ADDR_ARGS(entries[i]->mac),
                      (now - entries[i]->used) / 1000);
        ds_destroy(&port);
    }
    free(entries);
    pthread_mutex_unlock(&ml->mutex);
}
