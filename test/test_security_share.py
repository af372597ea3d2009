"""CPU isolation (docs/security.md, "share"): a victim of equal weight beside
each adversary gets at least 45 % of the CPU over one second of virtual
time; a guest with cap=10 gets at most 11 %. The oracle is the victim's own
count of work (guests/sched/spin.c: loops in 1000 ms of its clock) against
the same victim alone, under -icount shift=0 (1 instruction = 1 ns, exact
and repeatable): never the hypervisor's cpu_ns, since under-charging is
what the attacks try."""
import os
import sys

import pytest

import rvqemu
from rvqemu import STATUS_PASS, boot

sys.path.insert(0, str(rvqemu.ROOT / "tools"))
import security  # noqa: E402
from test_security import mark, note_escape  # noqa: E402

G = rvqemu.BUILD / "guests"
ICOUNT = "shift=0,sleep=off"
WORKER = "_" + os.environ.get("PYTEST_XDIST_WORKER", "main")
VICTIM = (G / "spin.elf", "name=victim -- 1000")
# The adversary must outlive the victim's second: at half the CPU it has
# used 500 ms by then.
ADV_LIMIT = "cpu_limit=700ms expect=killed"


def loops(b, name):
    got = b.lines(rf"^\[{name}\] spun (\d+) loops in 1000 ms$")
    assert len(got) == 1, b.describe()
    return int(got[0])


@pytest.fixture(scope="module")
def solo():
    b = boot(security.LOG_PREFIX + "share_solo" + WORKER, append="exit=qemu", icount=ICOUNT,
             modules=[VICTIM], timeout=120).expect(STATUS_PASS)
    return loops(b, "victim")


@pytest.mark.parametrize("case", [mark(c) for c in security.catalogue()
                                  if c["group"] == "share" and c["id"] != "cap_10_alone"])
def test_share(solo, case):
    _, opts, mode = security.SHARE[case]
    capped = "cap=" in opts
    mods = [VICTIM, (G / "sec_storm.elf", f"name=adv {opts} {ADV_LIMIT} -- {mode}")]
    if "disk_rw=storm.img" in opts:         # a 1 MiB disk for the disk storm
        img = rvqemu.BUILD / "disks" / "storm.img"
        img.parent.mkdir(parents=True, exist_ok=True)
        img.write_bytes(bytes(1024 * 1024))
        mods.append((img, ""))
    b = boot(security.LOG_PREFIX + case + WORKER, append="exit=qemu", icount=ICOUNT, mem=256,
             modules=mods, timeout=240)
    b.expect(STATUS_PASS)
    assert b.has(r"^\[adv\] storm "), b.describe()
    share = loops(b, "victim") / solo
    least = 0.85 if capped else security.SHARE_MIN
    if share < least:
        note_escape(f"share: {case}: the victim got {share:.1%} of its solo work")
    assert share >= least, f"{case}: the victim got {share:.1%} of its solo work; " + b.describe()
    assert b.has(r"^ringvisor: oracle: intact"), b.describe()


def test_cap_10_alone(solo):
    b = boot(security.LOG_PREFIX + "cap_10_alone" + WORKER, append="exit=qemu", icount=ICOUNT,
             modules=[(G / "spin.elf", "name=victim cap=10 -- 1000")], timeout=120)
    b.expect(STATUS_PASS)
    share = loops(b, "victim") / solo
    assert 0.07 <= share <= security.CAP_MAX, f"cap=10 got {share:.1%}; " + b.describe()
