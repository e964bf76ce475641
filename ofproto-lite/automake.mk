noinst_LIBRARIES += ofproto-lite/libofproto.a
ofproto_lite_libofproto_a_SOURCES = \
	ofproto-lite/mac-learning.c ofproto-lite/mac-learning.h \
	ofproto-lite/ofp-actions.c ofproto-lite/ofp-actions.h \
	ofproto-lite/ofp-flow.c ofproto-lite/ofp-flow.h \
	ofproto-lite/ofproto.c ofproto-lite/ofproto.h \
	ofproto-lite/ofproto-flows.c \
	ofproto-lite/ofproto-private.h \
	ofproto-lite/ofproto-tlv.c \
	ofproto-lite/ofproto-unixctl.c \
	ofproto-lite/revalidator.c \
	ofproto-lite/rule.c ofproto-lite/rule.h \
	ofproto-lite/rule-table.c ofproto-lite/rule-table.h \
	ofproto-lite/trace.c \
	ofproto-lite/xlate.c \
	ofproto-lite/xlate-normal.c
