/* One request, one answer over rtnetlink (see linux-rtnl.h). */
#include <config.h>
#include "netdev/linux-rtnl.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

int
linux_rtnl_open(void)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) {
        return -errno;
    }
    struct timeval tv = { .tv_sec = 1 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

void
linux_rtnl_put_attr(struct nlmsghdr *nlh, int type, const void *value,
                    size_t n)
{
    struct rtattr *rta = (struct rtattr *) ((char *) nlh
                                            + NLMSG_ALIGN(nlh->nlmsg_len));
    rta->rta_type = type;
    rta->rta_len = RTA_LENGTH(n);
    memcpy(RTA_DATA(rta), value, n);
    nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

int
linux_rtnl_transact(int fd, const struct nlmsghdr *req, uint16_t type,
                    size_t min_len, void *buf, size_t size,
                    const struct nlmsghdr **reply)
{
    if (send(fd, req, req->nlmsg_len, 0) < 0) {
        return -errno;
    }
    ssize_t n = recv(fd, buf, size, MSG_TRUNC);
    const struct nlmsghdr *nlh = buf;
    if (n < 0) {
        return -errno;
    } else if ((size_t) n > size) {
        return -EMSGSIZE;
    } else if (!NLMSG_OK(nlh, (size_t) n)) {
        return -EPROTO;
    } else if (nlh->nlmsg_type == NLMSG_ERROR) {
        const struct nlmsgerr *err = NLMSG_DATA(nlh);
        return err->error ? err->error : -ENOENT;
    } else if (nlh->nlmsg_type != type
               || nlh->nlmsg_len < NLMSG_LENGTH(min_len)) {
        return -EPROTO;
    }
    *reply = nlh;
    return 0;
}
