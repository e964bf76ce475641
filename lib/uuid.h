/* RFC 4122 version 4 UUIDs, the identity of every DB row. */
#ifndef UUID_H
#define UUID_H 1

#include <stdbool.h>
#include <stdint.h>
#include "hash.h"

struct uuid {
    uint32_t parts[4];
};

enum { UUID_LEN = 36 };         /* Characters in the text form. */

#define UUID_FMT "%08x-%04x-%04x-%04x-%04x%08x"
#define UUID_ARGS(U)                              \
    (U)->parts[0],                                \
    (U)->parts[1] >> 16, (U)->parts[1] & 0xffff,  \
    (U)->parts[2] >> 16, (U)->parts[2] & 0xffff,  \
    (U)->parts[3]

void uuid_generate(struct uuid *);
void uuid_zero(struct uuid *);
bool uuid_is_zero(const struct uuid *);
bool uuid_from_string(struct uuid *, const char *);
bool uuid_is_string(const char *);
int uuid_compare(const struct uuid *, const struct uuid *);

static inline bool
uuid_equals(const struct uuid *a, const struct uuid *b)
{
    return (a->parts[0] == b->parts[0] && a->parts[1] == b->parts[1]
            && a->parts[2] == b->parts[2] && a->parts[3] == b->parts[3]);
}

static inline uint32_t
uuid_hash(const struct uuid *u)
{
    return u->parts[0];         /* Already random. */
}

#endif /* uuid.h */
