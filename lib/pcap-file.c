#include <config.h>
#include "pcap-file.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "dp-packet.h"
#include "timeval.h"

enum {
    PCAP_MAGIC = 0xa1b2c3d4,
    PCAP_MAGIC_SWAPPED = 0xd4c3b2a1,
    PCAP_SNAPLEN = 65535,
    PCAP_LINKTYPE_ETHERNET = 1,
};

struct pcap_header {
    uint32_t magic;
    uint16_t version_major;
    uint16_t version_minor;
    int32_t thiszone;
    uint32_t sigfigs;
    uint32_t snaplen;
    uint32_t network;
};

struct pcap_record {
    uint32_t ts_sec;
    uint32_t ts_usec;
    uint32_t incl_len;
    uint32_t orig_len;
};

int
pcap_open_write(const char *path, FILE **filep)
{
    FILE *file = fopen(path, "wbe");
    if (!file) {
        return -errno;
    }
    struct pcap_header h = {
        .magic = PCAP_MAGIC,
        .version_major = 2,
        .version_minor = 4,
        .snaplen = PCAP_SNAPLEN,
        .network = PCAP_LINKTYPE_ETHERNET,
    };
    if (fwrite(&h, sizeof h, 1, file) != 1 || fflush(file)) {
        int err = -errno;
        fclose(file);
        return err ? err : -EIO;
    }
    *filep = file;
    return 0;
}

int
pcap_open_read(const char *path, FILE **filep)
{
    struct pcap_header h;
    FILE *file = fopen(path, "rbe");
    if (!file) {
        return -errno;
    }
    if (fread(&h, sizeof h, 1, file) != 1 || h.magic != PCAP_MAGIC
        || h.network != PCAP_LINKTYPE_ETHERNET) {
        /* Only files in our own byte order, as we write them. */
        fclose(file);
        return -EPROTO;
    }
    *filep = file;
    return 0;
}

int
pcap_write(FILE *file, const struct dp_packet *p)
{
    long long now = time_wall_msec();
    struct pcap_record r = {
        .ts_sec = now / 1000,
        .ts_usec = (now % 1000) * 1000,
        .incl_len = MIN(dp_packet_size(p), PCAP_SNAPLEN),
        .orig_len = dp_packet_size(p),
    };
    if (fwrite(&r, sizeof r, 1, file) != 1
        || fwrite(dp_packet_data(p), r.incl_len, 1, file) != 1) {
        return errno ? -errno : -EIO;
    }
    return 0;
}

int
pcap_read(FILE *file, struct dp_packet **packetp)
{
    struct pcap_record r;
    *packetp = NULL;
    size_t n = fread(&r, 1, sizeof r, file);
    if (n == 0 && feof(file)) {
        return 0;               /* The end. */
    }
    if (n != sizeof r || r.incl_len > PCAP_SNAPLEN) {
        return -EPROTO;
    }
    struct dp_packet *p = dp_packet_new(r.incl_len);
    if (fread(dp_packet_put(p, NULL, r.incl_len), 1, r.incl_len, file)
        != r.incl_len) {
        dp_packet_delete(p);
        return -EPROTO;
    }
    *packetp = p;
    return 0;
}
