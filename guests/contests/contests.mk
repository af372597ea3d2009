# The console's test guests (test/test_console.py), linked on guests/rt.
# Included by the top-level Makefile after guests/rt/rt.mk.

$(eval $(call rv_guest,conflood,guests/contests/conflood.c))
$(eval $(call rv_guest,conecho,guests/contests/conecho.c))
$(eval $(call rv_guest,contty,guests/contests/contty.c))
