/* A bridge's MAC learning table: which port a (VLAN, MAC) was last seen
 * on, for NORMAL forwarding.
 *
 * Lookups run from any thread under RCU, without locks.  Changes (a new
 * address, a move) take the table's mutex; datapath threads only try it
 * and, if it is busy, skip learning for that packet rather than wait.
 * Refreshing a known address is a single atomic store.  The main thread
 * ages entries out, evicts when the table is full (from the port holding
 * the most entries, so that one port flooding random source addresses
 * cannot push out everyone else's), and reconfigures.
 *
 * An address that keeps moving between ports (a loop, two hosts sharing
 * a MAC) is held on its port for a while instead of flapping: each move
 * would cost a revalidation of every megaflow. */
#ifndef MAC_LEARNING_H
#define MAC_LEARNING_H 1

#include <stdbool.h>
#include <stdint.h>
#include "packets.h"

struct ds;
struct mac_learning;

enum {
    MAC_DEFAULT_MAX = 65536,
    MAC_MIN_MAX = 10,
    MAC_MAX_MAX = 16 * 1024 * 1024,
    MAC_DEFAULT_AGING_SEC = 300,
    MAC_MIN_AGING_SEC = 15,
    MAC_MAX_AGING_SEC = 3600,
    MAC_FLAP_MOVES = 4,         /* This many moves... */
    MAC_FLAP_WINDOW_MSEC = 2000, /* ...this close together... */
    MAC_FLAP_HOLD_MSEC = 10000, /* ...hold the entry this long. */
    MAC_MAX_CHANGES = 4096,     /* Changes remembered between looks. */
};

enum mac_learn_result {
    MAC_LEARN_UNCHANGED,        /* Known on this port: refreshed. */
    MAC_LEARN_NEW,              /* A new entry. */
    MAC_LEARN_MOVED,            /* Was on another port. */
    MAC_LEARN_HELD,             /* A move suppressed: the entry flaps. */
    MAC_LEARN_BUSY,             /* Could not take the lock: not learned. */
    MAC_LEARN_REFUSED,          /* Not a learnable source address. */
};

struct mac_learning_stats {
    uint64_t n_entries, max_entries;
    uint64_t learned, expired, evicted, moved, held;
};

struct mac_learning *mac_learning_create(void);
/* Frees the table after a grace period. */
void mac_learning_destroy(struct mac_learning *);

/* Main thread: configuration.  Values are clamped to the limits above. */
void mac_learning_set_max(struct mac_learning *, unsigned int max_entries);
void mac_learning_set_aging(struct mac_learning *, unsigned int seconds);
unsigned int mac_learning_get_aging(const struct mac_learning *);

/* The port 'mac' was learned on in 'vlan', or false if unknown. */
bool mac_learning_lookup(const struct mac_learning *, struct eth_addr mac,
                         uint16_t vlan, uint32_t *port);

/* True if moves of 'mac' in 'vlan' are being ignored at 'now' because it
 * flapped. */
bool mac_learning_is_held(const struct mac_learning *, struct eth_addr mac,
                          uint16_t vlan, long long now);

/* Notes that 'mac' was seen on 'port' in 'vlan' at 'now'.  With
 * 'may_wait' (main thread only) the mutex is waited for. */
enum mac_learn_result mac_learning_learn(struct mac_learning *,
                                         struct eth_addr mac, uint16_t vlan,
                                         uint32_t port, long long now,
                                         bool may_wait);

/* Main thread: expires entries idle for the aging time.  Returns the
 * number expired. */
size_t mac_learning_run(struct mac_learning *, long long now);

/* Main thread: forgets every entry, or those on 'port'. */
void mac_learning_flush(struct mac_learning *);
void mac_learning_flush_port(struct mac_learning *, uint32_t port);

/* A counter that changes whenever forwarding might: any entry added,
 * moved or removed.  Any thread. */
uint64_t mac_learning_seq(const struct mac_learning *);

/* The addresses whose entries changed (added, moved, removed) since the
 * last call, so that only the megaflows that depend on them need a new
 * look.  Returns false, without a list, if there were too many to keep
 * track of: then everything may have changed.  Main thread; free
 * '*changesp'. */
struct mac_change {
    struct eth_addr mac;
    uint16_t vlan;
};
bool mac_learning_take_changes(struct mac_learning *,
                               struct mac_change **changesp, size_t *n);

void mac_learning_get_stats(const struct mac_learning *,
                            struct mac_learning_stats *);

/* Appends fdb/show's table: least recently seen first. 'port_name'
 * prints a port (OVS prints OpenFlow numbers and "LOCAL"). */
void mac_learning_format(const struct mac_learning *, long long now,
                         void (*port_name)(uint32_t port, struct ds *,
                                           void *aux),
                         void *aux, struct ds *);

#endif /* mac-learning.h */
