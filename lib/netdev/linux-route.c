/* The kernel's route to an IPv4 address (see netdev-linux.h), from
 * rtnetlink. */
#include <config.h>
#include "netdev/netdev-linux.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* Appends attribute 'type' holding 'n' bytes at 'value' to 'nlh', which
 * has room for it. */
static void
put_attr(struct nlmsghdr *nlh, int type, const void *value, size_t n)
{
    struct rtattr *rta = (struct rtattr *) ((char *) nlh
                                            + NLMSG_ALIGN(nlh->nlmsg_len));
    rta->rta_type = type;
    rta->rta_len = RTA_LENGTH(n);
    memcpy(RTA_DATA(rta), value, n);
    nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* Reads RTM_NEWROUTE 'nlh' into '*oif' and '*prefsrc'.  Only a unicast
 * route through a device qualifies: a local address has none. */
static int
parse_route(const struct nlmsghdr *nlh, int *oif, uint32_t *prefsrc)
{
    if (nlh->nlmsg_type != RTM_NEWROUTE
        || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg))) {
        return -EPROTO;
    }
    const struct rtmsg *rtm = NLMSG_DATA(nlh);
    if (rtm->rtm_type != RTN_UNICAST) {
        return -ENETUNREACH;
    }
    *oif = 0;
    *prefsrc = 0;
    int len = RTM_PAYLOAD(nlh);
    for (const struct rtattr *rta = RTM_RTA(rtm); RTA_OK(rta, len);
         rta = RTA_NEXT(rta, len)) {
        if (rta->rta_type == RTA_OIF && RTA_PAYLOAD(rta) >= 4) {
            memcpy(oif, RTA_DATA(rta), sizeof *oif);
        } else if (rta->rta_type == RTA_PREFSRC && RTA_PAYLOAD(rta) >= 4) {
            memcpy(prefsrc, RTA_DATA(rta), sizeof *prefsrc);
        }
    }
    return *oif > 0 ? 0 : -ENETUNREACH;
}

int
linux_route_get_ipv4(uint32_t dst, uint32_t src, int *oif, uint32_t *prefsrc)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) {
        return -errno;
    }
    struct timeval tv = { .tv_sec = 1 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

    struct {
        struct nlmsghdr nlh;
        struct rtmsg rtm;
        char attrs[2 * RTA_SPACE(sizeof(uint32_t))];
    } req;
    memset(&req, 0, sizeof req);
    req.nlh.nlmsg_len = NLMSG_LENGTH(sizeof req.rtm);
    req.nlh.nlmsg_type = RTM_GETROUTE;
    req.nlh.nlmsg_flags = NLM_F_REQUEST;
    req.rtm.rtm_family = AF_INET;
    req.rtm.rtm_dst_len = 32;
    put_attr(&req.nlh, RTA_DST, &dst, sizeof dst);
    if (src) {
        req.rtm.rtm_src_len = 32;
        put_attr(&req.nlh, RTA_SRC, &src, sizeof src);
    }

    int error = 0;
    if (send(fd, &req, req.nlh.nlmsg_len, 0) < 0) {
        error = -errno;
    } else {
        union {
            char buf[8192];
            struct nlmsghdr align;
        } reply;
        ssize_t n = recv(fd, reply.buf, sizeof reply.buf, 0);
        const struct nlmsghdr *nlh = &reply.align;
        if (n < 0) {
            error = -errno;
        } else if (!NLMSG_OK(nlh, (size_t) n)) {
            error = -EPROTO;
        } else if (nlh->nlmsg_type == NLMSG_ERROR) {
            const struct nlmsgerr *err = NLMSG_DATA(nlh);
            error = err->error ? err->error : -ENOENT;
        } else {
            error = parse_route(nlh, oif, prefsrc);
        }
    }
    close(fd);
    return error;
}
