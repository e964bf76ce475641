#include <config.h>
#include "netdev/tnl-config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "smap.h"
#include "util.h"

bool
tnl_addr_is_ipv4(const struct in6_addr *a)
{
    return IN6_IS_ADDR_V4MAPPED(a);
}

/* Makes 'a' the v4-mapped form of 'ipv4' (4 bytes, network order). */
static void
tnl_addr_set_ipv4(struct in6_addr *a, const void *ipv4)
{
    memset(a, 0, sizeof *a);
    a->s6_addr[10] = a->s6_addr[11] = 0xff;
    memcpy(&a->s6_addr[12], ipv4, 4);
}

const char *
tnl_addr_format(const struct in6_addr *a, char buf[46])
{
    if (tnl_addr_is_ipv4(a)) {
        return inet_ntop(AF_INET, &a->s6_addr[12], buf, 46);
    }
    return inet_ntop(AF_INET6, a, buf, 46);
}

unsigned int
tnl_addr_to_sockaddr(const struct in6_addr *a, uint16_t port, int family,
                     struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *) ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        memcpy(&sin->sin_addr, &a->s6_addr[12], 4);
        return sizeof *sin;
    }
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    sin6->sin6_addr = *a;
    return sizeof *sin6;
}

void
tnl_addr_from_sockaddr(const struct sockaddr_storage *ss, struct in6_addr *a)
{
    if (ss->ss_family == AF_INET) {
        tnl_addr_set_ipv4(a, &((const struct sockaddr_in *) ss)->sin_addr);
    } else {
        *a = ((const struct sockaddr_in6 *) ss)->sin6_addr;
    }
}

/* Parses an IPv4 or IPv6 address into 'a'. */
static bool
tnl_addr_parse(const char *s, struct in6_addr *a)
{
    struct in_addr v4;
    if (inet_pton(AF_INET, s, &v4) == 1) {
        tnl_addr_set_ipv4(a, &v4);
        return true;
    }
    return inet_pton(AF_INET6, s, a) == 1 && !tnl_addr_is_ipv4(a);
}

static int
tnl_addr_family(const struct in6_addr *a)
{
    return tnl_addr_is_ipv4(a) ? AF_INET : AF_INET6;
}

/* remote_ip: "A" or "A,B,...": unicast addresses of one family. */
static int
parse_remotes(struct tnl_config *cfg, const char *name, const char *value,
              char **errp)
{
    char *copy = xstrdup(value), *save = NULL;
    int error = 0;
    for (char *s = strtok_r(copy, ", ", &save); s;
         s = strtok_r(NULL, ", ", &save)) {
        struct in6_addr a;
        if (!tnl_addr_parse(s, &a) || IN6_IS_ADDR_UNSPECIFIED(&a)
            || IN6_IS_ADDR_MULTICAST(&a)
            || (tnl_addr_is_ipv4(&a) && (a.s6_addr[12] >= 224
                                         || !memcmp(&a.s6_addr[12],
                                                    "\0\0\0\0", 4)))) {
            *errp = xasprintf("%s: remote_ip \"%s\" is not a unicast IPv4 "
                              "or IPv6 address", name, s);
            error = -EINVAL;
            break;
        }
        if (cfg->n_remotes && tnl_addr_family(&a) != cfg->family) {
            *errp = xasprintf("%s: remote_ip mixes IPv4 and IPv6 "
                              "addresses", name);
            error = -EINVAL;
            break;
        }
        cfg->family = tnl_addr_family(&a);
        cfg->remotes = xrealloc(cfg->remotes,
                                (cfg->n_remotes + 1) * sizeof *cfg->remotes);
        cfg->remotes[cfg->n_remotes++] = a;
    }
    if (!error && !cfg->n_remotes) {
        *errp = xasprintf("%s: remote_ip is empty", name);
        error = -EINVAL;
    }
    free(copy);
    return error;
}

/* A number in [min, max], or "inherit" (-1) if 'inherit_ok'. */
static int
parse_int_option(const char *name, const char *key, const char *value,
                 int min, int max, bool inherit_ok, int *out, char **errp)
{
    if (inherit_ok && !strcmp(value, "inherit")) {
        *out = -1;
        return 0;
    }
    if (!str_to_int(value, min, max, out)) {
        *errp = xasprintf("%s: %s \"%s\" is not a number from %d to %d%s",
                          name, key, value, min, max,
                          inherit_ok ? " or \"inherit\"" : "");
        return -EINVAL;
    }
    return 0;
}

static int
parse_bool_option(const char *name, const char *key, const char *value,
                  bool *out, char **errp)
{
    if (!strcmp(value, "true")) {
        *out = true;
    } else if (!strcmp(value, "false")) {
        *out = false;
    } else {
        *errp = xasprintf("%s: %s \"%s\" is not true or false", name, key,
                          value);
        return -EINVAL;
    }
    return 0;
}

int
tnl_config_parse(struct tnl_config *cfg, const char *name,
                 const struct tnl_config_rules *rules,
                 const struct smap *options, char **errp)
{
    *cfg = (struct tnl_config) {
        .family = AF_INET,
        .dst_port = rules->default_port,
        .tos = 0,
        .ttl = 64,
        .df = true,
    };
    *errp = NULL;

    const struct smap_node *node;
    int error = 0;
    SMAP_FOR_EACH (node, options) {
        const char *k = node->key, *v = node->value;
        int n;
        if (!strcmp(k, "remote_ip")) {
            if (!strcmp(v, "flow")) {
                *errp = xasprintf("%s: remote_ip=flow is not supported; "
                                  "leave remote_ip out to accept any "
                                  "remote", name);
                error = -EINVAL;
            } else {
                error = parse_remotes(cfg, name, v, errp);
            }
        } else if (!strcmp(k, "local_ip")) {
            if (!tnl_addr_parse(v, &cfg->local)) {
                *errp = xasprintf("%s: local_ip \"%s\" is not an IPv4 or "
                                  "IPv6 address", name, v);
                error = -EINVAL;
            }
            cfg->has_local = true;
        } else if (!strcmp(k, "key")) {
            unsigned long long key;
            cfg->has_key = true;
            if (!strcmp(v, "flow")) {
                cfg->key_flow = true;
            } else if (str_to_ullong(v, 0, rules->max_key, &key)) {
                cfg->key = key;
            } else {
                *errp = xasprintf("%s: key \"%s\" is not \"flow\" or a "
                                  "number from 0 to %"PRIu32" (a %s key)",
                                  name, v, rules->max_key, rules->type);
                error = -EINVAL;
            }
        } else if (!strcmp(k, "dst_port") && rules->default_port) {
            error = parse_int_option(name, k, v, 1, 65535, false, &n, errp);
            cfg->dst_port = n;
        } else if (!strcmp(k, "tos")) {
            error = parse_int_option(name, k, v, 0, 255, true, &cfg->tos,
                                     errp);
        } else if (!strcmp(k, "ttl")) {
            error = parse_int_option(name, k, v, 1, 255, true, &cfg->ttl,
                                     errp);
        } else if (!strcmp(k, "df_default")) {
            error = parse_bool_option(name, k, v, &cfg->df, errp);
        } else if (!strcmp(k, "csum")) {
            error = parse_bool_option(name, k, v, &cfg->csum, errp);
        } else if (!strcmp(k, "seq") && rules->has_seq) {
            error = parse_bool_option(name, k, v, &cfg->seq, errp);
        } else {
            *errp = xasprintf("%s: %s ports take no option \"%s\"", name,
                              rules->type, k);
            error = -EINVAL;
        }
        if (error) {
            break;
        }
    }

    if (!error && cfg->has_local) {
        if (cfg->n_remotes && tnl_addr_family(&cfg->local) != cfg->family) {
            *errp = xasprintf("%s: local_ip and remote_ip are of different "
                              "address families", name);
            error = -EINVAL;
        }
        cfg->family = tnl_addr_family(&cfg->local);
    }
    if (error) {
        tnl_config_destroy(cfg);
    }
    return error;
}

void
tnl_config_destroy(struct tnl_config *cfg)
{
    free(cfg->remotes);
    cfg->remotes = NULL;
    cfg->n_remotes = 0;
}
