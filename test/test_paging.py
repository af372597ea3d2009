"""Shadow page tables, from the guests' side: Linux 4.9's ABI steps
(pt_abi49), accessed/dirty semantics (pt_ad), isolation attacks one per
module (pt_attack case=...), a bystander whose output must not change, and
frame accounting across the lot. One boot holds them all (guests in
guests/tests/paging/); each case below reads its lines from that log."""
import os
import re

import pytest

import rvqemu
from rvqemu import STATUS_PASS, boot

HV = "exit=qemu"
G = rvqemu.BUILD / "guests"
MEM = 4 * 1024 * 1024           # every attacker's memory: the first frame beyond it
# Each pytest-xdist worker boots the crowd for itself: a log of its own, so
# that one worker never reads the file another is writing.
WORKER = "_" + os.environ.get("PYTEST_XDIST_WORKER", "main")

# case -> (module name, the kill reason expected, as a regular expression)
KILLS = {
    "frame-beyond": ("k-frame", r"page table entry 00500003 \(for 40000000\) maps a frame "
                                r"beyond its 4096 KiB and its device window"),
    "pse-pte": ("k-pse-pte", r"page table entry [0-9a-f]{5}083 \(for 40000000\) sets PSE"),
    "pde-pcd": ("k-pde-pcd", r"page directory entry [0-9a-f]{5}017 \(for 40000000\) has flags "
                             r"outside P, RW, US, A and D"),
    "pde-pwt": ("k-pde-pwt", r"page directory entry [0-9a-f]{5}00f \(for 40000000\) has flags "
                             r"outside"),
    "pde-g": ("k-pde-g", r"page directory entry [0-9a-f]{5}107 \(for 40000000\) has flags outside"),
    "pde-pse": ("k-pde-pse", r"page directory entry [0-9a-f]{5}087 \(for 40000000\) has flags "
                             r"outside"),
    "pde-outside": ("k-pde-out", r"page directory entry 00400007 \(for 40000000\) points "
                                 r"outside its memory"),
    "set-pmd": ("k-set-pmd", r"SET_PMD"),
    "pgd-index": ("k-pgd-index", r"SET_PGD: index 1024 is beyond the directory"),
    "newpgtable-outside": ("k-newpgt", r"NEW_PGTABLE: page directory 00400000 is not a page "
                                       r"of its memory"),
    "stale-outside": ("k-stale-out", r"page table entry 00500023 \(for 40000000\) maps a frame "
                                     r"beyond its 4096 KiB and its device window"),
}
# The same rule breaks met by a ring-3 access: the Switcher's #PF walker
# sees them first and must leave each to the host.
for _case in ["frame-beyond", "pse-pte", "pde-pcd", "pde-pse", "pde-outside"]:
    KILLS["user-" + _case] = ("k-u-" + KILLS[_case][0][2:], KILLS[_case][1])
SURVIVORS = {"switcher": "s-switcher", "stale": "s-stale"}

WALKER_CHECKS = ["not-present", "not-present-no-switch", "no-pde", "read-only",
                 "read-only-no-switch", "supervisor", "trap-gate", "demand-map",
                 "fill-by-host", "ring1-by-host", "frame-crossing", "frame-crossing-by-host",
                 "own-stack", "own-stack-no-switch"]

AD_CHECKS = [
    "fresh-clear", "read-sets-A-only", "pde-accessed", "write-sets-A-and-D",
    "write-after-read-faults-once", "write-first-sets-A-and-D", "readonly-write-faults",
    "readonly-write-no-D", "cleared-then-read-sets-A", "cleared-then-write-sets-D",
    "user-read-sets-A-only", "user-write-sets-A-and-D", "prefill-A-D-no-fault",
    "prefill-A-read-no-fault", "prefill-A-write-faults-once", "prefill-A-write-sets-D",
    "no-A-read-faults-once", "pf-error-write-readonly-cold",
    "pf-error-user-supervisor-cold", "pf-error-not-present",
]
ABI_CHECKS = [
    "lguest-init", "load-idt-256", "load-gdt-32", "new-pgtable", "cli", "rdmsr-safe",
    "async-map", "async-remap", "pagetable-writable", "kernel-pte-everywhere",
    "int80-interrupt-gate", "int80-trap-gate-direct", "set-stack", "flush-tlb",
]
SWITCHER_CHECKS = ["ring1-entry-ignored", "just-below-works", "ring3-access-faults",
                   "frame-unwritten", "still-runs"]
STALE_CHECKS = ["initial", "unreported-reads-own", "after-set-pte", "unreported-reads-own-2",
                "after-flush-user", "after-flush-all", "pde-unreported-reads-own",
                "after-set-pgd", "cached-dir-updated", "other-dir-untouched"]


def modules():
    mods = [(G / "pt_bystander.elf", "name=bystander mem=4M"),
            (G / "pt_abi49.elf", "name=abi49 mem=8M expect=any"),
            (G / "pt_ad.elf", "name=ad mem=4M expect=any"),
            (G / "pt_walker.elf", "name=walker mem=4M")]
    for case, (name, _) in KILLS.items():
        mods.append((G / "pt_attack.elf", f"name={name} mem=4M expect=killed -- case={case}"))
    for case, name in SURVIVORS.items():
        mods.append((G / "pt_attack.elf", f"name={name} mem=4M expect=any -- case={case}"))
    return mods


@pytest.fixture(scope="module")
def crowd():
    b = boot("paging_crowd" + WORKER, append=HV, modules=modules(), timeout=60)
    b.expect(STATUS_PASS)
    return b


@pytest.fixture(scope="module")
def solo():
    return boot("paging_bystander_solo" + WORKER, append=HV,
                modules=[(G / "pt_bystander.elf", "name=bystander mem=4M")]).expect(STATUS_PASS)


def results(b, guest):
    """{check: (passed, line)} from a guest's PASS/FAIL lines."""
    out = {}
    for verdict, check, rest in re.findall(
            rf"^\[{re.escape(guest)}\] (PASS|FAIL) ([^\s:]+)(.*)$", b.log, re.M):
        out[check] = (verdict == "PASS", f"{verdict} {check}{rest}")
    return out


def expect_check(b, guest, check):
    r = results(b, guest)
    assert check in r, f"[{guest}] printed no line for {check}; " + b.describe()
    assert r[check][0], f"[{guest}] {r[check][1]}"


@pytest.mark.parametrize("check", ABI_CHECKS)
def test_abi49(crowd, check):
    expect_check(crowd, "abi49", "abi." + check)


def test_abi49_powers_off(crowd):
    crowd.require(r"^ringvisor: guest abi49 exited with status 0: \"Power down\"$")


@pytest.mark.parametrize("check", AD_CHECKS)
def test_accessed_dirty(crowd, check):
    expect_check(crowd, "ad", "ad." + check)


@pytest.mark.parametrize("check", WALKER_CHECKS)
def test_walker(crowd, check):
    expect_check(crowd, "walker", "walker." + check)


def test_walker_exits_0(crowd):
    crowd.require(r"^ringvisor: guest walker exited with status 0$")


@pytest.mark.parametrize("case", sorted(KILLS))
def test_attack_killed(crowd, case):
    name, reason = KILLS[case]
    crowd.require(rf"^ringvisor: error: guest {re.escape(name)} killed: {reason}",
                  rf"^\[{re.escape(name)}\] about to ")
    assert not crowd.has(rf"^\[{re.escape(name)}\] still running"), crowd.describe()


def test_stale_outside_reads_own_frame(crowd):
    """Before it is reported, the stale entry shows the old frame (its own),
    never the one beyond its memory."""
    expect_check(crowd, KILLS["stale-outside"][0], "stale-outside.read-own-frame")


@pytest.mark.parametrize("check", SWITCHER_CHECKS)
def test_attack_switcher_entry(crowd, check):
    expect_check(crowd, "s-switcher", "switcher." + check)


@pytest.mark.parametrize("check", STALE_CHECKS)
def test_attack_stale_mapping(crowd, check):
    expect_check(crowd, "s-stale", "stale." + check)


@pytest.mark.parametrize("name", ["s-switcher", "s-stale"])
def test_attack_survivor_exits_0(crowd, name):
    crowd.require(rf"^ringvisor: guest {name} exited with status 0$")


def test_bystander_unchanged(crowd, solo):
    mine = crowd.lines(r"^\[bystander\] (.*)$")
    alone = solo.lines(r"^\[bystander\] (.*)$")
    assert mine and mine == alone, (mine, alone)
    crowd.require(r"^ringvisor: guest bystander exited with status 0$")


def test_frames_returned(crowd):
    """Every frame the guests and their shadows held is free again, by the
    allocator's count and by an independent scan, killed guests included."""
    before = crowd.lines(r"^ringvisor: memory: (\d+) frames free before the guests start")
    after = crowd.lines(r"^ringvisor: memory: (\d+) frames free after the guests ended "
                        r"\((\d+) by a scan\)")
    assert before and after, crowd.describe()
    assert after[0] == (before[0], before[0]), (before, after)
