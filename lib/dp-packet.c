#include <config.h>
#include "dp-packet.h"

#include <stdlib.h>
#include <string.h>

/* The buffer normally follows the struct in one allocation: one malloc
 * and one free per packet on the fast path, not two.  A buffer that
 * outgrows it moves to an allocation of its own. */
static bool
dp_packet_buffer_is_inline(const struct dp_packet *p)
{
    return p->base == (const char *) (p + 1);
}

struct dp_packet *
dp_packet_new(size_t size)
{
    size_t allocated = DP_PACKET_HEADROOM + size;
    struct dp_packet *p = xmalloc(sizeof *p + allocated);
    memset(p, 0, sizeof *p);
    p->base = (char *) (p + 1);
    p->allocated = allocated;
    p->data_ofs = DP_PACKET_HEADROOM;
    return p;
}

/* Gives 'p' a separate buffer of 'allocated' bytes holding what it had. */
static void
dp_packet_resize(struct dp_packet *p, size_t allocated)
{
    if (dp_packet_buffer_is_inline(p)) {
        char *base = xmalloc(allocated);
        memcpy(base, p->base, MIN(allocated, p->data_ofs + p->size));
        p->base = base;
    } else {
        p->base = xrealloc(p->base, allocated);
    }
    p->allocated = allocated;
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
        if (!dp_packet_buffer_is_inline(p)) {
            free(p->base);
        }
        free(p);
    }
}

void *
dp_packet_put(struct dp_packet *p, const void *data, size_t n)
{
    size_t needed = p->data_ofs + p->size + n;
    if (needed > p->allocated) {
        dp_packet_resize(p, needed * 2);
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

struct dp_packet *
dp_packet_new_tail(size_t head, size_t tail)
{
    struct dp_packet *p = dp_packet_new(head + tail);
    p->data_ofs += head;
    return p;
}

void
dp_packet_prepend_head(struct dp_packet *p, size_t n,
                       const struct dp_packet *head)
{
    p->size = n;
    memcpy(dp_packet_push_uninit(p, head->size), dp_packet_data(head),
           head->size);
    p->md = head->md;
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
        if (!dp_packet_buffer_is_inline(p)) {
            free(p->base);
        }
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
