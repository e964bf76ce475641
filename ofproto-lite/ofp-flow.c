#include <config.h>
#include "ofproto-lite/ofp-flow.h"

#include <stdlib.h>
#include <string.h>
#include "ofproto-lite/ofp-actions.h"
#include "util.h"

static char *
parse_uint(const char *name, const char *value, unsigned long long max,
           unsigned long long *out)
{
    if (!value || !str_to_ullong(value, 0, max, out)) {
        return xasprintf("%s: \"%s\" is not a number from 0 to %llu", name,
                         value ? value : "", max);
    }
    return NULL;
}

/* "VALUE" or "VALUE/MASK", where a mask of -1 means all ones. */
static char *
parse_cookie(const char *value, uint64_t *cookie, uint64_t *mask,
             bool *has_mask)
{
    char *copy = xstrdup(value ? value : "");
    char *slash = strchr(copy, '/');
    unsigned long long v, m = UINT64_MAX;
    char *error = NULL;
    if (slash) {
        *slash++ = '\0';
        if (strcmp(slash, "-1") && !str_to_ullong(slash, 0, UINT64_MAX, &m)) {
            error = xasprintf("cookie mask \"%s\" is not a number", slash);
        }
    }
    if (!error && !str_to_ullong(copy, 0, UINT64_MAX, &v)) {
        error = xasprintf("cookie \"%s\" is not a number", copy);
    }
    if (!error) {
        *cookie = v;
        *mask = m;
        *has_mask = slash != NULL;
    }
    free(copy);
    return error;
}

static char *
parse_keyword(struct ofp_flow_mod *fm, const char *name, const char *value,
              const struct port_namer *namer)
{
    unsigned long long n;
    char *error;

    if (!strcmp(name, "table")) {
        if ((error = parse_uint(name, value, 255, &n))) {
            return error;
        }
        if (n >= OFP_N_TABLES && n != OFP_TABLE_ALL) {
            return xasprintf("table %llu: tables are 0 to %d", n,
                             OFP_N_TABLES - 1);
        }
        fm->table_id = n;
    } else if (!strcmp(name, "priority")) {
        if (fm->command == OFPFC_DUMP) {
            return xstrdup("unknown keyword priority");
        }
        if ((error = parse_uint(name, value, UINT16_MAX, &n))) {
            return error;
        }
        fm->priority = n;
    } else if (!strcmp(name, "cookie")) {
        uint64_t cookie, mask;
        bool has_mask;
        if ((error = parse_cookie(value, &cookie, &mask, &has_mask))) {
            return error;
        }
        if (has_mask) {
            if (fm->command == OFPFC_ADD) {
                return xstrdup("cannot match on a cookie when adding a "
                               "flow");
            }
            fm->cookie_match = cookie & mask;
            fm->cookie_mask = mask;
        } else {
            if (fm->command != OFPFC_ADD && fm->command != OFPFC_MODIFY
                && fm->command != OFPFC_MODIFY_STRICT) {
                return xasprintf("cannot set cookie (to match on a cookie, "
                                 "specify a mask, e.g. cookie=%s/-1)",
                                 value);
            }
            fm->cookie = cookie;
            fm->has_cookie = true;
        }
    } else if (!strcmp(name, "idle_timeout") || !strcmp(name, "hard_timeout")) {
        if ((error = parse_uint(name, value, UINT16_MAX, &n))) {
            return error;
        }
        *(name[0] == 'i' ? &fm->idle_timeout : &fm->hard_timeout) = n;
    } else if (!strcmp(name, "out_port")) {
        return port_parse(value ? value : "", namer, &fm->out_port);
    } else {
        return match_parse_item(&fm->match, name, value, namer);
    }
    return NULL;
}

char *
ofp_flow_mod_parse(const char *text, enum ofp_flow_mod_command command,
                   const struct port_namer *namer, struct ofp_flow_mod *fm)
{
    memset(fm, 0, sizeof *fm);
    fm->command = command;
    match_init_catchall(&fm->match);
    fm->priority = OFP_DEFAULT_PRIORITY;
    fm->table_id = command == OFPFC_ADD ? 0 : OFP_TABLE_ALL;
    fm->out_port = OFPP_NONE;

    char *copy = xstrdup(text);
    char *actions = strstr(copy, "actions=");
    if (actions) {
        if (actions > copy && actions[-1] != ',' && actions[-1] != ' ') {
            actions = NULL;     /* Part of another word. */
        } else {
            *actions = '\0';
            actions += strlen("actions=");
        }
    }

    char *save = NULL, *error = NULL;
    for (char *item = strtok_r(copy, ", \t", &save); item && !error;
         item = strtok_r(NULL, ", \t", &save)) {
        char *value = strchr(item, '=');
        if (value) {
            *value++ = '\0';
        }
        error = parse_keyword(fm, item, value, namer);
    }
    if (!error) {
        error = match_check_prereqs(&fm->match);
    }

    bool needs_actions = (command == OFPFC_ADD || command == OFPFC_MODIFY
                          || command == OFPFC_MODIFY_STRICT);
    if (!error && needs_actions && !actions) {
        error = xstrdup("must specify an action");
    } else if (!error && !needs_actions && actions) {
        error = xstrdup("actions are not allowed here");
    }
    if (!error && actions) {
        error = ofpacts_parse(actions, namer, &fm->actions);
    }
    if (!error && command == OFPFC_ADD && fm->table_id == OFP_TABLE_ALL) {
        fm->table_id = 0;       /* As ovs-ofctl does. */
    }
    if (!error && fm->actions) {
        uint8_t table = fm->table_id == OFP_TABLE_ALL ? 0 : fm->table_id;
        error = ofpacts_check(fm->actions, &fm->match, table);
    }
    free(copy);
    if (error) {
        ofp_flow_mod_destroy(fm);
    }
    return error;
}

void
ofp_flow_mod_destroy(struct ofp_flow_mod *fm)
{
    free(fm->actions);
    fm->actions = NULL;
}
