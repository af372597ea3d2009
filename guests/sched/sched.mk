# Guests for the scheduler's tests (test/test_sched.py) and the monitor's
# (test/test_monitor.py: ticker).
$(eval $(call rv_guest,spin,guests/sched/spin.c))
$(eval $(call rv_guest,sleeper,guests/sched/sleeper.c))
$(eval $(call rv_guest,bystander,guests/sched/bystander.c))
$(eval $(call rv_guest,crash,guests/sched/crash.c))
$(eval $(call rv_guest,ticker,guests/sched/ticker.c))
