#include <config.h>
#include "ofproto-lite/ofp-actions.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"
#include "match.h"
#include "util.h"

/* Fields set_field may write, and the datapath can change. */
static const char *const settable_fields[] = {
    "tun_id", "tun_src", "tun_dst", "eth_src", "eth_dst", "ip_src",
    "ip_dst", "vlan_vid", "vlan_pcp", "tun_metadata0", "tun_metadata1",
    "tun_metadata2", "tun_metadata3", "tun_metadata4", "tun_metadata5",
    "tun_metadata6", "tun_metadata7",
};

struct ofpacts_builder {
    struct ofpact *acts;
    size_t n, allocated;
};

static struct ofpact *
put(struct ofpacts_builder *b, enum ofpact_type type)
{
    b->acts = x2nrealloc(b->acts, &b->allocated, b->n + 1, sizeof *b->acts);
    struct ofpact *a = &b->acts[b->n++];
    memset(a, 0, sizeof *a);
    a->type = type;
    return a;
}

static char *
parse_table(const char *s, uint8_t *table)
{
    int t;
    if (!str_to_int(s, 0, OFP_N_TABLES - 1, &t)) {
        return xasprintf("%s: not a table number from 0 to %d", s,
                         OFP_N_TABLES - 1);
    }
    *table = t;
    return NULL;
}

static char *
parse_output(struct ofpacts_builder *b, const char *arg,
             const struct port_namer *namer)
{
    uint32_t port;
    char *error = port_parse(arg, namer, &port);
    if (error) {
        free(error);
        return xasprintf("%s: output to unknown port", arg);
    }
    if (port == OFPP_CONTROLLER) {
        return xstrdup("output to CONTROLLER is not supported yet (no "
                       "OpenFlow controller connection)");
    }
    if (port == OFPP_NONE) {
        return xstrdup("NONE: output to unknown port");
    }
    put(b, OFPACT_OUTPUT)->port = port;
    return NULL;
}

/* "resubmit(PORT,TABLE)", "resubmit(,TABLE)", "resubmit:PORT". */
static char *
parse_resubmit(struct ofpacts_builder *b, const char *arg, bool paren,
               const struct port_namer *namer)
{
    struct ofpact *a = put(b, OFPACT_RESUBMIT);
    a->port = OFPP_IN_PORT;
    a->table = 255;

    char *copy = xstrdup(arg), *error = NULL;
    char *table = paren ? strchr(copy, ',') : NULL;
    if (table) {
        *table++ = '\0';
    }
    if (*copy) {
        error = port_parse(copy, namer, &a->port);
        if (error) {
            free(error);
            error = xasprintf("%s: resubmit to unknown port", copy);
        }
    }
    if (!error && table && *table) {
        error = parse_table(table, &a->table);
    }
    if (!error && !*copy && (!table || !*table)) {
        error = xstrdup("resubmit needs a port or a table");
    }
    free(copy);
    if (error) {
        b->n--;
    }
    return error;
}

static char *
parse_set_field(struct ofpacts_builder *b, const char *arg)
{
    const char *arrow = strstr(arg, "->");
    if (!arrow) {
        return xasprintf("%s: set_field needs VALUE->FIELD", arg);
    }
    const char *name = arrow + 2;
    const struct mf_field *mf = mf_from_name(name);
    bool settable = false;
    for (size_t i = 0; mf && i < ARRAY_SIZE(settable_fields); i++) {
        settable |= mf == mf_from_name(settable_fields[i]);
    }
    if (!mf) {
        return xasprintf("%s is not a valid field name", name);
    }
    if (!settable) {
        return xasprintf("%s: set_field cannot write this field", name);
    }

    char *value_s = xstrndup(arg, arrow - arg);
    union mf_value value, mask, exact;
    char *error = mf_parse(mf, value_s, &value, &mask);
    mf_exact_mask(mf, &exact);
    if (!error && memcmp(&mask, &exact, sizeof mask)) {
        error = xstrdup("set_field takes no mask");
    }
    if (error) {
        char *e = xasprintf("%s: %s", mf->name, error);
        free(error);
        free(value_s);
        return e;
    }
    free(value_s);
    struct ofpact *a = put(b, OFPACT_SET_FIELD);
    a->set_field.field = mf;
    a->set_field.value = value;
    return NULL;
}

static char *
parse_action(struct ofpacts_builder *b, char *item,
             const struct port_namer *namer, bool *dropped)
{
    char *arg = NULL;
    bool paren = false;
    char *sep = item + strcspn(item, ":(");
    if (*sep == ':') {
        *sep = '\0';
        arg = sep + 1;
    } else if (*sep == '(') {
        size_t len = strlen(sep);
        if (sep[len - 1] != ')') {
            return xasprintf("%s: missing \")\"", item);
        }
        sep[len - 1] = '\0';
        *sep = '\0';
        arg = sep + 1;
        paren = true;
    }
    const char *name = item;

    if (!arg) {
        uint32_t port;
        if (!strcasecmp(name, "drop")) {
            *dropped = true;
            return NULL;
        }
        if (!strcmp(name, "strip_vlan") || !strcmp(name, "pop_vlan")) {
            put(b, OFPACT_STRIP_VLAN);
            return NULL;
        }
        /* A bare port (number, reserved name or port name) outputs. */
        char *error = port_parse(name, namer, &port);
        if (!error) {
            return parse_output(b, name, namer);
        }
        free(error);
        return xasprintf("unknown action %s", name);
    }

    if (!strcmp(name, "output")) {
        return parse_output(b, arg, namer);
    } else if (!strcmp(name, "mod_vlan_vid")) {
        int vid;
        if (!str_to_int(arg, 0, VLAN_VID_MASK, &vid)) {
            return xasprintf("%s: not a valid VLAN VID", arg);
        }
        put(b, OFPACT_SET_VLAN_VID)->vid = vid;
    } else if (!strcmp(name, "mod_vlan_pcp")) {
        int pcp;
        if (!str_to_int(arg, 0, 7, &pcp)) {
            return xasprintf("%s: not a valid VLAN PCP", arg);
        }
        put(b, OFPACT_SET_VLAN_PCP)->pcp = pcp;
    } else if (!strcmp(name, "push_vlan")) {
        unsigned long long tpid;
        if (!str_to_ullong(arg, 0, UINT16_MAX, &tpid)
            || (tpid != ETH_TYPE_VLAN_8021Q && tpid != ETH_TYPE_VLAN_8021AD)) {
            return xasprintf("%s: not a valid VLAN ethertype", arg);
        }
        put(b, OFPACT_PUSH_VLAN)->tpid = htons(tpid);
    } else if (!strcmp(name, "mod_dl_src") || !strcmp(name, "mod_dl_dst")) {
        struct eth_addr mac;
        if (!eth_addr_from_string(arg, &mac)) {
            return xasprintf("invalid mac address %s", arg);
        }
        put(b, name[7] == 's' ? OFPACT_SET_ETH_SRC
                              : OFPACT_SET_ETH_DST)->mac = mac;
    } else if (!strcmp(name, "mod_nw_src") || !strcmp(name, "mod_nw_dst")) {
        uint32_t ip;
        if (!ipv4_from_string(arg, &ip)) {
            return xasprintf("invalid IP address %s", arg);
        }
        put(b, name[7] == 's' ? OFPACT_SET_IPV4_SRC
                              : OFPACT_SET_IPV4_DST)->ipv4 = ip;
    } else if (!strcmp(name, "set_field")) {
        return parse_set_field(b, arg);
    } else if (!strcmp(name, "set_tunnel") || !strcmp(name, "set_tunnel64")) {
        char *with_field = xasprintf("%s->tun_id", arg);
        char *error = parse_set_field(b, with_field);
        free(with_field);
        return error;
    } else if (!strcmp(name, "resubmit")) {
        return parse_resubmit(b, arg, paren, namer);
    } else if (!strcmp(name, "goto_table")) {
        uint8_t table = 0;
        char *error = parse_table(arg, &table);
        if (error) {
            return error;
        }
        put(b, OFPACT_GOTO_TABLE)->table = table;
    } else {
        return xasprintf("unknown action %s", name);
    }
    return NULL;
}

/* Splits at commas outside parentheses. */
static char *
next_item(char **s)
{
    while (**s == ',' || **s == ' ') {
        (*s)++;
    }
    if (!**s) {
        return NULL;
    }
    char *start = *s;
    int depth = 0;
    for (; **s; (*s)++) {
        if (**s == '(') {
            depth++;
        } else if (**s == ')') {
            depth--;
        } else if (**s == ',' && !depth) {
            *(*s)++ = '\0';
            break;
        }
    }
    return start;
}

char *
ofpacts_parse(const char *text, const struct port_namer *namer,
              struct ofpacts **actsp)
{
    struct ofpacts_builder b = { NULL, 0, 0 };
    char *copy = xstrdup(text), *s = copy, *item, *error = NULL;
    bool dropped = false;

    while (!error && (item = next_item(&s))) {
        error = parse_action(&b, item, namer, &dropped);
    }
    if (!error && dropped && b.n) {
        error = xstrdup("\"drop\" must not be accompanied by any other "
                        "action");
    }
    free(copy);
    if (error) {
        free(b.acts);
        return error;
    }

    struct ofpacts *acts = xmalloc(sizeof *acts + b.n * sizeof *acts->acts);
    acts->n = b.n;
    if (b.n) {
        memcpy(acts->acts, b.acts, b.n * sizeof *acts->acts);
    }
    free(b.acts);
    *actsp = acts;
    return NULL;
}

/* The OXM-style name ("eth_src", "ip_dst") that set_field users write,
 * where the field has one. */
static const char *
set_field_name(const struct mf_field *mf)
{
    bool legacy = !strncmp(mf->name, "dl_", 3) || !strncmp(mf->name, "nw_", 3);
    return legacy && mf->alias ? mf->alias : mf->name;
}

char *
ofpacts_check(const struct ofpacts *acts, const struct match *match,
              uint8_t table_id)
{
    for (size_t i = 0; i < acts->n; i++) {
        const struct ofpact *a = &acts->acts[i];
        if (a->type == OFPACT_GOTO_TABLE) {
            if (i != acts->n - 1) {
                return xstrdup("goto_table must be the last action");
            }
            if (a->table <= table_id) {
                return xasprintf("goto_table:%u from table %u: goto_table "
                                 "must go to a later table", a->table,
                                 table_id);
            }
        } else if (a->type == OFPACT_SET_FIELD
                   && !mf_prereqs_ok(a->set_field.field, match)) {
            return xasprintf("set_field %s lacks correct prerequisites "
                             "(the rule must match the protocol, e.g. "
                             "\"ip\")", set_field_name(a->set_field.field));
        }
    }
    return NULL;
}

void
ofpact_format(const struct ofpact *a, const struct port_namer *namer,
              struct ds *ds)
{
    switch (a->type) {
    case OFPACT_OUTPUT:
        if (a->port >= OFPP_MAX) {
            port_format(a->port, NULL, ds);
        } else {
            ds_put_cstr(ds, "output:");
            port_format(a->port, namer, ds);
        }
        break;
    case OFPACT_SET_VLAN_VID:
        ds_put_format(ds, "mod_vlan_vid:%u", a->vid);
        break;
    case OFPACT_SET_VLAN_PCP:
        ds_put_format(ds, "mod_vlan_pcp:%u", a->pcp);
        break;
    case OFPACT_PUSH_VLAN:
        ds_put_format(ds, "push_vlan:0x%04x", ntohs(a->tpid));
        break;
    case OFPACT_STRIP_VLAN:
        ds_put_cstr(ds, "strip_vlan");
        break;
    case OFPACT_SET_ETH_SRC:
    case OFPACT_SET_ETH_DST:
        ds_put_format(ds, "mod_dl_%s:" ETH_ADDR_FMT,
                      a->type == OFPACT_SET_ETH_SRC ? "src" : "dst",
                      ETH_ADDR_ARGS(a->mac));
        break;
    case OFPACT_SET_IPV4_SRC:
    case OFPACT_SET_IPV4_DST: {
        char buf[INET_ADDRSTRLEN];
        ds_put_format(ds, "mod_nw_%s:%s",
                      a->type == OFPACT_SET_IPV4_SRC ? "src" : "dst",
                      inet_ntop(AF_INET, &a->ipv4, buf, sizeof buf));
        break;
    }
    case OFPACT_SET_FIELD:
        ds_put_cstr(ds, "set_field:");
        mf_format(a->set_field.field, &a->set_field.value, NULL, ds);
        ds_put_format(ds, "->%s", set_field_name(a->set_field.field));
        break;
    case OFPACT_RESUBMIT:
        if (a->table == 255) {
            ds_put_cstr(ds, "resubmit:");
            port_format(a->port, namer, ds);
        } else {
            ds_put_cstr(ds, "resubmit(");
            if (a->port != OFPP_IN_PORT) {
                port_format(a->port, namer, ds);
            }
            ds_put_format(ds, ",%u)", a->table);
        }
        break;
    case OFPACT_GOTO_TABLE:
        ds_put_format(ds, "goto_table:%u", a->table);
        break;
    }
}

void
ofpacts_format(const struct ofpacts *acts, const struct port_namer *namer,
               struct ds *ds)
{
    if (!acts->n) {
        ds_put_cstr(ds, "drop");
    }
    for (size_t i = 0; i < acts->n; i++) {
        if (i) {
            ds_put_char(ds, ',');
        }
        ofpact_format(&acts->acts[i], namer, ds);
    }
}

bool
ofpacts_equal(const struct ofpacts *a, const struct ofpacts *b)
{
    return a->n == b->n && !memcmp(a->acts, b->acts,
                                   a->n * sizeof *a->acts);
}

bool
ofpacts_output_to(const struct ofpacts *acts, uint32_t port)
{
    for (size_t i = 0; i < acts->n; i++) {
        if (acts->acts[i].type == OFPACT_OUTPUT
            && acts->acts[i].port == port) {
            return true;
        }
    }
    return false;
}
