/* One request, one answer over rtnetlink: what linux-veth-peer.c and
 * linux-route.c share.  Functions return 0 or a negative errno. */
#ifndef LINUX_RTNL_H
#define LINUX_RTNL_H 1

#include <linux/netlink.h>
#include <stddef.h>
#include <stdint.h>

/* A NETLINK_ROUTE socket that gives up on an answer after a second, or a
 * negative errno. */
int linux_rtnl_open(void);

/* Appends attribute 'type' holding 'n' bytes at 'value' to 'nlh', which
 * must have room for it. */
void linux_rtnl_put_attr(struct nlmsghdr *nlh, int type, const void *value,
                         size_t n);

/* Sends 'req' on 'fd' and receives its answer into 'buf' ('size' bytes).
 * Returns 0 with '*reply' at an answer of type 'type' whose payload holds
 * at least 'min_len' bytes; the kernel's error; -EMSGSIZE if the answer
 * did not fit; or -EPROTO for anything else. */
int linux_rtnl_transact(int fd, const struct nlmsghdr *req, uint16_t type,
                        size_t min_len, void *buf, size_t size,
                        const struct nlmsghdr **reply);

#endif /* linux-rtnl.h */
