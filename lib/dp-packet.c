#include <config.h>
#include "dp-packet.h"

#include <stdlib.h>
#include <string.h>

struct dp_packet *
dp_packet_new(size_t size)
{
    struct dp_packet *p = xzalloc(sizeof *p);
    p->allocated = DP_PACKET_HEADROOM + size;
    p->base = xmalloc(p->allocated);
    p->data_ofs = DP_PACKET_HEADROOM;
    return p;
}

struct dp_packet *
dp_packet_new_with_data(const void *data, size_t size)
{
    struct dp_packet *p = dp_packet_new(size);
    dp_packet_put(p, data, size);
    return p;
}

struct dp_packet *
dp_packet_clone(const struct dp_packet *src)
{
    struct dp_packet *p = dp_packet_new_with_data(dp_packet_data(src),
                                                  src->size);
    p->md = src->md;
    p->offload = src->offload;
    if (p->offload.csum_start) {
        p->offload.csum_start += p->data_ofs - src->data_ofs;
    }
    return p;
}

void
dp_packet_delete(struct dp_packet *p)
{
    if (p) {
        free(p->base);
        free(p);
    }
}

void *
dp_packet_put(struct dp_packet *p, const void *data, size_t n)
{
    size_t needed = p->data_ofs + p->size + n;
    if (needed > p->allocated) {
        p->allocated = needed * 2;
        p->base = xrealloc(p->base, p->allocated);
    }
    char *dst = p->base + p->data_ofs + p->size;
    if (data) {
        memcpy(dst, data, n);
    } else {
        memset(dst, 0, n);
    }
    p->size += n;
    return dst;
}

void *
dp_packet_push_uninit(struct dp_packet *p, size_t n)
{
    if (n > p->data_ofs) {
        /* Out of headroom: move the frame back. */
        size_t new_ofs = DP_PACKET_HEADROOM + n;
        size_t needed = new_ofs + p->size;
        char *base = xmalloc(needed);
        memcpy(base + new_ofs, dp_packet_data(p), p->size);
        free(p->base);
        p->base = base;
        p->allocated = needed;
        if (p->offload.csum_start) {
            p->offload.csum_start += new_ofs - p->data_ofs;
        }
        p->data_ofs = new_ofs;
    }
    p->data_ofs -= n;
    p->size += n;
    return dp_packet_data(p);
}

void
dp_packet_batch_delete(struct dp_packet_batch *batch)
{
    for (size_t i = 0; i < batch->count; i++) {
        dp_packet_delete(batch->packets[i]);
    }
    batch->count = 0;
}
