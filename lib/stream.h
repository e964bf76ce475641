/* Byte streams over libuv: active connections ("unix:PATH",
 * "tcp:IP:PORT", "ssl:IP:PORT") and listeners ("punix:PATH",
 * "ptcp:PORT[:IP]", "pssl:PORT[:IP]").  "ssl" is TLS with the keys that
 * tls_set_config() (stream-tls.h) loaded; without them an "ssl:" stream
 * fails to open (-ENOKEY) and a "pssl:" listener refuses connections.
 *
 * Writes are queued and never block; stream_backlog() says how much is
 * still queued, so a caller can cut off a peer that does not read.  All
 * callbacks run on the loop's thread. */
#ifndef STREAM_H
#define STREAM_H 1

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

struct stream;
struct pstream;

struct stream_callbacks {
    /* 'n' bytes arrived.  May call stream_close(). */
    void (*on_read)(struct stream *, const char *data, size_t n);
    /* The peer closed (error 0) or the stream failed (negative errno).
     * The owner should call stream_close(). */
    void (*on_eof)(struct stream *, int error);
    /* Everything queued has been written.  May be NULL. */
    void (*on_drained)(struct stream *);
};

/* Opens an active connection.  'on_connect' gets 0 or a negative errno;
 * after an error the owner should call stream_close().  Returns 0 or a
 * negative errno (bad name) with '*streamp' NULL. */
typedef void stream_connect_cb(struct stream *, int error);
int stream_open(uv_loop_t *, const char *name, stream_connect_cb *,
                void *aux, struct stream **streamp);

/* Starts delivering data to 'cb'. */
void stream_start(struct stream *, const struct stream_callbacks *cb);

/* Stops and restarts delivering data (flow control: a peer that sends
 * requests faster than it reads replies is made to wait). */
void stream_pause(struct stream *);
void stream_resume(struct stream *);

/* Queues a copy of 'data' for sending.  Returns 0 or a negative errno if
 * the stream is already broken. */
int stream_write(struct stream *, const void *data, size_t n);
size_t stream_backlog(const struct stream *);

/* Closes the stream once queued data has been written (waiting a few
 * seconds at most), or at once if 'flush' is false.  No callback runs
 * for it afterwards; its memory goes when libuv is done with it. */
void stream_close(struct stream *, bool flush);

const char *stream_get_name(const struct stream *);
void *stream_get_aux(const struct stream *);
void stream_set_aux(struct stream *, void *aux);

/* Listeners.  'on_accept' gets each new connection, to stream_start() or
 * stream_close(). */
typedef void pstream_accept_cb(struct pstream *, struct stream *);
int pstream_open(uv_loop_t *, const char *name, pstream_accept_cb *,
                 void *aux, struct pstream **pstreamp);
void pstream_close(struct pstream *);
const char *pstream_get_name(const struct pstream *);
void *pstream_get_aux(const struct pstream *);
/* For "ptcp:" the port actually bound (useful with port 0), else 0. */
int pstream_get_port(const struct pstream *);

/* True if 'name' has the form of an active (or, for the second, a
 * passive) stream name that this module supports. */
bool stream_name_is_valid(const char *name);
bool pstream_name_is_valid(const char *name);

#endif /* stream.h */
