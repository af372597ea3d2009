# The host unit tests (test/unit/) as pytest cases: one per C case, each run
# on its own so a sanitizer abort names the case. `make` builds the binary.
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
UNIT = Path(os.environ.get("RINGVISOR_UNIT",
                           REPO / "build" / "unit" / "unit"))
TIMEOUT_S = 60


def list_cases():
    """The case names the binary reports, or [] if it is missing or broken
    (test_unit_binary_present then says why)."""
    if not UNIT.is_file():
        return []
    try:
        out = subprocess.run([str(UNIT), "--list"], capture_output=True,
                             text=True, timeout=TIMEOUT_S, check=True)
    except (OSError, subprocess.SubprocessError):
        return []
    return [line for line in out.stdout.splitlines() if line.strip()]


CASES = list_cases()


def test_unit_binary_present():
    """Fails, rather than silently collecting nothing, when the binary was
    not built or cannot list its cases."""
    assert UNIT.is_file(), f"{UNIT} is missing: run `make unit` first"
    assert CASES, f"`{UNIT} --list` printed no cases"


@pytest.mark.parametrize("name", CASES)
def test_unit(name):
    proc = subprocess.run([str(UNIT), name], capture_output=True, text=True,
                          timeout=TIMEOUT_S, cwd=REPO)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"exit status {proc.returncode}:\n{output}"
    assert f"PASS {name}" in proc.stdout.splitlines(), output
