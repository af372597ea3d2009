"""Denial of service (docs/security.md): guests that never halt, keep the
virtual IF off, or storm the host with hypercalls, faults, page faults,
console output or IRQ-vector `int`s, each until its cpu_limit=, next to a
bystander whose output must be byte-identical to its solo run and a
CPU-bound guest that must still get its weight's share. Under -icount
shift=0,sleep=off, so every figure is exact and repeatable."""
import os
import re
import sys

import pytest

import rvqemu
from rvqemu import STATUS_PASS, boot

sys.path.insert(0, str(rvqemu.ROOT / "tools"))
import security  # noqa: E402
from test_security import bystander_lines, mark, note_escape  # noqa: E402

G = rvqemu.BUILD / "guests"
ICOUNT = "shift=0,sleep=off"
WORKER = "_" + os.environ.get("PYTEST_XDIST_WORKER", "main")
SPIN_MS = 300                   # the share guest spins for this long (wall)
SHARE_SLACK = 0.9               # it must get at least 90% of its fair share


def summary(b):
    rows = {}
    for m in re.finditer(r"^ringvisor: (\S+)\s+(exited|killed|gone)\s+(-?\d+|-)\s+(\d+|-)"
                         r"\s+\S+\s+\S+\s+\S+\s+(\d+)", b.log, re.M):
        rows[m[1]] = (m[2], m[3], int(m[4]) if m[4] != "-" else None, int(m[5]))
    return rows


@pytest.fixture(scope="module")
def solo():
    return boot(security.LOG_PREFIX + "dos_solo" + WORKER, append="exit=qemu", icount=ICOUNT,
                modules=[(G / "bystander.elf", "name=bystander")]).expect(STATUS_PASS)


@pytest.fixture(scope="module")
def storms():
    mods = [(G / "bystander.elf", "name=bystander"),
            (G / "spin.elf", f"name=share -- {SPIN_MS}")]
    for cid, (_, mode) in security.DOS.items():
        mods.append((G / "sec_storm.elf", f"name={cid} cpu_limit=100ms expect=killed -- {mode}"))
    return boot(security.LOG_PREFIX + "dos_storms" + WORKER, append="exit=qemu",
                icount=ICOUNT, modules=mods, mem=256, timeout=240)


@pytest.mark.parametrize("case", [mark(c) for c in security.catalogue() if c["group"] == "dos"])
def test_storm(storms, solo, case):
    storms.require(rf"^ringvisor: error: guest {case} killed: used up its cpu_limit=")
    assert storms.has(rf"^\[{case}\] storm "), storms.describe()
    same = bystander_lines(storms) == bystander_lines(solo)
    if not same:
        note_escape("dos: the bystander's output differs from its solo run")
    assert same and len(bystander_lines(solo)) == 20, storms.describe()
    rows = summary(storms)
    # While the seven storms and the share guest all want the CPU (the
    # whole SPIN_MS: no storm reaches its 100 ms limit before), equal
    # weights give the share guest 1/8 of it.
    fair_us = SPIN_MS * 1000 / (len(security.DOS) + 1)
    assert rows["share"][2] >= SHARE_SLACK * fair_us, (rows["share"], fair_us)


def test_storms_verdict(storms):
    assert not storms.has(r"^ringvisor: error: oracle"), storms.describe()
    storms.require(r"^ringvisor: oracle: intact").expect(STATUS_PASS)


def churn(name, restarts, timeout=120):
    """A crashing guest restarted `restarts` times next to a bystander; the
    free frames back to the baseline, the bystander unchanged."""
    solo = boot(name + "_solo", append="exit=qemu", icount=ICOUNT,
                modules=[(G / "bystander.elf", "name=bystander -- 40")])
    mods = [(G / "bystander.elf", "name=bystander -- 40"),
            (G / "crash.elf", f"name=crasher mem=2M on_crash=restart restarts={restarts} "
                              "expect=killed")]
    b = boot(name, append="exit=qemu", icount=ICOUNT, modules=mods, mem=256, timeout=timeout)
    before = [int(x) for x in b.lines(r"^ringvisor: memory: (\d+) frames free before the guests start")]
    after = b.lines(r"^ringvisor: memory: (\d+) frames free after the guests ended \((\d+) by a scan\)")
    kills = len(b.lines(r"^ringvisor: error: guest crasher killed: "))
    res = dict(status=b.status, kills=kills, frames_before=before[0] if before else None,
               frames_after=tuple(map(int, after[0])) if after else None,
               bystander_same=bystander_lines(b) == bystander_lines(solo)
               and len(bystander_lines(solo)) == 40)
    res["ok"] = (b.status == STATUS_PASS and kills == restarts + 1 and res["frames_after"]
                 and res["frames_before"] == res["frames_after"][0] == res["frames_after"][1]
                 and res["bystander_same"] and b.has(r"^ringvisor: oracle: intact"))
    if not res["bystander_same"]:
        note_escape(f"{name}: the bystander's output differs from its solo run")
    return res


def test_crash_restart_churn():
    """100 crash-and-restart cycles here; make soak does 1000."""
    res = churn(security.LOG_PREFIX + "churn" + WORKER, restarts=100)
    assert res["ok"], res


@pytest.mark.parametrize("case", [mark(c) for c in security.catalogue() if c["group"] == "restart"])
def test_restart(case):
    _, mode, opts, _ = security.RESTART[case]
    b = boot(security.LOG_PREFIX + case + WORKER, append="exit=qemu", icount=ICOUNT,
             modules=[(G / "sec_storm.elf", f"name=r {opts} expect=any -- {mode}")], timeout=60)
    b.expect(STATUS_PASS)
    restarts = len(b.lines(r"^ringvisor: guest r: restarting "))
    if case == "restart_follows_on_exit":
        assert restarts == 0, b.describe()
        assert len(b.lines(r'^ringvisor: guest r exited with status -2: "again"$')) == 1, b.describe()
    else:
        b.require(r"^ringvisor: error: guest r killed: used up its cpu_limit= of 40 ms$")
        assert 5 <= restarts <= 8, (restarts, b.describe())
    assert b.has(r"^ringvisor: oracle: intact") and not b.has(r"^ringvisor: error: oracle"), \
        b.describe()


@pytest.mark.parametrize("case", [mark(c) for c in security.catalogue() if c["group"] == "memory"])
def test_memory(case, solo):
    if case == "admission_refused":
        # 100 MiB of RAM would fit in 128 MiB; with a 24 MiB shadow budget
        # and its fixed cost it does not.
        mods = [(G / "bystander.elf", "name=bystander"),
                (G / "sec_storm.elf", "name=big mem=100M shadow=24M -- spin")]
        b = boot(security.LOG_PREFIX + case + WORKER, append="exit=qemu", icount=ICOUNT,
                 modules=mods, mem=128, timeout=60)
        b.require(r"^ringvisor: error: guest big: does not fit: 102400 KiB of guest memory, "
                  r"\d+ KiB fixed and 24576 KiB of shadow budget wanted, \d+ KiB free; "
                  r"not started$")
        b.expect(rvqemu.STATUS_REFUSED)     # the verdict says a guest was not started
    else:
        mods = [(G / "bystander.elf", "name=bystander")]
        mods += [(G / "sec_storm.elf", f"name=t{i:02d} mem=2M cpu_limit=20ms expect=killed "
                                        "-- touch") for i in range(30)]
        b = boot(security.LOG_PREFIX + case + WORKER, append="exit=qemu", icount=ICOUNT,
                 modules=mods, mem=128, timeout=240)
        kills = b.lines(r"^ringvisor: error: guest t\d\d killed: (.*)$")
        assert len(kills) == 30 and set(kills) == {"used up its cpu_limit= of 20 ms"}, kills
        b.expect(STATUS_PASS)
    same = bystander_lines(b) == bystander_lines(solo)
    if not same:
        note_escape(f"{case}: the bystander's output differs from its solo run")
    assert same, b.describe()
    assert not b.has(r"^ringvisor: error: oracle") and b.has(r"^ringvisor: oracle: intact"), \
        b.describe()
