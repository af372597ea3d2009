# The guest runtime (guests/rt) and the rules that link guests on it.
# Included by the top-level Makefile, which sets BUILD and CC before it.
#
#   make guests                          every guest in GUEST_ELFS
#   $(eval $(call rv_guest,NAME,SOURCES))  declare a named guest (test/, ...)
#   (make guest NAME= SRC=, a user's own program: guests/rt/adhoc.mk)
#
# Every guests/samples/NAME.c becomes $(BUILD)/guests/NAME.elf. Each guest
# gets a disassembly listing (.lst) and a symbol file (.sym) beside it.
#
# Guest code never sees the host's headers (glibc's, under /usr/include):
# -nostdinc, then only the folders named here (and newlib's, for a newlib
# guest), then the compiler's own (stddef.h, stdint.h, stdarg.h ...) last.
# -MD, not -MMD: the .d files name those system headers too (a test reads
# them; newlib's headers change when it is rebuilt).

BUILD ?= build
CC    ?= gcc
AR    ?= ar

RV_CFLAGS := -m32 -march=i686 -std=gnu11 -ffreestanding -fno-pie -fno-pic \
	-fno-stack-protector -fno-asynchronous-unwind-tables -O2 -g \
	-Wall -Wextra -Werror -nostdinc -Iinclude -Iguests/rt -MD -MP
RV_ASFLAGS := -m32 -nostdinc -Iinclude -Iguests/rt -D__ASSEMBLER__ -g -MD -MP
RV_LDFLAGS := -m32 -nostdlib -static -no-pie -Wl,--build-id=none \
	-Wl,-z,noexecstack -Wl,--fatal-warnings -T guests/rt/guest.ld
# Asked of the compiler on first use, in a recipe: after `deps` installed
# gcc-multilib (see the top Makefile).
RV_LIBGCC = $(eval RV_LIBGCC := $$(shell $(CC) -m32 -print-libgcc-file-name))$(RV_LIBGCC)
# The compiler's own headers, after every other -I/-isystem of a guest.
RV_SYSINC = $(eval RV_SYSINC := -isystem $$(shell $(CC) -m32 -print-file-name=include))$(RV_SYSINC)

# $(call rv_flags_file,FILE,VAR), as a rule's recipe: FILE holds VAR's
# value (the command lines that build something), rewritten only when it
# changed. Made a prerequisite, it rebuilds its objects when their flags
# change. (VAR by name: the flags hold commas, which $(call) would split.)
# The build folder's own name is left out: a copied build stays current.
define rv_flags_file
	$(shell mkdir -p $(dir $(1)))$(file >$(1).new,$(subst $(BUILD)/,BUILD/,$($(2))))
	@cmp -s $(1).new $(1) && rm -f $(1).new || mv -f $(1).new $(1)
endef
.PHONY: FORCE
FORCE:

# --- the runtime: crt0 (linked first, always) and librv.a ----------------

RT_DIR  := $(BUILD)/guests/rt
RT_CRT0 := $(RT_DIR)/crt0.S.o
RT_LIB  := $(RT_DIR)/librv.a
RT_SRCS := guests/rt/start.c guests/rt/hcall.c guests/rt/trap.c \
	guests/rt/trapentry.S guests/rt/timer.c guests/rt/console.c guests/rt/tty.c \
	guests/rt/printf.c guests/rt/string.c guests/rt/vpci.c guests/rt/blk.c guests/rt/net.c
RT_OBJS := $(patsubst guests/rt/%,$(RT_DIR)/%.o,$(RT_SRCS))

RT_FLAGS := $(RT_DIR)/flags
RT_CMDS = $(CC) $(RV_CFLAGS) $(RV_SYSINC); $(RV_ASFLAGS)
$(RT_FLAGS): FORCE | deps
	$(call rv_flags_file,$@,RT_CMDS)

$(filter %.c.o,$(RT_OBJS)): $(RT_DIR)/%.c.o: guests/rt/%.c $(RT_FLAGS) | deps
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(RV_CFLAGS) $(RV_SYSINC) -c $< -o $@

$(filter %.S.o,$(RT_OBJS) $(RT_CRT0)): $(RT_DIR)/%.S.o: guests/rt/%.S $(RT_FLAGS) | deps
	@mkdir -p $(dir $@)
	$(call say,AS,$<)
	$(Q)$(CC) $(RV_ASFLAGS) -c $< -o $@

$(RT_LIB): $(RT_OBJS) | deps
	@rm -f $@
	$(call say,AR,$@)
	$(Q)$(AR) rcs $@ $^

-include $(RT_OBJS:.o=.d) $(RT_CRT0:.o=.d)

# --- guests ---------------------------------------------------------------

GUEST_ELFS :=

# $(call rv_guest,NAME,SOURCES): $(BUILD)/guests/NAME.elf from the .c and
# .S files in SOURCES, objects under $(BUILD)/guests/obj/NAME/.
# Hooks, read when the recipes run (guests/newlib/newlib.mk sets them):
#   RV_CFLAGS_NAME  more C flags for NAME's sources, after RV_CFLAGS
#   RV_LINK_NAME    more link inputs and options, after librv.a
# $(BUILD)/guests/obj/NAME/flags holds NAME's command lines: when they
# change (another LIBC=, a hook, CC=), its objects and ELF are rebuilt.
# (A target-specific addition, as libctest.mk's for one file, is not in it.)
define rv_guest
RV_OBJS_$(1) := $$(patsubst %,$$(BUILD)/guests/obj/$(1)/%.o,$(2))
RV_FLAGS_$(1) := $$(BUILD)/guests/obj/$(1)/flags
RV_CMDS_$(1) = $$(CC) $$(RV_CFLAGS) $$(RV_CFLAGS_$(1)) $$(RV_SYSINC); \
	$$(RV_ASFLAGS); $$(RV_LDFLAGS) $$(RV_LINK_$(1))

$$(RV_FLAGS_$(1)): FORCE | deps
	$$(call rv_flags_file,$$@,RV_CMDS_$(1))

$$(filter %.c.o,$$(RV_OBJS_$(1))): $$(BUILD)/guests/obj/$(1)/%.c.o: %.c $$(RV_FLAGS_$(1)) | deps
	@mkdir -p $$(dir $$@)
	$$(call say,CC,$$<)
	$$(Q)$$(CC) $$(RV_CFLAGS) $$(RV_CFLAGS_$(1)) $$(RV_SYSINC) -c $$< -o $$@

$$(filter %.S.o,$$(RV_OBJS_$(1))): $$(BUILD)/guests/obj/$(1)/%.S.o: %.S $$(RV_FLAGS_$(1)) | deps
	@mkdir -p $$(dir $$@)
	$$(call say,AS,$$<)
	$$(Q)$$(CC) $$(RV_ASFLAGS) -c $$< -o $$@

$$(BUILD)/guests/$(1).elf: $$(RT_CRT0) $$(RV_OBJS_$(1)) $$(RT_LIB) \
		guests/rt/guest.ld $$(RV_FLAGS_$(1)) | deps
	$$(call say,LD,$$@)
	$$(Q)$$(CC) $$(RV_LDFLAGS) -o $$@ $$(RT_CRT0) $$(RV_OBJS_$(1)) \
		$$(RT_LIB) $$(RV_LINK_$(1)) $$(RV_LIBGCC)
	$$(Q)objdump -d -M att $$@ > $$(@:.elf=.lst)
	$$(Q)nm -n $$@ > $$(@:.elf=.sym)

GUEST_ELFS += $$(BUILD)/guests/$(1).elf
-include $$(RV_OBJS_$(1):.o=.d)
endef

# The samples: one source each.
RV_SAMPLES := $(basename $(notdir $(wildcard guests/samples/*.c)))
$(foreach s,$(RV_SAMPLES),$(eval $(call rv_guest,$(s),guests/samples/$(s).c)))

.PHONY: guests
guests: $(GUEST_ELFS)
