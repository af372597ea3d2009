# `make guest NAME=prog SRC="a.c b.c"`: a user's own program as a guest.
# Included by the top Makefile after every fragment that declares the
# tree's guests, so a NAME that is already one of them is seen and refused.
#
#   LIBC=newlib (the default)  hosted C on newlib: printf, malloc, qsort,
#                              time, exit (guests/newlib/newlib.mk)
#   LIBC=none                  the bare runtime alone (guests/rt/rv.h)
#   CFLAGS=...                 more C flags for the program's sources (on
#                              make's command line; not the environment's)
#
# The guest is $(BUILD)/guests/NAME.elf, its objects under
# $(BUILD)/guests/obj/NAME/. It is not one of `make guests`.

LIBC ?= newlib

.PHONY: guest
ifneq ($(filter guest,$(MAKECMDGOALS)),)
RV_USAGE := usage: make guest NAME=prog SRC="a.c b.c" [LIBC=newlib|none]
ifeq ($(strip $(NAME)),)
$(error make guest: no NAME. $(RV_USAGE))
endif
ifneq ($(words $(NAME))$(findstring /,$(NAME)),1)
$(error make guest: NAME='$(NAME)' must be one word without a '/'. $(RV_USAGE))
endif
ifeq ($(strip $(SRC)),)
$(error make guest: no SRC. $(RV_USAGE))
endif
ifneq ($(filter $(BUILD)/guests/$(NAME).elf,$(GUEST_ELFS)),)
$(error make guest: NAME=$(NAME) is one of the tree's own guests \
($(BUILD)/guests/$(NAME).elf); pick another NAME)
endif
ifeq ($(LIBC),newlib)
$(eval $(call rv_newlib_guest,$(NAME),$(SRC)))
else ifeq ($(LIBC),none)
$(eval $(call rv_guest,$(NAME),$(SRC)))
else
$(error make guest: LIBC=$(LIBC): say newlib (the default) or none)
endif
# Only from make's command line: a CFLAGS in the environment is the host's.
RV_CFLAGS_$(NAME) += $(if $(filter command line,$(origin CFLAGS)),$(CFLAGS))
endif

guest: $(if $(NAME),$(BUILD)/guests/$(NAME).elf)
