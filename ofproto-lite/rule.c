#include <config.h>
#include "ofproto-lite/rule.h"

#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"
#include "ofproto-lite/ofp-actions.h"
#include "ofproto-lite/ofp-flow.h"
#include "rcu.h"
#include "util.h"

struct rule *
rule_create(struct ofp_flow_mod *fm, long long now)
{
    static uint64_t next_seqno;
    struct rule *rule = xzalloc(sizeof *rule);
    rule->seqno = next_seqno++;
    rule->match = fm->match;
    flow_and(&rule->match.flow, &fm->match.flow, &fm->match.wc);
    rule->priority = fm->priority;
    rule->table_id = fm->table_id;
    rule->created = rule->modified = rule->used = now;
    rule->actions = fm->actions;
    fm->actions = NULL;
    rule->cookie = fm->cookie;
    rule->idle_timeout = fm->idle_timeout;
    rule->hard_timeout = fm->hard_timeout;
    rule->ref_cnt = 1;
    return rule;
}

void
rule_ref(const struct rule *rule_)
{
    struct rule *rule = (struct rule *) rule_;
    __atomic_add_fetch(&rule->ref_cnt, 1, __ATOMIC_RELAXED);
}

static void
rule_free(struct rule *rule)
{
    free(rule->actions);
    free(rule);
}

void
rule_unref(const struct rule *rule_)
{
    struct rule *rule = (struct rule *) rule_;
    if (rule && !__atomic_sub_fetch(&rule->ref_cnt, 1, __ATOMIC_ACQ_REL)) {
        rcu_postpone(rule_free, rule);
    }
}

const struct ofpacts *
rule_get_actions(const struct rule *rule)
{
    return rcu_get(rule->actions);
}

void
rule_set_actions(struct rule *rule, struct ofpacts *actions)
{
    struct ofpacts *old = rule->actions;
    rcu_set(rule->actions, actions);
    rcu_postpone(free, old);
}

void
rule_format(const struct rule *rule, long long now,
            const struct rule_format_options *opts, struct ds *ds)
{
    ds_put_char(ds, ' ');
    if (opts->stats) {
        long long age = now - rule->created;
        ds_put_format(ds, "cookie=0x%llx, duration=%lld.%03llds, table=%u, "
                      "n_packets=%llu, n_bytes=%llu, ",
                      (unsigned long long) rule->cookie, age / 1000,
                      age % 1000, rule->table_id,
                      (unsigned long long) rule->n_packets,
                      (unsigned long long) rule->n_bytes);
    } else {
        if (rule->cookie) {
            ds_put_format(ds, "cookie=0x%llx, ",
                          (unsigned long long) rule->cookie);
        }
        if (rule->table_id) {
            ds_put_format(ds, "table=%u, ", rule->table_id);
        }
    }
    if (rule->idle_timeout) {
        ds_put_format(ds, "idle_timeout=%u, ", rule->idle_timeout);
    }
    if (rule->hard_timeout) {
        ds_put_format(ds, "hard_timeout=%u, ", rule->hard_timeout);
    }
    if (opts->stats && opts->idle_age) {
        ds_put_format(ds, "idle_age=%lld, ", (now - rule->used) / 1000);
        if (rule->modified != rule->created) {
            ds_put_format(ds, "hard_age=%lld, ",
                          (now - rule->modified) / 1000);
        }
    }

    struct ds match = DS_EMPTY_INITIALIZER;
    match_format(&rule->match, opts->namer, &match);
    bool has_priority = rule->priority != OFP_DEFAULT_PRIORITY;
    if (has_priority) {
        ds_put_format(ds, "priority=%d", rule->priority);
    }
    if (match.length) {
        ds_put_format(ds, "%s%s", has_priority ? "," : "", ds_cstr(&match));
    }
    if (has_priority || match.length) {
        ds_put_char(ds, ' ');
    }
    ds_destroy(&match);
    ds_put_cstr(ds, "actions=");
    ofpacts_format(rule_get_actions(rule), opts->namer, ds);
}
