# The security catalogue's guests (guests/security): sec_priv (cases that
# must end in one exact survivable outcome), sec_kill (one kill per
# module), sec_dev (the same for the PCI bus and the virtio console),
# sec_storm (denial of service), sec_net (the virtual switch) and sec_fuzz (the hypercall fuzzer). test/test_security*.py boots them; tools/security.py reads their
# sources for docs/security.md. Included by the top Makefile.

SEC_LIB := guests/tests/tlib.c
SEC_GUESTS := sec_priv sec_kill sec_storm sec_fuzz sec_dev sec_blk sec_net
$(foreach g,$(SEC_GUESTS),$(eval RV_CFLAGS_$(g) := -fno-toplevel-reorder -Iguests/tests))

$(eval $(call rv_guest,sec_priv,guests/security/sec_priv.c guests/security/sec_probe.S $(SEC_LIB)))
$(eval $(call rv_guest,sec_kill,guests/tests/tkill_entry.S guests/security/sec_kill.c $(SEC_LIB)))
RV_LINK_sec_kill := -Wl,-e,tk_entry
$(eval $(call rv_guest,sec_dev,guests/security/sec_dev.c guests/tests/vtlib.c $(SEC_LIB)))
$(eval $(call rv_guest,sec_storm,guests/security/sec_storm.c guests/tests/vtlib.c))
$(eval $(call rv_guest,sec_fuzz,guests/security/sec_fuzz.c))
$(eval $(call rv_guest,sec_blk,guests/security/sec_blk.c $(SEC_LIB)))
$(eval $(call rv_guest,sec_net,guests/security/sec_net.c))
