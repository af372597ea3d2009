# Build your own C program as a Ringvisor guest on newlib, from your own
# Makefile, in your own folder:
#
#   RINGVISOR := /path/to/ringvisor        (default: found from this file)
#   include $(RINGVISOR)/guests/newlib/guest.mk
#   $(eval $(call ringvisor_newlib_guest,prog,main.c util.c))
#
# `make prog.elf` then asks Ringvisor's own Makefile to build the guest
# (`make guest NAME=prog SRC=... LIBC=newlib`: the same flags, runtime and
# newlib as the tree's own guests, objects under its build/) and copies
# prog.elf here. NAME must not be one of the tree's own guests.

RINGVISOR ?= $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/../..)

# $(call ringvisor_newlib_guest,NAME,SOURCES): NAME.elf in this folder.
# Phony: Ringvisor's make knows the sources' headers and decides what to
# rebuild; this one only asks it.
define ringvisor_newlib_guest
.PHONY: $(1).elf
$(1).elf: $(2)
	$$(MAKE) -C $$(RINGVISOR) guest NAME=$(1) SRC="$$(abspath $(2))" \
		LIBC=newlib
	cp $$(RINGVISOR)/build/guests/$(1).elf $$@
endef
