"""The harness itself: every QEMU a test starts ends with the test, when
it times out, when the test closes it early, and at its deadline; and the
session's last check fails a run that leaves one behind."""
import os
import subprocess
import sys
import time
from pathlib import Path

import rvqemu
from rvqemu import STATUS_TIMEOUT, boot

# QEMU stopped before its first instruction: it would run forever.
FROZEN = ["-S"]


def qemus_named(fragment):
    """Pids of live (not zombie) QEMUs whose command line holds fragment."""
    pids = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            argv = (d / "cmdline").read_bytes().split(b"\0")
            state = (d / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if argv[0].endswith(b"qemu-system-i386") and state != "Z" and \
                any(fragment.encode() in a for a in argv):
            pids.append(int(d.name))
    return pids


def gone(fragment, within=5.0):
    end = time.monotonic() + within
    while qemus_named(fragment) and time.monotonic() < end:
        time.sleep(0.05)
    return not qemus_named(fragment)


def test_boot_timeout_ends_qemu():
    b = boot("harness_timeout", append="exit=qemu", extra=FROZEN, timeout=2)
    assert b.status == STATUS_TIMEOUT, b.describe()
    assert gone("harness_timeout.log", within=0), qemus_named("harness_timeout.log")


def test_monitor_close_ends_qemu():
    m = rvqemu.Monitor("harness_monitor_close", append="exit=qemu",
                       extra=FROZEN, timeout=60)
    try:
        assert m.hmp("info status")["return"].startswith("VM status: paused")
        assert qemus_named("harness_monitor_close.log") == [m.proc.pid]
    finally:
        m.close()
    assert gone("harness_monitor_close.log", within=0)


def test_monitor_deadline_ends_qemu():
    m = rvqemu.Monitor("harness_monitor_deadline", append="exit=qemu",
                       extra=FROZEN, timeout=2)
    try:
        assert m.proc.wait(timeout=10) is not None
        assert gone("harness_monitor_deadline.log", within=0)
    finally:
        m.close()


def test_serial_console_close_ends_qemu():
    con = rvqemu.SerialConsole("harness_console_close", modules=[],
                               append="exit=qemu", timeout=60)
    try:
        assert con.proc.poll() is None
    finally:
        con.close()
    assert gone("harness_console_close.log", within=0)


LEAKY = '''
import os, subprocess, time, rvqemu

def test_leaves_qemu_running():
    # Not through rvqemu.spawn: nothing in the harness knows of it.
    subprocess.Popen(["qemu-system-i386", "-accel", "tcg", "-S", "-display",
                      "none", "-nic", "none", "-monitor", "none", "-serial",
                      "none", "-name", "harness-leak-MARK"],
                     stdin=subprocess.DEVNULL, start_new_session=True)
    # Until QEMU itself runs (on a loaded machine the exec comes late), the
    # session's last check could not see it yet.
    token = os.environ[rvqemu.SESSION_VAR].split()[-1]
    end = time.monotonic() + 30
    while not rvqemu.running_qemus(token) and time.monotonic() < end:
        time.sleep(0.02)
'''


def test_session_fails_when_a_qemu_is_left(tmp_path):
    """A pytest session (ours, run inside this test) whose test leaves a
    QEMU running fails, names it, and kills it."""
    mark = f"harness-leak-{os.getpid()}"
    (tmp_path / "test_leaky.py").write_text(LEAKY.replace("harness-leak-MARK", mark))
    env = dict(os.environ, PYTHONPATH=str(rvqemu.ROOT / "test"))
    p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        "-p", "conftest", str(tmp_path / "test_leaky.py")],
                       cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=120)
    out = p.stdout + p.stderr
    assert "1 passed" in out, out
    assert p.returncode != 0, out
    assert "still ran at its end" in out and mark in out, out
    assert gone(mark), qemus_named(mark)


def test_every_qemu_carries_the_session_token():
    """The session's last check finds QEMUs by the token in their
    environment: under xdist too, the workers inherit it."""
    tokens = os.environ.get(rvqemu.SESSION_VAR, "").split()
    assert tokens, f"{rvqemu.SESSION_VAR} is not set in this worker"
    m = rvqemu.Monitor("harness_token", append="exit=qemu", extra=FROZEN, timeout=60)
    try:
        m.hmp("info status")            # QEMU itself runs (not its sh wrapper)
        assert m.proc.pid in [pid for pid, _ in rvqemu.running_qemus(tokens[-1])]
    finally:
        m.close()
    assert m.proc.pid not in [pid for pid, _ in rvqemu.running_qemus(tokens[-1])]
