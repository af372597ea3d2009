"""The security catalogue's virtual-switch cases (docs/security.md, group
net; guests/security/sec_net.c): every case one module, in ONE boot next to
a bystander whose output must equal its solo run, each case on a segment
of its own; counted cases are read from the summary's net table. The flood
case runs under -icount with a victim, as test/test_security_share.py."""
import os
import re
import sys

import pytest

import rvqemu
from rvqemu import STATUS_PASS, boot

sys.path.insert(0, str(rvqemu.ROOT / "tools"))
import security  # noqa: E402
from test_security import mark, note_escape, bystander_lines  # noqa: E402
from test_security_share import ICOUNT, VICTIM, loops  # noqa: E402

G = rvqemu.BUILD / "guests"
WORKER = "_" + os.environ.get("PYTEST_XDIST_WORKER", "main")
NET = security.NET
KILLING = [c for c in NET if NET[c][1].startswith("killed: ")]


def modules():
    mods = [(G / "bystander.elf", "name=bystander")]
    for c in KILLING:
        mods.append((G / "sec_net.elf", f"name={c} mem=2M net={c} expect=killed -- {c}"))
    mods += [(G / "sec_net.elf", "name=net_oversize mem=2M net=over -- net_oversize"),
             (G / "sec_net.elf", "name=net_runt mem=2M net=runt -- net_runt"),
             (G / "sec_net.elf", "name=runt_peer mem=2M net=runt -- sink 300"),
             (G / "sec_net.elf", "name=net_spoof mem=2M net=spoof -- net_spoof victim"),
             (G / "sec_net.elf", "name=victim mem=2M net=spoof -- sink 300"),
             (G / "sec_net.elf", "name=net_restart mem=2M net=rs on_exit=restart restarts=20 "
                                 "expect=any -- restart"),
             (G / "sec_net.elf", "name=rs_flood mem=2M net=rs cpu_limit=300ms expect=killed "
                                 "-- flood")]
    return mods


@pytest.fixture(scope="module")
def run():
    return boot(security.LOG_PREFIX + "net" + WORKER, append="exit=qemu",
                modules=modules(), mem=256, timeout=120)


@pytest.fixture(scope="module")
def solo():
    return boot(security.LOG_PREFIX + "net_bystander_solo" + WORKER, append="exit=qemu",
                modules=[(G / "bystander.elf", "name=bystander")], timeout=30)


def counters(b, name):
    """The summary's net row of a guest: frames_out, bytes_out, frames_in,
    bytes_in, drops_out, drops_in."""
    got = b.lines(rf"^ringvisor: net {name} +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+)$")
    assert len(got) == 1, b.describe()
    return [int(x) for x in got[0]]


def causes(b, name):
    got = b.lines(rf"^ringvisor: net {name} +dropped out: (\d+ runt, \d+ oversize, \d+ spoofed)$")
    assert len(got) == 1, b.describe()
    return got[0]


@pytest.mark.parametrize("case", [mark(c) for c in security.catalogue()
                                  if c["id"] in KILLING])
def test_net_kill(run, case):
    want = re.fullmatch(r"killed: `(.*)`", NET[case][1])[1]
    got = run.lines(rf"^ringvisor: error: guest {case} killed: (.*)$")
    assert len(got) == 1, run.describe()
    assert re.fullmatch(want, got[0]), f"{case} killed for '{got[0]}', expected /{want}/"
    assert not run.has(rf"^\[{case}\] SURVIVED")


@pytest.mark.parametrize("case", [mark(c) for c in security.catalogue() if c["id"] == "net_oversize"])
def test_net_oversize(run, case):
    run.require(r"^\[net_oversize\] net_oversize: sent 2$",
                r"^ringvisor: guest net_oversize exited with status 0$")
    assert causes(run, "net_oversize") == "0 runt, 2 oversize, 0 spoofed"
    assert counters(run, "net_oversize") == [0, 0, 0, 0, 2, 0]


@pytest.mark.parametrize("case", [mark(c) for c in security.catalogue() if c["id"] == "net_runt"])
def test_net_runt(run, case):
    run.require(r"^\[net_runt\] net_runt: sent 3$",
                r"^ringvisor: guest net_runt exited with status 0$")
    assert causes(run, "net_runt") == "2 runt, 0 oversize, 0 spoofed"
    assert counters(run, "net_runt") == [1, 14, 0, 0, 2, 0]
    # The one-byte-a-descriptor frame arrived whole at the peer.
    assert counters(run, "runt_peer")[2:4] == [1, 14]
    run.require(r"^\[runt_peer\] sink: 1 frames received$")


@pytest.mark.parametrize("case", [mark(c) for c in security.catalogue() if c["id"] == "net_spoof"])
def test_net_spoof(run, case):
    run.require(r"^\[net_spoof\] net_spoof: sent 5 spoofed, 1 own$")
    assert causes(run, "net_spoof") == "0 runt, 0 oversize, 5 spoofed"
    assert counters(run, "net_spoof")[:2] == [1, 100]
    assert counters(run, "victim") == [0, 0, 1, 100, 0, 0]
    run.require(r"^\[victim\] sink: 1 frames received$")


@pytest.mark.parametrize("case", [mark(c) for c in security.catalogue() if c["id"] == "net_restart"])
def test_net_restart(run, case, solo):
    assert run.has(r"^ringvisor: guest net_restart: restarting \(20 of 20\)$"), run.describe()
    assert not run.has(r"^\[net_restart\] restart: a frame that is not"), run.describe()
    assert counters(run, "net_restart")[2] > 0, "the flood never reached it"
    solo.expect(STATUS_PASS)
    same = bystander_lines(run) == bystander_lines(solo)
    if not same:
        note_escape("net: the bystander's output differs from its solo run")
    assert same
    assert not run.has(r"^ringvisor: error: oracle"), run.describe()
    run.require(r"^ringvisor: oracle: intact")
    run.expect(STATUS_PASS)


SHARE_NET = 0.30


@pytest.mark.parametrize("case", [mark(c) for c in security.catalogue()
                                  if c["id"] == "net_flood_share"])
def test_net_flood_share(case):
    solo = boot(security.LOG_PREFIX + "net_share_solo" + WORKER, append="exit=qemu",
                icount=ICOUNT, modules=[VICTIM], timeout=120).expect(STATUS_PASS)
    b = boot(security.LOG_PREFIX + "net_flood_share" + WORKER, append="exit=qemu", icount=ICOUNT,
             mem=256, timeout=240,
             modules=[VICTIM,
                      (G / "sec_net.elf", "name=adv net=lan cpu_limit=700ms expect=killed -- flood"),
                      (G / "sec_net.elf", "name=rx net=lan -- drain 1000")])
    b.expect(STATUS_PASS)
    assert b.has(r"^\[adv\] storm started$"), b.describe()
    share = loops(b, "victim") / loops(solo, "victim")
    if share < SHARE_NET:
        note_escape(f"share: {case}: the victim got {share:.1%} of its solo work")
    assert share >= SHARE_NET, f"the victim got {share:.1%} of its solo work; " + b.describe()
    got = b.lines(r"^\[rx\] drain: (\d+) frames$")
    assert len(got) == 1 and int(got[0]) > 100, b.describe()
    assert b.has(r"^ringvisor: oracle: intact"), b.describe()
