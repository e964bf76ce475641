/* A veth's other end, when another network namespace holds it (see
 * netdev-linux.h), from rtnetlink. */
#include <config.h>
#include "netdev/netdev-linux.h"

#include <errno.h>
#include <stdlib.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "netdev/linux-rtnl.h"
#include "util.h"

/* From <linux/if_link.h>, which Debian 12's headers (Linux 6.1) may
 * lack. */
#ifndef IFLA_TARGET_NETNSID
#define IFLA_TARGET_NETNSID 46
#endif

/* What a link's RTM_NEWLINK says, as far as we look. */
struct link_facts {
    bool veth;                  /* IFLA_INFO_KIND "veth" or "netkit". */
    bool in_other_netns;        /* IFLA_LINK_NETNSID: its peer's is. */
    int32_t peer_netnsid;
    uint32_t peer_ifindex;      /* IFLA_LINK, in the peer's namespace. */
    bool has_mac;
    struct eth_addr mac;
    bool runs_xdp;
    bool answered_for_netnsid;  /* IFLA_TARGET_NETNSID in the answer. */
};

static void
parse_linkinfo(const struct rtattr *rta, struct link_facts *f)
{
    int len = RTA_PAYLOAD(rta);
    for (rta = RTA_DATA(rta); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
        if (rta->rta_type == IFLA_INFO_KIND) {
            const char *kind = RTA_DATA(rta);
            size_t n = RTA_PAYLOAD(rta);
            f->veth = ((n >= 5 && !memcmp(kind, "veth", 5))
                       || (n >= 7 && !memcmp(kind, "netkit", 7)));
        }
    }
}

static void
parse_xdp(const struct rtattr *rta, struct link_facts *f)
{
    int len = RTA_PAYLOAD(rta);
    for (rta = RTA_DATA(rta); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
        if (rta->rta_type == IFLA_XDP_ATTACHED && RTA_PAYLOAD(rta) >= 1) {
            f->runs_xdp = *(const uint8_t *) RTA_DATA(rta)
                          != XDP_ATTACHED_NONE;
        }
    }
}

static void
parse_link(const struct nlmsghdr *nlh, struct link_facts *f)
{
    const struct ifinfomsg *ifi = NLMSG_DATA(nlh);
    int len = IFLA_PAYLOAD(nlh);
    for (const struct rtattr *rta = IFLA_RTA(ifi); RTA_OK(rta, len);
         rta = RTA_NEXT(rta, len)) {
        size_t n = RTA_PAYLOAD(rta);
        switch (rta->rta_type) {
        case IFLA_LINKINFO:
            parse_linkinfo(rta, f);
            break;
        case IFLA_LINK_NETNSID:
            if (n >= sizeof f->peer_netnsid) {
                f->in_other_netns = true;
                memcpy(&f->peer_netnsid, RTA_DATA(rta),
                       sizeof f->peer_netnsid);
            }
            break;
        case IFLA_LINK:
            if (n >= sizeof f->peer_ifindex) {
                memcpy(&f->peer_ifindex, RTA_DATA(rta),
                       sizeof f->peer_ifindex);
            }
            break;
        case IFLA_ADDRESS:
            if (n == sizeof f->mac) {
                f->has_mac = true;
                memcpy(&f->mac, RTA_DATA(rta), sizeof f->mac);
            }
            break;
        case IFLA_XDP:
            parse_xdp(rta, f);
            break;
        case IFLA_TARGET_NETNSID:
            f->answered_for_netnsid = true;
            break;
        }
    }
}

/* Asks for link 'ifindex', in namespace 'netnsid' if it is not negative
 * (an id in ours), and fills 'f'. */
static int
get_link(int fd, int ifindex, int32_t netnsid, struct link_facts *f)
{
    struct {
        struct nlmsghdr nlh;
        struct ifinfomsg ifi;
        char attrs[RTA_SPACE(sizeof(int32_t))];
    } req;
    memset(&req, 0, sizeof req);
    req.nlh.nlmsg_len = NLMSG_LENGTH(sizeof req.ifi);
    req.nlh.nlmsg_type = RTM_GETLINK;
    req.nlh.nlmsg_flags = NLM_F_REQUEST;
    req.ifi.ifi_family = AF_UNSPEC;
    req.ifi.ifi_index = ifindex;
    if (netnsid >= 0) {
        linux_rtnl_put_attr(&req.nlh, IFLA_TARGET_NETNSID, &netnsid,
                            sizeof netnsid);
    }

    /* A link's message, with its statistics, takes a few kB. */
    enum { BUF_SIZE = 32768 };
    char *buf = xmalloc(BUF_SIZE);
    const struct nlmsghdr *nlh;
    int error = linux_rtnl_transact(fd, &req.nlh, RTM_NEWLINK,
                                    sizeof(struct ifinfomsg), buf, BUF_SIZE,
                                    &nlh);
    if (!error) {
        memset(f, 0, sizeof *f);
        parse_link(nlh, f);
    }
    free(buf);
    return error;
}

int
linux_get_veth_peer(int ifindex, struct eth_addr *peer_mac)
{
    int fd = linux_rtnl_open();
    if (fd < 0) {
        return fd;
    }
    struct link_facts here, there;
    int error = get_link(fd, ifindex, -1, &here);
    if (!error && !here.veth) {
        error = -EOPNOTSUPP;
    } else if (!error && !here.in_other_netns) {
        error = -ENOENT;
    }
    if (!error) {
        error = get_link(fd, here.peer_ifindex, here.peer_netnsid, &there);
    }
    /* A kernel before 4.20 ignores IFLA_TARGET_NETNSID and answers for
     * the link with that index here. */
    if (!error && (!there.answered_for_netnsid || !there.has_mac
                   || there.runs_xdp)) {
        error = -ENOENT;
    }
    if (!error) {
        *peer_mac = there.mac;
    }
    close(fd);
    return error;
}
