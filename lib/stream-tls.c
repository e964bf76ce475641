#include <config.h>
#include "stream-tls.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <string.h>
#include "dynamic-string.h"
#include "util.h"

enum { TLS_READ_CHUNK = 16384 };    /* One TLS record's worth. */

struct tls_session {
    SSL *ssl;
    BIO *rbio;                  /* Bytes from the peer, for OpenSSL. */
    BIO *wbio;                  /* Bytes from OpenSSL, for the peer. */
    struct ds pending;          /* Plaintext sent before the handshake. */
    bool handshake_done;
    char *error;
};

/* One context per role; replaced whole when the configuration changes,
 * while sessions keep a reference to the one they began with. */
static SSL_CTX *server_ctx, *client_ctx;

/* The reason for OpenSSL's last error, for messages. */
static char *
openssl_error(const char *what)
{
    unsigned long code = ERR_get_error();
    char buf[256] = "unknown error";
    if (code) {
        ERR_error_string_n(code, buf, sizeof buf);
    }
    ERR_clear_error();
    return xasprintf("%s: %s", what, buf);
}

static SSL_CTX *
make_ctx(bool is_server, const char *private_key, const char *certificate,
         const char *ca_cert, char **error)
{
    SSL_CTX *ctx = SSL_CTX_new(is_server ? TLS_server_method()
                                         : TLS_client_method());
    if (!ctx) {
        *error = openssl_error("cannot create a TLS context");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(ctx, certificate) != 1) {
        *error = openssl_error(certificate);
    } else if (SSL_CTX_use_PrivateKey_file(ctx, private_key,
                                           SSL_FILETYPE_PEM) != 1) {
        *error = openssl_error(private_key);
    } else if (SSL_CTX_check_private_key(ctx) != 1) {
        *error = openssl_error("private key does not match certificate");
    } else if (SSL_CTX_load_verify_locations(ctx, ca_cert, NULL) != 1) {
        *error = openssl_error(ca_cert);
    } else {
        /* Mutual authentication: no certificate, no session. */
        SSL_CTX_set_verify(ctx, (SSL_VERIFY_PEER
                                 | SSL_VERIFY_FAIL_IF_NO_PEER_CERT), NULL);
        return ctx;
    }
    SSL_CTX_free(ctx);
    return NULL;
}

char *
tls_set_config(const char *private_key, const char *certificate,
               const char *ca_cert)
{
    char *error = NULL;
    if (!private_key && !certificate && !ca_cert) {
        SSL_CTX_free(server_ctx);
        SSL_CTX_free(client_ctx);
        server_ctx = client_ctx = NULL;
        return NULL;
    }
    if (!private_key || !certificate || !ca_cert) {
        return xstrdup("a private key, a certificate and a CA certificate "
                       "are all needed");
    }
    SSL_CTX *server = make_ctx(true, private_key, certificate, ca_cert,
                               &error);
    SSL_CTX *client = server ? make_ctx(false, private_key, certificate,
                                        ca_cert, &error) : NULL;
    if (!client) {
        SSL_CTX_free(server);
        return error;
    }
    SSL_CTX_free(server_ctx);
    SSL_CTX_free(client_ctx);
    server_ctx = server;
    client_ctx = client;
    return NULL;
}

bool
tls_is_configured(void)
{
    return server_ctx != NULL;
}

struct tls_session *
tls_session_create(bool is_server)
{
    SSL_CTX *ctx = is_server ? server_ctx : client_ctx;
    if (!ctx) {
        return NULL;
    }
    struct tls_session *s = xzalloc(sizeof *s);
    s->ssl = SSL_new(ctx);
    s->rbio = BIO_new(BIO_s_mem());
    s->wbio = BIO_new(BIO_s_mem());
    if (!s->ssl || !s->rbio || !s->wbio) {
        sw_fatal("out of memory for a TLS session");
    }
    SSL_set_bio(s->ssl, s->rbio, s->wbio);     /* The SSL owns both. */
    if (is_server) {
        SSL_set_accept_state(s->ssl);
    } else {
        SSL_set_connect_state(s->ssl);
    }
    ds_init(&s->pending);
    return s;
}

void
tls_session_destroy(struct tls_session *s)
{
    if (s) {
        SSL_free(s->ssl);
        ds_destroy(&s->pending);
        free(s->error);
        free(s);
    }
}

static int
tls_session_fail(struct tls_session *s, const char *what)
{
    if (!s->error) {
        s->error = openssl_error(what);
    }
    return -EPROTO;
}

/* With memory BIOs a write takes everything at once, or fails. */
static int
tls_session_write(struct tls_session *s, const void *data, size_t n)
{
    ERR_clear_error();
    return SSL_write(s->ssl, data, n) == (int) n ? 0
           : tls_session_fail(s, "TLS send failed");
}

/* Runs the handshake as far as the input allows.  Returns 0 or -EPROTO. */
static int
tls_session_handshake(struct tls_session *s)
{
    if (s->handshake_done) {
        return 0;
    }
    /* SSL_get_error() reads the thread's error queue: it must hold only
     * what the call before it left. */
    ERR_clear_error();
    int retval = SSL_do_handshake(s->ssl);
    if (retval != 1) {
        int error = SSL_get_error(s->ssl, retval);
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
            return 0;
        }
        long verify = SSL_get_verify_result(s->ssl);
        return tls_session_fail(s, (verify != X509_V_OK
                                    ? X509_verify_cert_error_string(verify)
                                    : "TLS handshake failed"));
    }
    s->handshake_done = true;
    if (s->pending.length) {
        int error = tls_session_write(s, s->pending.string,
                                      s->pending.length);
        ds_clear(&s->pending);
        return error;
    }
    return 0;
}

void
tls_session_start(struct tls_session *s)
{
    tls_session_handshake(s);
}

int
tls_session_receive(struct tls_session *s, const void *data, size_t n,
                    struct ds *plain)
{
    if (s->error) {
        return -EPROTO;
    }
    if (n && BIO_write(s->rbio, data, n) != (int) n) {
        return tls_session_fail(s, "cannot buffer TLS input");
    }
    int error = tls_session_handshake(s);
    if (error || !s->handshake_done) {
        return error;
    }
    for (;;) {
        char *buf = ds_put_uninit(plain, TLS_READ_CHUNK);
        ERR_clear_error();
        int retval = SSL_read(s->ssl, buf, TLS_READ_CHUNK);
        ds_truncate(plain, plain->length - TLS_READ_CHUNK
                    + (retval > 0 ? retval : 0));
        if (retval > 0) {
            continue;
        }
        switch (SSL_get_error(s->ssl, retval)) {
        case SSL_ERROR_WANT_READ:
        case SSL_ERROR_WANT_WRITE:
            return 0;
        case SSL_ERROR_ZERO_RETURN:
            return 1;
        default:
            return tls_session_fail(s, "TLS receive failed");
        }
    }
}

int
tls_session_send(struct tls_session *s, const void *data, size_t n)
{
    if (s->error) {
        return -EPROTO;
    } else if (!s->handshake_done) {
        ds_put_buffer(&s->pending, data, n);
        return 0;
    }
    return n ? tls_session_write(s, data, n) : 0;
}

void
tls_session_shutdown(struct tls_session *s)
{
    if (s->handshake_done && !s->error) {
        ERR_clear_error();
        SSL_shutdown(s->ssl);   /* Queues close_notify; no reply awaited. */
        ERR_clear_error();
    }
}

void
tls_session_take_output(struct tls_session *s, struct ds *out)
{
    size_t n = BIO_ctrl_pending(s->wbio);
    if (n) {
        char *buf = ds_put_uninit(out, n);
        BIO_read(s->wbio, buf, n);
    }
}

const char *
tls_session_error(const struct tls_session *s)
{
    return s->error;
}
