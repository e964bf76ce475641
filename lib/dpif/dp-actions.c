#include <config.h>
#include "dpif/dp-actions.h"

#include <stdlib.h>
#include "util.h"

void
dp_actions_init(struct dp_actions *actions)
{
    actions->actions = NULL;
    actions->n = actions->allocated = 0;
}

void
dp_actions_destroy(struct dp_actions *actions)
{
    free(actions->actions);
    dp_actions_init(actions);
}

void
dp_actions_clear(struct dp_actions *actions)
{
    actions->n = 0;
}

void
dp_actions_add_output(struct dp_actions *actions, odp_port_t port)
{
    actions->actions = x2nrealloc(actions->actions, &actions->allocated,
                                  actions->n + 1, sizeof *actions->actions);
    actions->actions[actions->n++] = (struct dp_action) {
        .type = DP_ACTION_OUTPUT,
        .port = port,
    };
}
