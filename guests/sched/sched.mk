# Guests for the scheduler's tests (test/test_sched.py).
$(eval $(call rv_guest,spin,guests/sched/spin.c))
$(eval $(call rv_guest,sleeper,guests/sched/sleeper.c))
$(eval $(call rv_guest,bystander,guests/sched/bystander.c))
$(eval $(call rv_guest,crash,guests/sched/crash.c))
