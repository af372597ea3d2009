"""The virtual switch and virtio-net (docs/network.md): the sample pair
exchanges 10,000 datagrams of random sizes with none lost while buffers are
posted; a receiver that stops reading drops the rest and every drop is
counted; the net= option and MAC collisions are refused with one line; and,
with LINUX=, two Linux guests on one segment ping each other."""
import re

import pytest

import rvqemu
from rvqemu import STATUS_PASS, STATUS_REFUSED, boot

G = rvqemu.BUILD / "guests"


def net_row(b, name):
    got = b.lines(rf"^ringvisor: net {name} +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+)$")
    assert len(got) == 1, b.describe()
    return [int(x) for x in got[0]]


def test_10000_frames_none_lost():
    """udp_client sends 10,000 datagrams of random sizes (frames of 28 to
    1518 bytes), 16 in flight, and checks every echo: length, order,
    content. The counters agree: every frame out of one is into the other."""
    b = boot("net_10000", append="exit=qemu", timeout=240,
             modules=[(G / "udp_echo.elf", "name=echo net=lan"),
                      (G / "udp_client.elf", "name=client net=lan -- 10000 16 12345")])
    b.expect(STATUS_PASS)
    b.require(r"^\[client\] client: 10000 datagrams sent, 10000 echoed, 0 lost, 0 bad$")
    echoed = b.lines(r"^\[echo\] echo: (\d+) datagrams echoed$")
    echo, client = net_row(b, "echo"), net_row(b, "client")
    # Out of the client: its probes (until one is answered; those before
    # the echo's driver was up are dropped and counted on it), the 10,000
    # and "bye". Out of the echo: an answer to each but "bye".
    assert echoed == [str(echo[0])] and echo[0] >= 10001, b.describe()
    assert echo[2] + echo[5] == client[0] and echo[0] == echo[2] - 1, (echo, client)
    assert client[2:4] == echo[0:2] and client[4:] == [0, 0] and echo[4] == 0, (echo, client)


def test_a_receiver_without_buffers_drops_and_counts():
    """1000 broadcasts at a receiver that posts its 32 buffers and does not
    read them for 300 ms: it gets 32 (RV_NET_QSIZE), the other 968 are
    dropped and counted on it; the sender never waited."""
    b = boot("net_drops", append="exit=qemu", timeout=60,
             modules=[(G / "sec_net.elf", "name=src net=a -- blast 1000"),
                      (G / "sec_net.elf", "name=dst net=a -- sink 300")])
    b.expect(STATUS_PASS)
    b.require(r"^\[src\] blast: 1000 sent$")
    got = b.lines(r"^\[dst\] sink: (\d+) frames received$")
    assert len(got) == 1, b.describe()
    src, dst = net_row(b, "src"), net_row(b, "dst")
    assert src[0] == 1000 and src[4] == 0, src
    assert dst[2] == int(got[0]) and dst[2] + dst[5] == 1000, (dst, got)
    assert dst[2] <= 32 and dst[5] >= 968, dst


def test_mac_collision_refused():
    """g115728 and g2169004 have the same FNV-1a hash, so the same port-0
    MAC: the second is refused at boot with one line, the first runs."""
    b = boot("net_collide", append="exit=qemu", timeout=60,
             modules=[(G / "sec_net.elf", "name=g115728 net=lan -- sink 10"),
                      (G / "udp_echo.elf", "name=g2169004 net=other")])
    b.expect(STATUS_REFUSED)
    got = b.lines(r"^ringvisor: error: module 1 .*guest \"g2169004\": (.*)$")
    assert got == ['net=other: its MAC 02:00:6d:45:eb:4e is already port 0 of guest '
                   '"g115728"; skipped'], b.describe()


def test_net_option_bounds():
    """net= names a segment like a guest name, at most 4 times a guest."""
    b = boot("net_options", append="exit=qemu", timeout=60,
             modules=[(G / "hello.elf", "name=five net=a net=b net=c net=d net=e"),
                      (G / "hello.elf", "name=badseg net=a.b"),
                      (G / "sec_net.elf", "name=four net=a net=b net=c net=d -- sink 10")])
    b.expect(STATUS_REFUSED)
    b.require(r"^ringvisor: error: module 0 .*: net=e: more than 4 ports; skipped$",
              r"^ringvisor: error: module 1 .*: net=a\.b: not a segment name of 1\.\.15 "
              r"characters of \[A-Za-z0-9_-\]; skipped$",
              r"^\[four\] sink: 0 frames received$")
    assert net_row(b, "four") == [0, 0, 0, 0, 0, 0]


def test_no_net_means_no_device():
    """Without net= the guest's bus has no virtio-net device."""
    b = boot("net_none", append="exit=qemu", timeout=60,
             modules=[(G / "udp_echo.elf", "name=echo expect=exit:1")])
    b.expect(STATUS_PASS)
    b.require(r"^\[echo\] echo: no virtio-net device")
    assert not b.has(r"^ringvisor: net ")


# --- Linux guests, with LINUX= (see test/test_linux.py) ----------------------

import test_linux  # noqa: E402


@pytest.mark.skipif(test_linux.why_skip() is not None, reason=test_linux.why_skip() or "")
def test_two_linux_guests_ping():
    """Two Linux guests on one segment: each brings eth0 up by hand (the
    kernel has no IP_PNP), and the second pings the first."""
    mods = test_linux.linux("lx1", opts="net=lan") + test_linux.linux("lx2", opts="net=lan")
    con = test_linux.console("net_linux_ping", mods)
    try:
        test_linux.ask(con, "lx1", "ifconfig eth0 10.0.0.1 up && echo up-$((1+1))", r"up-2")
        con.type("\x01\x01\x01")
        con.wait_for(r"^ringvisor: console: input now goes to lx2$")
        test_linux.ask(con, "lx2", "ifconfig eth0 10.0.0.2 up && echo up-$((2+1))", r"up-3")
        con.type("ping -c 3 10.0.0.1\r")
        con.wait_for(r"^\[lx2\] 3 packets transmitted, 3 packets received, 0% packet loss$")
    finally:
        con.close()
