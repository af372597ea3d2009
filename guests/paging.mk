# The paging test guests (guests/tests/paging/) and the multitasking guest
# OS (guests/os/). Included by the top-level Makefile after guests/rt/rt.mk.
PT_LIB := guests/tests/paging/ptlib.c

$(eval $(call rv_guest,pt_ad,guests/tests/paging/ad.c $(PT_LIB)))
$(eval $(call rv_guest,pt_attack,guests/tests/paging/attack.c $(PT_LIB)))
$(eval $(call rv_guest,pt_bystander,guests/tests/paging/bystander.c $(PT_LIB)))
$(eval $(call rv_guest,pt_abi49,guests/tests/paging/abi49.c $(PT_LIB)))
$(eval $(call rv_guest,pt_walker,guests/tests/paging/walker.c $(PT_LIB)))

# The guest OS: a kernel on the runtime, and its user programs linked
# apart at USER_TEXT, flattened and included in the kernel's image.
OS_USER_DIR  := $(BUILD)/guests/os
OS_USER_OBJS := $(OS_USER_DIR)/start.S.o $(OS_USER_DIR)/user.c.o

$(OS_USER_DIR)/%.c.o: guests/os/user/%.c | deps
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(RV_CFLAGS) -Iguests/os $(RV_SYSINC) -c $< -o $@
$(OS_USER_DIR)/%.S.o: guests/os/user/%.S | deps
	@mkdir -p $(dir $@)
	$(call say,AS,$<)
	$(Q)$(CC) $(RV_ASFLAGS) -Iguests/os -c $< -o $@
$(OS_USER_DIR)/user.elf: $(OS_USER_OBJS) guests/os/user/user.ld | deps
	$(call say,LD,$@)
	$(Q)$(CC) -m32 -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,noexecstack \
		-Wl,--fatal-warnings -T guests/os/user/user.ld -o $@ $(OS_USER_OBJS)
	$(Q)objdump -d -M att $@ > $(@:.elf=.lst)
$(OS_USER_DIR)/user.bin: $(OS_USER_DIR)/user.elf | deps
	$(Q)objcopy -O binary $< $@
-include $(OS_USER_OBJS:.o=.d)

$(eval $(call rv_guest,os,guests/os/check.c guests/os/mm.c guests/os/report.c guests/os/proc.c guests/os/main.c guests/os/userblob.S))
$(BUILD)/guests/obj/os/guests/os/userblob.S.o: $(OS_USER_DIR)/user.bin
$(BUILD)/guests/obj/os/guests/os/userblob.S.o: RV_ASFLAGS += -DUSER_BIN='"$(OS_USER_DIR)/user.bin"'
