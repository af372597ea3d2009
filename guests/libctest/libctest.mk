# The C library's test guests (test/test_libc.py), linked on newlib.
# Included by the top-level Makefile after guests/newlib/newlib.mk.
#
#   libctest  the conformance guest: printf/scanf, heap, setjmp, qsort,
#             strings, math, time, exit statuses
#   fpmix     x87 and SSE state kept apart between guests: run two copies

$(eval $(call rv_newlib_guest,libctest,guests/libctest/libctest.c))
$(eval $(call rv_newlib_guest,fpmix,guests/libctest/fpmix.c guests/libctest/fpmix_sse.c))

# fpmix_sse.c alone does its floating point in SSE; the rest of fpmix (and
# newlib) stays on the x87.
$(BUILD)/guests/obj/fpmix/guests/libctest/fpmix_sse.c.o: \
	RV_CFLAGS_fpmix += -msse2 -mfpmath=sse
