/* A bridge's OpenFlow rule tables: flow mods (add, modify, delete, loose
 * and strict, as OpenFlow 1.0 and ovs-ofctl define them), timeouts, and
 * publication of each changed table for translation. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include "hash.h"
#include "ofproto-lite/ofp-actions.h"
#include "ofproto-lite/ofp-flow.h"
#include "ofproto-lite/ofproto-private.h"
#include "ofproto-lite/rule-table.h"
#include "ofproto-lite/rule.h"
#include "rcu.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(ofproto_flows);

static uint32_t
rule_hash(const struct match *match, int priority)
{
    return flow_hash(&match->flow, flow_hash(&match->wc, priority));
}

static struct rule_node *
find_exact(struct ofproto *ofproto, uint8_t table, const struct match *m,
           int priority)
{
    struct rule_node *rn;
    HMAP_FOR_EACH_WITH_HASH (rn, node, rule_hash(m, priority),
                             &ofproto->rules[table]) {
        if (rn->rule->priority == priority && match_equal(&rn->rule->match,
                                                          m)) {
            return rn;
        }
    }
    return NULL;
}

/* Rebuilds table 'table' for translation and publishes it. */
static void
publish(struct ofproto *ofproto, uint8_t table)
{
    struct hmap *rules = &ofproto->rules[table];
    struct rule_table *fresh = NULL;
    if (!hmap_is_empty(rules)) {
        struct rule **array = xmalloc(hmap_count(rules) * sizeof *array);
        size_t n = 0;
        struct rule_node *rn;
        HMAP_FOR_EACH (rn, node, rules) {
            array[n++] = rn->rule;
        }
        fresh = rule_table_build(array, n);
        free(array);
    }
    struct rule_table *old = ofproto->tables[table];
    rcu_set(ofproto->tables[table], fresh);
    if (old) {
        rcu_postpone(rule_table_destroy, old);
    }
}

static void
insert_rule(struct ofproto *ofproto, struct rule *rule)
{
    struct rule_node *rn = xmalloc(sizeof *rn);
    rn->rule = rule;
    hmap_insert(&ofproto->rules[rule->table_id], &rn->node,
                rule_hash(&rule->match, rule->priority));
}

static void
remove_rule(struct ofproto *ofproto, struct rule_node *rn)
{
    struct rule *rule = rn->rule;
    hmap_remove(&ofproto->rules[rule->table_id], &rn->node);
    __atomic_store_n(&rule->removed, true, __ATOMIC_RELEASE);
    rule_unref(rule);
    free(rn);
}

void
ofproto_add_default_rule(struct ofproto *ofproto)
{
    struct ofp_flow_mod fm;
    char *error = ofp_flow_mod_parse("priority=0,actions=NORMAL", OFPFC_ADD,
                                     NULL, &fm);
    if (error) {
        sw_fatal("default rule: %s", error);
    }
    insert_rule(ofproto, rule_create(&fm, time_msec()));
    ofp_flow_mod_destroy(&fm);
    publish(ofproto, 0);
}

/* True if 'rule' falls within 'filter': every bit the filter matches,
 * the rule matches too, with the same value. */
static bool
rule_covered_by(const struct rule *rule, const struct match *filter)
{
    return (flow_mask_is_subset(&filter->wc, &rule->match.wc)
            && flow_equal_masked(&rule->match.flow, &filter->flow,
                                 &filter->wc));
}

static bool
rule_selected(const struct rule *rule, const struct ofp_flow_mod *fm,
              bool strict)
{
    if (strict ? (rule->priority != fm->priority
                  || !match_equal(&rule->match, &fm->match))
               : !rule_covered_by(rule, &fm->match)) {
        return false;
    }
    if ((rule->cookie & fm->cookie_mask) != fm->cookie_match) {
        return false;
    }
    return (fm->out_port == OFPP_NONE
            || ofpacts_output_to(rule_get_actions(rule), fm->out_port));
}

/* The rules 'fm' selects, across its table(s). */
static struct rule_node **
select_rules(struct ofproto *ofproto, const struct ofp_flow_mod *fm,
             bool strict, size_t *n)
{
    struct rule_node **selected = NULL;
    size_t allocated = 0;
    *n = 0;
    for (size_t t = 0; t < OFP_N_TABLES; t++) {
        if (fm->table_id != OFP_TABLE_ALL && fm->table_id != t) {
            continue;
        }
        struct rule_node *rn;
        HMAP_FOR_EACH (rn, node, &ofproto->rules[t]) {
            if (rule_selected(rn->rule, fm, strict)) {
                selected = x2nrealloc(selected, &allocated, *n + 1,
                                      sizeof *selected);
                selected[(*n)++] = rn;
            }
        }
    }
    return selected;
}

static void
add_flow(struct ofproto *ofproto, struct ofp_flow_mod *fm, bool *changed)
{
    struct rule_node *old = find_exact(ofproto, fm->table_id, &fm->match,
                                       fm->priority);
    if (old) {
        remove_rule(ofproto, old);
    }
    insert_rule(ofproto, rule_create(fm, time_msec()));
    changed[fm->table_id] = true;
}

static void
modify_flows(struct ofproto *ofproto, struct ofp_flow_mod *fm, bool strict,
             bool *changed)
{
    size_t n;
    struct rule_node **selected = select_rules(ofproto, fm, strict, &n);
    if (!n) {
        /* OpenFlow 1.0, which ovs-ofctl speaks: modifying nothing adds. */
        if (fm->table_id == OFP_TABLE_ALL) {
            fm->table_id = 0;
        }
        add_flow(ofproto, fm, changed);
    }
    long long now = time_msec();
    for (size_t i = 0; i < n; i++) {
        struct rule *rule = selected[i]->rule;
        size_t size = sizeof *fm->actions
                      + fm->actions->n * sizeof *fm->actions->acts;
        rule_set_actions(rule, xmemdup(fm->actions, size));
        rule->modified = now;
        if (fm->has_cookie) {
            rule->cookie = fm->cookie;
        }
        changed[rule->table_id] = true;
    }
    free(selected);
}

static void
delete_flows(struct ofproto *ofproto, const struct ofp_flow_mod *fm,
             bool strict, bool *changed)
{
    size_t n;
    struct rule_node **selected = select_rules(ofproto, fm, strict, &n);
    for (size_t i = 0; i < n; i++) {
        changed[selected[i]->rule->table_id] = true;
        remove_rule(ofproto, selected[i]);
    }
    free(selected);
}

char *
ofproto_flow_mod(struct ofproto *ofproto, struct ofp_flow_mod *fm)
{
    bool changed[OFP_N_TABLES] = { false };

    switch (fm->command) {
    case OFPFC_ADD:
        add_flow(ofproto, fm, changed);
        break;
    case OFPFC_MODIFY:
    case OFPFC_MODIFY_STRICT:
        modify_flows(ofproto, fm, fm->command == OFPFC_MODIFY_STRICT,
                     changed);
        break;
    case OFPFC_DELETE:
    case OFPFC_DELETE_STRICT:
        delete_flows(ofproto, fm, fm->command == OFPFC_DELETE_STRICT,
                     changed);
        break;
    case OFPFC_DUMP:
        return xstrdup("not a flow mod");
    }

    bool any = false;
    for (size_t t = 0; t < OFP_N_TABLES; t++) {
        if (changed[t]) {
            publish(ofproto, t);
            any = true;
        }
    }
    if (any) {
        ofproto_request_revalidate();
    }
    return NULL;
}

void
ofproto_flush_rules(struct ofproto *ofproto)
{
    for (size_t t = 0; t < OFP_N_TABLES; t++) {
        struct rule_node *rn;
        HMAP_FOR_EACH (rn, node, &ofproto->rules[t]) {
            remove_rule(ofproto, rn);
        }
        if (ofproto->tables[t]) {
            publish(ofproto, t);
        }
    }
}

void
ofproto_expire_rules(struct ofproto *ofproto, long long now)
{
    for (size_t t = 0; t < OFP_N_TABLES; t++) {
        bool changed = false;
        struct rule_node *rn;
        HMAP_FOR_EACH (rn, node, &ofproto->rules[t]) {
            const struct rule *r = rn->rule;
            bool idle = (r->idle_timeout
                         && now - r->used >= r->idle_timeout * 1000LL);
            bool hard = (r->hard_timeout
                         && now - r->modified >= r->hard_timeout * 1000LL);
            if (idle || hard) {
                VLOG_DBG("%s: table %zu: %s timeout expired a rule",
                         ofproto->name, t, idle ? "idle" : "hard");
                remove_rule(ofproto, rn);
                changed = true;
            }
        }
        if (changed) {
            publish(ofproto, t);
            ofproto_request_revalidate();
        }
    }
}

static int
compare_rules(const void *a_, const void *b_)
{
    const struct rule *a = *(const struct rule *const *) a_;
    const struct rule *b = *(const struct rule *const *) b_;
    if (a->table_id != b->table_id) {
        return a->table_id < b->table_id ? -1 : 1;
    }
    if (a->priority != b->priority) {
        return a->priority > b->priority ? -1 : 1;
    }
    return a->seqno < b->seqno ? -1 : a->seqno > b->seqno;
}

void
ofproto_for_each_rule(struct ofproto *ofproto,
                      const struct ofp_flow_mod *filter,
                      void (*cb)(struct rule *, void *aux), void *aux)
{
    size_t n;
    struct rule_node **selected = select_rules(ofproto, filter, false, &n);
    struct rule **rules = xmalloc((n + 1) * sizeof *rules);
    for (size_t i = 0; i < n; i++) {
        rules[i] = selected[i]->rule;
    }
    free(selected);
    qsort(rules, n, sizeof *rules, compare_rules);
    for (size_t i = 0; i < n; i++) {
        cb(rules[i], aux);
    }
    free(rules);
}
