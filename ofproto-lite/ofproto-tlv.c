/* A bridge's Geneve TLV map from sw-ofctl (add-tlv-map, del-tlv-map,
 * dump-tlv-map, as in ovs-ofctl), and the check that keeps rules from
 * using a tun_metadataN field that the map does not name: such a field
 * would never hold anything on receive nor reach the wire on send. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"
#include "meta-flow.h"
#include "ofproto-lite/ofp-flow.h"
#include "ofproto-lite/ofproto-private.h"
#include "tlv-map.h"
#include "unixctl.h"
#include "util.h"

/* The first tun_metadataN that 'fm' matches or sets and 'map' does not
 * name, or -1. */
static int
unmapped_slot(const struct tlv_map *map, const struct ofp_flow_mod *fm)
{
    for (int i = 0; i < TUN_METADATA_SLOTS; i++) {
        if (fm->match.wc.tun_metadata[i] && !(map->used & (1u << i))) {
            return i;
        }
    }
    for (size_t i = 0; fm->actions && i < fm->actions->n; i++) {
        const struct ofpact *a = &fm->actions->acts[i];
        int slot = (a->type == OFPACT_SET_FIELD
                    ? mf_tun_metadata_slot(a->set_field.field) : -1);
        if (slot >= 0 && !(map->used & (1u << slot))) {
            return slot;
        }
    }
    return -1;
}

char *
ofproto_check_tlv_fields(const struct ofproto *ofproto,
                         const struct ofp_flow_mod *fm)
{
    int slot = unmapped_slot(&ofproto->tlv_map, fm);
    return (slot >= 0
            ? xasprintf("tun_metadata%d is not mapped to a Geneve option on "
                        "bridge %s (sw-ofctl add-tlv-map)", slot,
                        ofproto->name)
            : NULL);
}

/* ofctl/add-tlv-map BRIDGE MAP and ofctl/del-tlv-map BRIDGE [MAP]. */
static void
ofctl_change_tlv_map(struct unixctl_conn *conn, int argc, const char *argv[],
                     void *del_)
{
    bool del = del_ != NULL;
    struct ofproto *ofproto = ofproto_unixctl_find_bridge(conn, argv[1]);
    if (!ofproto) {
        return;
    }

    struct tlv_map map = ofproto->tlv_map;
    struct tlv_map change;
    char *error = NULL;
    if (del && argc < 3) {
        memset(&map, 0, sizeof map);        /* All of it. */
    } else {
        error = tlv_map_parse(argv[2], &change);
        if (!error) {
            error = (del ? tlv_map_del(&map, &change)
                         : tlv_map_add(&map, &change));
        }
    }
    if (error) {
        unixctl_command_reply_error(conn, error);
        free(error);
        return;
    }
    ofproto_set_tlv_map(ofproto, &map);
    ofproto_revalidate_if_needed();
    unixctl_command_reply(conn, NULL);
}

static void
ofctl_dump_tlv_map(struct unixctl_conn *conn, int argc,
                   const char *argv[], void *aux)
{
    struct ofproto *ofproto = ofproto_unixctl_find_bridge(conn, argv[1]);
    if (!ofproto) {
        return;
    }
    struct ds s = DS_EMPTY_INITIALIZER;
    tlv_map_format(&ofproto->tlv_map, &s);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

void
ofproto_tlv_init(void)
{
    static int del;
    unixctl_command_register("ofctl/add-tlv-map", "BRIDGE MAP", 2, 2,
                             ofctl_change_tlv_map, NULL);
    unixctl_command_register("ofctl/del-tlv-map", "BRIDGE [MAP]", 1, 2,
                             ofctl_change_tlv_map, &del);
    unixctl_command_register("ofctl/dump-tlv-map", "BRIDGE", 1, 1,
                             ofctl_dump_tlv_map, NULL);
}
