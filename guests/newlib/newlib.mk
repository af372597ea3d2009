# newlib 3.3.0 for guests: built once from Debian's newlib-source tarball,
# and the rules that link an ordinary C program on it as a Ringvisor guest.
# Included by the top-level Makefile after guests/rt/rt.mk (it uses
# RV_CFLAGS, RT_LIB, RV_LIBGCC and rv_guest from there).
#
#   make newlib                              build the library (once)
#   (make guest NAME= SRC=: newlib is the default, guests/rt/adhoc.mk)
#   $(eval $(call rv_newlib_guest,NAME,SOURCES)) declare a newlib guest
#
# A newlib guest is an rv_guest (crt0, librv.a, guest.ld) compiled against
# newlib's headers and linked with guests/libc/syscalls.c, libm, libc and
# libgcc. main is reached through syscalls.c's __wrap_main, so returning
# from main is exit(): atexit handlers run and stdio is flushed.
# guests/newlib/guest.mk does the same for a program in its own folder.

NEWLIB_VERSION := 3.3.0
NEWLIB_TARBALL := /usr/src/newlib/newlib-$(NEWLIB_VERSION).tar.xz
NEWLIB_TARGET  := i686-elf

NEWLIB_DIR    := $(BUILD)/newlib
NEWLIB_SRC    := $(NEWLIB_DIR)/newlib-$(NEWLIB_VERSION)
NEWLIB_OBJDIR := $(NEWLIB_DIR)/obj
NEWLIB_PREFIX := $(NEWLIB_DIR)/install
NEWLIB_LOG    := $(NEWLIB_DIR)/build.log
# (The tarball's top folder is newlib-salsa; it is unpacked without it.)
# Present only after a complete build and install; nothing else rebuilds it.
NEWLIB_STAMP  := $(NEWLIB_DIR)/.stamp

NEWLIB_INC  := $(NEWLIB_PREFIX)/$(NEWLIB_TARGET)/include
NEWLIB_LIBS := $(NEWLIB_PREFIX)/$(NEWLIB_TARGET)/lib/libc.a \
	$(NEWLIB_PREFIX)/$(NEWLIB_TARGET)/lib/libm.a

# The host compiler predefines Linux's macros; newlib's sys/config.h would
# then pick __DYNAMIC_REENT__, which the bare-metal library is not built
# with. Library and programs must both drop them.
NEWLIB_UNDEFS := -U__linux__ -U__linux -Ulinux -U__gnu_linux__ -U__unix__ \
	-U__unix -Uunix

# Newlib's headers come before the compiler's own, which rt.mk's rules put
# last ($(RV_SYSINC)); RV_CFLAGS has -nostdinc, so never the host's.
NEWLIB_CFLAGS := -isystem $(NEWLIB_INC) $(NEWLIB_UNDEFS)

NEWLIB_CFLAGS_FOR_TARGET := -O2 -g -march=i686 -fno-pie -fno-pic \
	-fno-stack-protector -fno-asynchronous-unwind-tables $(NEWLIB_UNDEFS)

# toolchain-facts.md's configuration, plus printf's %lld and C99 formats
# (%zu, %hhd, %jd, %a): without them newlib prints such arguments wrong and
# misreads every argument after them. Changing these needs the stamp gone
# (make clean, or rm $(NEWLIB_STAMP)).
NEWLIB_CONFIGURE := --target=$(NEWLIB_TARGET) \
	--prefix=$(abspath $(NEWLIB_PREFIX)) \
	--disable-newlib-supplied-syscalls --enable-newlib-nano-malloc \
	--disable-newlib-multithread --disable-multilib --disable-libgloss \
	--enable-newlib-io-float --enable-newlib-io-long-long \
	--enable-newlib-io-c99-formats --disable-nls \
	CC_FOR_TARGET="$(CC) -m32" AS_FOR_TARGET="as --32" \
	LD_FOR_TARGET="ld -m elf_i386" AR_FOR_TARGET=ar \
	RANLIB_FOR_TARGET=ranlib NM_FOR_TARGET=nm OBJDUMP_FOR_TARGET=objdump \
	CFLAGS_FOR_TARGET="$(NEWLIB_CFLAGS_FOR_TARGET)"

# The inner makes run with MAKEFLAGS cleared: this make's command-line
# variables (NAME=, SRC=, CC= ...) and job server must not leak into
# newlib's own build.
NEWLIB_MAKE := env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make

.PHONY: newlib
newlib: $(NEWLIB_STAMP)

# One shell, holding a lock on the folder: two makes started at once in
# one tree (two engineers, or `make test` beside `make guests`) build it
# once; the second waits and finds the stamp. It says what step it is at,
# every NEWLIB_TICK seconds how many objects are compiled, and ends with a
# line saying how long it took; the compilers' own output goes to the log.
NEWLIB_TICK    := 15
NEWLIB_OBJECTS := 1000
$(NEWLIB_STAMP): | deps
	@test -f $(NEWLIB_TARBALL) || { echo "newlib: $(NEWLIB_TARBALL)" \
		"is missing: install newlib-source (make deps)"; exit 1; }
	@mkdir -p $(NEWLIB_DIR)
	@exec 9> $(NEWLIB_DIR)/.lock; flock 9; test -f $@ && exit 0; \
	t0=$$(date +%s); \
	step() { echo "  NEWLIB  $$* [$$(( $$(date +%s) - t0 )) s]"; }; \
	fail() { echo "newlib: $$1 failed; the end of $(NEWLIB_LOG):"; \
		tail -n 40 $(NEWLIB_LOG); exit 1; }; \
	echo "  NEWLIB  building newlib $(NEWLIB_VERSION) for $(NEWLIB_TARGET)," \
		"once (a few minutes); log in $(NEWLIB_LOG)"; \
	rm -rf $(NEWLIB_SRC) $(NEWLIB_OBJDIR) $(NEWLIB_PREFIX); \
	mkdir -p $(NEWLIB_SRC) $(NEWLIB_OBJDIR); : > $(NEWLIB_LOG); \
	step "unpacking $(NEWLIB_TARBALL)"; \
	tar -xJf $(NEWLIB_TARBALL) -C $(NEWLIB_SRC) --strip-components=1 \
		>> $(NEWLIB_LOG) 2>&1 || fail unpacking; \
	step configuring; \
	( cd $(NEWLIB_OBJDIR) && \
	  ../newlib-$(NEWLIB_VERSION)/configure $(NEWLIB_CONFIGURE) ) \
		>> $(NEWLIB_LOG) 2>&1 || fail configure; \
	step "compiling (about $(NEWLIB_OBJECTS) objects)"; \
	( n=0; while kill -0 $$$$ 2>/dev/null; do sleep 1; n=$$((n + 1)); \
	  [ $$((n % $(NEWLIB_TICK))) -ne 0 ] || step "compiling:" \
	    "$$(find $(NEWLIB_OBJDIR) -name '*.o' | wc -l) objects"; \
	  done ) & tick=$$!; \
	( cd $(NEWLIB_OBJDIR) && $(NEWLIB_MAKE) -j2 all-target-newlib ) \
		>> $(NEWLIB_LOG) 2>&1; status=$$?; kill $$tick; wait $$tick; \
	[ $$status -eq 0 ] || fail compiling; \
	step "installing into $(NEWLIB_PREFIX)"; \
	( cd $(NEWLIB_OBJDIR) && $(NEWLIB_MAKE) install-target-newlib ) \
		>> $(NEWLIB_LOG) 2>&1 || fail installing; \
	touch $@; \
	echo "  NEWLIB  done: newlib $(NEWLIB_VERSION) built in" \
		"$$(( $$(date +%s) - t0 )) s, $$(find $(NEWLIB_OBJDIR) -name '*.o' | wc -l) objects"

# --- the system calls newlib needs (guests/libc) ---------------------------

NEWLIB_SYSCALLS := $(BUILD)/guests/libc/syscalls.c.o

# Guest programs on newlib are hosted C: -fhosted undoes rt.mk's
# -ffreestanding (main has its standard meaning, printf may become puts).
RV_NEWLIB_CFLAGS := $(NEWLIB_CFLAGS) -fhosted

$(NEWLIB_SYSCALLS): guests/libc/syscalls.c $(NEWLIB_STAMP) | deps
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(RV_CFLAGS) $(RV_NEWLIB_CFLAGS) $(RV_SYSINC) -c $< -o $@

-include $(NEWLIB_SYSCALLS:.o=.d)

# The link inputs after librv.a: the group lets libc reach back into the
# system calls (and they into librv) in any order.
RV_NEWLIB_LINK = -Wl,--wrap=main -Wl,--start-group $(NEWLIB_SYSCALLS) \
	$(RT_LIB) $(NEWLIB_LIBS) $(RV_LIBGCC) -Wl,--end-group

# $(call rv_newlib_guest,NAME,SOURCES): rv_guest, compiled and linked on
# newlib. Also turns an NAME already declared by rv_guest into one on
# newlib (the per-guest variables are read when the recipes run).
define rv_newlib_guest_vars
RV_CFLAGS_$(1) = $$(RV_NEWLIB_CFLAGS)
RV_LINK_$(1)   = $$(RV_NEWLIB_LINK)
$$(RV_OBJS_$(1)): $$(NEWLIB_STAMP)
$$(BUILD)/guests/$(1).elf: $$(NEWLIB_SYSCALLS) $$(NEWLIB_STAMP)
endef

define rv_newlib_guest
$(call rv_guest,$(1),$(2))
$(call rv_newlib_guest_vars,$(1))
endef

# The newlib samples: guests/samples/newlib/NAME.c, one source each.
RV_NEWLIB_SAMPLES := $(basename $(notdir $(wildcard guests/samples/newlib/*.c)))
$(foreach s,$(RV_NEWLIB_SAMPLES),$(eval \
	$(call rv_newlib_guest,$(s),guests/samples/newlib/$(s).c)))
