"""The Switcher and the run loop, from the guests' side: the positive test
guests of guests/tests/ (hypercalls, exceptions, direct traps and ROM stubs, virtual
interrupts and the noirq_iret rule, in/out emulation, ring 3, FPU state,
attacks that must have no effect) run together in ONE boot, next to guests
that crash, shut down and get killed. One pytest case per guest case: the
guest prints "PASS name" / "FAIL name: why" / "SKIP name: why", and the
case names are read from the TEST(name) lines of the guest's source."""
import re

import os

import pytest

import rvqemu
from rvqemu import STATUS_PASS, boot

GUESTS = rvqemu.BUILD / "guests"
# Under pytest-xdist each worker that runs a case of this module boots once
# for itself: a log of its own, so two workers never share one file.
WORKER = "_" + os.environ.get("PYTEST_XDIST_WORKER", "main")
SRC = rvqemu.ROOT / "guests" / "tests"

# guest name -> (ELF, module options, argument, source files with TESTs)
POSITIVE = {
    "thcall": ("thcall", "mem=4M", "", ["thcall.c"]),
    "ttrap": ("ttrap", "mem=4M", "", ["ttrap.c"]),
    "trom": ("trom", "mem=4M", "", ["trom.c"]),
    "tirq": ("tirq", "mem=4M", "", ["tirq.c"]),
    "tattack": ("tattack", "mem=4M", "", ["tattack.c"]),
    "tuser": ("tuser", "mem=8M", "", ["tuser.c"]),
    "fpu1": ("tfpu", "mem=4M", "1", ["tfpu.c"]),
    "fpu2": ("tfpu", "mem=4M", "2", ["tfpu.c"]),
}

# Guests that end badly on purpose, in the same boot: the others must not
# notice. name -> (ELF, options, argument, the line that ends it)
ENDINGS = {
    "crash_de": ("tcrash", "mem=2M expect=exit:128", "de",
                 r"^ringvisor: guest crash_de exited with status 128$"),
    "crash_ud": ("tcrash", "mem=2M expect=exit:134", "ud",
                 r"^ringvisor: guest crash_ud exited with status 134$"),
    "shutdown": ("tcrash", "mem=2M", "shutdown",
                 r"^ringvisor: guest shutdown exited with status 0: \""
                 r"tcrash says goodbye\"$"),
    "nopf": ("tkill", "mem=2M expect=killed", "no_pf_handler",
             r"^ringvisor: error: guest nopf killed: unhandled page fault "
             r"\(#PF\) at eip [0-9a-f]{8} \(address 00f00000, error 0\): "
             r"no handler installed$"),
}


def cases_of(sources):
    names = []
    for s in sources:
        names += re.findall(r"^TEST\((\w+)\)", (SRC / s).read_text(), re.M)
    return names


CASES = [(g, c) for g, spec in POSITIVE.items() for c in cases_of(spec[3])]


def modules():
    mods = []
    for name, (elf, opts, arg, *_) in {**POSITIVE, **ENDINGS}.items():
        args = f"name={name} {opts}" + (f" -- {arg}" if arg else "")
        mods.append((GUESTS / f"{elf}.elf", args))
    return mods


@pytest.fixture(scope="module")
def run():
    return boot("guest_cases" + WORKER, append="exit=qemu", modules=modules(),
                cpu="max", mem=256, timeout=60)


@pytest.mark.parametrize("guest,case", CASES, ids=[f"{g}-{c}" for g, c in CASES])
def test_case(run, guest, case):
    lines = run.lines(rf"^\[{guest}\] ((?:PASS|FAIL|SKIP) {case}\b.*)$")
    assert lines, f"no line for case {case}; " + run.describe()
    assert len(lines) == 1, f"{len(lines)} lines for {case}: {lines}"
    if lines[0].startswith("SKIP"):
        pytest.skip(lines[0])
    assert lines[0] == f"PASS {case}", lines[0]


@pytest.mark.parametrize("guest", sorted(POSITIVE))
def test_guest_exit(run, guest):
    """Every case reported, all passed, exit status 0: the guest's output is
    complete although other guests crashed and were killed meanwhile."""
    n = len(cases_of(POSITIVE[guest][3]))
    run.require(rf"^\[{guest}\] {n} cases, 0 failed$",
                rf"^ringvisor: guest {guest} exited with status 0$")


@pytest.mark.parametrize("name", sorted(ENDINGS))
def test_ending(run, name):
    run.require(ENDINGS[name][3])


def test_crash_report(run):
    """The runtime's report for an exception nobody handles."""
    run.require(r"^\[crash_de\] rv: unhandled exception 0 \(#DE divide error\), "
                r"error 0x0, eip 0x[0-9a-f]{8}, cs 0x61, eflags 0x[0-9a-f]{8}$",
                r"^\[crash_ud\] rv: unhandled exception 6 \(#UD invalid opcode\)")
    assert not run.has(r"still here"), run.describe()


def test_boot_verdict(run):
    """Every guest ended as its expect= said, and the hypervisor is intact."""
    assert not run.has(r"^ringvisor: error: guest (?!nopf )"), run.describe()
    run.expect(STATUS_PASS).require(r"^ringvisor: oracle: intact")


def test_fpu_without_sse():
    """The FNSAVE path: two FPU guests on a CPU without SSE."""
    mods = [(GUESTS / "tfpu.elf", f"name=fpu{i} mem=4M -- {i}") for i in (1, 2)]
    b = boot("guest_fpu_pentium2", append="exit=qemu", modules=mods,
             cpu="pentium2", mem=64)
    b.expect_pass()
    for i in (1, 2):
        b.require(rf"^\[fpu{i}\] PASS fpu_x87_across_halts$",
                  rf"^\[fpu{i}\] PASS fpu_x87_preempted$",
                  rf"^\[fpu{i}\] SKIP sse_across_halts: no SSE$")
