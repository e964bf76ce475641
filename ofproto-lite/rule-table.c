#include <config.h>
#include "ofproto-lite/rule-table.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "flow.h"
#include "meta-flow.h"
#include "ofproto-lite/rule.h"
#include "util.h"

enum { N_STAGES = 4 };

/* Fields by stage: metadata, L2, L3, L4. */
static const char *const stage_fields[N_STAGES][16] = {
    { "tun_id", "tun_src", "tun_dst", "tun_ipv6_src", "tun_ipv6_dst",
      "tun_metadata0", "tun_metadata1", "tun_metadata2", "tun_metadata3",
      "tun_metadata4", "tun_metadata5", "tun_metadata6", "tun_metadata7",
      "in_port" },
    { "dl_src", "dl_dst", "dl_type", "vlan_tci" },
    { "nw_src", "nw_dst", "ipv6_src", "ipv6_dst", "ipv6_label", "nw_proto",
      "nw_tos", "nw_ecn", "nw_ttl", "ip_frag" },
    { "tp_src", "tp_dst", "arp_sha", "arp_tha", "nd_target" },
};

/* Address fields whose misses can be narrowed to a prefix. */
static const char *const prefix_fields[] = {
    "nw_src", "nw_dst", "ipv6_src", "ipv6_dst",
};
enum { N_PREFIX_FIELDS = ARRAY_SIZE(prefix_fields) };

static struct flow stage_masks[N_STAGES];
static const struct mf_field *prefix_mfs[N_PREFIX_FIELDS];

static void
init_stages__(void)
{
    for (int k = 0; k < N_STAGES; k++) {
        for (int i = 0; stage_fields[k][i]; i++) {
            mf_mask_exact(mf_from_name(stage_fields[k][i]), &stage_masks[k]);
        }
    }
    for (int i = 0; i < N_PREFIX_FIELDS; i++) {
        prefix_mfs[i] = mf_from_name(prefix_fields[i]);
    }
}

static void
init_stages(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, init_stages__);
}

/* The words of a mask that are not zero, for hashing. */
struct words {
    uint8_t n;
    uint8_t idx[FLOW_U64S];
    uint64_t mask[FLOW_U64S];
};

static void
words_init(struct words *w, const struct flow *mask)
{
    const flow_word *m = flow_u64(mask);
    w->n = 0;
    for (size_t i = 0; i < FLOW_U64S; i++) {
        if (m[i]) {
            w->idx[w->n] = i;
            w->mask[w->n++] = m[i];
        }
    }
}

static uint32_t
words_hash(const struct words *w, const struct flow *flow)
{
    const flow_word *f = flow_u64(flow);
    uint64_t acc = 0;
    for (size_t i = 0; i < w->n; i++) {
        acc = flow_hash_word(acc, w->idx[i], f[w->idx[i]] & w->mask[i]);
    }
    return flow_hash_finish(acc);
}

/* Values of one prefix field over a subtable's rules, sorted, for
 * finding the longest common prefix with a packet's address. */
struct prefix_index {
    const struct mf_field *mf;
    int plen;                   /* The subtable's prefix length. */
    size_t n;
    uint8_t (*values)[16];      /* Big-endian, left-aligned. */
};

struct entry {
    uint32_t hash;
    size_t first, n;            /* Rules in 'chain', priority order. */
};

struct subtable {
    struct flow mask;
    int max_priority;
    int last_stage;             /* Highest stage the mask touches. */
    struct flow cmask[N_STAGES]; /* Mask of stages 0...k. */
    struct words cwords[N_STAGES];
    bool stage_used[N_STAGES];  /* Stage k adds bits to the mask. */
    uint32_t *stage_hashes[N_STAGES];   /* Sorted, for k < last_stage. */
    size_t n_stage_hashes[N_STAGES];
    struct entry *entries;      /* Sorted by hash. */
    size_t n_entries;
    const struct rule **chain;
    struct prefix_index prefixes[N_PREFIX_FIELDS];
};

struct rule_table {
    struct subtable *subtables; /* By 'max_priority', descending. */
    size_t n_subtables;
    struct rule **rules;        /* The references held. */
    size_t n_rules;
};

static int
compare_u32(const void *a_, const void *b_)
{
    uint32_t a = *(const uint32_t *) a_, b = *(const uint32_t *) b_;
    return a < b ? -1 : a > b;
}

static bool
u32_sorted_contains(const uint32_t *array, size_t n, uint32_t value)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (array[mid] < value) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < n && array[lo] == value;
}

/* A field's bits as a left-aligned big-endian byte string. */
static void
prefix_bytes(const struct mf_field *mf, const struct flow *flow,
             uint8_t out[16])
{
    union mf_value v;
    mf_get(mf, flow, &v);
    memset(out, 0, 16);
    if (mf_is_integer(mf)) {
        uint32_t x = v.u64;
        out[0] = x >> 24;
        out[1] = x >> 16;
        out[2] = x >> 8;
        out[3] = x;
    } else {
        memcpy(out, &v.ipv6, 16);
    }
}

/* The prefix length of field 'mf' in 'mask', or -1 if it is not a
 * (nonempty) prefix. */
static int
mask_prefix_len(const struct mf_field *mf, const struct flow *mask)
{
    uint8_t bytes[16];
    prefix_bytes(mf, mask, bytes);
    int bits = mf_is_integer(mf) ? 32 : 128, len = 0;
    while (len < bits && bytes[len / 8] & (0x80 >> (len % 8))) {
        len++;
    }
    for (int i = len; i < bits; i++) {
        if (bytes[i / 8] & (0x80 >> (i % 8))) {
            return -1;
        }
    }
    return len ? len : -1;
}

static int
compare_prefix(const void *a, const void *b)
{
    return memcmp(a, b, 16);
}

static int
common_prefix_len(const uint8_t *a, const uint8_t *b)
{
    int len = 0;
    for (int i = 0; i < 16; i++) {
        uint8_t x = a[i] ^ b[i];
        if (x) {
            return len + __builtin_clz(x) - 24;
        }
        len += 8;
    }
    return len;
}

/* The longest prefix that 'value' shares with any indexed value: the
 * best is always one of its neighbours in sorted order. */
static int
prefix_index_lcp(const struct prefix_index *pi, const uint8_t *value)
{
    size_t lo = 0, hi = pi->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (memcmp(pi->values[mid], value, 16) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    int best = 0;
    if (lo < pi->n) {
        best = common_prefix_len(pi->values[lo], value);
    }
    if (lo > 0) {
        best = MAX(best, common_prefix_len(pi->values[lo - 1], value));
    }
    return best;
}

static void
subtable_init_prefixes(struct subtable *st)
{
    for (int i = 0; i < N_PREFIX_FIELDS; i++) {
        struct prefix_index *pi = &st->prefixes[i];
        pi->mf = prefix_mfs[i];
        pi->plen = mask_prefix_len(pi->mf, &st->mask);
        if (pi->plen < 0) {
            continue;
        }
        pi->values = xmalloc(st->n_entries * sizeof *pi->values);
        for (size_t e = 0; e < st->n_entries; e++) {
            const struct rule *r = st->chain[st->entries[e].first];
            prefix_bytes(pi->mf, &r->match.flow, pi->values[pi->n++]);
        }
        qsort(pi->values, pi->n, sizeof *pi->values, compare_prefix);
    }
}

/* Sort order for building: by mask, then masked key, then priority. */
static int
compare_rules(const void *a_, const void *b_)
{
    const struct rule *a = *(const struct rule *const *) a_;
    const struct rule *b = *(const struct rule *const *) b_;
    int c = memcmp(&a->match.wc, &b->match.wc, sizeof a->match.wc);
    if (!c) {
        c = memcmp(&a->match.flow, &b->match.flow, sizeof a->match.flow);
    }
    return c ? c : b->priority - a->priority;
}

static int
compare_entries(const void *a_, const void *b_)
{
    const struct entry *a = a_, *b = b_;
    return a->hash < b->hash ? -1 : a->hash > b->hash;
}

/* Builds a subtable from 'n' rules that share a mask, sorted by
 * compare_rules(). */
static void
subtable_build(struct subtable *st, struct rule *const *rules, size_t n)
{
    memset(st, 0, sizeof *st);
    st->mask = rules[0]->match.wc;
    st->max_priority = rules[0]->priority;
    st->chain = xmalloc(n * sizeof *st->chain);

    struct flow cumulative;
    memset(&cumulative, 0, sizeof cumulative);
    for (int k = 0; k < N_STAGES; k++) {
        struct flow part;
        flow_and(&part, &st->mask, &stage_masks[k]);
        const flow_word *pw = flow_u64(&part);
        flow_word *cw = flow_u64_rw(&cumulative);
        for (size_t i = 0; i < FLOW_U64S; i++) {
            st->stage_used[k] |= pw[i] != 0;
            cw[i] |= pw[i];
        }
        if (k == N_STAGES - 1) {
            /* Bits no stage names (there should be none) go last. */
            const flow_word *mw = flow_u64(&st->mask);
            for (size_t i = 0; i < FLOW_U64S; i++) {
                st->stage_used[k] |= (mw[i] & ~cw[i]) != 0;
                cw[i] |= mw[i];
            }
        }
        st->cmask[k] = cumulative;
        words_init(&st->cwords[k], &cumulative);
        if (st->stage_used[k]) {
            st->last_stage = k;
        }
    }

    /* Group rules with equal keys into entries. */
    st->entries = xmalloc(n * sizeof *st->entries);
    for (size_t i = 0; i < n; i++) {
        st->chain[i] = rules[i];
        st->max_priority = MAX(st->max_priority, rules[i]->priority);
        if (i && flow_equal(&rules[i]->match.flow,
                            &rules[i - 1]->match.flow)) {
            st->entries[st->n_entries - 1].n++;
            continue;
        }
        struct entry *e = &st->entries[st->n_entries++];
        e->hash = words_hash(&st->cwords[st->last_stage],
                             &rules[i]->match.flow);
        e->first = i;
        e->n = 1;
    }

    for (int k = 0; k < st->last_stage; k++) {
        if (!st->stage_used[k]) {
            continue;
        }
        uint32_t *hashes = xmalloc(st->n_entries * sizeof *hashes);
        for (size_t e = 0; e < st->n_entries; e++) {
            const struct rule *r = st->chain[st->entries[e].first];
            hashes[e] = words_hash(&st->cwords[k], &r->match.flow);
        }
        qsort(hashes, st->n_entries, sizeof *hashes, compare_u32);
        st->stage_hashes[k] = hashes;
        st->n_stage_hashes[k] = st->n_entries;
    }
    subtable_init_prefixes(st);
    qsort(st->entries, st->n_entries, sizeof *st->entries, compare_entries);
}

static void
subtable_destroy(struct subtable *st)
{
    for (int k = 0; k < N_STAGES; k++) {
        free(st->stage_hashes[k]);
    }
    for (int i = 0; i < N_PREFIX_FIELDS; i++) {
        free(st->prefixes[i].values);
    }
    free(st->entries);
    free(st->chain);
}

static int
compare_subtables(const void *a_, const void *b_)
{
    const struct subtable *a = a_, *b = b_;
    return b->max_priority - a->max_priority;
}

struct rule_table *
rule_table_build(struct rule *const *rules_, size_t n)
{
    init_stages();
    struct rule_table *t = xzalloc(sizeof *t);
    t->n_rules = n;
    t->rules = xmemdup(rules_, n * sizeof *rules_);
    for (size_t i = 0; i < n; i++) {
        rule_ref(t->rules[i]);
    }

    struct rule **sorted = xmemdup(rules_, n * sizeof *rules_);
    qsort(sorted, n, sizeof *sorted, compare_rules);
    t->subtables = xcalloc(n, sizeof *t->subtables);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && flow_equal(&sorted[j]->match.wc,
                                   &sorted[i]->match.wc)) {
            j++;
        }
        subtable_build(&t->subtables[t->n_subtables++], &sorted[i], j - i);
        i = j;
    }
    free(sorted);
    qsort(t->subtables, t->n_subtables, sizeof *t->subtables,
          compare_subtables);
    return t;
}

void
rule_table_destroy(struct rule_table *t)
{
    if (!t) {
        return;
    }
    for (size_t i = 0; i < t->n_subtables; i++) {
        subtable_destroy(&t->subtables[i]);
    }
    for (size_t i = 0; i < t->n_rules; i++) {
        rule_unref(t->rules[i]);
    }
    free(t->subtables);
    free(t->rules);
    free(t);
}

size_t
rule_table_n_rules(const struct rule_table *t)
{
    return t ? t->n_rules : 0;
}

static void
wc_or(struct flow *wc, const struct flow *mask)
{
    flow_word *w = flow_u64_rw(wc);
    const flow_word *m = flow_u64(mask);
    for (size_t i = 0; i < FLOW_U64S; i++) {
        w[i] |= m[i];
    }
}

/* If one address prefix of 'st' alone rules out every rule of 'st' for
 * 'flow', marks just the bits that do so in 'wc' and returns true: no
 * rule here shares more than 'lcp' bits with the packet, so every
 * packet that agrees with it on lcp + 1 bits misses here too, whatever
 * its other fields. */
static bool
wc_for_prefix_miss(const struct subtable *st, const struct flow *flow,
                   struct flow *wc)
{
    for (int i = 0; i < N_PREFIX_FIELDS; i++) {
        const struct prefix_index *pi = &st->prefixes[i];
        if (pi->plen <= 0) {
            continue;
        }
        uint8_t value[16];
        prefix_bytes(pi->mf, flow, value);
        int lcp = prefix_index_lcp(pi, value);
        if (lcp >= pi->plen) {
            continue;
        }
        int len = lcp + 1;
        union mf_value mask;
        memset(&mask, 0, sizeof mask);
        if (mf_is_integer(pi->mf)) {
            mask.u64 = (UINT32_MAX << (32 - len)) & UINT32_MAX;
        } else {
            for (int b = 0; b < len; b++) {
                mask.ipv6.s6_addr[b / 8] |= 0x80 >> (b % 8);
            }
        }
        struct flow bits;
        memset(&bits, 0, sizeof bits);
        mf_set_flow(pi->mf, &mask, &bits);
        wc_or(wc, &bits);
        return true;
    }
    return false;
}

/* Marks the bits that explain a miss in stage 'k' of 'st'. */
static void
wc_for_miss(const struct subtable *st, int k, const struct flow *flow,
            struct flow *wc)
{
    if (k == 2 && wc_for_prefix_miss(st, flow, wc)) {
        return;
    }
    wc_or(wc, &st->cmask[k]);
}

static const struct entry *
find_entry(const struct subtable *st, const struct flow *flow, uint32_t hash)
{
    size_t lo = 0, hi = st->n_entries;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (st->entries[mid].hash < hash) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    for (; lo < st->n_entries && st->entries[lo].hash == hash; lo++) {
        const struct entry *e = &st->entries[lo];
        const struct rule *r = st->chain[e->first];
        if (flow_equal_masked(flow, &r->match.flow, &st->mask)) {
            return e;
        }
    }
    return NULL;
}

/* The best rule of 'st' for 'flow', or NULL, marking 'wc'. */
static const struct rule *
subtable_lookup(const struct subtable *st, const struct flow *flow,
                struct flow *wc)
{
    for (int k = 0; k < st->last_stage; k++) {
        if (st->stage_used[k]
            && !u32_sorted_contains(st->stage_hashes[k],
                                    st->n_stage_hashes[k],
                                    words_hash(&st->cwords[k], flow))) {
            wc_for_miss(st, k, flow, wc);
            return NULL;
        }
    }
    int k = st->last_stage;
    const struct entry *e = find_entry(st, flow,
                                       words_hash(&st->cwords[k], flow));
    if (!e) {
        wc_for_miss(st, k, flow, wc);
        return NULL;
    }
    wc_or(wc, &st->mask);
    return st->chain[e->first];
}

const struct rule *
rule_table_lookup(const struct rule_table *t, const struct flow *flow,
                  struct flow *wc)
{
    const struct rule *best = NULL;
    for (size_t i = 0; t && i < t->n_subtables; i++) {
        const struct subtable *st = &t->subtables[i];
        if (best && best->priority >= st->max_priority) {
            break;              /* Nothing better can follow. */
        }
        const struct rule *r = subtable_lookup(st, flow, wc);
        if (r && (!best || r->priority > best->priority)) {
            best = r;
        }
    }
    return best;
}
