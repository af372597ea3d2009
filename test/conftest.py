"""pytest set-up: the images under test are built by `make test` before
pytest starts; here they are only located."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import rvqemu  # noqa: E402


@pytest.fixture(scope="session")
def testmods():
    """The directory of the generated test modules (tools/mkmodules.py)."""
    d = rvqemu.BUILD / "testmods"
    assert (d / "good.elf").exists(), "run the tests through `make test`"
    return d
