noinst_LIBRARIES += ofproto-lite/libofproto.a
ofproto_lite_libofproto_a_SOURCES = \
	ofproto-lite/ofproto.c ofproto-lite/ofproto.h
