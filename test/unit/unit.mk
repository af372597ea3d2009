# Host unit tests of the hypervisor's pure logic, under ASan and UBSan.
# Included by the top Makefile; `make unit` builds and runs every case.

BUILD  ?= build
HOSTCC ?= gcc

# The pure sources: no hardware access, so they build for the host as they
# are. lib/string.c and lib/format.c are not here: glibc provides those.
UNIT_PURE_SRCS := lib/cmdline.c lib/errmsg.c lib/escape.c core/config.c core/elf.c \
	core/bzimage.c core/linux.c hcall/desc.c \
	mm/memmap.c mm/frame.c mm/heap.c traps/insn.c arch/i386/acpi.c
UNIT_TEST_SRCS := test/unit/harness.c test/unit/support.c \
	test/unit/test_cmdline.c test/unit/test_config.c test/unit/test_elf.c \
	test/unit/test_memmap.c test/unit/test_frame.c test/unit/test_heap.c \
	test/unit/test_desc.c test/unit/test_pte.c test/unit/test_linux.c test/unit/test_insn.c \
	test/unit/test_acpi.c \
	test/unit/test_escape.c

UNIT_CFLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined \
	-fno-sanitize-recover=all -Wall -Wextra -Werror -Iinclude -I. -MMD -MP
UNIT_OBJS := $(patsubst %.c,$(BUILD)/unit/%.o,$(UNIT_PURE_SRCS) $(UNIT_TEST_SRCS))

$(BUILD)/unit/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$<)
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -c $< -o $@

$(BUILD)/unit/unit: $(UNIT_OBJS) | deps
	$(call say,HOSTLD,$@)
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -o $@ $(UNIT_OBJS)

.PHONY: unit
unit: $(BUILD)/unit/unit
	$(BUILD)/unit/unit

-include $(UNIT_OBJS:.o=.d)
