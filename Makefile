# Ringvisor: build, run, test and benchmark. `make help` lists the targets.
# Every output goes under build/. See docs/usage.md.

BUILD    := build

# A recipe that fails leaves no half-written target behind (a failed link
# must not leave an ELF that the next make takes as up to date).
.DELETE_ON_ERROR:

# One line per step; `make V=1` shows every command instead.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-7s %s\n' '$(1)' '$(2)'
endif
# Every rule that runs a tool has the phony `deps` (tools/deps.sh) as an
# order-only prerequisite, so the packages are there before the first
# compiler runs, even under -j; and nothing below asks a tool anything while
# the Makefile is read. What only an installed compiler can say (libgcc's
# path, its include folder) is asked on first use, inside a recipe, and
# kept: `X = $(eval X := $$(shell ...))$(X)`.
CC       := gcc
HOSTCC   := gcc
PYTHON   := /usr/bin/python3
QEMU     := qemu-system-i386

# --- the hypervisor image ------------------------------------------------

BOOT_SRCS := boot/entry.S boot/bootinfo.c
ARCH_SRCS := arch/i386/vectors.S arch/i386/desc.c arch/i386/idt.c \
	arch/i386/trap.c arch/i386/exception.c arch/i386/cpu.c \
	arch/i386/pic.c arch/i386/pit.c arch/i386/tsc.c arch/i386/zero.c arch/i386/serial.c \
	arch/i386/vga.c arch/i386/acpi.c arch/i386/power.c arch/i386/rtc.c \
	arch/i386/keyboard.c
SWITCHER_SRCS := switcher/switcher.S switcher/setup.c switcher/rom.S switcher/rom.c \
	switcher/walk.c
MM_SRCS   := mm/memmap.c mm/frame.c mm/paging.c mm/heap.c mm/gmem.c mm/shadow.c
TRAPS_SRCS := traps/idt.c traps/reflect.c traps/emulate.c traps/insn.c traps/fpu.c \
	traps/walk.c
DEV_SRCS  := dev/dev.c dev/virtio_pci.c dev/virtqueue.c dev/virtio_console.c \
	dev/virtio_blk.c \
	dev/virtio_net.c dev/netswitch.c dev/netplan.c
HCALL_SRCS := hcall/dispatch.c hcall/segments.c hcall/desc.c
CORE_SRCS := core/main.c core/timer.c core/config.c core/elf.c \
	core/bzimage.c core/linux.c core/modules.c core/guest.c core/lifecycle.c core/console.c core/run.c core/sched.c \
	core/bench.c core/oracle.c core/monitor.c core/monitor_cmd.c core/monitor_table.c
LIB_SRCS  := lib/log.c lib/string.c lib/format.c lib/cmdline.c lib/errmsg.c lib/escape.c

HV_SRCS := $(BOOT_SRCS) $(ARCH_SRCS) $(SWITCHER_SRCS) $(MM_SRCS) $(TRAPS_SRCS) \
	$(DEV_SRCS) $(HCALL_SRCS) $(CORE_SRCS) $(LIB_SRCS)
HV_OBJS := $(patsubst %,$(BUILD)/%.o,$(HV_SRCS))

HV_CFLAGS := -m32 -march=i686 -std=gnu11 -ffreestanding -fno-pie -fno-pic \
	-fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-omit-frame-pointer -mgeneral-regs-only -O2 -g \
	-Wall -Wextra -Werror -Wno-unused-parameter \
	-Iinclude -I. -MMD -MP $(EXTRA_CFLAGS)
HV_ASFLAGS := -m32 -Iinclude -I. -I$(BUILD) -D__ASSEMBLER__ -MMD -MP -g
HV_LDFLAGS := -m32 -nostdlib -static -no-pie -Wl,--build-id=none \
	-Wl,-z,noexecstack -Wl,--fatal-warnings -T linker.ld
LIBGCC = $(eval LIBGCC := $$(shell $(CC) -m32 -print-libgcc-file-name))$(LIBGCC)

HV_ELF := $(BUILD)/ringvisor.elf

.PHONY: all
all: $(HV_ELF)

$(BUILD)/%.c.o: %.c | deps
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(HV_CFLAGS) -c $< -o $@

$(BUILD)/%.S.o: %.S | deps
	@mkdir -p $(dir $@)
	$(call say,AS,$<)
	$(Q)$(CC) $(HV_ASFLAGS) -c $< -o $@

# Struct offsets for the Switcher's assembly, generated from the C structs.
$(BUILD)/asm-offsets.h: switcher/asm-offsets.c switcher/switcher.h include/abi.h \
		arch/i386/arch.h arch/i386/x86.h | deps
	@mkdir -p $(BUILD)
	$(call say,GEN,$@)
	$(Q)$(CC) $(HV_CFLAGS) -S $< -o $(BUILD)/asm-offsets.s
	$(Q){ echo "/* Generated from switcher/asm-offsets.c: do not edit. */"; \
	  sed -n 's/.*->\([A-Za-z_0-9]*\) \$$\{0,1\}\([0-9-]*\).*/#define \1 \2/p' \
		$(BUILD)/asm-offsets.s; } > $@
$(BUILD)/switcher/switcher.S.o: $(BUILD)/asm-offsets.h

# The #PF walker runs in the Switcher, mapped into guests, where nothing of
# the host is: its code moves to the Switcher's text, and an object with
# any data, any other code section or any undefined symbol is refused.
$(BUILD)/switcher/walk.c.o: switcher/walk.c | deps
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(HV_CFLAGS) -fno-jump-tables -fno-tree-loop-distribute-patterns \
		-c $< -o $@.tmp
	$(Q)objcopy --rename-section .text=.switcher.walk $@.tmp
	$(Q)if nm -u $@.tmp | grep -q . || objdump -h $@.tmp | awk '$$2 ~ /^\./ && \
		$$2 !~ /^\.(switcher\.walk|note\.GNU-stack|comment|debug.*|group)$$/ && \
		$$3 != "00000000" { bad = 1 } END { exit !bad }'; then \
		echo "$<: the Switcher's walker may have no data and call nothing" >&2; \
		rm -f $@.tmp; exit 1; fi
	$(Q)mv $@.tmp $@

# Two link passes: the first with an empty symbol table, whose text symbols
# become the second's .ksyms. .ksyms sits after .data (linker.ld), so no
# function moves between the passes; the cmp below proves it.
$(BUILD)/ksyms-empty.S: tools/mksyms.sh
	@mkdir -p $(BUILD)
	$(Q)sh tools/mksyms.sh > $@
$(BUILD)/ringvisor.pass1.elf: $(HV_OBJS) $(BUILD)/ksyms-empty.S.o linker.ld | deps
	$(call say,LD,$@)
	$(Q)$(CC) $(HV_LDFLAGS) -o $@ $(HV_OBJS) $(BUILD)/ksyms-empty.S.o $(LIBGCC)
$(BUILD)/ksyms.S: $(BUILD)/ringvisor.pass1.elf tools/mksyms.sh | deps
	$(call say,SYMS,$@)
	$(Q)sh tools/mksyms.sh $< > $@
$(BUILD)/%.S.o: $(BUILD)/%.S | deps
	$(Q)$(CC) $(HV_ASFLAGS) -c $< -o $@
$(HV_ELF): $(HV_OBJS) $(BUILD)/ksyms.S.o linker.ld | deps
	$(call say,LD,$@)
	$(Q)$(CC) $(HV_LDFLAGS) -Wl,-Map,$(BUILD)/ringvisor.map -o $@ \
		$(HV_OBJS) $(BUILD)/ksyms.S.o $(LIBGCC)
	$(Q)nm -n $(BUILD)/ringvisor.pass1.elf | grep -i ' t ' | grep -v ' __' > $(BUILD)/syms.pass1
	$(Q)nm -n $@ | grep -i ' t ' | grep -v ' __' > $(BUILD)/syms.pass2
	$(Q)cmp -s $(BUILD)/syms.pass1 $(BUILD)/syms.pass2 || \
		{ echo "error: functions moved between link passes"; exit 1; }
	$(Q)objdump -d -M att $@ > $(BUILD)/ringvisor.lst
	$(Q)nm -n $@ > $(BUILD)/ringvisor.sym

-include $(HV_OBJS:.o=.d)

# --- guests, test modules, ISO ----------------------------------------------

include guests/rt/rt.mk
-include guests/newlib/newlib.mk
-include guests/libctest/libctest.mk
-include guests/tests/tests.mk
-include guests/contests/contests.mk
-include guests/paging.mk
-include guests/security/security.mk
include guests/bench/bench.mk
include guests/sched/sched.mk
# Every fragment above added to GUEST_ELFS; rt.mk's rule saw only its own.
guests: $(GUEST_ELFS)
# make guest NAME= SRC=: after every tree guest, so their names are taken.
include guests/rt/adhoc.mk
include test/unit/unit.mk

TESTMODS := $(BUILD)/testmods/.stamp $(BUILD)/testmods/tlinux.bz
$(BUILD)/testmods/.stamp: tools/mkmodules.py | deps
	$(call say,GEN,$(BUILD)/testmods)
	$(Q)$(PYTHON) tools/mkmodules.py $(BUILD)/testmods
	$(Q)touch $@
# The tlinux test guest as a bzImage and as a vmlinux (.bz, .vmlinux).
$(BUILD)/testmods/tlinux.bz: $(BUILD)/guests/tlinux.elf tools/mkmodules.py | deps
	$(call say,GEN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(PYTHON) tools/mkmodules.py --wrap $< $(BUILD)/testmods/tlinux

# The default guests, what `make run` and the ISO boot: echo (it has the
# console's input: type lines, `quit` ends it), hello (printf on newlib),
# compute (timed floating-point work) and os (a multitasking guest OS with
# ring-3 processes).
DEFAULT_GUESTS := $(addprefix $(BUILD)/guests/,echo.elf hello_libc.elf compute.elf os.elf)
DEFAULT_MODULES := $(BUILD)/guests/echo.elf name=echo mem=8M,$(BUILD)/guests/hello_libc.elf name=hello mem=8M expect=exit:3,$(BUILD)/guests/compute.elf name=compute mem=8M,$(BUILD)/guests/os.elf name=os mem=8M

ISO := $(BUILD)/ringvisor.iso
.PHONY: iso
iso: $(ISO)
$(ISO): $(HV_ELF) $(DEFAULT_GUESTS) tools/mkiso.sh | deps
	sh tools/mkiso.sh $@ $(HV_ELF) "$(HV_ARGS)" \
		$(BUILD)/guests/echo.elf "name=echo mem=8M" \
		$(BUILD)/guests/hello_libc.elf "name=hello mem=8M expect=exit:3" \
		$(BUILD)/guests/compute.elf "name=compute mem=8M" \
		$(BUILD)/guests/os.elf "name=os mem=8M"

# --- running --------------------------------------------------------------

# LINUX=path/to/bzImage-or-vmlinux adds a Linux guest named linux, first,
# so it has the console's input; INITRD=file is its initrd, by default the
# busybox one tools/mkinitramfs.sh builds; LINUX_ARGS= its kernel command
# line (docs/linux-guest.md). QEMU then gets memory for it too.
LINUX      ?=
INITRD     ?=
LINUX_ARGS ?=
LINUX_MEM  := 64M
BUSYBOX_INITRD := $(BUILD)/linux/initramfs.cpio.gz
RUN_INITRD := $(if $(LINUX),$(or $(INITRD),$(BUSYBOX_INITRD)))
comma := ,
LINUX_MODULES := $(if $(LINUX),$(LINUX) name=linux mem=$(LINUX_MEM) \
	initrd=$(RUN_INITRD) -- $(LINUX_ARGS)$(comma)$(RUN_INITRD)$(comma))

# What a user may change (make help lists them):
#   MODULES=   the guests: comma-separated module strings (docs/usage.md)
#   RUN_ARGS=  more of the hypervisor's command line; run and debug always
#              put exit=qemu before it, so QEMU ends with the verdict
#   QEMU_MEM=  the machine's memory in MiB
#   QEMU_ARGS= more QEMU options, at the end of its command line
#   DEBUG_PORT= the TCP port (on 127.0.0.1) where QEMU waits for gdb
#   DEBUG_GDB= what gdb does once attached (default: stop at the guest's
#              main with GUEST=, else at the hypervisor's c_boot_main)
QEMU_MEM   ?= $(if $(LINUX),256,128)
QEMU_ARGS  ?=
QEMU_BASE  := -accel tcg -m $(QEMU_MEM) -no-reboot -nic none
RUN_ARGS   ?=
HV_ARGS    := $(strip exit=qemu $(RUN_ARGS))
MODULES    ?= $(LINUX_MODULES)$(DEFAULT_MODULES)
DEBUG_PORT ?= 1234
GDB        := gdb
DEBUG_GDB  ?= $(if $(GUEST),-ex 'gbreak main',-ex 'break c_boot_main') -ex continue

$(BUSYBOX_INITRD): tools/mkinitramfs.sh | deps
	sh tools/mkinitramfs.sh $@

# deps.sh's own line: the one command that runs before the Makefile knows
# a tool is there.
DEPS_SH ?= sh tools/deps.sh
.PHONY: deps
deps:
	@$(DEPS_SH)

.PHONY: run
run: deps all $(DEFAULT_GUESTS) $(if $(LINUX),$(if $(INITRD),,$(BUSYBOX_INITRD)))
	$(if $(LINUX),@test -f "$(LINUX)" || { echo "LINUX=$(LINUX): no such file"; exit 1; })
	@echo "run: booting $(HV_ELF), command line \"$(HV_ARGS)\", with these guests:"
	@printf '%s\n' "$(MODULES)" | tr ',' '\n' | sed 's/^ */run:   /'
	@echo "run: press Ctrl-] for the ringvisor> monitor prompt (help, list, console NAME,"
	@echo "run: pause, kill, shutdown...; docs/console.md). What you type goes to the guest"
	@echo "run: with the input focus, the first one; Ctrl-A three times moves it to the next."
	@echo "run: QEMU ends when every guest has ended, or on the monitor's shutdown;"
	@echo "run: Ctrl-C quits it at once, with no summary."
	$(QEMU) $(QEMU_BASE) -kernel $(HV_ELF) \
		-append "$(HV_ARGS)$$([ -t 1 ] && echo ' color')" \
		$(if $(MODULES),-initrd "$(MODULES)") -serial stdio -display none \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 $(QEMU_ARGS) || [ $$? -eq 3 ]

# The trusted computing base in code lines (cloc), by layer
# (tools/layers.txt); docs/design.md records the figure.
.PHONY: tcb
tcb: deps
	@$(PYTHON) tools/tcb.py

# QEMU waits for gdb; the console goes to build/debug-serial.log (gdb owns
# the terminal). GUEST=build/guests/NAME.elf adds that guest's symbols
# (without gdb's confirmation prompt) and stops at its main; tools/debug.gdb
# defines `gbreak`, a breakpoint for guest code (docs/usage.md).
.PHONY: debug
debug: deps all $(DEFAULT_GUESTS)
	@$(DEPS_SH) gdb
	$(QEMU) $(QEMU_BASE) -kernel $(HV_ELF) -append "$(HV_ARGS)" \
		$(if $(MODULES),-initrd "$(MODULES)") -display none \
		-serial file:$(BUILD)/debug-serial.log \
		-gdb tcp:127.0.0.1:$(DEBUG_PORT) -S $(QEMU_ARGS) & qemu=$$!; \
	$(GDB) -q -x tools/debug.gdb $(HV_ELF) \
		$(if $(GUEST),-ex 'add-symbol-file $(GUEST) -readnow') \
		-ex 'target remote 127.0.0.1:$(DEBUG_PORT)' $(DEBUG_GDB); \
	kill $$qemu 2>/dev/null || true

# --- tests ------------------------------------------------------------------

PYTEST := $(PYTHON) -m pytest -n 2 -q -p no:cacheprovider -rs
PYTEST_ARGS ?=

.PHONY: test
test: deps all $(TESTMODS) $(BUILD)/unit/unit guests $(ISO) \
		$(if $(LINUX),$(if $(INITRD),,$(BUSYBOX_INITRD)))
	@$(DEPS_SH) gdb
	$(PYTEST) $(or $(PYTEST_ARGS),test)

# From an empty Debian 12 root (debootstrap) and a `git clone` of HEAD to a
# passing `make test`, as on a fresh machine; 10-30 minutes, root only.
.PHONY: test-fresh
test-fresh:
	sh tools/test-fresh.sh

# --- benchmarks -------------------------------------------------------------

.PHONY: bench
bench: deps all guests
	@$(DEPS_SH) python3-matplotlib
	$(PYTHON) tools/bench.py --build $(BUILD) --publish

# The same Linux kernel natively and as a guest, under the same -icount:
# tools/bench_linux.py. LINUX= names the kernel (its build directory, or
# its bzImage); BENCH_LINUX_ARGS=--builtin-initramfs for a kernel that
# carries build/linux/bench-initramfs.d itself. The benchmark program is
# static i386 (glibc from gcc-multilib) and runs only inside QEMU.
LINUXBENCH      := $(BUILD)/linux/linuxbench
BENCH_INITRAMFS := $(BUILD)/linux/bench-initramfs.cpio.gz
$(LINUXBENCH): tools/linuxbench/linuxbench.c | deps
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) -m32 -static -O2 -s -std=gnu11 -Wall -Wextra -Werror -o $@ $<
$(BENCH_INITRAMFS): $(LINUXBENCH) tools/linuxbench/mkinitramfs.sh | deps
	$(call say,GEN,$@)
	$(Q)sh tools/linuxbench/mkinitramfs.sh $(LINUXBENCH) $@

.PHONY: bench-linux
ifeq ($(LINUX),)
bench-linux:
	@$(PYTHON) tools/bench_linux.py
else
bench-linux: deps all $(BENCH_INITRAMFS)
	$(PYTHON) tools/bench_linux.py --build $(BUILD) --linux $(LINUX) --publish $(BENCH_LINUX_ARGS)
endif

# Each named check left out in turn: its tests must then fail.
.PHONY: test-mutation
test-mutation: deps all guests $(TESTMODS)
	$(PYTHON) tools/mutation.py

# The security catalogue alone (docs/security.md), the fuzzer's share and
# the mutation check; ends with "security: N cases, N passed, M escapes".
.PHONY: test-security
test-security: deps all guests $(TESTMODS)
	$(PYTHON) tools/security.py suite

# The long runs: 10^6 fuzzed hypercalls; 1000 crash-and-restart cycles
# next to a bystander, every frame back and the bystander unchanged.
.PHONY: soak
soak: deps all guests
	$(PYTHON) tools/security.py soak

.PHONY: help
help:
	@echo 'make run           build everything, boot the default guests in QEMU'
	@echo 'make test          the whole suite, unattended (PYTEST_ARGS= to narrow it)'
	@echo 'make               the hypervisor image, build/ringvisor.elf'
	@echo 'make guests        every guest under guests/'
	@echo 'make guest NAME=prog SRC="a.c b.c" [LIBC=newlib|none] [CFLAGS=...]'
	@echo '                   one program of yours as a guest, on newlib unless LIBC=none'
	@echo 'make newlib        build newlib for guests (once; make guests does it too)'
	@echo 'make iso           build/ringvisor.iso, GRUB with the default guests'
	@echo 'make bench         the benchmarks: build/bench/ (JSON, plots), docs/benchmarks.md figures'
	@echo 'make bench-linux LINUX=dir-or-bzImage   a Linux kernel natively and as a guest'
	@echo 'make debug [GUEST=build/guests/NAME.elf]   QEMU stopped, gdb attached'
	@echo 'make tcb           the hypervisor'"'"'s code lines by layer (cloc)'
	@echo 'make run LINUX=bzImage|vmlinux [INITRD=file] [LINUX_ARGS=...]   a Linux guest too'
	@echo 'make test LINUX=... [INITRD=...]   also boots that Linux (test/test_linux.py)'
	@echo 'make test-security the security suite alone; make test-mutation; make soak'
	@echo 'make test-fresh    from an empty Debian 12 root to a passing make test (root, 10-30 min)'
	@echo 'make unit          the host unit tests only'
	@echo 'make deps          install the Debian packages the build needs (every target does)'
	@echo 'make clean         remove build/'
	@echo 'Options for run and debug (and the ISO):'
	@echo '  MODULES="f.elf name=a -- args,g.elf name=b"   the guests (default: echo, hello, compute, os)'
	@echo '  RUN_ARGS="loglevel=debug ..."   more hypervisor options; exit=qemu is always there'
	@echo '  QEMU_MEM=128      the machine memory in MiB;  QEMU_ARGS="..."  more QEMU options'
	@echo '  DEBUG_PORT=1234   where QEMU waits for gdb;  DEBUG_GDB="-ex ..."  gdb commands'
	@echo 'V=1 shows every command.'

.PHONY: clean
clean:
	rm -rf $(BUILD)
