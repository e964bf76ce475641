#include <config.h>
#include "uuid.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include "util.h"

void
uuid_generate(struct uuid *uuid)
{
    /* getrandom() never fails for small requests once the pool is ready;
     * fall back to OpenSSL's generator anyway rather than abort. */
    if (getrandom(uuid, sizeof *uuid, 0) != sizeof *uuid
        && RAND_bytes((unsigned char *) uuid, sizeof *uuid) != 1) {
        sw_fatal("cannot get random bytes for a UUID");
    }
    uuid->parts[1] = (uuid->parts[1] & ~0xf000u) | 0x4000u; /* Version 4. */
    uuid->parts[2] = (uuid->parts[2] & ~0xc0000000u) | 0x80000000u;
}

void
uuid_zero(struct uuid *uuid)
{
    memset(uuid, 0, sizeof *uuid);
}

bool
uuid_is_zero(const struct uuid *uuid)
{
    return !(uuid->parts[0] | uuid->parts[1] | uuid->parts[2]
             | uuid->parts[3]);
}

static bool
parse_hex(const char *s, int n, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < n; i++) {
        int c = (unsigned char) s[i];
        if (!isxdigit(c)) {
            return false;
        }
        v = (v << 4) | (isdigit(c) ? c - '0' : (tolower(c) - 'a' + 10));
    }
    *out = v;
    return true;
}

bool
uuid_from_string(struct uuid *uuid, const char *s)
{
    uint32_t a, b, c, d, e, f;
    if (strlen(s) != UUID_LEN || s[8] != '-' || s[13] != '-'
        || s[18] != '-' || s[23] != '-'
        || !parse_hex(s, 8, &a) || !parse_hex(s + 9, 4, &b)
        || !parse_hex(s + 14, 4, &c) || !parse_hex(s + 19, 4, &d)
        || !parse_hex(s + 24, 4, &e) || !parse_hex(s + 28, 8, &f)) {
        return false;
    }
    uuid->parts[0] = a;
    uuid->parts[1] = (b << 16) | c;
    uuid->parts[2] = (d << 16) | e;
    uuid->parts[3] = f;
    return true;
}

bool
uuid_is_string(const char *s)
{
    struct uuid dummy;
    return uuid_from_string(&dummy, s);
}

int
uuid_compare(const struct uuid *a, const struct uuid *b)
{
    for (int i = 0; i < 4; i++) {
        if (a->parts[i] != b->parts[i]) {
            return a->parts[i] < b->parts[i] ? -1 : 1;
        }
    }
    return 0;
}
