"""pytest set-up: the images under test are built by `make test` before
pytest starts; here they are only located. And every QEMU a test started
ends with it: each test's leftovers are killed at its teardown, and the
session fails if any QEMU it started (directly or through a tool) is still
running at its end."""
import os
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import rvqemu  # noqa: E402


def pytest_configure(config):
    """The controller (or a run without xdist) adds its session's token to
    the environment before any worker or QEMU starts, so everything below
    it inherits it. A pytest run inside a test (make test-mutation's) adds
    its own after the outer one's: each session checks only its own."""
    if hasattr(config, "workerinput"):
        return
    token = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    config.rv_session_token = token
    outer = os.environ.get(rvqemu.SESSION_VAR, "")
    os.environ[rvqemu.SESSION_VAR] = f"{outer} {token}".strip()


@pytest.fixture(autouse=True)
def _qemu_ends_with_the_test():
    """Whatever a test left running (it failed before its close(), or
    forgot it), its QEMU ends at the test's teardown."""
    yield
    rvqemu.stop_all()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """After every worker has finished: no QEMU of this session may still
    run. Any that does is named, killed, and the run fails."""
    token = getattr(session.config, "rv_session_token", None)
    if token is None:
        return                              # an xdist worker
    left = rvqemu.running_qemus(token)
    if not left:
        return
    for pid, _ in left:
        try:
            os.killpg(pid, 9) if os.getpgid(pid) == pid else os.kill(pid, 9)
        except ProcessLookupError:
            pass
    lines = "\n".join(f"  pid {pid}: {cmd}" for pid, cmd in left)
    sys.stderr.write(f"\nERROR: {len(left)} QEMU process(es) started by this "
                     f"test session still ran at its end (now killed):\n{lines}\n")
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def testmods():
    """The directory of the generated test modules (tools/mkmodules.py)."""
    d = rvqemu.BUILD / "testmods"
    assert (d / "good.elf").exists(), "run the tests through `make test`"
    return d
