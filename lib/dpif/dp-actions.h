/* Datapath actions: what the datapath does with a packet once the
 * translation layer has decided.  A short list, executed in order. */
#ifndef DP_ACTIONS_H
#define DP_ACTIONS_H 1

#include <stddef.h>
#include <stdint.h>

typedef uint32_t odp_port_t;
enum { ODPP_NONE = UINT32_MAX };

enum dp_action_type {
    DP_ACTION_OUTPUT,           /* Send a copy to 'port'. */
};

struct dp_action {
    enum dp_action_type type;
    odp_port_t port;
};

struct dp_actions {
    struct dp_action *actions;
    size_t n, allocated;
};

void dp_actions_init(struct dp_actions *);
void dp_actions_destroy(struct dp_actions *);
void dp_actions_clear(struct dp_actions *);
void dp_actions_add_output(struct dp_actions *, odp_port_t);

#endif /* dp-actions.h */
