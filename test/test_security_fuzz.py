"""The hypercall fuzzer's share of make test: many sec_fuzz guests, each
restarted on death and on exit, at least 10^5 fuzzed calls in all
(counted from the guests' progress lines, so calls made by an incarnation
that died count to its last mark), every death counted by its reason, no
panic, the oracles intact. make soak runs the same at 10^6."""
import collections
import re
import sys

import rvqemu
from rvqemu import STATUS_PASS, boot

sys.path.insert(0, str(rvqemu.ROOT / "tools"))
import security  # noqa: E402

G = rvqemu.BUILD / "guests"
ICOUNT = "shift=0,sleep=off"    # every incarnation's seed (from the TSC) repeats


def fuzz_run(name, guests, restarts, calls, timeout):
    mods = [(G / "sec_fuzz.elf", f"name=fuzz{i} mem=2M on_crash=restart on_exit=restart "
                                 f"restarts={restarts} expect=any -- seed={i + 1} calls={calls}")
            for i in range(guests)]
    b = boot(name, append="exit=qemu", modules=mods, mem=256, icount=ICOUNT, timeout=timeout)
    marks = sum(int(n) for n in b.lines(r"^\[fuzz\d+\] fuzz: (\d+)$"))
    deaths = collections.Counter(
        re.sub(r"\b[0-9a-f]{8}\b", "X", re.sub(r"\b\d+\b", "N", r))
        for r in b.lines(r"^ringvisor: error: guest fuzz\d+ killed: (.*)$"))
    return marks, deaths, b


def escapes_in(b):
    return b.has(r"^ringvisor: error: oracle") or not b.has(r"^ringvisor: oracle: intact")


def test_fuzz_share():
    calls, deaths, b = fuzz_run(security.LOG_PREFIX + "fuzz", guests=8, restarts=40,
                                calls=2500, timeout=120)
    print(f"fuzz: {calls} calls, {sum(deaths.values())} deaths")
    for reason, n in deaths.most_common():
        print(f"  {n:5d} killed: {reason}")
    assert b.status != rvqemu.STATUS_PANIC and not b.has(r"panic"), b.describe()
    assert not escapes_in(b), b.describe()
    b.expect(STATUS_PASS)
    assert calls >= 10 ** 5, f"only {calls} fuzzed calls"
