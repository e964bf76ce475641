/* Tunnel endpoints: the socket on which the tunnel ports of one type,
 * address family, local address and UDP port receive (e.g. every vxlan
 * port on 0.0.0.0:4789), and the table that sends each packet to its
 * port: the one whose key and remote match, else the one of that key
 * that takes any remote, then the key=flow ones likewise.
 *
 * One of the endpoint's ports, its "reader", reads the socket when its
 * receive queue is polled, and gives each packet the datapath port
 * number of the port it belongs to, so that the other ports need no
 * polling.  Attach and detach are for the main thread; the table is
 * replaced whole (RCU), so readers never lock. */
#ifndef TNL_ENDPOINT_H
#define TNL_ENDPOINT_H 1

struct dp_packet_batch;
struct netdev_tunnel;

/* Adds configured 'port' to its endpoint, opening the endpoint if it is
 * the first.  Returns 0, or a negative errno with '*errp' set. */
int tnl_endpoint_attach(struct netdev_tunnel *port, char **errp);
/* Takes 'port' out; on return no datapath thread can reach it through
 * the endpoint. */
void tnl_endpoint_detach(struct netdev_tunnel *port);

/* Receives a batch if 'port' is its endpoint's reader. */
int tnl_endpoint_recv(struct netdev_tunnel *port, struct dp_packet_batch *);
/* The socket, for a thread that sleeps until packets come. */
int tnl_endpoint_fd(const struct netdev_tunnel *port);

#endif /* tnl-endpoint.h */
