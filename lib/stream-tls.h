/* TLS for "ssl:" and "pssl:" streams, with OpenSSL, in memory: the stream
 * module feeds it the bytes read from the socket and writes out the bytes
 * it produces, so TLS runs on the same libuv loop as everything else.
 *
 * Both ends authenticate: each presents the certificate configured with
 * tls_set_config() and requires the peer's to be signed by the configured
 * CA, as Open vSwitch's SSL remotes do (no host name check). */
#ifndef STREAM_TLS_H
#define STREAM_TLS_H 1

#include <stdbool.h>
#include <stddef.h>

struct ds;
struct tls_session;

/* Loads the private key, certificate and CA certificate (PEM files) for
 * every later session, or with all three NULL forgets them.  Returns NULL,
 * or an error message to free() (the previous configuration stays). */
char *tls_set_config(const char *private_key, const char *certificate,
                     const char *ca_cert);
bool tls_is_configured(void);

/* A session for a new connection, as its server or its client, or NULL if
 * TLS is not configured. */
struct tls_session *tls_session_create(bool is_server);
void tls_session_destroy(struct tls_session *);

/* Bytes read from the peer: appends what they decrypt to to 'plain'.
 * Returns 0, 1 if the peer closed the TLS session, or -EPROTO on a
 * failure (the handshake, the peer's certificate, a bad record), with
 * tls_session_error() saying why. */
int tls_session_receive(struct tls_session *, const void *data, size_t n,
                        struct ds *plain);
/* Plaintext to send; kept until the handshake is done.  Returns 0 or
 * -EPROTO after a failure. */
int tls_session_send(struct tls_session *, const void *data, size_t n);
/* Starts the handshake (a client) or a close_notify. */
void tls_session_start(struct tls_session *);
void tls_session_shutdown(struct tls_session *);
/* Moves the bytes to write to the peer into 'out'. */
void tls_session_take_output(struct tls_session *, struct ds *out);
const char *tls_session_error(const struct tls_session *);

#endif /* stream-tls.h */
