# The benchmark guest (make bench): guests/bench/.
$(eval $(call rv_guest,bench,guests/bench/bench.c guests/bench/bench_entry.S))
RV_CFLAGS_bench := -Iguests/bench
# The switch's benchmark, beside the udp_echo sample (tools/bench.py).
$(eval $(call rv_guest,netbench,guests/bench/netbench.c))
