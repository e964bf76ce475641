/* A Linux interface's xdp_features, from the kernel's "netdev" generic
 * netlink family (see netdev-linux.h). */
#include <config.h>
#include "netdev/netdev-linux.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "util.h"

/* From <linux/netdev.h>, which Debian 12's headers (Linux 6.1) lack. */
enum {
    NETDEV_CMD_DEV_GET = 1,
    NETDEV_A_DEV_IFINDEX = 1,
    NETDEV_A_DEV_XDP_FEATURES = 3,
};

struct nl_request {
    struct nlmsghdr nlh;
    struct genlmsghdr genl;
    char attrs[64];
};

static void
nl_request_init(struct nl_request *req, uint16_t family, uint8_t cmd)
{
    memset(req, 0, sizeof *req);
    req->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
    req->nlh.nlmsg_type = family;
    req->nlh.nlmsg_flags = NLM_F_REQUEST;
    req->genl.cmd = cmd;
    req->genl.version = 1;
}

static void
nl_put_attr(struct nl_request *req, uint16_t type, const void *data,
            size_t len)
{
    struct nlattr *nla = (struct nlattr *) ((char *) req
                                            + NLMSG_ALIGN(req->nlh.nlmsg_len));
    nla->nla_type = type;
    nla->nla_len = NLA_HDRLEN + len;
    memcpy((char *) nla + NLA_HDRLEN, data, len);
    req->nlh.nlmsg_len = NLMSG_ALIGN(req->nlh.nlmsg_len)
                         + NLA_ALIGN(nla->nla_len);
}

/* Sends 'req' on 'fd' and finds attribute 'type' of the answer, copying
 * up to 'len' bytes of it to 'out'.  Returns 0 or a negative errno. */
static int
nl_transact_attr(int fd, struct nl_request *req, uint16_t type, void *out,
                 size_t len)
{
    if (send(fd, req, req->nlh.nlmsg_len, 0) < 0) {
        return -errno;
    }
    char buf[4096] __attribute__((aligned(NLMSG_ALIGNTO)));
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0) {
        return -errno;
    }
    struct nlmsghdr *nlh = (struct nlmsghdr *) buf;
    if (!NLMSG_OK(nlh, (size_t) n)) {
        return -EPROTO;
    }
    if (nlh->nlmsg_type == NLMSG_ERROR) {
        const struct nlmsgerr *err = NLMSG_DATA(nlh);
        return err->error ? err->error : -ENOENT;
    }
    size_t off = NLMSG_HDRLEN + GENL_HDRLEN;
    while (off + NLA_HDRLEN <= nlh->nlmsg_len) {
        const struct nlattr *nla = (const struct nlattr *) (buf + off);
        if (nla->nla_len < NLA_HDRLEN || off + nla->nla_len > nlh->nlmsg_len) {
            break;
        }
        if ((nla->nla_type & NLA_TYPE_MASK) == type) {
            memcpy(out, (const char *) nla + NLA_HDRLEN,
                   MIN(len, (size_t) nla->nla_len - NLA_HDRLEN));
            return 0;
        }
        off += NLA_ALIGN(nla->nla_len);
    }
    return -ENOENT;
}

/* The "netdev" family's number, asked once: or a negative errno. */
static int
netdev_family_id(int fd)
{
    static int id;              /* 0: not known yet.  Threads that race
                                 * here store the same number. */
    if (!id) {
        struct nl_request req;
        nl_request_init(&req, GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
        nl_put_attr(&req, CTRL_ATTR_FAMILY_NAME, "netdev", 7);
        uint16_t family = 0;
        int error = nl_transact_attr(fd, &req, CTRL_ATTR_FAMILY_ID, &family,
                                     sizeof family);
        id = error ? error : family;
    }
    return id;
}

int
linux_get_xdp_features(int ifindex, uint64_t *features)
{
    *features = 0;
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
    if (fd < 0) {
        return -errno;
    }
    struct timeval tv = { .tv_sec = 1 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

    int error = netdev_family_id(fd);
    if (error > 0) {
        struct nl_request req;
        nl_request_init(&req, error, NETDEV_CMD_DEV_GET);
        uint32_t index = ifindex;
        nl_put_attr(&req, NETDEV_A_DEV_IFINDEX, &index, sizeof index);
        error = nl_transact_attr(fd, &req, NETDEV_A_DEV_XDP_FEATURES,
                                 features, sizeof *features);
    }
    close(fd);
    return error;
}
