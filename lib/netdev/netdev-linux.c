#include <config.h>
#include "netdev/netdev-linux.h"

#include <errno.h>
#include <net/if.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <pthread.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "netdev/netdev.h"
#include "smap.h"
#include "util.h"

static int ioctl_sock = -1;
static pthread_once_t ioctl_once = PTHREAD_ONCE_INIT;

static void
ioctl_sock_open(void)
{
    ioctl_sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

/* Runs 'cmd' for interface 'name' with 'ifr'.  Returns 0 or -errno. */
static int
linux_ioctl(const char *name, unsigned long cmd, struct ifreq *ifr)
{
    pthread_once(&ioctl_once, ioctl_sock_open);
    if (ioctl_sock < 0) {
        return -EAFNOSUPPORT;
    }
    if (strlen(name) >= IFNAMSIZ) {
        return -ENAMETOOLONG;
    }
    strcpy(ifr->ifr_name, name);
    return ioctl(ioctl_sock, cmd, ifr) < 0 ? -errno : 0;
}

int
linux_ifindex(const char *name)
{
    struct ifreq ifr = { 0 };
    int error = linux_ioctl(name, SIOCGIFINDEX, &ifr);
    return error ? error : ifr.ifr_ifindex;
}

int
netdev_linux_get_etheraddr(const struct netdev *netdev, struct eth_addr *ea)
{
    const char *name = netdev_get_name(netdev);
    struct ifreq ifr = { 0 };
    int error = linux_ioctl(name, SIOCGIFHWADDR, &ifr);
    if (!error) {
        memcpy(ea->ea, ifr.ifr_hwaddr.sa_data, ETH_ADDR_LEN);
    }
    return error;
}

int
linux_get_mtu(const char *name, int *mtu)
{
    struct ifreq ifr = { 0 };
    int error = linux_ioctl(name, SIOCGIFMTU, &ifr);
    *mtu = error ? 0 : ifr.ifr_mtu;
    return error;
}

int
netdev_linux_get_mtu(const struct netdev *netdev, int *mtu)
{
    return linux_get_mtu(netdev_get_name(netdev), mtu);
}

int
netdev_linux_set_mtu(struct netdev *netdev, int mtu)
{
    struct ifreq ifr = { .ifr_mtu = mtu };
    return linux_ioctl(netdev_get_name(netdev), SIOCSIFMTU, &ifr);
}

int
linux_update_flags(const char *name, int off, int on)
{
    struct ifreq ifr = { 0 };
    int error = linux_ioctl(name, SIOCGIFFLAGS, &ifr);
    if (error) {
        return error;
    }
    int flags = (ifr.ifr_flags & ~off) | on;
    if (flags == ifr.ifr_flags) {
        return 0;
    }
    ifr.ifr_flags = flags;
    return linux_ioctl(name, SIOCSIFFLAGS, &ifr);
}

bool
netdev_linux_get_carrier(const struct netdev *netdev)
{
    struct ifreq ifr = { 0 };
    return (!linux_ioctl(netdev_get_name(netdev), SIOCGIFFLAGS, &ifr)
            && (ifr.ifr_flags & (IFF_UP | IFF_RUNNING))
               == (IFF_UP | IFF_RUNNING));
}

void
linux_get_driver_status(const char *name, struct smap *status)
{
    struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
    struct ifreq ifr = { .ifr_data = (void *) &info };
    if (!linux_ioctl(name, SIOCETHTOOL, &ifr)) {
        smap_add(status, "driver_name", info.driver);
        if (info.version[0]) {
            smap_add(status, "driver_version", info.version);
        }
    }
}

int
linux_get_n_rxq(const char *name)
{
    struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
    struct ifreq ifr = { .ifr_data = (void *) &ch };
    if (linux_ioctl(name, SIOCETHTOOL, &ifr)) {
        return 1;
    }
    return MAX(1, (int) (ch.rx_count + ch.combined_count));
}

int
linux_set_sockopt(int fd, int level, int name, int value)
{
    return setsockopt(fd, level, name, &value, sizeof value) ? -errno : 0;
}

void
linux_set_sock_buffer(int fd, int name, int bytes)
{
    int force = name == SO_RCVBUF ? SO_RCVBUFFORCE : SO_SNDBUFFORCE;
    if (linux_set_sockopt(fd, SOL_SOCKET, force, bytes)) {
        linux_set_sockopt(fd, SOL_SOCKET, name, bytes);
    }
}
