"""The mutation self-check as part of `make test`: each named check left
out in turn (tools/mutation.py) must make its tests fail."""
import sys

import rvqemu


def test_every_mutant_is_caught():
    p = rvqemu.run_tool([sys.executable, str(rvqemu.ROOT / "tools/mutation.py")],
                        cwd=rvqemu.ROOT, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "0 survived" in p.stdout, p.stdout
