#include <config.h>
#include "stream.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "dynamic-string.h"
#include "stream-tls.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(stream);

enum {
    STREAM_READ_BUF = 65536,
    STREAM_FLUSH_MSEC = 5000,   /* Longest wait for a flush on close. */
};

union stream_handle {
    uv_handle_t handle;
    uv_stream_t stream;
    uv_pipe_t pipe;
    uv_tcp_t tcp;
};

struct stream {
    union stream_handle h;
    char *name;
    void *aux;
    const struct stream_callbacks *cb;
    stream_connect_cb *connect_cb;
    uv_connect_t connect_req;
    uv_shutdown_t shutdown_req;
    size_t backlog;
    bool broken;                /* A write failed: refuse more. */
    bool closing;
    bool paused;
    char *read_buf;
    uv_timer_t *flush_timer;    /* Bounds a flush on close, if any. */
    int n_open_handles;         /* Freed when both handles closed. */
    struct tls_session *tls;    /* For "ssl:", else NULL. */
};

struct pstream {
    union stream_handle h;
    char *name;
    char *unix_path;            /* For "punix:", to unlink on close. */
    bool tls;                   /* "pssl:". */
    void *aux;
    pstream_accept_cb *accept_cb;
};

struct write_req {
    uv_write_t req;
    struct stream *stream;
    size_t n;
    char data[];
};

/* Splits "IP:PORT" or "[IPv6]:PORT" (with 'port_first', "PORT[:IP]") into
 * a socket address.  Returns 0 or -EINVAL. */
static int
parse_inet(const char *s, bool port_first, struct sockaddr_storage *ss)
{
    char *copy = xstrdup(s), *host, *port;
    int error = -EINVAL, port_no;

    if (port_first) {
        port = copy;
        host = strchr(copy, ':');
        if (host) {
            *host++ = '\0';
        } else {
            host = "0.0.0.0";
        }
    } else if (copy[0] == '[') {
        host = copy + 1;
        port = strstr(host, "]:");
        if (!port) {
            goto out;
        }
        *port = '\0';
        port += 2;
    } else {
        host = copy;
        port = strrchr(copy, ':');
        if (!port) {
            goto out;
        }
        *port++ = '\0';
    }
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        host++;
        host[strlen(host) - 1] = '\0';
    }
    if (!str_to_int(port, 0, 65535, &port_no)) {
        goto out;
    }
    memset(ss, 0, sizeof *ss);
    if (!uv_ip4_addr(host, port_no, (struct sockaddr_in *) ss)
        || !uv_ip6_addr(host, port_no, (struct sockaddr_in6 *) ss)) {
        error = 0;
    }
out:
    free(copy);
    return error;
}

static int
check_unix_path(const char *path)
{
    if (!*path) {
        return -EINVAL;
    }
    if (strlen(path) >= sizeof ((struct sockaddr_un *) 0)->sun_path) {
        return -ENAMETOOLONG;
    }
    return 0;
}

bool
stream_name_is_valid(const char *name)
{
    struct sockaddr_storage ss;
    return ((str_starts_with(name, "unix:") && !check_unix_path(name + 5))
            || (str_starts_with(name, "tcp:")
                && !parse_inet(name + 4, false, &ss))
            || (str_starts_with(name, "ssl:")
                && !parse_inet(name + 4, false, &ss)));
}

bool
pstream_name_is_valid(const char *name)
{
    struct sockaddr_storage ss;
    return ((str_starts_with(name, "punix:") && !check_unix_path(name + 6))
            || (str_starts_with(name, "ptcp:")
                && !parse_inet(name + 5, true, &ss))
            || (str_starts_with(name, "pssl:")
                && !parse_inet(name + 5, true, &ss)));
}

static struct stream *
stream_create(const char *name)
{
    struct stream *stream = xzalloc(sizeof *stream);
    stream->name = xstrdup(name);
    stream->h.handle.data = stream;
    stream->n_open_handles = 1;
    return stream;
}

static void
stream_free(uv_handle_t *handle)
{
    struct stream *stream = handle->data;
    if (--stream->n_open_handles > 0) {
        return;                 /* The other handle is still closing. */
    }
    tls_session_destroy(stream->tls);
    free(stream->flush_timer);
    free(stream->read_buf);
    free(stream->name);
    free(stream);
}

static int stream_write_raw(struct stream *, const void *data, size_t n);

/* Writes out what TLS has for the peer. */
static int
stream_flush_tls(struct stream *stream)
{
    struct ds out = DS_EMPTY_INITIALIZER;
    tls_session_take_output(stream->tls, &out);
    int error = out.length ? stream_write_raw(stream, out.string, out.length)
                           : 0;
    ds_destroy(&out);
    return error;
}

static void
stream_on_connect(uv_connect_t *req, int status)
{
    struct stream *stream = req->data;
    if (!stream->closing) {
        if (!status && stream->tls) {
            tls_session_start(stream->tls);
            status = stream_flush_tls(stream);
        }
        stream->connect_cb(stream, status);
    }
}

int
stream_open(uv_loop_t *loop, const char *name, stream_connect_cb *cb,
            void *aux, struct stream **streamp)
{
    struct stream *stream;
    int error;

    *streamp = NULL;
    if (str_starts_with(name, "unix:")) {
        error = check_unix_path(name + 5);
        if (error) {
            return error;
        }
        stream = stream_create(name);
        uv_pipe_init(loop, &stream->h.pipe, 0);
        stream->connect_req.data = stream;
        uv_pipe_connect(&stream->connect_req, &stream->h.pipe, name + 5,
                        stream_on_connect);
    } else if (str_starts_with(name, "tcp:")
               || str_starts_with(name, "ssl:")) {
        struct sockaddr_storage ss;
        error = parse_inet(name + 4, false, &ss);
        if (error) {
            return error;
        }
        struct tls_session *tls = NULL;
        if (name[0] == 's') {
            tls = tls_session_create(false);
            if (!tls) {
                return -ENOKEY;     /* No key, certificate or CA. */
            }
        }
        stream = stream_create(name);
        stream->tls = tls;
        uv_tcp_init(loop, &stream->h.tcp);
        uv_tcp_nodelay(&stream->h.tcp, 1);
        stream->connect_req.data = stream;
        error = uv_tcp_connect(&stream->connect_req, &stream->h.tcp,
                               (struct sockaddr *) &ss, stream_on_connect);
        if (error) {
            uv_close(&stream->h.handle, stream_free);
            return error;
        }
    } else {
        return -EAFNOSUPPORT;
    }
    stream->connect_cb = cb;
    stream->aux = aux;
    *streamp = stream;
    return 0;
}

static void
stream_alloc_cb(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    struct stream *stream = handle->data;
    if (!stream->read_buf) {
        stream->read_buf = xmalloc(STREAM_READ_BUF);
    }
    *buf = uv_buf_init(stream->read_buf, STREAM_READ_BUF);
}

static struct vlog_rate_limit tls_rl = VLOG_RATE_LIMIT_INIT(10, 10);

/* Decrypts what came in, answers the handshake, and passes the plaintext
 * on; a peer that failed TLS or closed its session gets on_eof(). */
static void
stream_read_tls(struct stream *stream, const char *data, size_t n)
{
    struct ds plain = DS_EMPTY_INITIALIZER;
    int retval = tls_session_receive(stream->tls, data, n, &plain);
    stream_flush_tls(stream);
    if (plain.length) {
        stream->cb->on_read(stream, plain.string, plain.length);
    }
    ds_destroy(&plain);
    if (retval && !stream->closing) {
        if (retval < 0) {
            VLOG_WARN_RL(&tls_rl, "%s: %s", stream->name,
                         tls_session_error(stream->tls));
        }
        uv_read_stop(&stream->h.stream);
        stream->cb->on_eof(stream, retval < 0 ? retval : 0);
    }
}

static void
stream_read_cb(uv_stream_t *handle, ssize_t nread, const uv_buf_t *buf)
{
    struct stream *stream = handle->data;
    if (stream->closing) {
        return;
    }
    if (nread > 0 && stream->tls) {
        stream_read_tls(stream, buf->base, nread);
    } else if (nread > 0) {
        stream->cb->on_read(stream, buf->base, nread);
    } else if (nread < 0) {
        uv_read_stop(handle);
        stream->cb->on_eof(stream, nread == UV_EOF ? 0 : (int) nread);
    }
}

void
stream_start(struct stream *stream, const struct stream_callbacks *cb)
{
    stream->cb = cb;
    uv_read_start(&stream->h.stream, stream_alloc_cb, stream_read_cb);
}

void
stream_pause(struct stream *stream)
{
    if (!stream->paused && !stream->closing) {
        stream->paused = true;
        uv_read_stop(&stream->h.stream);
    }
}

void
stream_resume(struct stream *stream)
{
    if (stream->paused && !stream->closing) {
        stream->paused = false;
        uv_read_start(&stream->h.stream, stream_alloc_cb, stream_read_cb);
    }
}

static void
stream_write_done(uv_write_t *req, int status)
{
    struct write_req *wr = CONTAINER_OF(req, struct write_req, req);
    struct stream *stream = wr->stream;

    stream->backlog -= wr->n;
    if (status < 0 && status != UV_ECANCELED && !stream->broken) {
        stream->broken = true;
        VLOG_DBG("%s: send error: %s", stream->name, uv_strerror(status));
    }
    free(wr);
    if (!stream->backlog && !stream->closing && stream->cb
        && stream->cb->on_drained) {
        stream->cb->on_drained(stream);
    }
}

int
stream_write(struct stream *stream, const void *data, size_t n)
{
    if (stream->broken || stream->closing) {
        return -EPIPE;
    }
    if (stream->tls) {
        int error = tls_session_send(stream->tls, data, n);
        int flush_error = stream_flush_tls(stream);
        return error ? error : flush_error;
    }
    return stream_write_raw(stream, data, n);
}

/* Queues 'data' for the socket as it is. */
static int
stream_write_raw(struct stream *stream, const void *data, size_t n)
{
    struct write_req *wr = xmalloc(sizeof *wr + n);
    memcpy(wr->data, data, n);
    wr->stream = stream;
    wr->n = n;
    uv_buf_t buf = uv_buf_init(wr->data, n);
    int error = uv_write(&wr->req, &stream->h.stream, &buf, 1,
                         stream_write_done);
    if (error) {
        stream->broken = true;
        free(wr);
        return error;
    }
    stream->backlog += n;
    return 0;
}

size_t
stream_backlog(const struct stream *stream)
{
    return stream->backlog;
}

static void
stream_close_now(struct stream *stream)
{
    if (!uv_is_closing(&stream->h.handle)) {
        uv_close(&stream->h.handle, stream_free);
    }
    if (stream->flush_timer && !uv_is_closing(
            (uv_handle_t *) stream->flush_timer)) {
        uv_close((uv_handle_t *) stream->flush_timer, stream_free);
    }
}

static void
stream_shutdown_done(uv_shutdown_t *req, int status)
{
    stream_close_now(req->data);
}

/* A peer that does not read what a closing stream still has to send. */
static void
stream_flush_timeout(uv_timer_t *timer)
{
    struct stream *stream = timer->data;
    VLOG_DBG("%s: closing without sending %zu bytes", stream->name,
             stream->backlog);
    stream_close_now(stream);
}

void
stream_close(struct stream *stream, bool flush)
{
    if (!stream || stream->closing) {
        return;
    }
    if (flush && stream->tls && !stream->broken) {
        tls_session_shutdown(stream->tls);      /* close_notify. */
        stream_flush_tls(stream);
    }
    stream->closing = true;
    if (uv_is_active(&stream->h.handle)) {
        uv_read_stop(&stream->h.stream);
    }
    stream->shutdown_req.data = stream;
    if (!flush || !stream->backlog || stream->broken
        || uv_shutdown(&stream->shutdown_req, &stream->h.stream,
                       stream_shutdown_done)) {
        stream_close_now(stream);
        return;
    }
    stream->flush_timer = xzalloc(sizeof *stream->flush_timer);
    uv_timer_init(stream->h.handle.loop, stream->flush_timer);
    stream->flush_timer->data = stream;
    stream->n_open_handles++;
    uv_timer_start(stream->flush_timer, stream_flush_timeout,
                   STREAM_FLUSH_MSEC, 0);
}

const char *
stream_get_name(const struct stream *stream)
{
    return stream->name;
}

void *
stream_get_aux(const struct stream *stream)
{
    return stream->aux;
}

void
stream_set_aux(struct stream *stream, void *aux)
{
    stream->aux = aux;
}

static struct vlog_rate_limit accept_rl = VLOG_RATE_LIMIT_INIT(5, 5);

static void
pstream_on_connection(uv_stream_t *server, int status)
{
    struct pstream *pstream = server->data;
    if (status < 0) {
        /* Out of descriptors, typically: libuv drops the connection. */
        VLOG_WARN_RL(&accept_rl, "%s: accept failed: %s", pstream->name,
                     uv_strerror(status));
        return;
    }

    struct stream *stream;
    if (pstream->unix_path) {
        char *name = xasprintf("unix:%s", pstream->unix_path);
        stream = stream_create(name);
        free(name);
        uv_pipe_init(server->loop, &stream->h.pipe, 0);
    } else {
        stream = stream_create("tcp");
        uv_tcp_init(server->loop, &stream->h.tcp);
        uv_tcp_nodelay(&stream->h.tcp, 1);
        if (pstream->tls) {
            stream->tls = tls_session_create(true);
        }
    }
    int error = uv_accept(server, &stream->h.stream);
    if (error) {
        VLOG_WARN_RL(&accept_rl, "%s: accept failed: %s", pstream->name,
                     uv_strerror(error));
        uv_close(&stream->h.handle, stream_free);
        return;
    }
    if (!pstream->unix_path) {
        struct sockaddr_storage ss;
        int len = sizeof ss;
        char host[64] = "?";
        if (!uv_tcp_getpeername(&stream->h.tcp, (struct sockaddr *) &ss,
                                &len)) {
            if (ss.ss_family == AF_INET6) {
                uv_ip6_name((struct sockaddr_in6 *) &ss, host, sizeof host);
            } else {
                uv_ip4_name((struct sockaddr_in *) &ss, host, sizeof host);
            }
        }
        free(stream->name);
        stream->name = xasprintf(
            ss.ss_family == AF_INET6 ? "%s:[%s]:%d" : "%s:%s:%d",
            pstream->tls ? "ssl" : "tcp", host,
            ntohs(((struct sockaddr_in *) &ss)->sin_port));
    }
    if (pstream->tls && !stream->tls) {
        VLOG_WARN_RL(&tls_rl, "%s: refused: no private key, certificate "
                     "and CA certificate are configured (set-ssl)",
                     stream->name);
        uv_close(&stream->h.handle, stream_free);
        return;
    }
    pstream->accept_cb(pstream, stream);
}

static void
pstream_free(uv_handle_t *handle)
{
    struct pstream *pstream = handle->data;
    free(pstream->name);
    free(pstream->unix_path);
    free(pstream);
}

int
pstream_open(uv_loop_t *loop, const char *name, pstream_accept_cb *cb,
             void *aux, struct pstream **pstreamp)
{
    struct pstream *pstream = xzalloc(sizeof *pstream);
    int error;

    *pstreamp = NULL;
    pstream->name = xstrdup(name);
    pstream->aux = aux;
    pstream->accept_cb = cb;
    pstream->h.handle.data = pstream;

    if (str_starts_with(name, "punix:")) {
        const char *path = name + 6;
        struct stat st;
        error = check_unix_path(path);
        if (error) {
            goto err_free;
        }
        uv_pipe_init(loop, &pstream->h.pipe, 0);
        if (!lstat(path, &st) && S_ISSOCK(st.st_mode)) {
            unlink(path);       /* Left by a daemon that died. */
        }
        /* Owner and group only, from the start: no window in which
         * anyone could connect. */
        mode_t old_umask = umask(0007);
        error = uv_pipe_bind(&pstream->h.pipe, path);
        umask(old_umask);
        if (error) {
            goto err_close;
        }
        pstream->unix_path = xstrdup(path);
    } else if (str_starts_with(name, "ptcp:")
               || str_starts_with(name, "pssl:")) {
        struct sockaddr_storage ss;
        pstream->tls = name[1] == 's';
        error = parse_inet(name + 5, true, &ss);
        if (error) {
            goto err_free;
        }
        uv_tcp_init(loop, &pstream->h.tcp);
        error = uv_tcp_bind(&pstream->h.tcp, (struct sockaddr *) &ss, 0);
        if (error) {
            goto err_close;
        }
    } else {
        error = -EAFNOSUPPORT;
        goto err_free;
    }

    error = uv_listen(&pstream->h.stream, 128, pstream_on_connection);
    if (error) {
        goto err_close;
    }
    *pstreamp = pstream;
    return 0;

err_close:
    uv_close(&pstream->h.handle, pstream_free);
    return error;
err_free:
    pstream_free(&pstream->h.handle);
    return error;
}

void
pstream_close(struct pstream *pstream)
{
    if (pstream) {
        if (pstream->unix_path) {
            unlink(pstream->unix_path);
        }
        uv_close(&pstream->h.handle, pstream_free);
    }
}

const char *
pstream_get_name(const struct pstream *pstream)
{
    return pstream->name;
}

void *
pstream_get_aux(const struct pstream *pstream)
{
    return pstream->aux;
}

int
pstream_get_port(const struct pstream *pstream)
{
    struct sockaddr_storage ss;
    int len = sizeof ss;
    if (pstream->unix_path
        || uv_tcp_getsockname(&pstream->h.tcp, (struct sockaddr *) &ss,
                              &len)) {
        return 0;
    }
    return ntohs(((struct sockaddr_in *) &ss)->sin_port);
}
