"""`make bench` runs and writes results.json in the agreed format. No
figure is judged here: benchmarks are not tests."""
import json
import subprocess
import sys

import rvqemu

KEYS = {"name", "unit", "value", "native", "ratio", "method"}
UNITS = {"instructions", "switches", "ratio", "percent", "bytes"}


def test_bench_writes_valid_json():
    p = subprocess.run([sys.executable, str(rvqemu.ROOT / "tools/bench.py"),
                        "--build", str(rvqemu.BUILD), "--no-plots"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    res = json.loads((rvqemu.BUILD / "bench" / "results.json").read_text())
    assert isinstance(res, list) and res
    names = set()
    for r in res:
        assert set(r) == KEYS, r
        assert r["unit"] in UNITS, r
        assert isinstance(r["value"], (int, float)), r
        assert r["native"] is None or isinstance(r["native"], (int, float)), r
        assert r["ratio"] is None or isinstance(r["ratio"], (int, float)), r
        names.add(r["name"])
    assert {"hypercall_null", "hypercall_floor", "hypercall_async_1", "hypercall_async_8",
            "hypercall_async_64", "trap_reflected", "trap_direct", "syscall_user",
            "pagefault_demand", "pagefault_guest", "pagefault_switches",
            "process_switch_cached", "process_switch_uncached", "virq_latency",
            "timer_lateness", "cpu_bound_ratio", "fair_share_error_percent",
            "boot_to_first_guest", "memory_per_guest"} <= names
    assert {f"guest_switch_{n}" for n in (1, 2, 4, 8, 16, 32, 64)} <= names
