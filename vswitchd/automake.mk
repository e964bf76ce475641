sbin_PROGRAMS += vswitchd/sw-vswitchd
vswitchd_sw_vswitchd_SOURCES = \
	vswitchd/bridge.c vswitchd/bridge.h \
	vswitchd/bridge-changes.c vswitchd/bridge-changes.h \
	vswitchd/iface-status.c vswitchd/iface-status.h \
	vswitchd/db-remotes.c vswitchd/db-remotes.h \
	vswitchd/sw-vswitchd.c
nodist_vswitchd_sw_vswitchd_SOURCES = vswitchd/vswitch-schema.c
vswitchd_sw_vswitchd_LDADD = ofproto-lite/libofproto.a $(SW_LIBS)

dist_pkgdata_DATA += vswitchd/vswitch.ovsschema
BUILT_SOURCES += vswitchd/vswitch-schema.c
CLEANFILES += vswitchd/vswitch-schema.c

# The schema, compiled in as a C string so that the daemon needs no
# installed file.
vswitchd/vswitch-schema.c: vswitchd/vswitch.ovsschema
	$(AM_V_GEN)$(MKDIR_P) vswitchd && { \
	  printf '/* Generated from vswitch.ovsschema: do not edit. */\n'; \
	  printf 'extern const char vswitch_schema[];\n'; \
	  printf 'const char vswitch_schema[] =\n'; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' \
	      -e 's/$$/\\n"/' $(srcdir)/vswitchd/vswitch.ovsschema; \
	  printf '    ;\n'; } > $@.tmp && mv $@.tmp $@
