"""The security catalogue's `monitor` cases (docs/security.md, tools/security.py):
abuse of the monitor's input on COM2, beside two running guests. Each case
must get exactly one reply line, the one pinned, and change nothing."""
import os
import sys
import time

import pytest

import rvqemu
from rvqemu import SerialConsole

sys.path.insert(0, str(rvqemu.ROOT / "tools"))
import security  # noqa: E402

G = rvqemu.BUILD / "guests"
WORKER = "_" + os.environ.get("PYTEST_XDIST_WORKER", "main")
CASES = [c for c in security.catalogue() if c["group"] == "monitor"]


def state(s):
    """{name: (state, weight, cap)} from list."""
    out = {}
    for line in s.command("list"):
        if line.startswith("guest "):
            kv = dict(w.split("=", 1) for w in line.partition(" reason=")[0].split()[1:])
            out[kv["name"]] = (kv["state"], kv["weight"], kv["cap"])
    return out


def send(s, raw):
    """The bytes, in pieces a UART's receive ring keeps up with."""
    for i in range(0, len(raw), 256):
        s.com2.sendall(raw[i:i + 256])
        time.sleep(0.02)


@pytest.fixture(scope="module")
def results():
    """One boot for every case (each test's QEMU ends with the test, so the
    boot is done here): {case: (reply, state after)}, and how the run
    ended once both guests were killed."""
    mods = [(G / "ticker.elf", "name=t1 -- 100"), (G / "ticker.elf", "name=t2 -- 100")]
    out = {}
    with SerialConsole(security.LOG_PREFIX + "monitor_input" + WORKER, mods,
                       append="exit=qemu monitor=com2", com2=True, timeout=240) as s:
        s.wait_for(r"^\[t2\] tick 1 ")
        for c in CASES:
            send(s, security.MONITOR_INPUT[c["id"]][1])
            out[c["id"]] = (s.command(c["id"], raw=b""), state(s))
        s.command("kill t1")
        s.command("kill t2")
        status = s.finish()
    # The run ends normally, so the oracle's end-of-run check ran too.
    assert status == rvqemu.STATUS_PASS and s.has(r"^ringvisor: oracle: intact"), s.text
    return out


@pytest.mark.parametrize("cid", [c["id"] for c in CASES])
def test_monitor_input(results, cid):
    _, raw, want = security.MONITOR_INPUT[cid]
    reply, after = results[cid]
    assert len(reply) == 1 and reply[0].startswith(want), (raw[:80], reply)
    assert after == {"t1": ("running", "100", "0"), "t2": ("running", "100", "0")}, after
