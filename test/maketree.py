"""Run the tree's make from a test without touching the suite's build/.

A test gets a scratch build folder: a copy of build/ as `make test` left it
(without newlib's sources and objects, logs and benchmarks), so make finds
everything up to date and builds only what the test changes. Every make
runs in its own process group, with a timeout that ends the whole group
(make, and a QEMU it started)."""
import os
import shutil
import signal
import subprocess

import rvqemu

ROOT = rvqemu.ROOT
BUILD = rvqemu.BUILD
# Not copied: big, or written by other tests while they run.
SKIP = {"test-logs", "bench", "debug-serial.log"}
SKIP_NEWLIB = {"newlib-3.3.0", "obj", "build.log", ".lock"}


def _copy(src, dst):
    """A regular file, mtime kept; sockets and files that went away while
    the copy ran (another test's) are left out."""
    try:
        if os.path.isfile(src) and not os.path.islink(src):
            shutil.copy2(src, dst)
    except FileNotFoundError:
        pass


def scratch_build(dest):
    """A copy of the suite's build/ at dest (mtimes kept); returns dest."""
    assert (BUILD / "ringvisor.elf").exists(), "run the tests through `make test`"

    def ignore(folder, names):
        skip = SKIP | (SKIP_NEWLIB if os.path.basename(folder) == "newlib" else set())
        return [n for n in names if n in skip or n.startswith("mutant")
                or n.endswith((".new", ".sock", ".iso"))]
    shutil.copytree(BUILD, dest, ignore=ignore, copy_function=_copy)
    return dest


def make_env(**extra):
    env = dict(os.environ, **extra)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):
        env.pop(k, None)         # not the outer make's -j, jobserver or vars
    return env


def make(*args, build, timeout=300, env=None, cwd=ROOT):
    """`make -C ROOT BUILD=build args...`; returns (exit status, output)."""
    cmd = ["make", "--no-print-directory", "-C", str(ROOT), f"BUILD={build}", *map(str, args)]
    p = subprocess.Popen(cmd, cwd=cwd, env=env or make_env(),
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True,
                         start_new_session=True)
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        raise AssertionError(f"{' '.join(cmd)} still ran after {timeout} s:\n{out}")
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)   # anything it left behind
        except ProcessLookupError:
            pass
    return p.returncode, out
