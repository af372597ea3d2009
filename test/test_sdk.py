"""The guest SDK as a C programmer meets it (guests/rt/adhoc.mk, rt.mk,
guests/newlib/newlib.mk): `make guest NAME= SRC=` with no other flag builds
an ordinary C program on newlib; guest code never sees the host's headers;
objects follow their flags; a failed recipe leaves no target; a tree
guest's name is refused; newlib's build reports its progress.

Each make runs in a scratch copy of build/ (test/maketree.py)."""
import re
import tarfile
import time

import pytest

import maketree
import rvqemu
from rvqemu import STATUS_PASS, boot

PLAIN_C = r"""
#include <stdio.h>
#include <stdlib.h>

static int compare(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int main(void)
{
	int *v = malloc(5 * sizeof(*v));

	if (v == NULL)
		return 1;
	for (int i = 0; i < 5; i++)
		v[i] = (i * 7) % 5;
	qsort(v, 5, sizeof(*v), compare);
	printf("sorted: %d %d %d %d %d\n", v[0], v[1], v[2], v[3], v[4]);
	free(v);
	return 0;
}
"""

# Builds on either runtime: no header at all.
NO_HEADERS = "int main(void) { return 0; }\n"


@pytest.fixture
def build(tmp_path):
    return maketree.scratch_build(tmp_path / "build")


def compiled(out):
    """The sources make compiled, from its `  CC  file` lines."""
    return re.findall(r"^\s+CC\s+(\S+)", out, re.M)


def test_plain_c_program_builds_with_no_flags_and_runs(tmp_path, build):
    src = tmp_path / "plain.c"
    src.write_text(PLAIN_C)
    status, out = maketree.make("guest", "NAME=sdk_plain", f"SRC={src}", build=build)
    assert status == 0, out
    elf = build / "guests" / "sdk_plain.elf"
    assert elf.exists()
    # Linked on newlib: its printf and qsort are in the image.
    syms = (build / "guests" / "sdk_plain.sym").read_text()
    assert re.search(r" T qsort$", syms, re.M), "qsort is not newlib's"
    b = boot("sdk_plain", modules=[(elf, "name=plain")], append="exit=qemu")
    b.expect(STATUS_PASS).require(r"^\[plain\] sorted: 0 1 2 3 4$")


def test_no_libc_guest_cannot_reach_the_hosts_stdio(tmp_path, build):
    src = tmp_path / "hosted.c"
    src.write_text(PLAIN_C)
    status, out = maketree.make("guest", "NAME=sdk_bare", f"SRC={src}",
                                "LIBC=none", build=build)
    assert status != 0, "a LIBC=none guest found a <stdio.h>:\n" + out
    assert "stdio.h: No such file or directory" in out, out
    # With newlib, the <stdio.h> it finds is newlib's.
    status, out = maketree.make("guest", "NAME=sdk_bare", f"SRC={src}", build=build)
    assert status == 0, out
    deps = next((build / "guests" / "obj" / "sdk_bare").rglob("hosted.c.d")).read_text()
    stdio = re.findall(r"(\S*/stdio\.h)\b", deps)
    assert stdio and all("/newlib/install/" in p for p in stdio), stdio


def test_no_guest_of_the_tree_was_compiled_against_host_headers():
    """Every guest object the suite's build made names its headers in its
    .d file: none is under /usr/include."""
    deps = list((rvqemu.BUILD / "guests").rglob("*.d"))
    assert len(deps) > 50, "the guests are not built"
    host = [str(d) for d in deps if "/usr/include" in d.read_text()]
    assert not host, f"compiled against the host's headers: {host}"


def test_objects_are_rebuilt_when_their_flags_change(tmp_path, build):
    src = tmp_path / "flags.c"
    src.write_text(NO_HEADERS)
    guest = ("guest", "NAME=sdk_flags", f"SRC={src}")

    def build_with(*extra):
        status, out = maketree.make(*guest, *extra, build=build)
        assert status == 0, out
        return compiled(out)

    assert build_with("LIBC=none") == [str(src)]
    assert build_with("LIBC=none") == [], "rebuilt with the same flags"
    assert build_with("LIBC=none", "CFLAGS=-DANSWER=42") == [str(src)]
    assert build_with("LIBC=none", "CFLAGS=-DANSWER=42") == []
    assert build_with("CFLAGS=-DANSWER=42") == [str(src)], "LIBC=newlib changed nothing"
    flags = (build / "guests" / "obj" / "sdk_flags" / "flags").read_text()
    assert "-DANSWER=42" in flags and "-nostdinc" in flags


def test_a_failed_recipe_leaves_no_target(tmp_path, build):
    """.DELETE_ON_ERROR: the link succeeds but the listing after it fails
    (objdump, here a stub that fails): the ELF must not stay behind to be
    taken as up to date by the next make."""
    src = tmp_path / "ok.c"
    src.write_text(NO_HEADERS)
    stubs = tmp_path / "bin"
    stubs.mkdir()
    (stubs / "objdump").write_text("#!/bin/sh\necho objdump stub fails >&2\nexit 1\n")
    (stubs / "objdump").chmod(0o755)
    env = maketree.make_env(PATH=f"{stubs}:" + maketree.os.environ["PATH"])
    status, out = maketree.make("guest", "NAME=sdk_fail", f"SRC={src}",
                                build=build, env=env)
    assert status != 0 and "objdump stub fails" in out, out
    assert not (build / "guests" / "sdk_fail.elf").exists(), \
        "a failed recipe left its target behind"
    # And an undefined function fails the link with no ELF either.
    src.write_text("void nowhere(void);\nint main(void) { nowhere(); return 0; }\n")
    status, out = maketree.make("guest", "NAME=sdk_fail", f"SRC={src}", build=build)
    assert status != 0 and "nowhere" in out, out
    assert not (build / "guests" / "sdk_fail.elf").exists()


@pytest.mark.parametrize("name", ["hello", "libctest", "os"])
def test_a_tree_guests_name_is_refused(tmp_path, build, name):
    src = tmp_path / "mine.c"
    src.write_text(PLAIN_C)
    elf = build / "guests" / f"{name}.elf"
    before = elf.read_bytes()
    status, out = maketree.make("guest", f"NAME={name}", f"SRC={src}", build=build)
    assert status == 2, out
    assert f"NAME={name} is one of the tree's own guests" in out, out
    assert elf.read_bytes() == before
    assert not compiled(out)


def test_make_guest_says_what_is_missing(build):
    status, out = maketree.make("guest", "SRC=x.c", build=build)
    assert status == 2 and "no NAME" in out, out
    status, out = maketree.make("guest", "NAME=sdk_x", build=build)
    assert status == 2 and "no SRC" in out, out
    status, out = maketree.make("guest", "NAME=sdk_x", "SRC=x.c", "LIBC=glibc", build=build)
    assert status == 2 and "LIBC=glibc" in out, out


FAKE_CONFIGURE = """#!/bin/sh
# A stand-in for newlib's configure: a Makefile that compiles slowly.
cat > Makefile <<'EOF'
all-target-newlib:
\tfor i in 1 2 3 4 5 6; do sleep 1; touch obj$$i.o; done
install-target-newlib:
\ttouch installed
EOF
"""


def test_newlib_build_reports_progress_and_ends_with_a_line(tmp_path, build):
    """The newlib recipe's steps, its periodic count and its last line,
    run on a stand-in tarball (the real build takes minutes)."""
    top = tmp_path / "newlib-salsa"
    top.mkdir()
    (top / "configure").write_text(FAKE_CONFIGURE)
    (top / "configure").chmod(0o755)
    tarball = tmp_path / "fake-newlib.tar.xz"
    with tarfile.open(tarball, "w:xz") as t:
        t.add(top, arcname="newlib-salsa")
    start = time.monotonic()
    status, out = maketree.make("newlib", f"NEWLIB_TARBALL={tarball}", "NEWLIB_TICK=2",
                                f"NEWLIB_DIR={tmp_path / 'nl'}", build=build,
                                timeout=120)
    assert status == 0, out
    assert time.monotonic() - start < 100
    steps = re.findall(r"^\s+NEWLIB\s+(\w+)", out, re.M)
    for step in ("building", "unpacking", "configuring", "compiling", "installing", "done"):
        assert step in steps, f"no '{step}' line:\n{out}"
    assert re.search(r"^\s+NEWLIB\s+compiling: [1-6] objects \[\d+ s\]$", out, re.M), out
    last = out.strip().splitlines()[-1]
    assert re.search(r"NEWLIB\s+done: newlib \S+ built in \d+ s, 6 objects$", last), out
    assert (tmp_path / "nl" / ".stamp").exists()
