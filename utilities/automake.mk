bin_PROGRAMS += utilities/sw-appctl
utilities_sw_appctl_SOURCES = utilities/sw-appctl.c
utilities_sw_appctl_LDADD = $(SW_LIBS)

bin_PROGRAMS += utilities/sw-ofctl
utilities_sw_ofctl_SOURCES = utilities/sw-ofctl.c
utilities_sw_ofctl_LDADD = $(SW_LIBS)

bin_PROGRAMS += utilities/swctl
utilities_swctl_SOURCES = \
	utilities/swctl.c utilities/swctl.h \
	utilities/swctl-bridge.c \
	utilities/swctl-cache.c \
	utilities/swctl-db.c \
	utilities/swctl-fetch.c \
	utilities/swctl-list.c \
	utilities/swctl-show.c
utilities_swctl_LDADD = $(SW_LIBS)

# ./configure --enable-ovs-vsctl-link: swctl answers to ovs-vsctl too (it
# names itself after argv[0] in its messages), for libvirt and scripts.
# The targets exist either way, so that the test suite can try them.
install-ovs-vsctl-link:
	cd $(DESTDIR)$(bindir) && rm -f ovs-vsctl && $(LN_S) swctl ovs-vsctl
uninstall-ovs-vsctl-link:
	rm -f $(DESTDIR)$(bindir)/ovs-vsctl
if OVS_VSCTL_LINK
install-exec-hook: install-ovs-vsctl-link
uninstall-hook: uninstall-ovs-vsctl-link
endif

dist_bin_SCRIPTS = utilities/sw-sandbox
EXTRA_DIST += utilities/install-deps.sh
