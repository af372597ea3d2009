"""The C library on Ringvisor (newlib, guests/libc/syscalls.c): the
conformance guest's cases (guests/libctest/libctest.c), one pytest case
each from a single boot; exit statuses; x87 and SSE state kept apart
between guests on short time slices (guests/libctest/fpmix.c); the
newlib samples compute and echo, echo with its input typed through the
serial line to the focused guest."""
import os
import re

import pytest

import rvqemu
from rvqemu import STATUS_PASS, boot

G = rvqemu.BUILD / "guests"
HV = "exit=qemu"

# The cases libctest runs, in its order; test_case_list checks the guest
# still runs exactly these, so a new case cannot go unnoticed.
LIBC_CASES = [
    "printf_integers", "printf_strings", "printf_floats",
    "sscanf_integers", "sscanf_floats_strings",
    "malloc_stress", "malloc_exhaustion",
    "setjmp_longjmp", "qsort_bsearch", "string_functions",
    "math_functions", "time_monotonic",
]


@pytest.fixture(scope="module")
def libctest():
    """One boot of every case, shared by the tests of this module. Under
    pytest-xdist each worker running some of them boots once, so the log's
    name carries the worker's."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return boot(f"libc_conformance_{worker}", append=HV, timeout=60,
                modules=[(G / "libctest.elf", "name=libc mem=8M")])


def case_lines(b, name):
    return b.lines(rf"^\[{name}\] ((?:PASS|FAIL) .*)$")


def test_case_list(libctest):
    got = [re.match(r"(?:PASS|FAIL) (\w+)", line)[1]
           for line in case_lines(libctest, "libc")]
    assert got == LIBC_CASES, libctest.describe()


@pytest.mark.parametrize("case", LIBC_CASES)
def test_libc_case(libctest, case):
    lines = [l for l in case_lines(libctest, "libc") if re.match(rf"\w+ {case}\b", l)]
    assert lines == [f"PASS {case}"], (lines, libctest.describe())


def test_libc_exits_zero_when_all_pass(libctest):
    libctest.expect_pass().require(r"^\[libc\] libctest: 0 failed$",
                                   r"^ringvisor: guest libc exited with status 0$")


def test_exit_status_and_flush_at_exit():
    """exit(7) from deep in the call stack: the status reaches the verdict
    (expect=exit:7), the atexit handler runs, and its unfinished line is
    flushed by exit."""
    b = boot("libc_exit7", append=HV,
             modules=[(G / "libctest.elf", "name=libc expect=exit:7 -- exit 7")])
    b.expect_pass()
    assert b.lines(r"^\[libc\] (.*)$") == ["libctest: exiting with status 7",
                                           "libctest: atexit handler ran"], b.describe()
    b.require(r"^ringvisor: guest libc exited with status 7$")


def test_exit_status_mismatch_is_reported():
    """The same guest expected to exit 0: the verdict says it did not."""
    b = boot("libc_exit7_unexpected", append=HV,
             modules=[(G / "libctest.elf", "name=libc -- exit 7")])
    b.expect(rvqemu.STATUS_FAIL)
    b.require(r"^ringvisor: guest libc exited with status 7$")


# --- x87 and SSE in two guests at once -----------------------------------------


def test_fpu_and_sse_state_kept_per_guest():
    """Two copies with different seeds on 1 ms slices: each is preempted in
    the middle of loops that hold every x87 and XMM register, and each
    gets exactly its own known results."""
    mods = [(G / "fpmix.elf", "name=fp1 -- 3"), (G / "fpmix.elf", "name=fp2 -- 11")]
    b = boot("libc_fpmix", append=HV + " timeslice=1ms", cpu="max", modules=mods,
             timeout=60)
    b.expect_pass()
    for name in ("fp1", "fp2"):
        assert case_lines(b, name) == ["PASS registers", "PASS basel",
                                       "PASS triangle"], b.describe()
        # Preempted many times: the context switches in the verdict table.
        m = re.search(rf"^ringvisor: {name}\s+exited\s+0\s+\d+\s+(\d+)", b.log, re.M)
        assert m and int(m[1]) >= 50, b.describe()
    # Interleaved: each guest's first result came after the other started.
    starts = [b.log.index(f"[{n}] fpmix: seed") for n in ("fp1", "fp2")]
    first = [b.log.index(f"[{n}] PASS registers") for n in ("fp1", "fp2")]
    assert max(starts) < min(first), b.describe()


# --- the samples ------------------------------------------------------------


def test_compute_sample():
    """The checksums are those of IEEE double arithmetic and of the primes
    below two million (Python computes the same Mandelbrot figures)."""
    b = boot("libc_compute", append=HV, modules=[(G / "compute.elf", "name=compute")])
    b.expect_pass()
    b.require(r"^\[compute\] compute: mandelbrot 160x80 limit 256: "
              r"checksum 738002, 2648 inside$",
              r"^\[compute\] compute: primes below 2000000: 148933, "
              r"sum 142913828922$")
    times = b.lines(r"^\[compute\] compute: \w+ took ([\d.]+) ms by clock\(\), "
                    r"(\d+) us by gettimeofday$")
    assert len(times) == 2, b.describe()
    for by_clock, by_tod in times:
        ms_clock, ms_tod = float(by_clock), int(by_tod) / 1000
        assert ms_tod > 0 and abs(ms_clock - ms_tod) <= 2 + 0.1 * ms_tod, times


LINES = ["hello", "Mixed Case 123", "a line longer than the sixteen-byte FIFO, "
         "sent four bytes at a time", ""]


def test_echo_sample_reads_the_console():
    """The sample's prompt, printed without a newline and flushed, is on the
    console before anything is typed; what is typed is echoed on the
    prompt's line, and Backspace edits the line before Enter sends it."""
    con = rvqemu.SerialConsole("libc_echo", [(G / "echo.elf", "name=echo")])
    try:
        con.wait_for(r"^\[echo\] echo: ready")
        con.wait_for(r"^\[echo\] 1> \Z")
        for line in LINES:
            con.type(line + "\r")               # Enter on a serial line
        con.type("quiz\x7ft\r")                 # DEL, as Backspace sends it
        con.wait_for(r"^\[echo\] echo: bye after 4 lines$")
        status = con.finish()
        assert status == STATUS_PASS, f"QEMU exit status {status}; console:\n{con.text}"
        got = con.lines(r"^\[echo\] (\d+: .*)$")
        assert got == [f"{n}: {l.upper()}" for n, l in enumerate(LINES, 1)], con.text
        echoed = con.lines(r"^\[echo\] (\d+> .*)$")
        assert echoed == [f"{n}> {l}" for n, l in enumerate(LINES, 1)] + [
            "5> quiz\b \bt"], con.text
    finally:
        con.close()


def test_console_input_goes_to_the_first_guest_only():
    """Two echo guests: the first started has the focus, so it alone gets
    what is typed; the second stays waiting, having read nothing."""
    con = rvqemu.SerialConsole("libc_echo_two", [(G / "echo.elf", "name=first"),
                                          (G / "echo.elf", "name=second")])
    try:
        con.wait_for(r"^\[first\] echo: ready")
        con.wait_for(r"^\[second\] echo: ready")
        con.type("one\r")
        con.wait_for(r"^\[first\] 1: ONE$")
        con.type("two\rquit\r")
        con.wait_for(r"^ringvisor: guest first exited with status 0$")
        assert con.lines(r"^\[first\]\+? (\d+: .*|echo: .*)$")[1:] == [
            "1: ONE", "2: TWO", "echo: bye after 2 lines"], con.text
        assert con.lines(r"^\[second\] (.*)$") == [
            'echo: ready, type lines ("quit" ends)', "1> "], con.text
    finally:
        con.close()
