"""The security catalogue (docs/security.md, tools/security.py): every
positive case of guests/security/sec_priv.c, the error-code-vector cases
one module each, and every sec_kill and sec_dev case one module each (the
device cases that need typed input run in test/test_devices.py), all in ONE boot
next to a bystander whose output must equal its solo run. Each case pins
one exact outcome; cases the hypervisor gets wrong today are strict xfail
(tools/security.py: KNOWN_WRONG) until fixed."""
import os
import sys

import pytest

import rvqemu
from rvqemu import STATUS_PASS, boot

sys.path.insert(0, str(rvqemu.ROOT / "tools"))
import security  # noqa: E402

G = rvqemu.BUILD / "guests"
WORKER = "_" + os.environ.get("PYTEST_XDIST_WORKER", "main")
CAT = security.catalogue()
BY_GROUP = {g: [c for c in CAT if c["group"] == g]
            for g in ("priv", "errvec", "kill", "noeffect", "devkill", "devnoeffect",
                      "blkkill", "blknoeffect",
                      "forge")}


def note_escape(msg):
    security.ESCAPES.parent.mkdir(parents=True, exist_ok=True)
    with open(security.ESCAPES, "a") as f:
        f.write(msg + "\n")


def mark(c):
    if c["known_wrong"]:
        return pytest.param(c["id"], marks=pytest.mark.xfail(strict=True, reason=c["known_wrong"]),
                            id=c["id"])
    return pytest.param(c["id"], id=c["id"])


def errvec_name(cid):
    return cid.replace("errvec_", "ev")


def modules():
    mods = [(G / "sec_priv.elf", "name=priv mem=8M expect=any"),
            (G / "bystander.elf", "name=bystander")]
    for c in BY_GROUP["errvec"]:
        _, r, v = c["id"].split("_")
        mods.append((G / "sec_priv.elf",
                     f"name={errvec_name(c['id'])} mem=8M expect=any -- errvec {r[1]} {v}"))
    for c in BY_GROUP["kill"]:
        mods.append((G / "sec_kill.elf", f"name={c['id']} mem=2M expect=killed -- {c['id']}"))
    for c in BY_GROUP["noeffect"] + BY_GROUP["forge"]:
        mods.append((G / "sec_kill.elf", f"name={c['id']} mem=2M -- {c['id']}"))
    for c in BY_GROUP["devkill"]:
        mods.append((G / "sec_dev.elf", f"name={c['id']} mem=2M expect=killed -- {c['id']}"))
    for c in BY_GROUP["devnoeffect"]:
        mods.append((G / "sec_dev.elf", f"name={c['id']} mem=2M -- {c['id']}"))
    return mods


def blk_modules():
    """The disk cases (sec_blk), in a boot of their own: the catalogue's
    fills the hypervisor's MAX_MODULES. All share one read-only image;
    blk_end_write has a writable one too. A bystander runs beside them."""
    mods = [(G / "bystander.elf", "name=bystander")]
    # the disk cases share one read-only image; one has a writable disk too
    disks = rvqemu.BUILD / "disks"
    disks.mkdir(parents=True, exist_ok=True)
    (disks / "secblk.img").write_bytes(bytes(range(256)) * 32 + b"tail")
    (disks / "secblk-rw.img").write_bytes(bytes(range(256)) * 32 + b"tail")
    for c in BY_GROUP["blkkill"]:
        mods.append((G / "sec_blk.elf",
                     f"name={c['id']} mem=2M expect=killed disk=secblk.img -- {c['id']}"))
    for c in BY_GROUP["blknoeffect"]:
        rw = " disk_rw=secblk-rw.img" if c["id"] == "blk_end_write" else ""
        mods.append((G / "sec_blk.elf", f"name={c['id']} mem=2M disk=secblk.img{rw} -- {c['id']}"))
    mods += [(disks / "secblk.img", ""), (disks / "secblk-rw.img", "")]
    return mods


def bystander_lines(b):
    return [l for l in b.log.split("\n") if l.startswith("[bystander]")]


@pytest.fixture(scope="module")
def run():
    return boot(security.LOG_PREFIX + "catalogue" + WORKER, append="exit=qemu",
                modules=modules(), mem=512, timeout=90)


@pytest.fixture(scope="module")
def run_blk():
    return boot(security.LOG_PREFIX + "disks" + WORKER, append="exit=qemu",
                modules=blk_modules(), mem=128, timeout=60)


@pytest.fixture(scope="module")
def solo():
    return boot(security.LOG_PREFIX + "bystander_solo" + WORKER, append="exit=qemu",
                modules=[(G / "bystander.elf", "name=bystander")], timeout=30)


@pytest.mark.parametrize("case", [mark(c) for c in BY_GROUP["priv"]])
def test_priv(run, case):
    lines = run.lines(rf"^\[priv\] ((?:PASS|FAIL|SKIP) {case}\b.*)$")
    assert len(lines) == 1, f"{len(lines)} lines for {case}; " + run.describe()
    assert lines[0] == f"PASS {case}", lines[0]


@pytest.mark.parametrize("case", [mark(c) for c in BY_GROUP["errvec"]])
def test_errvec(run, case):
    n = errvec_name(case)
    assert run.has(rf"^\[{n}\] PASS {case}$"), \
        "\n".join(l for l in run.log.split("\n") if f"[{n}]" in l or f" {n} " in l)


def check_kill(b, case):
    """Exactly one kill line for the case, with its exact reason."""
    want = security.kill_reason(case)
    got = b.lines(rf"^ringvisor: error: guest {case} killed: (.*)$")
    assert len(got) == 1, f"{case}: {len(got)} kill lines; " + b.describe()
    assert rvqemu.re.fullmatch(want, got[0]), f"{case} killed for '{got[0]}', expected /{want}/"
    assert not b.has(rf"^\[{case}\] SURVIVED"), b.describe()


@pytest.mark.parametrize("case", [mark(c) for c in BY_GROUP["kill"]])
def test_kill(run, case):
    check_kill(run, case)


@pytest.mark.parametrize("case", [mark(c) for c in BY_GROUP["devkill"]])
def test_devkill(run, case):
    check_kill(run, case)


@pytest.mark.parametrize("case", [mark(c) for c in BY_GROUP["noeffect"] + BY_GROUP["devnoeffect"]])
def test_noeffect(run, case):
    run.require(rf"^\[{case}\] NOEFFECT {case}$",
                rf"^ringvisor: guest {case} exited with status 0$")


@pytest.mark.parametrize("case", [mark(c) for c in BY_GROUP["blkkill"]])
def test_blkkill(run_blk, case):
    check_kill(run_blk, case)


@pytest.mark.parametrize("case", [mark(c) for c in BY_GROUP["blknoeffect"]])
def test_blknoeffect(run_blk, case):
    run_blk.require(rf"^\[{case}\] NOEFFECT {case}$",
                    rf"^ringvisor: guest {case} exited with status 0$")


def test_blk_verdict_and_bystander(run_blk, solo):
    """The disk boot passes (every case ended as expected, the oracle
    intact) and the bystander beside it printed what it prints alone."""
    run_blk.expect_pass().require(r"^ringvisor: oracle: intact")
    assert bystander_lines(run_blk) == bystander_lines(solo)


def test_bar_outside_warns(run):
    """ne_bar_outside's refused move says so once, naming the guest."""
    got = run.lines(r"^ringvisor: warning: guest ne_bar_outside: (.*)$")
    assert got == ["virtio console: BAR 0 moved to 00300000, outside its device window "
                   "or onto another device; left at 00200000"], run.describe()


FORGED_EXIT = ('ringvisor: guest forge_shutdown exited with status 0: '
               r'"bye\nringvisor: oracle: intact FORGED\r\x1b[2Kringvisor: every guest '
               r'has ended FORGED \"\\"')


@pytest.mark.parametrize("case", [mark(c) for c in BY_GROUP["forge"]])
def test_forge(run, case):
    """Output integrity: whatever separator splits the log, a line with the
    forger's text is the forger's own ("[case] ...") or the hypervisor's
    with the text inside quotes, and holds no raw control byte."""
    raw = run.log
    console = case == "forge_console"          # its lines say "oracle FORGED n"
    pieces = [p for p in raw.splitlines() if "FORGED" in p and ("oracle FORGED" in p) == console]
    for p in pieces:
        own = p.startswith(f"[{case}] ")
        quoted = p.startswith("ringvisor: ") and '"' in p and p.index('"') < p.index("FORGED")
        clean = not any(ord(ch) < 0x20 or 0x7f <= ord(ch) < 0xa0 or ch in "\u2028\u2029"
                        for ch in p)
        if not ((own or quoted) and clean):
            note_escape(f"forge: {case} wrote a line that is not its own: {p!r}")
        assert (own or quoted) and clean, repr(p)
    if console:
        assert len([p for p in pieces if p.startswith(f"[{case}] ")]) == 12, pieces
        run.require(rf"^\[{case}\] NOEFFECT {case}$",
                    rf"^ringvisor: guest {case} exited with status 0$")
    else:
        exits = [p for p in raw.split("\n") if p.startswith("ringvisor: guest forge_shutdown exited")]
        assert exits == [FORGED_EXIT], exits
        assert len(pieces) == 2, pieces        # the exit line and the summary row


def test_bystander_untouched(run, solo):
    solo.expect(STATUS_PASS)
    same = bystander_lines(run) == bystander_lines(solo) and len(bystander_lines(solo)) == 20
    if not same:
        note_escape(f"catalogue: the bystander's output differs from its solo run")
    assert same, run.describe()


def test_verdict_and_oracles(run):
    """No oracle tripped, every guest ended as its expect= said."""
    assert not run.has(r"^ringvisor: error: oracle"), run.describe()
    run.require(r"^ringvisor: oracle: intact")
    run.expect(STATUS_PASS)


def test_doc_current():
    """docs/security.md is what tools/security.py makes of the sources."""
    assert security.DOC.read_text() == security.render_doc() + "\n", \
        "docs/security.md is stale: run python3 tools/security.py doc"
