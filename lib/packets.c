#include <config.h>
#include "packets.h"

#include <arpa/inet.h>
#include <stdio.h>
#include "hash.h"

bool
eth_addr_from_string(const char *s, struct eth_addr *ea)
{
    unsigned int b[ETH_ADDR_LEN];
    int n = 0;
    if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3],
               &b[4], &b[5], &n) != ETH_ADDR_LEN || s[n] || n != 17) {
        return false;
    }
    for (int i = 0; i < ETH_ADDR_LEN; i++) {
        ea->ea[i] = b[i];
    }
    return true;
}

struct eth_addr
eth_addr_local_from_seed(uint32_t seed)
{
    uint32_t h = hash_int(seed, 0x5eed);
    struct eth_addr ea = { { 0xaa, 0x55, h >> 24, h >> 16, h >> 8, h } };
    return ea;
}

bool
ipv4_from_string(const char *s, uint32_t *ip)
{
    struct in_addr addr;
    if (inet_pton(AF_INET, s, &addr) != 1) {
        return false;
    }
    *ip = addr.s_addr;
    return true;
}

uint16_t
inet_checksum(const void *data_, size_t len, uint32_t partial)
{
    const uint8_t *data = data_;
    uint32_t sum = partial;
    for (size_t i = 0; i + 1 < len; i += 2) {
        sum += (data[i] << 8) | data[i + 1];
    }
    if (len & 1) {
        sum += data[len - 1] << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return htons(~sum & 0xffff);
}
