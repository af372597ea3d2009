"""Long paths, long strings, many words: nothing the user gives is cut
without a word. The hypervisor image and every module sit in a directory
whose path is 200 characters long, as in a clone at such a path, and the
module tests of test_boot.py run from there: every message must name the
module's file and its guest whole."""
import shutil

import pytest

import rvqemu
from rvqemu import STATUS_PASS, STATUS_REFUSED, boot
from test_boot import BAD_OPTIONS, MALFORMED, check_bad_options, check_malformed

HV = "exit=qemu"
LONG = 200
HELLO = rvqemu.BUILD / "guests" / "hello.elf"


@pytest.fixture(scope="session")
def long_dir(tmp_path_factory, testmods):
    """A directory whose path is exactly LONG characters, holding the test
    modules, the hello guest and the hypervisor image."""
    base = str(tmp_path_factory.mktemp("long"))
    path = base
    while len(path) < LONG:
        room = LONG - len(path) - 1
        path += "/" + ("p" * min(40, room) if room != 41 else "p" * 39)
    assert len(path) == LONG, path
    d = rvqemu.Path(path)
    d.mkdir(parents=True, exist_ok=True)
    for f in testmods.glob("*.elf"):
        shutil.copy(f, d)
    shutil.copy(HELLO, d)
    shutil.copy(rvqemu.HV_ELF, d)
    return d


def test_long_path_boot_report(long_dir):
    """The image's own path (QEMU's first word) is skipped, and each
    module's line, longer than any buffer the log had, comes out whole."""
    mods = [(long_dir / "good.elf", "name=alpha mem=2M"),
            (long_dir / "good2.elf", "name=beta mem=4M weight=200")]
    b = boot("long_path_report", kernel=long_dir / "ringvisor.elf", append=HV,
             modules=mods)
    b.expect_pass()
    for i, (path, _) in enumerate(mods):
        lines = b.lines(rf"^ringvisor: module {i} \((.*)\): guest .*, (\d+) bytes$")
        assert lines and lines[0][0] == str(path), b.describe()
    assert not b.has(r"warning|error|PANIC"), b.describe()


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_long_path_malformed_module(long_dir, kind):
    b = check_malformed(long_dir, kind, f"long_path_malformed_{kind}")
    assert str(long_dir) in b.lines(r"^ringvisor: error: (.*)$")[0]


@pytest.mark.parametrize("opts,why,cause", BAD_OPTIONS)
def test_long_path_bad_module_options(long_dir, opts, why, cause):
    check_bad_options(long_dir, opts, why, cause, "long_path_badopts_" + opts)


def test_module_string_too_long_is_refused(long_dir):
    """A module string past CMDLINE_MAX is refused, by its file's name;
    the others still run."""
    mods = [(long_dir / "good.elf", "name=alpha mem=2M"),
            (long_dir / "good2.elf", "name=beta -- " + "x" * 5000)]
    b = boot("long_module_string", append=HV, modules=mods)
    b.expect(STATUS_REFUSED)
    errs = b.lines(r"^ringvisor: error: (.*)$")
    assert errs == [f"module 1 ({long_dir / 'good2.elf'}): its string is longer than "
                    f"the 4095 bytes accepted (CMDLINE_MAX); skipped"], b.describe()
    b.require(r"^ringvisor: verdict: refused: .* 1 module refused \(1 string too long\)")


# A guest's arguments too long for its command-line page
# (GUEST_CMDLINE_MAX): unreachable from -initrd, whose strings start with
# a file name and are refused first at CMDLINE_MAX, so unit-tested
# (test/unit/test_config.c: guest_config_long_args).


def guest_lines(b, name):
    """The guest's console lines, continuations ("[name]+ ") joined."""
    out = []
    for line in b.log.splitlines():
        if line.startswith(f"[{name}]+ "):
            out[-1] += line[len(name) + 4:]
        elif line.startswith(f"[{name}] "):
            out.append(line[len(name) + 3:])
    return out


def test_guest_gets_a_long_argument_whole(long_dir):
    """3000 bytes of argument (more than the runtime kept before) reach
    main() whole."""
    arg = "".join(chr(ord("a") + i % 26) for i in range(3000))
    b = boot("long_guest_argument", append=HV,
             modules=[(long_dir / "hello.elf", f"name=hello -- {arg} end")])
    b.expect_pass()
    lines = guest_lines(b, "hello")
    assert "hello from a Ringvisor guest, argc = 3" in lines, b.describe()
    assert f'  argv[1] = "{arg}"' in lines and '  argv[2] = "end"' in lines, b.describe()
    assert not b.has(r"warning"), b.describe()


def test_guest_with_more_words_than_argv_holds_is_warned(long_dir):
    words = " ".join(f"w{i}" for i in range(300))
    b = boot("many_guest_words", append=HV,
             modules=[(long_dir / "hello.elf", f"name=hello -- {words}")])
    b.expect_pass()
    lines = guest_lines(b, "hello")
    assert lines[0] == ("rv: warning: the command line has 301 words; argv holds "
                        "the first 256 (RV_ARGV_MAX)"), b.describe()
    assert "hello from a Ringvisor guest, argc = 256" in lines, b.describe()
    assert '  argv[255] = "w254"' in lines, b.describe()


def test_hypervisor_command_line_too_long_is_warned():
    """QEMU's -append past CMDLINE_MAX: read up to it, and said so."""
    b = boot("long_hv_cmdline", append=HV + " " + "z" * 5000)
    b.expect(STATUS_PASS)
    b.require(r"^ringvisor: warning: command line longer than 4095 bytes: only the "
              r"first 4095 are read$")
    # The unknown word is named whole, as far as it was read: the line
    # held 4095 bytes, the image's path and "exit=qemu" first.
    unknown = b.lines(r"^ringvisor: warning: command line: unknown option '(z+)'$")
    head = len(str(rvqemu.HV_ELF)) + len(" exit=qemu ")
    assert unknown and len(unknown[0]) == 4095 - head, b.describe()
