noinst_LIBRARIES += lib/libsoftswitch.a
lib_libsoftswitch_a_SOURCES = \
	lib/coverage.c lib/coverage.h \
	lib/daemon.c lib/daemon.h \
	lib/dirs.c lib/dirs.h \
	lib/dynamic-string.c lib/dynamic-string.h \
	lib/hash.c lib/hash.h \
	lib/hmap.c lib/hmap.h \
	lib/json-stream.c lib/json-stream.h \
	lib/jsonrpc.c lib/jsonrpc.h \
	lib/jsonrpc-client.c lib/jsonrpc-client.h \
	lib/jsonrpc-server.c lib/jsonrpc-server.h \
	lib/jsonrpc-session.c lib/jsonrpc-session.h \
	lib/smap.c lib/smap.h \
	lib/stream.c lib/stream.h \
	lib/stream-tls.c lib/stream-tls.h \
	lib/table.c lib/table.h \
	lib/timeval.c lib/timeval.h \
	lib/tlv-map.c lib/tlv-map.h \
	lib/unixctl.c lib/unixctl.h \
	lib/unixctl-client.c lib/unixctl-client.h \
	lib/util.c lib/util.h \
	lib/uuid.c lib/uuid.h \
	lib/vlog.c lib/vlog.h
lib_libsoftswitch_a_SOURCES += \
	lib/db/db.c lib/db/db.h \
	lib/db/db-client.c lib/db/db-client.h \
	lib/db/db-atom.c lib/db/db-atom.h \
	lib/db/db-datum.c lib/db/db-datum.h \
	lib/db/db-error.c lib/db/db-error.h \
	lib/db/db-schema.c lib/db/db-schema.h \
	lib/db/db-symtab.c lib/db/db-symtab.h \
	lib/db/db-txn.c lib/db/db-txn.h \
	lib/db/db-types.c lib/db/db-types.h
lib_libsoftswitch_a_SOURCES += \
	lib/db/db-condition.c lib/db/db-condition.h \
	lib/db/db-execute.c lib/db/db-execute.h \
	lib/db/db-mutation.c lib/db/db-mutation.h
lib_libsoftswitch_a_SOURCES += \
	lib/db/db-log.c lib/db/db-log.h \
	lib/db/db-monitor.c lib/db/db-monitor.h \
	lib/db/db-server.c lib/db/db-server.h \
	lib/db/db-server-db.c lib/db/db-server-db.h
lib_libsoftswitch_a_SOURCES += \
	lib/dp-packet.c lib/dp-packet.h \
	lib/flow.c lib/flow.h \
	lib/match.c lib/match.h \
	lib/meta-flow.c lib/meta-flow.h \
	lib/packet-compose.c lib/packet-compose.h \
	lib/packets.c lib/packets.h \
	lib/pcap-file.c lib/pcap-file.h \
	lib/rcu.c lib/rcu.h \
	lib/dpif/dp-actions.c lib/dpif/dp-actions.h \
	lib/dpif/dp-flow.c lib/dpif/dp-flow.h \
	lib/dpif/dp-offload.c \
	lib/dpif/dp-flow-format.c \
	lib/dpif/dp-process.c \
	lib/dpif/dp-thread.c \
	lib/dpif/dpcls.c lib/dpif/dpcls.h \
	lib/dpif/dpctl.c lib/dpif/dpctl.h \
	lib/dpif/dpif.c lib/dpif/dpif.h lib/dpif/dpif-private.h \
	lib/dpif/emc.c lib/dpif/emc.h \
	lib/netdev/netdev.c lib/netdev/netdev.h \
	lib/netdev/netdev-dummy.c lib/netdev/netdev-provider.h \
	lib/netdev/netdev-afpacket.c lib/netdev/netdev-afpacket.h \
	lib/netdev/netdev-linux.c lib/netdev/netdev-linux.h \
	lib/netdev/linux-route.c \
	lib/netdev/linux-rtnl.c lib/netdev/linux-rtnl.h \
	lib/netdev/linux-veth-peer.c \
	lib/netdev/linux-xdp-features.c \
	lib/netdev/netdev-tap.c \
	lib/netdev/netdev-tunnel.c lib/netdev/netdev-tunnel.h \
	lib/netdev/tnl-send.c lib/netdev/tnl-fastpath.c \
	lib/netdev/netdev-vxlan.c lib/netdev/netdev-gre.c \
	lib/netdev/netdev-geneve.c \
	lib/netdev/tnl-config.c lib/netdev/tnl-config.h \
	lib/netdev/tnl-endpoint.c lib/netdev/tnl-endpoint.h \
	lib/netdev/tnl-learn.c lib/netdev/tnl-learn.h \
	lib/vxlan.h lib/gre.h lib/geneve.h \
	lib/dp-packet-offload.c lib/dp-packet-offload.h \
	lib/netdev/xdp-fastpath.h lib/netdev/xdp-fastpath-abi.h
if HAVE_AF_XDP
lib_libsoftswitch_a_SOURCES += lib/netdev/netdev-afxdp.c \
	lib/netdev/xdp-fastpath.c
nodist_lib_libsoftswitch_a_SOURCES = lib/netdev/sw-xdp-obj.c
BUILT_SOURCES += lib/netdev/sw-xdp-obj.c
CLEANFILES += lib/netdev/sw-xdp.bpf.o lib/netdev/sw-xdp-obj.c

# The XDP program, compiled for BPF (-g: libbpf needs its BTF), then
# embedded in the daemon as a byte array.
lib/netdev/sw-xdp.bpf.o: lib/netdev/sw-xdp.bpf.c lib/netdev/xdp-fastpath-abi.h
	$(AM_V_GEN)$(MKDIR_P) lib/netdev && \
	$(CLANG) -O2 -g -target bpf -Wall -Werror $(BPF_CPPFLAGS) \
		-I$(top_srcdir)/lib/netdev -c $(top_srcdir)/lib/netdev/sw-xdp.bpf.c -o $@
lib/netdev/sw-xdp-obj.c: lib/netdev/sw-xdp.bpf.o
	$(AM_V_GEN){ \
	  echo '/* Generated from sw-xdp.bpf.o: do not edit. */'; \
	  echo '#include <stddef.h>'; \
	  echo 'extern const unsigned char sw_xdp_obj[];'; \
	  echo 'extern const size_t sw_xdp_obj_len;'; \
	  echo 'const unsigned char sw_xdp_obj[] = {'; \
	  od -An -v -tx1 lib/netdev/sw-xdp.bpf.o | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '};'; \
	  echo 'const size_t sw_xdp_obj_len = sizeof sw_xdp_obj;'; \
	} > $@.tmp && mv $@.tmp $@
endif
EXTRA_DIST += lib/netdev/sw-xdp.bpf.c
