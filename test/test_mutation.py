"""The mutation self-check as part of `make test`: each named check left
out in turn (tools/mutation.py) must make its tests fail."""
import subprocess
import sys

import rvqemu


def test_every_mutant_is_caught():
    p = subprocess.run([sys.executable, str(rvqemu.ROOT / "tools/mutation.py")],
                       cwd=rvqemu.ROOT, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "0 survived" in p.stdout, p.stdout
