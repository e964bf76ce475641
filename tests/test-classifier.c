/* sw-test commands that check the lookup structures against plain models
 * on random inputs: the datapath's megaflow classifier (dpcls) and
 * ofproto's rule tables against linear search, including the property
 * megaflows rest on (every flow that agrees with a looked-up flow on the
 * bits the lookup marked gets the same answer), and the MAC learning
 * table against a map, alone and under concurrent learners. */
#include <config.h>

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dpif/dp-actions.h"
#include "dpif/dp-flow.h"
#include "dpif/dpcls.h"
#include "flow.h"
#include "meta-flow.h"
#include "ofproto-lite/mac-learning.h"
#include "ofproto-lite/rule-table.h"
#include "ofproto-lite/rule.h"
#include "rcu.h"
#include "tests/sw-test.h"
#include "util.h"

/* Values are drawn from tiny sets, so that random flows and rules meet
 * often enough to matter. */
static void
random_flow(struct flow *f, uint32_t *state)
{
    static const uint16_t types[] = { ETH_TYPE_IP, ETH_TYPE_IPV6,
                                      ETH_TYPE_ARP, 0x88b5 };
    memset(f, 0, sizeof *f);
    f->in_port = rnd(state) % 4 + 1;
    f->tun_id = htobe64(rnd(state) % 3);
    f->dl_src.ea[5] = rnd(state) % 4;
    f->dl_dst.ea[5] = rnd(state) % 4;
    f->dl_dst.ea[0] = rnd(state) % 2;          /* Multicast bit. */
    f->dl_type = htons(types[rnd(state) % ARRAY_SIZE(types)]);
    if (rnd(state) % 2) {
        f->vlans[0].tpid = htons(ETH_TYPE_VLAN_8021Q);
        f->vlans[0].tci = htons(VLAN_CFI | (rnd(state) % 3 + 10));
    }
    f->nw_src = htonl(0x0a000000 | (rnd(state) % 4) << 16 | rnd(state) % 4);
    f->nw_dst = htonl((rnd(state) % 4) << 28 | (rnd(state) % 4) << 8);
    f->ipv6_dst.s6_addr[0] = rnd(state) % 4;
    f->ipv6_dst.s6_addr[15] = rnd(state) % 4;
    static const uint8_t protos[] = { 6, 17, 1 };
    f->nw_proto = protos[rnd(state) % ARRAY_SIZE(protos)];
    f->nw_tos = rnd(state) % 2 ? 0 : 0x10;
    f->tp_src = htons(rnd(state) % 4);
    static const uint16_t ports[] = { 53, 80, 443, 0x1234 };
    f->tp_dst = htons(ports[rnd(state) % ARRAY_SIZE(ports)]);
}

/* Fields a random mask may cover, with masks partial where it makes
 * sense. */
static void
random_mask(struct flow *m, uint32_t *state)
{
    memset(m, 0, sizeof *m);
    uint32_t bits = rnd(state);
    if (bits & 1) {
        m->in_port = UINT32_MAX;
    }
    if (bits & 2) {
        m->tun_id = htobe64(UINT64_MAX);
    }
    if (bits & 4) {
        memset(&m->dl_src, 0xff, sizeof m->dl_src);
    }
    if (bits & 8) {
        m->dl_dst.ea[0] = 0x01;                 /* Just the multicast bit. */
    } else if (bits & 16) {
        memset(&m->dl_dst, 0xff, sizeof m->dl_dst);
    }
    if (bits & 32) {
        m->dl_type = htons(0xffff);
    }
    if (bits & 64) {
        m->vlans[0].tci = htons(VLAN_CFI | VLAN_VID_MASK);
    }
    if (bits & 128) {
        int plen = rnd(state) % 33;
        m->nw_dst = htonl(plen ? UINT32_MAX << (32 - plen) : 0);
    }
    if (bits & 256) {
        m->nw_src = htonl(0xffffff00);
    }
    if (bits & 512) {
        m->nw_proto = 0xff;
    }
    if (bits & 1024) {
        m->tp_dst = htons(bits & 2048 ? 0xff00 : 0xffff);
    }
    if (bits & 4096) {
        m->ipv6_dst.s6_addr[0] = 0xff;
    }
    if (bits & 8192) {
        m->nw_tos = 0xfc;
    }
}

/* dpcls-random N SEED: inserts, looks up and removes random megaflows,
 * checking every answer against a linear search. */
int
cmd_dpcls_random(int argc, char *argv[])
{
    long n = atol(argv[1]);
    uint32_t state = strtoul(argv[2], NULL, 0) | 1;
    enum { N_MASKS = 12, MAX_FLOWS = 300 };

    rcu_thread_start(true);
    flow_hash_init();
    struct flow masks[N_MASKS];
    for (int i = 0; i < N_MASKS; i++) {
        random_mask(&masks[i], &state);
        masks[i].in_port = UINT32_MAX;
    }
    struct dpcls *cls = dpcls_create();
    struct dp_flow *flows[MAX_FLOWS];
    size_t n_flows = 0;
    struct dp_actions actions;
    dp_actions_init(&actions);
    long failures = 0;

    for (long i = 0; i < n && !failures; i++) {
        uint32_t op = rnd(&state) % 10;
        struct flow key;
        random_flow(&key, &state);
        if (op < 3 && n_flows < MAX_FLOWS) {
            const struct flow *mask = &masks[rnd(&state) % N_MASKS];
            if (!dpcls_find_exact(cls, &key, mask)) {
                struct dp_flow *f = dp_flow_create(&key, mask, &actions, 0,
                                                   0);
                dpcls_insert(cls, f);
                flows[n_flows++] = f;
            }
        } else if (op < 5 && n_flows) {
            size_t k = rnd(&state) % n_flows;
            dpcls_remove(cls, flows[k]);
            dp_flow_unref(flows[k]);
            flows[k] = flows[--n_flows];
        } else if (op == 5) {
            dpcls_rank(cls);
        } else {
            struct dp_flow *got = dpcls_lookup(cls, &key, NULL);
            size_t n_match = 0;
            struct dp_flow *match = NULL;
            for (size_t k = 0; k < n_flows; k++) {
                if (flow_equal_masked(&key, &flows[k]->key,
                                      &flows[k]->mask)) {
                    n_match++;
                    match = flows[k];
                }
            }
            if (got ? !flow_equal_masked(&key, &got->key, &got->mask)
                    : n_match > 0) {
                failures++;
            } else if (n_match == 1 && got != match) {
                failures++;
            }
        }
        rcu_quiesce();
    }

    for (size_t k = 0; k < n_flows; k++) {
        dpcls_remove(cls, flows[k]);
        dp_flow_unref(flows[k]);
    }
    dpcls_destroy(cls);
    dp_actions_destroy(&actions);
    rcu_thread_stop();
    rcu_drain();
    printf("%ld operations, %ld failures\n", n, failures);
    return failures != 0;
}

static struct rule *
random_rule(uint32_t *state)
{
    struct rule *r = xzalloc(sizeof *r);
    random_mask(&r->match.wc, state);
    struct flow f;
    random_flow(&f, state);
    flow_and(&r->match.flow, &f, &r->match.wc);
    r->priority = rnd(state) % 8;
    r->ref_cnt = 1;
    return r;
}

/* The best priority among rules matching 'flow', or -1. */
static int
linear_best(struct rule **rules, size_t n, const struct flow *flow)
{
    int best = -1;
    for (size_t i = 0; i < n; i++) {
        if (rules[i]->priority > best
            && flow_equal_masked(flow, &rules[i]->match.flow,
                                 &rules[i]->match.wc)) {
            best = rules[i]->priority;
        }
    }
    return best;
}

/* rule-table-random N SEED: builds random rule tables and checks, for
 * random flows, that the lookup finds a best-priority match and that
 * flows agreeing on the marked bits get the same priority. */
int
cmd_rule_table_random(int argc, char *argv[])
{
    long n = atol(argv[1]);
    uint32_t state = strtoul(argv[2], NULL, 0) | 1;
    long failures = 0, lookups = 0;

    rcu_thread_start(true);
    flow_hash_init();
    for (long t = 0; t < n && !failures; t++) {
        size_t n_rules = rnd(&state) % 40;
        struct rule **rules = xmalloc((n_rules + 1) * sizeof *rules);
        for (size_t i = 0; i < n_rules; i++) {
            rules[i] = random_rule(&state);
        }
        struct rule_table *table = rule_table_build(rules, n_rules);

        for (int q = 0; q < 50 && !failures; q++, lookups++) {
            struct flow flow, wc;
            random_flow(&flow, &state);
            memset(&wc, 0, sizeof wc);
            const struct rule *got = rule_table_lookup(table, &flow, &wc);
            int best = linear_best(rules, n_rules, &flow);
            if ((got ? got->priority : -1) != best
                || (got && !flow_equal_masked(&flow, &got->match.flow,
                                              &got->match.wc))) {
                printf("lookup gave priority %d, linear search %d\n",
                       got ? got->priority : -1, best);
                failures++;
                break;
            }
            /* Flows the megaflow would cover must agree. */
            for (int k = 0; k < 20; k++) {
                struct flow other, mixed;
                random_flow(&other, &state);
                const flow_word *fw = flow_u64(&flow), *ow = flow_u64(&other);
                const flow_word *mw = flow_u64(&wc);
                flow_word *xw = flow_u64_rw(&mixed);
                for (size_t w = 0; w < FLOW_U64S; w++) {
                    xw[w] = (fw[w] & mw[w]) | (ow[w] & ~mw[w]);
                }
                if (linear_best(rules, n_rules, &mixed) != best) {
                    printf("a flow within the megaflow gets another rule\n");
                    failures++;
                    break;
                }
            }
        }
        rule_table_destroy(table);
        for (size_t i = 0; i < n_rules; i++) {
            rule_unref(rules[i]);
        }
        free(rules);
        rcu_quiesce();
    }
    rcu_thread_stop();
    rcu_drain();
    printf("%ld lookups, %ld failures\n", lookups, failures);
    return failures != 0;
}

/* mac-learning-random N SEED: learns, looks up, ages and flushes random
 * addresses, checking against a plain model: the port an address was
 * last seen on, until it ages out.  Moves are spaced out so that flap
 * damping stays out of the way; the table is big enough not to evict. */
int
cmd_mac_learning_random(int argc, char *argv[])
{
    enum { N_MACS = 64, N_VLANS = 3, N_PORTS = 4 };
    long n = atol(argv[1]);
    uint32_t state = strtoul(argv[2], NULL, 0) | 1;
    struct model {
        uint32_t port;          /* 0: not learned. */
        long long used;
    } model[N_MACS][N_VLANS];
    memset(model, 0, sizeof model);

    rcu_thread_start(true);
    struct mac_learning *ml = mac_learning_create();
    mac_learning_set_aging(ml, 20);
    long long now = 1;
    long failures = 0;

    for (long i = 0; i < n && !failures; i++) {
        uint32_t op = rnd(&state) % 100;
        size_t m = rnd(&state) % N_MACS, v = rnd(&state) % N_VLANS;
        struct eth_addr mac = { { 0x02, 0, 0, 0, 0, m } };
        if (op < 50) {
            uint32_t port = rnd(&state) % N_PORTS + 1;
            now += 3000;        /* Slower than any flapping. */
            enum mac_learn_result r = mac_learning_learn(ml, mac, v, port,
                                                         now, true);
            struct model *e = &model[m][v];
            enum mac_learn_result want = (!e->port ? MAC_LEARN_NEW
                                          : e->port == port
                                          ? MAC_LEARN_UNCHANGED
                                          : MAC_LEARN_MOVED);
            if (r != want) {
                printf("learn: result %d, expected %d\n", r, want);
                failures++;
            }
            e->port = port;
            e->used = now;
        } else if (op < 95) {
            uint32_t port = 0;
            bool found = mac_learning_lookup(ml, mac, v, &port);
            if (found != (model[m][v].port != 0)
                || (found && port != model[m][v].port)) {
                printf("lookup: %d on port %u, expected %u\n", found, port,
                       model[m][v].port);
                failures++;
            }
        } else if (op < 99) {
            now += rnd(&state) % 30000;
            mac_learning_run(ml, now);
            for (size_t a = 0; a < N_MACS; a++) {
                for (size_t b = 0; b < N_VLANS; b++) {
                    if (model[a][b].port && now - model[a][b].used >= 20000) {
                        model[a][b].port = 0;
                    }
                }
            }
        } else {
            mac_learning_flush(ml);
            memset(model, 0, sizeof model);
        }
        rcu_quiesce();
    }
    mac_learning_destroy(ml);
    rcu_thread_stop();
    rcu_drain();
    printf("%ld operations, %ld failures\n", n, failures);
    return failures != 0;
}

struct mac_storm {
    struct mac_learning *ml;
    int id;
    long n;
    long busy;                  /* Learning skipped: the lock was taken. */
};

static void *
mac_storm_thread(void *storm_)
{
    struct mac_storm *s = storm_;
    uint32_t state = 0x9e3779b9 * (s->id + 1);
    rcu_thread_start(true);
    for (long i = 0; i < s->n; i++) {
        struct eth_addr mac = { { 0x02, s->id, 0, (i >> 8) & 0xff,
                                  rnd(&state) & 0xff, i & 0xff } };
        uint32_t port;
        if (mac_learning_learn(s->ml, mac, 0, s->id + 1, i / 1000 + 1, false)
            == MAC_LEARN_BUSY) {
            s->busy++;
        }
        mac_learning_lookup(s->ml, mac, 0, &port);
        if (!(i % 64)) {
            rcu_quiesce();
        }
    }
    rcu_thread_stop();
    return NULL;
}

/* mac-learning-threads N: two threads learn and look up N random
 * addresses each into a small table while this one ages and flushes it:
 * the table stays within its limit and nothing breaks (run it under a
 * sanitizer). */
int
cmd_mac_learning_threads(int argc, char *argv[])
{
    long n = atol(argv[1]);
    rcu_thread_start(false);
    struct mac_learning *ml = mac_learning_create();
    mac_learning_set_max(ml, 1000);
    struct mac_storm storms[2];
    pthread_t threads[2];
    for (int i = 0; i < 2; i++) {
        storms[i] = (struct mac_storm) { .ml = ml, .id = i, .n = n };
        pthread_create(&threads[i], NULL, mac_storm_thread, &storms[i]);
    }
    long long now = 1;
    for (int i = 0; i < 200; i++) {
        mac_learning_run(ml, now += 5000);
        if (i % 50 == 49) {
            mac_learning_flush(ml);
        }
        struct mac_learning_stats st;
        mac_learning_get_stats(ml, &st);
        if (st.n_entries > st.max_entries) {
            printf("%llu entries in a table of %llu\n",
                   (unsigned long long) st.n_entries,
                   (unsigned long long) st.max_entries);
            return 1;
        }
    }
    for (int i = 0; i < 2; i++) {
        pthread_join(threads[i], NULL);
    }
    struct mac_learning_stats st;
    mac_learning_get_stats(ml, &st);
    mac_learning_destroy(ml);
    rcu_drain();
    rcu_thread_stop();
    printf("%s\n", st.n_entries <= st.max_entries ? "table within its limit"
                                                 : "table over its limit");
    return st.n_entries > st.max_entries;
}
