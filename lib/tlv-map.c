#include <config.h>
#include "tlv-map.h"

#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"
#include "util.h"

/* "class=C", "type=T" or "len=L" into 'e'; '*seen' collects which. */
static char *
parse_key_value(const char *kv, struct tlv_map_entry *e, int *seen)
{
    static const struct {
        const char *name;
        unsigned long long max;
    } keys[] = { { "class", UINT16_MAX }, { "type", UINT8_MAX },
                 { "len", 8 } };
    const char *eq = strchr(kv, '=');
    size_t name_len = eq ? (size_t) (eq - kv) : strlen(kv);
    for (int i = 0; i < 3; i++) {
        if (strlen(keys[i].name) != name_len
            || strncmp(kv, keys[i].name, name_len)) {
            continue;
        }
        unsigned long long v;
        if (!eq || !str_to_ullong(eq + 1, 0, keys[i].max, &v)
            || (i == 2 && v % 4)) {
            return (i == 2
                    ? xasprintf("%s: len must be 0, 4 or 8 (a tun_metadata "
                                "field holds 8 bytes)", kv)
                    : xasprintf("%s: %s must be a number from 0 to %llu",
                                kv, keys[i].name, keys[i].max));
        }
        if (i == 0) {
            e->opt_class = v;
        } else if (i == 1) {
            e->type = v;
        } else {
            e->len = v;
        }
        *seen |= 1 << i;
        return NULL;
    }
    return xasprintf("%.*s: unknown key (class, type and len are)",
                     (int) name_len, kv);
}

/* One "{class=C,type=T,len=L}->tun_metadataN" at '*sp', which it moves
 * past. */
static char *
parse_mapping(const char **sp, struct tlv_map *map)
{
    const char *s = *sp;
    const char *close = strchr(s, '}');
    if (*s != '{' || !close || strncmp(close + 1, "->", 2)) {
        return xasprintf("%s: expected {class=C,type=T,len=L}->"
                         "tun_metadataN", s);
    }

    struct tlv_map_entry e = { 0, 0, 0 };
    int seen = 0;
    char *inner = xstrndup(s + 1, close - s - 1);
    char *save = NULL;
    char *error = NULL;
    for (char *kv = strtok_r(inner, ",", &save); kv && !error;
         kv = strtok_r(NULL, ",", &save)) {
        error = parse_key_value(kv, &e, &seen);
    }
    free(inner);
    if (!error && seen != 7) {
        error = xasprintf("%.*s: needs class, type and len",
                          (int) (close - s + 1), s);
    }
    if (error) {
        return error;
    }

    const char *field = close + 3;
    size_t field_len = strcspn(field, ",");
    char *name = xstrndup(field, field_len);
    int slot;
    if (!str_starts_with(name, "tun_metadata")
        || !str_to_int(name + strlen("tun_metadata"), 0,
                       TUN_METADATA_SLOTS - 1, &slot)) {
        error = xasprintf("%s: not a field from tun_metadata0 to "
                          "tun_metadata%d", name, TUN_METADATA_SLOTS - 1);
    } else if (map->used & (1u << slot)) {
        error = xasprintf("%s: mapped twice", name);
    } else {
        map->used |= 1u << slot;
        map->slots[slot] = e;
    }
    free(name);
    *sp = field + field_len + (field[field_len] == ',');
    return error;
}

char *
tlv_map_parse(const char *s, struct tlv_map *map)
{
    memset(map, 0, sizeof *map);
    if (!*s) {
        return xstrdup("empty TLV map");
    }
    while (*s) {
        char *error = parse_mapping(&s, map);
        if (error) {
            return error;
        }
    }
    return NULL;
}

static bool
entry_equal(const struct tlv_map_entry *a, const struct tlv_map_entry *b)
{
    return (a->opt_class == b->opt_class && a->type == b->type
            && a->len == b->len);
}

char *
tlv_map_add(struct tlv_map *map, const struct tlv_map *add)
{
    for (int i = 0; i < TUN_METADATA_SLOTS; i++) {
        if (!(add->used & (1u << i))) {
            continue;
        }
        const struct tlv_map_entry *e = &add->slots[i];
        if (map->used & (1u << i)) {
            return xasprintf("tun_metadata%d is mapped already", i);
        }
        for (int j = 0; j < TUN_METADATA_SLOTS; j++) {
            if (map->used & (1u << j)
                && map->slots[j].opt_class == e->opt_class
                && map->slots[j].type == e->type) {
                return xasprintf("option class=0x%x,type=0x%x is mapped "
                                 "already (to tun_metadata%d)",
                                 e->opt_class, e->type, j);
            }
        }
    }
    for (int i = 0; i < TUN_METADATA_SLOTS; i++) {
        if (add->used & (1u << i)) {
            map->slots[i] = add->slots[i];
        }
    }
    map->used |= add->used;
    return NULL;
}

char *
tlv_map_del(struct tlv_map *map, const struct tlv_map *del)
{
    for (int i = 0; i < TUN_METADATA_SLOTS; i++) {
        if (del->used & (1u << i)
            && (!(map->used & (1u << i))
                || !entry_equal(&map->slots[i], &del->slots[i]))) {
            return xasprintf("tun_metadata%d: no such mapping", i);
        }
    }
    map->used &= ~del->used;
    for (int i = 0; i < TUN_METADATA_SLOTS; i++) {
        if (!(map->used & (1u << i))) {
            memset(&map->slots[i], 0, sizeof map->slots[i]);
        }
    }
    return NULL;
}

int
tlv_map_find(const struct tlv_map *map, uint16_t opt_class, uint8_t type,
             uint8_t len)
{
    for (int i = 0; i < TUN_METADATA_SLOTS; i++) {
        const struct tlv_map_entry *e = &map->slots[i];
        if (map->used & (1u << i) && e->opt_class == opt_class
            && e->type == type && e->len == len) {
            return i;
        }
    }
    return -1;
}

void
tlv_map_format(const struct tlv_map *map, struct ds *ds)
{
    int space = 0;
    for (int i = 0; i < TUN_METADATA_SLOTS; i++) {
        if (map->used & (1u << i)) {
            space += map->slots[i].len;
        }
    }
    ds_put_format(ds, " max option space=%d max fields=%d\n"
                  " allocated option space=%d\n\n"
                  " mapping table:\n"
                  " class\ttype\tlength\tmatch field\n"
                  " -----\t----\t------\t-----------\n",
                  TUN_METADATA_SLOTS * 8, TUN_METADATA_SLOTS, space);
    for (int i = 0; i < TUN_METADATA_SLOTS; i++) {
        const struct tlv_map_entry *e = &map->slots[i];
        if (map->used & (1u << i)) {
            ds_put_format(ds, " 0x%x\t0x%x\t%d\ttun_metadata%d\n",
                          e->opt_class, e->type, e->len, i);
        }
    }
}
