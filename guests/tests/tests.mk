# The test guests (guests/tests): each prints one PASS/FAIL line per case
# (tlib.c), or, for the kill cases, runs the case named by its argument.
# test/test_guest_*.py boots them. Included by the top Makefile.

TESTS_LIB := guests/tests/tlib.c
TESTS_GUESTS := thcall ttrap trom tirq tattack tuser tfpu tkill tcrash tlinux tvirtio tblk

# Cases run in the order they are written.
$(foreach g,$(TESTS_GUESTS),$(eval RV_CFLAGS_$(g) := -fno-toplevel-reorder))

$(eval $(call rv_guest,thcall,guests/tests/thcall.c $(TESTS_LIB)))
$(eval $(call rv_guest,ttrap,guests/tests/ttrap.c $(TESTS_LIB)))
$(eval $(call rv_guest,trom,guests/tests/trom.c $(TESTS_LIB)))
$(eval $(call rv_guest,tirq,guests/tests/tirq.c $(TESTS_LIB)))
$(eval $(call rv_guest,tattack,guests/tests/tattack.c $(TESTS_LIB)))
$(eval $(call rv_guest,tuser,guests/tests/tuser.c guests/tests/tuser_asm.S $(TESTS_LIB)))
$(eval $(call rv_guest,tfpu,guests/tests/tfpu.c $(TESTS_LIB)))
$(eval $(call rv_guest,tkill,guests/tests/tkill_entry.S guests/tests/tkill.c $(TESTS_LIB)))
RV_LINK_tkill := -Wl,-e,tk_entry
$(eval $(call rv_guest,tcrash,guests/tests/tcrash.c $(TESTS_LIB)))
$(eval $(call rv_guest,tlinux,guests/tests/tlinux.c $(TESTS_LIB)))

# The PCI bus and the virtio console, driven as Linux drives them
# (guests/tests/vtlib.c); test/test_devices.py boots it.
VT_LIB := guests/tests/vtlib.c
$(eval $(call rv_guest,tvirtio,guests/tests/tvirtio.c $(VT_LIB) $(TESTS_LIB)))

# Disks through the runtime's virtio-blk driver; test/test_disks.py boots it.
$(eval $(call rv_guest,tblk,guests/tests/tblk.c $(TESTS_LIB)))
