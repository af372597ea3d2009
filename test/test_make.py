"""The Makefile as a new user meets it: the packages come before any tool
(issue 16, item 1; the whole path from an empty Debian root is
`make test-fresh`, too slow for the suite), what `make run` says and boots,
`make debug` with gdb, `make help`, the README.

Each make runs in a scratch copy of build/ (test/maketree.py)."""
import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

import maketree
import rvqemu

ROOT = rvqemu.ROOT


@pytest.fixture
def build(tmp_path):
    return maketree.scratch_build(tmp_path / "build")


def test_reading_the_makefile_asks_no_tool(tmp_path):
    """Nothing the Makefile computes while it is read depends on a package:
    with no compiler or python on the PATH (only sh, make and echo), reading
    it says nothing and succeeds."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    for tool in ("sh", "make", "echo"):
        (bin_ / tool).symlink_to(shutil.which(tool))
    env = maketree.make_env(PATH=str(bin_))
    for goal in (["help"], ["-n", "clean"],
                 ["help", "NAME=mine", "SRC=mine.c"]):
        p = subprocess.run([str(bin_ / "make"), "-s", "-C", str(ROOT),
                            f"BUILD={tmp_path / 'b'}", "CC=/nonexistent/gcc", *goal],
                           env=env, capture_output=True, text=True, timeout=60)
        assert p.returncode == 0 and p.stderr == "", (goal, p.stderr)


WRAPPER = """#!/bin/sh
# Stands in for {tool}: fails unless deps has finished.
[ -e {mark} ] || {{ echo "{tool} ran before deps finished: $*" >&2; exit 99; }}
exec {real} "$@"
"""


def test_every_tool_runs_after_deps_even_in_parallel(tmp_path):
    """From an empty build folder, under -j4, no compiler, archiver or
    python runs before `deps` (a stand-in that takes 2 s) has finished."""
    mark = tmp_path / "deps-done"
    tools = {}
    for var, real in (("CC", "gcc"), ("HOSTCC", "gcc"), ("AR", "ar"),
                      ("PYTHON", "/usr/bin/python3")):
        w = tmp_path / f"{var}-wrapper"
        w.write_text(WRAPPER.format(tool=var, mark=mark, real=shutil.which(real)))
        w.chmod(0o755)
        tools[var] = w
    build = tmp_path / "build"
    status, out = maketree.make(
        "-j4", f"DEPS_SH=sleep 2; touch {mark}",
        *(f"{k}={v}" for k, v in tools.items()),
        "all", build / "testmods" / ".stamp", build / "guests" / "hello.elf",
        build / "unit" / "test" / "unit" / "harness.o", build=build, timeout=600)
    assert "before deps finished" not in out, out
    assert status == 0, out
    assert (build / "ringvisor.elf").exists() and (build / "guests" / "hello.elf").exists()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def qemus_with(text):
    """PIDs of processes whose command line holds text."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if text.encode() in cmd and b"qemu-system" in cmd:
            found.append(int(pid))
    return found


def test_run_says_what_it_boots_and_keeps_exit_qemu(build):
    """RUN_ARGS adds to exit=qemu: `make run` still ends with QEMU's
    verdict (it fails unless that is 3, a pass)."""
    hello = build / "guests" / "hello.elf"
    status, out = maketree.make(
        "-s", "run", f"MODULES={hello} name=greeter", "RUN_ARGS=loglevel=warn",
        "QEMU_ARGS=-cpu qemu32", build=build, timeout=180)
    assert status == 0, out
    assert f"run: booting {build}/ringvisor.elf" in out, out
    assert 'command line "exit=qemu loglevel=warn"' in out, out
    assert f"run:   {hello} name=greeter" in out, out
    assert "Ctrl-A three times" in out and "Ctrl-C" in out, out
    assert "[greeter] hello from a Ringvisor guest" in out, out
    # The explanation comes before the machine starts, the monitor's escape
    # in its first lines.
    assert out.index("Ctrl-C") < out.index("[greeter]")
    first = out.splitlines()[:5]
    assert any("Ctrl-] for the ringvisor> monitor prompt" in l for l in first), first


def test_debug_stops_once_at_the_guests_main_in_its_source(build):
    """`make debug GUEST=` loads the guest's symbols with no question
    asked, and its breakpoint on main stops once, shown in the guest's own
    source; gdb runs its commands in batch mode here, and QEMU ends with it."""
    if not shutil.which("gdb"):
        pytest.fail("gdb is missing: `make test` installs it (tools/deps.sh gdb)")
    elf = build / "guests" / "hello_libc.elf"
    port = free_port()
    status, out = maketree.make(
        "-s", "debug", f"GUEST={elf}", f"MODULES={elf} name=hello",
        f"DEBUG_PORT={port}",
        "DEBUG_GDB=-batch -ex 'gbreak main' -ex continue -ex 'info breakpoints'",
        build=build, timeout=180)
    assert "(y or n)" not in out, out
    assert re.search(r"^Breakpoint 1, main \(.*\) at guests/samples/newlib/hello_libc\.c:\d+",
                     out, re.M), out
    assert "breakpoint already hit 1 time" in out, out
    assert status == 0, out
    assert not qemus_with(f"tcp:127.0.0.1:{port}"), "make debug left its QEMU running"


def default_guests():
    """The ELF names `make run` boots (the Makefile's DEFAULT_GUESTS)."""
    text = (ROOT / "Makefile").read_text()
    line = re.search(r"^DEFAULT_GUESTS :=.*echo\.elf.*$", text, re.M)[0]
    return set(re.findall(r"(\w+)\.elf", line))


def test_usage_names_guests_that_make_run_boots():
    usage = (ROOT / "docs" / "usage.md").read_text()
    named = re.findall(r"GUEST=build/guests/(\w+)\.elf", usage)
    assert named, "docs/usage.md shows no make debug GUEST="
    assert set(named) <= default_guests(), named


def test_help_and_usage_list_the_options():
    p = subprocess.run(["make", "-s", "-C", str(ROOT), "help"], capture_output=True,
                       text=True, timeout=60, env=maketree.make_env())
    usage = (ROOT / "docs" / "usage.md").read_text()
    for opt in ("MODULES=", "RUN_ARGS=", "QEMU_ARGS=", "QEMU_MEM=", "DEBUG_PORT=",
                "LIBC=", "test-fresh"):
        assert opt in p.stdout, f"make help does not list {opt}"
        assert opt in usage, f"docs/usage.md does not list {opt}"


def test_readme_commands_sit_below_its_title():
    lines = (ROOT / "README.md").read_text().splitlines()
    assert lines[0].startswith("# "), "the README does not open with its title"
    first_cmd = next(i for i, l in enumerate(lines) if "make run" in l)
    assert first_cmd > 0
