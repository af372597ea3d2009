"""The virtual devices (docs/devices.md) from a guest's side, without Linux:
guests/tests/tvirtio.c drives the PCI bus and the virtio console exactly as
a Linux 4.9 lguest guest does, one TEST per path, in ONE boot with the
console focus (the test types its input). One pytest case per guest case,
named from the TEST(name) lines of the source, and checks of what the
device printed on the guest's own line stream. The same boot holds the
security catalogue's device cases that need typed input (sec_dev.c)."""
import os
import re
import sys

import pytest

import rvqemu
from rvqemu import STATUS_PASS

sys.path.insert(0, str(rvqemu.ROOT / "tools"))
import security  # noqa: E402

GUESTS = rvqemu.BUILD / "guests"
SRC = rvqemu.ROOT / "guests" / "tests" / "tvirtio.c"
WORKER = "_" + os.environ.get("PYTEST_XDIST_WORKER", "main")
MEM = 4 << 20                   # the guest's mem=: BAR 0 starts there
LINE = "ping from the test"     # tvirtio.c's expect_line

CASES = re.findall(r"^TEST\((\w+)\)", SRC.read_text(), re.M)


# The security catalogue's cases that need input (tools/security.py:
# DEV_INPUT): after tvirtio, each gets the console focus in turn.
INPUT_CASES = list(security.DEV_INPUT)


@pytest.fixture(scope="module")
def run():
    """Boot, type the line once the guest is ready for input, then one
    byte for each input case once the focus has passed to it, and keep the
    whole console."""
    mods = [(GUESTS / "tvirtio.elf", "name=virtio mem=4M")]
    mods += [(GUESTS / "sec_dev.elf", f"name={c} mem=2M expect=killed -- {c}")
             for c in INPUT_CASES]
    con = rvqemu.SerialConsole("devices" + WORKER, timeout=90, modules=mods)
    try:
        con.wait_for(r"^\[virtio\] virtio rx: ready$")
        con.type(LINE + "\r")
        con.wait_for(r"^ringvisor: guest virtio exited")
        for c in INPUT_CASES:
            con.wait_for(rf"^\[{c}\] waiting for input$")
            con.type("x")
            con.wait_for(rf"^ringvisor: error: guest {c} killed: ")
        con.status = con.finish()
    finally:
        con.close()
    return con


@pytest.mark.parametrize("case", CASES)
def test_case(run, case):
    lines = run.lines(rf"^\[virtio\] ((?:PASS|FAIL|SKIP) {case}\b.*)$")
    assert len(lines) == 1, f"{len(lines)} lines for {case}; console:\n{run.text}"
    assert lines[0] == f"PASS {case}", lines[0]


def test_all_cases_and_exit(run):
    assert run.has(rf"^\[virtio\] {len(CASES)} cases, 0 failed$"), run.text
    assert run.has(r"^ringvisor: guest virtio exited with status 0$"), run.text
    assert run.status == STATUS_PASS, run.text
    assert run.has(r"^ringvisor: oracle: intact"), run.text


def test_emerg_wr_lines(run):
    """Both early-console paths print whole lines on the guest's stream."""
    assert run.has(r"^\[virtio\] emerg_wr: the early console, one config cycle a byte$"), run.text
    assert run.has(r"^\[virtio\] emerg_wr: through device memory$"), run.text


def test_tx_lines(run):
    """The transmit queue's chains, in order and whole: a chain of two, one
    with an interrupt, then 40 lines over three chains (2.5 KiB, more than
    one piece of device work)."""
    assert run.has(r"^\[virtio\] virtio tx: hello from a chain on queue 1$"), run.text
    assert run.has(r"^\[virtio\] virtio tx: with an interrupt$"), run.text
    got = run.lines(r"^\[virtio\] (virtio tx line \d\d: .*)$")
    want = []
    for i in range(40):
        head = f"virtio tx line {i:02d}: "
        want.append(head + "".join(chr(ord("a") + (i + n) % 26) for n in range(len(head), 63)))
    assert got == want, run.text


def test_rx_line(run):
    """What the test typed came back through the receive queue, unechoed:
    the hypervisor itself never echoes it."""
    assert run.has(rf"^\[virtio\] virtio rx: got '{LINE}'$"), run.text
    assert not run.has(rf"^{LINE}$"), run.text


def test_bar_relocation_refused_lines(run):
    """Each refused BAR move says so, naming the guest; the BAR stayed
    (the guest checks)."""
    for addr in (MEM + 0x100000, MEM - 0x1000, 0xFFFFE000):
        assert run.has(rf"^ringvisor: warning: guest virtio: virtio console: BAR 0 moved to "
                       rf"{addr:08x}, outside its device window or onto another device; "
                       rf"left at {MEM:08x}$"), run.text
    assert len(run.lines(r"BAR 0 moved to")) == 3, run.text


@pytest.mark.parametrize("case", INPUT_CASES)
def test_input_kill(run, case):
    """Security catalogue (devinput): killed, with the exact reason, when
    the input reaches a receive buffer it may not use."""
    want = security.kill_reason(case)
    got = run.lines(rf"^ringvisor: error: guest {case} killed: (.*)$")
    assert len(got) == 1 and re.fullmatch(want, got[0]), f"{got} vs /{want}/\n{run.text}"
