/* The kernel's route to an IPv4 address (see netdev-linux.h), from
 * rtnetlink. */
#include <config.h>
#include "netdev/netdev-linux.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "netdev/linux-rtnl.h"

/* Reads route 'nlh' into '*oif' and '*prefsrc'.  Only a unicast route
 * through a device qualifies: a local address has none. */
static int
parse_route(const struct nlmsghdr *nlh, int *oif, uint32_t *prefsrc)
{
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
    int fd = linux_rtnl_open();
    if (fd < 0) {
        return fd;
    }
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
    linux_rtnl_put_attr(&req.nlh, RTA_DST, &dst, sizeof dst);
    if (src) {
        req.rtm.rtm_src_len = 32;
        linux_rtnl_put_attr(&req.nlh, RTA_SRC, &src, sizeof src);
    }

    union {
        char buf[8192];
        struct nlmsghdr align;
    } reply;
    const struct nlmsghdr *nlh;
    int error = linux_rtnl_transact(fd, &req.nlh, RTM_NEWROUTE,
                                    sizeof(struct rtmsg), reply.buf,
                                    sizeof reply.buf, &nlh);
    if (!error) {
        error = parse_route(nlh, oif, prefsrc);
    }
    close(fd);
    return error;
}
