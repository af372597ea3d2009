"""The multitasking guest OS (guests/os/): its kernel's checks and each
ring-3 process's, one case per line it prints, from one boot. The kernel
also names every refused access of one process to another's memory."""
import re

import pytest

import rvqemu
from rvqemu import STATUS_PASS, boot

PROGRAMS = {"alpha": 1, "beta": 2, "gamma": 3}
PROC_CHECKS = ["ring3", "demand-zero", "private-heap", "others-memory-faults",
               "kernel-memory-faults", "switcher-faults", "text-read-only", "preempted",
               "syscalls-direct"]
CHECKS = ([f"{p}.{c}" for p in PROGRAMS for c in PROC_CHECKS] +
          ["alpha.fork", "alpha.wait-status", "alpha.cow-parent-intact",
           "alpha.cow-last-sharer", "alpha.cow-reused",
           "alpha-child.cow-shared", "alpha-child.cow-read", "alpha-child.cow-copied",
           "kernel.own-page-tables", "kernel.kmap-shared", "kernel.exit-alpha",
           "kernel.exit-beta", "kernel.exit-gamma", "kernel.frames-returned",
           "kernel.switches"])


@pytest.fixture(scope="module")
def os_boot():
    b = boot("guest_os", append="exit=qemu",
             modules=[(rvqemu.BUILD / "guests/os.elf", "name=os mem=8M")], timeout=60)
    return b.expect(STATUS_PASS)


@pytest.mark.parametrize("check", CHECKS)
def test_check(os_boot, check):
    m = re.search(rf"^\[os\] (PASS|FAIL) {re.escape(check)}\b(.*)$", os_boot.log, re.M)
    assert m, f"no line for {check}; " + os_boot.describe()
    assert m.group(1) == "PASS", m.group(0)


def test_no_failures(os_boot):
    assert not os_boot.has(r"^\[os\] FAIL"), os_boot.describe()
    os_boot.require(r"^ringvisor: guest os exited with status 0$")


@pytest.mark.parametrize("prog", sorted(PROGRAMS))
def test_kernel_reports_foreign_access(os_boot, prog):
    """Each process touched the others' private pages: each access faulted
    and the kernel said so, naming the address."""
    pid = PROGRAMS[prog]
    for other in PROGRAMS.values():
        if other == pid:
            continue
        addr = f"{0x20000000 + other * 0x1000:08x}"
        os_boot.require(rf"^\[os\] kernel: pid {pid} \({prog}\): page fault at {addr} "
                        r"\(error [46],.*not its memory, refused$")


def test_frames_returned(os_boot):
    before = os_boot.lines(r"^ringvisor: memory: (\d+) frames free before the guests start")
    after = os_boot.lines(r"^ringvisor: memory: (\d+) frames free after the guests ended "
                          r"\((\d+) by a scan\)")
    assert before and after and after[0] == (before[0], before[0]), (before, after)
