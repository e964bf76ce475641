/* `sw-appctl dpctl/...` commands: a look at the datapath from outside. */
#ifndef DPCTL_H
#define DPCTL_H 1

struct dpif;

/* Registers dpctl/show for 'dpif'. */
void dpctl_register_commands(struct dpif *);

#endif /* dpctl.h */
