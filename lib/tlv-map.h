/* A bridge's Geneve TLV map: which Geneve option (class, type, length)
 * each of the fields tun_metadata0 to tun_metadata7 holds, as
 * "ovs-ofctl add-tlv-map" sets it:
 *
 *     {class=0x102,type=0x80,len=4}->tun_metadata0
 *
 * A Geneve port of the bridge reads a mapped option into its field on
 * receive (so rules can match it) and writes a field a rule set, or that
 * came in with the packet, as its option on send.  An option with the
 * critical bit that the map does not name is one the switch does not
 * understand: RFC 8926 says to drop the packet.
 *
 * Each field holds 8 bytes, so options are 0, 4 or 8 bytes long (Open
 * vSwitch allows up to 124).  A value is the option's data as a
 * big-endian number: the 4-byte option 00 00 12 34 is 0x1234.  A
 * packet without the option has 0 in the field, so a rule that matches
 * tun_metadata0=0 matches it too.  Plain values; thread-safe as such. */
#ifndef TLV_MAP_H
#define TLV_MAP_H 1

#include <stdbool.h>
#include <stdint.h>
#include "flow.h"

struct ds;

struct tlv_map_entry {
    uint16_t opt_class;
    uint8_t type;
    uint8_t len;                /* Bytes of option data: 0, 4 or 8. */
};

struct tlv_map {
    uint8_t used;               /* Bit N: tun_metadataN is mapped. */
    struct tlv_map_entry slots[TUN_METADATA_SLOTS];
};

/* Parses "{class=C,type=T,len=L}->tun_metadataN[,...]" into 'map' (which
 * it clears first).  Returns NULL, or an error message to free(). */
char *tlv_map_parse(const char *s, struct tlv_map *map);

/* Adds the mappings in 'add' to 'map': all, or none and an error if a
 * field is taken or an option is mapped already. */
char *tlv_map_add(struct tlv_map *map, const struct tlv_map *add);

/* Removes the mappings in 'del' from 'map': all, or none and an error if
 * one is not there. */
char *tlv_map_del(struct tlv_map *map, const struct tlv_map *del);

/* The field that holds option 'opt_class'/'type' of 'len' bytes, or -1. */
int tlv_map_find(const struct tlv_map *, uint16_t opt_class, uint8_t type,
                 uint8_t len);

/* As ovs-ofctl dump-tlv-map prints it, without its first line. */
void tlv_map_format(const struct tlv_map *, struct ds *);

#endif /* tlv-map.h */
