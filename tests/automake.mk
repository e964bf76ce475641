noinst_PROGRAMS += tests/sw-test
tests_sw_test_SOURCES = tests/sw-test.c tests/sw-test.h \
	tests/test-classifier.c \
	tests/test-flow.c \
	tests/test-netdev.c \
	tests/test-tunnel.c
tests_sw_test_LDADD = ofproto-lite/libofproto.a $(SW_LIBS)

# The pipeline benchmark: "make bench".
noinst_PROGRAMS += tests/sw-bench
tests_sw_bench_SOURCES = tests/bench.c
tests_sw_bench_LDADD = ofproto-lite/libofproto.a $(SW_LIBS)

# The system benchmarks, which "make bench" runs last when root, between
# namespaces: softswitch, the Linux bridge, Open vSwitch and a bare XDP
# redirect ("make bench-system"); then softswitch's vxlan, gre and
# geneve against the kernel's vxlan and Open vSwitch's, host to host
# over a veth underlay ("make bench-tunnel").  The config plane with
# 10,000 ports against Open vSwitch's ("make bench-scale") runs last,
# as any user.
noinst_PROGRAMS += tests/sw-pktgen
tests_sw_pktgen_SOURCES = tests/bench-pktgen.c
tests_sw_pktgen_LDADD = $(XDP_LIBS)
BENCH_SYSTEM_BINARIES = tests/sw-pktgen vswitchd/sw-vswitchd utilities/swctl

EXTRA_DIST += tests/bench.sh tests/bench-lib.sh tests/bench-system.sh \
	tests/bench-tunnel.sh tests/bench-scale.sh
bench: tests/sw-bench $(BENCH_SYSTEM_BINARIES)
	$(SHELL) $(srcdir)/tests/bench.sh $(BENCHFLAGS)
bench-system: $(BENCH_SYSTEM_BINARIES)
	$(SHELL) $(srcdir)/tests/bench-system.sh
bench-tunnel: $(BENCH_SYSTEM_BINARIES)
	$(SHELL) $(srcdir)/tests/bench-tunnel.sh
bench-scale: vswitchd/sw-vswitchd utilities/swctl
	$(SHELL) $(srcdir)/tests/bench-scale.sh
.PHONY: bench bench-system bench-tunnel bench-scale

# The autotest suite (GNU autoconf's autotest), run by "make check".
TESTSUITE_AT = \
	tests/testsuite.at \
	tests/sw-macros.at \
	tests/json.at \
	tests/db-types.at \
	tests/db-engine.at \
	tests/db-server.at \
	tests/db-persist.at \
	tests/vswitchd.at \
	tests/swctl.at \
	tests/ovsdb-clients.at \
	tests/libvirt.at \
	tests/dummy.at \
	tests/flow.at \
	tests/ofproto.at \
	tests/normal.at \
	tests/dpif.at \
	tests/offload.at \
	tests/tunnel.at
TESTSUITE = $(srcdir)/tests/testsuite
AUTOTEST = $(AUTOM4TE) -l autotest
AUTOM4TE = autom4te
EXTRA_DIST += $(TESTSUITE_AT) $(TESTSUITE) tests/atlocal.in \
	tests/ovsdb-idl.py tests/ovsdb-every-column.py \
	tests/jsonrpc-peer.py tests/idle-conns.py tests/manager-peer.py \
	$(srcdir)/tests/package.m4
DISTCLEANFILES += tests/atconfig tests/atlocal

$(srcdir)/tests/package.m4: $(top_srcdir)/configure.ac
	$(AM_V_GEN):;{ \
	  echo '# Signature of the current package.' && \
	  echo 'm4_define([AT_PACKAGE_NAME],      [$(PACKAGE_NAME)])' && \
	  echo 'm4_define([AT_PACKAGE_TARNAME],   [$(PACKAGE_TARNAME)])' && \
	  echo 'm4_define([AT_PACKAGE_VERSION],   [$(PACKAGE_VERSION)])' && \
	  echo 'm4_define([AT_PACKAGE_STRING],    [$(PACKAGE_STRING)])' && \
	  echo 'm4_define([AT_PACKAGE_BUGREPORT], [$(PACKAGE_BUGREPORT)])'; \
	} > $@

$(TESTSUITE): $(TESTSUITE_AT) $(srcdir)/tests/package.m4
	$(AM_V_GEN)$(AUTOTEST) -I '$(srcdir)' -I '$(srcdir)/tests' \
	  -o $@.tmp $@.at && mv $@.tmp $@

# Programs the tests run, found through AUTOTEST_PATH.
SW_TEST_BINARIES = vswitchd/sw-vswitchd utilities/swctl utilities/sw-appctl \
	utilities/sw-ofctl tests/sw-test

check-local: tests/atconfig tests/atlocal $(TESTSUITE) $(SW_TEST_BINARIES)
	$(SHELL) '$(TESTSUITE)' -C tests \
	  AUTOTEST_PATH='$(abs_builddir)/utilities:$(abs_builddir)/vswitchd:$(abs_builddir)/tests' \
	  $(TESTSUITEFLAGS)

clean-local:
	test ! -f '$(TESTSUITE)' || $(SHELL) '$(TESTSUITE)' -C tests --clean
	test ! -f '$(SYSTEM_TESTSUITE)' || \
	  $(SHELL) '$(SYSTEM_TESTSUITE)' -C tests --clean

# The system tests: "make check-system", as root (see tests/system-*.at).
SYSTEM_TESTSUITE_AT = \
	tests/system-testsuite.at \
	tests/sw-macros.at \
	tests/system-macros.at \
	tests/system-ports.at \
	tests/system-fastpath.at \
	tests/system-tunnels.at \
	tests/system-tunnel-interop.at \
	tests/system-libvirt.at
SYSTEM_TESTSUITE = $(srcdir)/tests/system-testsuite
EXTRA_DIST += $(SYSTEM_TESTSUITE_AT) $(SYSTEM_TESTSUITE) tests/libvirt-ns.sh

$(SYSTEM_TESTSUITE): $(SYSTEM_TESTSUITE_AT) $(srcdir)/tests/package.m4
	$(AM_V_GEN)$(AUTOTEST) -I '$(srcdir)' -I '$(srcdir)/tests' \
	  -o $@.tmp $@.at && mv $@.tmp $@

check-system: tests/atconfig tests/atlocal $(SYSTEM_TESTSUITE) \
		$(SW_TEST_BINARIES)
	$(SHELL) '$(SYSTEM_TESTSUITE)' -C tests \
	  AUTOTEST_PATH='$(abs_builddir)/utilities:$(abs_builddir)/vswitchd:$(abs_builddir)/tests' \
	  $(TESTSUITEFLAGS)
.PHONY: check-system
