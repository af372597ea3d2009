# The benchmark guest (make bench): guests/bench/.
$(eval $(call rv_guest,bench,guests/bench/bench.c guests/bench/bench_entry.S))
RV_CFLAGS_bench := -Iguests/bench
