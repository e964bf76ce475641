/* Reading and writing classic pcap files (Ethernet link type), so that
 * what a dummy port sends can be inspected with tcpdump or tshark. */
#ifndef PCAP_FILE_H
#define PCAP_FILE_H 1

#include <stdio.h>

struct dp_packet;

/* Creates (truncating) 'path' and writes the file header.  Returns 0 or a
 * negative errno. */
int pcap_open_write(const char *path, FILE **);
/* Opens 'path' and checks the file header. */
int pcap_open_read(const char *path, FILE **);
/* Appends one frame (buffered: fflush() after a batch).  Returns 0 or a
 * negative errno. */
int pcap_write(FILE *, const struct dp_packet *);
/* Reads the next frame into '*packetp' (NULL at the end of the file).
 * Returns 0 or a negative errno. */
int pcap_read(FILE *, struct dp_packet **packetp);

#endif /* pcap-file.h */
