/* The datapath: ports numbered within it, packets received on them in
 * batches and handed to actions.
 *
 * The datapath does not decide where packets go: for each packet it has
 * no decision for, it asks the layer above through the upcall callback
 * (a "miss"), and executes the actions it gets back.  The flow caches
 * that will remember those decisions slot in between receive and upcall.
 * Ports whose queues the main thread serves (dummy ports) are processed
 * on the main thread as soon as their netdev says packets are waiting. */
#ifndef DPIF_H
#define DPIF_H 1

#include <stdint.h>
#include "dpif/dp-actions.h"

struct dp_packet;
struct dpif;
struct netdev;

struct dpif_upcall {
    const struct dp_packet *packet;
    odp_port_t in_port;
};

/* Fills 'actions' (empty on entry) for 'upcall'.  No actions: drop. */
typedef void dpif_upcall_cb(const struct dpif_upcall *,
                            struct dp_actions *actions, void *aux);

struct dpif_stats {
    uint64_t n_packets;         /* Received on any port. */
    uint64_t n_missed;          /* Sent up for a decision. */
    uint64_t n_dropped;         /* Decided: no actions. */
    uint64_t n_lost;            /* Output to a port that is gone. */
};

struct dpif *dpif_create(const char *name);
void dpif_destroy(struct dpif *);
const char *dpif_name(const struct dpif *);
void dpif_set_upcall_cb(struct dpif *, dpif_upcall_cb *, void *aux);

/* Adds 'netdev' (still owned by the caller, who must delete the port
 * before closing it).  Returns 0 with '*port_no' set, or -errno. */
int dpif_port_add(struct dpif *, struct netdev *, odp_port_t *port_no);
void dpif_port_del(struct dpif *, odp_port_t);
struct netdev *dpif_port_get_netdev(const struct dpif *, odp_port_t);
/* One more than the highest port number that may be in use. */
odp_port_t dpif_port_max(const struct dpif *);

/* Polls every port the main thread serves and processes what waits. */
void dpif_run(struct dpif *);

void dpif_get_stats(const struct dpif *, struct dpif_stats *);

#endif /* dpif.h */
