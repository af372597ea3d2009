"""Layers only point down (tools/layers.txt; the hypervisor's are drawn in
docs/design.md): in the hypervisor, the guest runtime and the sample guest
OS, no object uses a symbol, and no file includes a header, of a layer
above its own. The fixtures show that the check fails on an
upward include, an upward call through a local `extern`, and a file the
table does not place."""
import subprocess
import sys

import pytest

import rvqemu

sys.path.insert(0, str(rvqemu.ROOT / "tools"))
import layers  # noqa: E402

BUILD = rvqemu.BUILD
CFLAGS = ["-m32", "-march=i686", "-std=gnu11", "-ffreestanding", "-fno-pie", "-fno-pic",
          "-fno-stack-protector", "-O2", "-Iinclude", "-I."]


@pytest.fixture(scope="module")
def tree():
    assert (BUILD / "ringvisor.elf").is_file(), "make test builds the hypervisor first"
    return layers.Layers(layers.load_table()), *layers.scan(BUILD)


def fixture(tmp_path, name, text):
    """A source compiled as the hypervisor's are, as check() takes it."""
    src = tmp_path / "fixture.c"
    src.write_text(text)
    obj = tmp_path / "fixture.o"
    subprocess.run(["gcc", *CFLAGS, "-c", str(src), "-o", str(obj)], cwd=rvqemu.ROOT,
                   check=True)
    undefined = {line.split()[-1] for line in layers.nm(obj, "-u")}
    return {name: (layers.INCLUDE_RE.findall(text), undefined)}


@pytest.mark.parametrize("section", [s[0] for s in layers.load_sections()])
def test_tree_points_down(section):
    name, prefix, table = next(s for s in layers.load_sections() if s[0] == section)
    files, defined = layers.scan(BUILD, name, prefix)
    assert len([f for f in files if not f.endswith(".h")]) >= 5, files
    assert layers.check(layers.Layers(table), files, defined) == []


def test_every_object_is_checked(tree):
    """Every object the hypervisor links was scanned, so a symbol's
    defining file is always known."""
    _, files, defined = tree
    for name in ("kill_guest", "shadow_fault", "frame_alloc", "kprintf", "sched_loop",
                 "c_boot_main"):
        assert name in defined, name
    assert {"core/sched.c", "mm/frame.c", "lib/log.c", "boot/entry.S"} <= set(files)


def test_upward_include_fails(tree, tmp_path):
    table, _, defined = tree
    files = fixture(tmp_path, "mm/fixture.c", "#include <core/run.h>\n"
                    "void fixture(void) { }\n")
    bad = layers.check(table, files, defined)
    assert bad == ["mm/fixture.c (host) includes core/run.h (run), a layer above"]


def test_upward_call_through_local_extern_fails(tree, tmp_path):
    table, _, defined = tree
    files = fixture(tmp_path, "arch/i386/fixture.c", "struct guest;\n"
                    "extern void kill_guest(struct guest *g, const char *fmt, ...);\n"
                    "void fixture(struct guest *g) { kill_guest(g, \"no\"); }\n")
    bad = layers.check(table, files, defined)
    assert bad == ["arch/i386/fixture.c (arch) uses kill_guest from core/guest.c (guest), "
                   "a layer above"]


def test_downward_use_passes(tree, tmp_path):
    table, _, defined = tree
    files = fixture(tmp_path, "core/sched.c", "#include <lib/log.h>\n"
                    "void fixture(void) { kprintf(\"x\"); }\n")
    assert layers.check(table, files, defined) == []


def test_unplaced_file_fails(tree):
    table, _, defined = tree
    bad = layers.check(table, {"net/switch.c": ([], set())}, defined)
    assert bad == ["net/switch.c: not in any layer of tools/layers.txt"]


def test_tcb_figure_in_design_doc():
    """docs/design.md quotes `make tcb`'s totals; they must be today's."""
    out = subprocess.run([sys.executable, str(rvqemu.ROOT / "tools" / "tcb.py"), "--total"],
                         capture_output=True, text=True, check=True).stdout.split()
    core, whole, test_only = out[1], out[3], out[5]
    doc = " ".join((rvqemu.ROOT / "docs" / "design.md").read_text().split())
    want = (f"hypervisor is **{whole}** code lines, {core} without the device models "
            f"(`dev/`), with {test_only} test-only lines apart")
    assert want in doc, f"docs/design.md should say: {want}"
