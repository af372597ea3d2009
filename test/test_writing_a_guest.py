"""docs/writing-a-guest.md, run as written, so the document cannot rot.

The page marks what it wants checked with an HTML comment before a fenced
block:
  <!-- test: file NAME -->       the block is the file NAME, written as is
  <!-- test: command -->         a shell command, run in the folder; it
                                 must exit 0 (or N, with `exit=N`)
  <!-- test: output -->          what the command before printed: each
                                 line must appear, in this order, among
                                 its output lines; `...` in a line stands
                                 for any text
Every step runs in one fresh folder, in order, with RINGVISOR set to this
checkout (the page's commands use $RINGVISOR)."""
import os
import re
import signal
import subprocess

import pytest

import rvqemu

DOC = rvqemu.ROOT / "docs" / "writing-a-guest.md"
STEP_TIMEOUT = 300       # a first build of newlib takes about two minutes

MARK = re.compile(r"^<!-- test: (file|command|output)\b\s*(.*?)\s*-->\s*\n"
                  r"```[^\n]*\n(.*?)^```\s*$", re.M | re.S)


def steps():
    """[(kind, argument, body)] in the page's order."""
    text = DOC.read_text()
    found = MARK.findall(text)
    # Every marker must be followed by a fenced block it could parse.
    assert len(found) == text.count("<!-- test:"), "a marker without a block"
    return found


def test_the_page_has_the_worked_example():
    kinds = [k for k, _, _ in steps()]
    assert kinds.count("file") >= 2 and kinds.count("command") >= 4, kinds
    assert kinds[0] == "file"
    for i, k in enumerate(kinds):
        if k == "output":
            assert i > 0 and kinds[i - 1] == "command", "output follows no command"


def line_pattern(line):
    return re.compile("^" + ".*".join(map(re.escape, line.split("..."))) + "$")


def check_output(shown, out, cmd):
    """Each line shown appears among out's lines, in the order shown."""
    got = [l.rstrip("\r") for l in out.splitlines()]
    at = 0
    for line in shown.splitlines():
        if not line.strip():
            continue
        pat = line_pattern(line)
        while at < len(got) and not pat.match(got[at]):
            at += 1
        assert at < len(got), (f"the page shows {line!r} after `{cmd}`, "
                               f"but the output has no such line there:\n{out}")
        at += 1


def run_command(body, folder, env):
    p = subprocess.Popen(["bash", "-c", body], cwd=folder, env=env,
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True,
                         start_new_session=True)
    try:
        out, _ = p.communicate(timeout=STEP_TIMEOUT)
    except subprocess.TimeoutExpired:
        # The whole group: make, and the QEMU it started.
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        pytest.fail(f"`{body.strip()}` still ran after {STEP_TIMEOUT} s:\n{out}")
    return p.returncode, out


def test_worked_example_runs_as_written(tmp_path):
    env = dict(os.environ, RINGVISOR=str(rvqemu.ROOT))
    env.pop("MAKEFLAGS", None)      # not the outer make's -j or variables
    env.pop("MAKELEVEL", None)
    last_cmd, last_out = None, None
    for kind, arg, body in steps():
        if kind == "file":
            (tmp_path / arg).write_text(body)
        elif kind == "command":
            want = int(re.fullmatch(r"(?:exit=(\d+))?", arg)[1] or 0)
            status, out = run_command(body, tmp_path, env)
            assert status == want, (f"`{body.strip()}` exited with {status}, "
                                    f"not {want}:\n{out}")
            last_cmd, last_out = body.strip(), out
        else:
            assert last_out is not None, "output before any command"
            check_output(body, last_out, last_cmd)
    assert (tmp_path / "stats.elf").exists()


def test_the_page_fault_example_is_a_page_fault():
    """The page's exception example is a real page fault: the output the
    page shows (and test_worked_example_runs_as_written checks against the
    guest's real output) is the runtime's #PF line and status 142, after a
    command that expects that status."""
    found = steps()
    shown = [(found[i - 1][2], body) for i, (kind, _, body) in enumerate(found)
             if kind == "output" and "unhandled exception" in body]
    assert len(shown) == 1, "the page shows no page fault, or several"
    cmd, out = shown[0]
    assert "expect=exit:142" in cmd, cmd
    assert re.search(r"^\[fault\] rv: unhandled exception 14 \(#PF page fault\), "
                     r"error 0x2, .*cr2 0x40000000$", out, re.M), out
    assert "ringvisor: guest fault exited with status 142" in out, out


def test_guest_is_not_left_in_the_tree_under_another_name():
    """The page's guest name is free in the tree (make guest refuses a
    name the tree declares)."""
    for _, _, body in steps():
        for name in re.findall(r"NAME=(\w+)", body):
            assert not list((rvqemu.ROOT / "guests").rglob(f"{name}.c")), name
