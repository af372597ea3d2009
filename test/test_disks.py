"""Disks from modules (disk=FILE, disk_rw=FILE): the tblk test guest reads
a known image through the runtime's virtio-blk driver, writes its own
writable disk and reads it back, and is refused a write to a read-only
one; a second guest shares the read-only image; writes are gone after a
restart; bad disk claims get one line at boot. docs/disks.md."""
import os
import re
import subprocess
from pathlib import Path

import pytest

import rvqemu
from rvqemu import STATUS_REFUSED, boot

HV = "exit=qemu"
G = rvqemu.BUILD / "guests"
DISKS = rvqemu.BUILD / "disks"
IMAGE_BYTES = 64 * 1024 + 100          # guests/tests/tblk.c: IMAGE_BYTES
CASES = re.findall(r"^TEST\((\w+)\)", (rvqemu.ROOT / "guests/tests/tblk.c").read_text(), re.M)


def image_bytes(n=IMAGE_BYTES):
    """Byte k is (k * 7 + k / 512) mod 256: tblk.c's pattern."""
    return bytes((k * 7 + (k >> 9)) & 0xFF for k in range(n))


def image(name, n=IMAGE_BYTES, zeros=False):
    DISKS.mkdir(parents=True, exist_ok=True)
    p = DISKS / name
    p.write_bytes(bytes(n) if zeros else image_bytes(n))
    return p


def test_sdk_disks():
    """Every tblk case passes; a second guest reads the same read-only
    module (shared, no copy); the boot report names both claims."""
    ro, rw = image("tblk-ro.img"), image("tblk-rw.img")
    mods = [(G / "tblk.elf", "name=tblk mem=2M disk=tblk-ro.img disk_rw=tblk-rw.img"),
            (G / "tblk.elf", "name=tblk2 mem=2M disk=tblk-ro.img -- open_ro read_known "
                             "ro_write_refused"),
            (ro, ""), (rw, "")]
    b = boot("disks_sdk", append=HV, modules=mods)
    b.expect_pass().require(
        rf'^ringvisor: module 2 \(.*tblk-ro\.img\): read-only disk of guest "tblk" '
        rf'and 1 more, {IMAGE_BYTES} bytes$',
        rf'^ringvisor: module 3 \(.*tblk-rw\.img\): writable disk of guest "tblk", '
        rf'{IMAGE_BYTES} bytes$')
    assert len(CASES) >= 10
    for c in CASES:
        b.require(rf"^\[tblk\] PASS {c}$")
    for c in ("open_ro", "read_known", "ro_write_refused"):
        b.require(rf"^\[tblk2\] PASS {c}$")
    assert not b.has(r"FAIL|error"), b.describe()


def test_writes_gone_after_restart():
    """A restart starts the writable disk from its module again: both runs
    find its first and last sectors as the module has them, though the
    first run overwrote them. The disk is over 4 MiB, so its copy goes back
    in several pieces (VBLK_RELEASE_PIECE), and the frame oracle checks
    that every frame came back each time."""
    n = 5 * 1024 * 1024 + 100
    rw = image("tblk-restart.img", n)
    mods = [(G / "tblk.elf", "name=tblkr mem=2M on_exit=restart restarts=1 "
                             "disk_rw=tblk-restart.img -- restart"), (rw, "")]
    b = boot("disks_restart", append=HV, modules=mods)
    b.expect_pass().require(r"^ringvisor: oracle: intact")
    last = n // 512 - 1
    assert b.lines(r"^\[tblkr\] restart: (.*)$") == \
        [f"sectors 0 and {last} are the module's", "written"] * 2, b.describe()


CLAIMS = {
    # the second guest's options, the reason its line gives
    "missing": ("disk=nothere.img", r"disk=nothere\.img: no module after this one is that file"),
    "rw_shared": ("disk_rw=w.img",
                  r'disk_rw=w\.img: module 3 is the writable disk of guest "one", and a '
                  r'writable disk belongs to one guest'),
    "ro_of_rw": ("disk=w.img",
                 r'disk=w\.img: module 3 is the writable disk of guest "one", and a '
                 r'writable disk belongs to one guest'),
    "rw_of_ro": ("disk_rw=r.img",
                 r'disk_rw=r\.img: module 2 is the read-only disk of guest "one", and a '
                 r'writable disk belongs to one guest'),
    "initrd_as_disk": ("disk=rd.img", r'disk=rd\.img: module 5 is already claimed by guest "lx"'),
    "same_twice": ("disk=r.img disk=r.img",
                   r"disk=r\.img: module 2 is already this guest's read-only disk"),
    "too_many": ("disk=r.img " * 5, r"disk=r\.img: more than 4 disks \(GUEST_DISKS_MAX\)"),
}


@pytest.mark.parametrize("case", sorted(CLAIMS))
def test_bad_disk_claim(testmods, case):
    """The second guest is refused with one line naming the module and the
    guest that holds it; the first runs; the claimed modules stay data."""
    opts, why = CLAIMS[case]
    r, w = image("r.img"), image("w.img")
    one = (G / "tblk.elf", "name=one mem=2M disk=r.img disk_rw=w.img -- open_ro open_rw")
    two = (G / "tblk.elf", f"name=two mem=2M {opts.strip()} -- open_ro")
    mods = [one, two, (r, ""), (w, "")]
    if case == "initrd_as_disk":
        mods = [one, (testmods / "bz_good.bz", "name=lx mem=2M initrd=rd.img"), two,
                (r, ""), (w, ""), (image("rd.img", 4096), "")]
    b = boot(f"disks_claim_{case}", append=HV, modules=mods)
    b.expect(STATUS_REFUSED)
    errs = b.lines(r"^ringvisor: error: (.*)$")
    two = "module 2" if case == "initrd_as_disk" else "module 1"
    mine = [e for e in errs if e.startswith(two + " (")]
    assert len(mine) == 1 and mine[0].endswith("; skipped"), b.describe()
    assert re.search(why, mine[0]), mine[0]
    b.require(r"^\[one\] PASS open_ro$")
    assert not b.has(r"^\[two\]"), b.describe()


def test_writable_disk_counted_at_admission():
    """A writable disk's copy is reserved at admission (a frame per page of
    the image and its map): a guest that fits with the disk read-only is
    refused with it writable, with one line that names the disks' share."""
    big = image("big.img", 48 * 1024 * 1024, zeros=True)
    mods = [(G / "tblk.elf", "name=big mem=64M expect=any disk_rw=big.img -- open_rw"),
            (big, ""), (G / "hello.elf", "name=small mem=2M")]
    b = boot("disks_admission", append=HV, modules=mods, mem=128)
    b.expect(STATUS_REFUSED).require(
        r"^ringvisor: error: guest big: does not fit: 65536 KiB of guest memory, .* "
        r"KiB of shadow budget wanted, 49200 KiB for writable disks, \d+ KiB free; not started$",
        r"^ringvisor: starting 1 guest$")
    mods[0] = (G / "tblk.elf", "name=big mem=64M expect=any disk=big.img -- open_ro")
    b = boot("disks_admission_ro", append=HV, modules=mods, mem=128)
    b.require(r"^ringvisor: starting 2 guests$")
    assert not b.has("does not fit"), b.describe()


LINUX = os.environ.get("LINUX", "")


@pytest.mark.skipif(not LINUX or not Path(LINUX).is_file(),
                    reason="no Linux kernel: set LINUX=path/to/bzImage (with VIRTIO_BLK "
                           "and EXT2) to mount a root from a disk")
def test_linux_root_from_disk():
    """A Linux guest without an initrd mounts an ext2 busybox root from a
    read-only disk (root=/dev/vda ro): its shell answers a typed command
    with the mark the test put on the disk, the kernel sees the disk
    read-only, and a write to it is refused."""
    import test_linux
    mark = f"rvdisk-{os.getpid()}"
    root = DISKS / "linux-root.img"
    subprocess.run(["sh", str(rvqemu.ROOT / "tools/mkrootdisk.sh"), str(root), mark],
                   check=True, stdout=subprocess.DEVNULL)
    mods = [(Path(LINUX), "name=lx mem=64M disk=linux-root.img -- root=/dev/vda ro"),
            (root, "")]
    con = test_linux.console("disks_linux_root", mods)
    try:
        test_linux.ask(con, "lx", "cat /etc/rvdisk", mark)
        test_linux.ask(con, "lx", "echo mnt=$(grep -c '^/dev/root / ext2 ro' /proc/mounts)",
                       r"mnt=1")
        test_linux.ask(con, "lx", "echo ro=$(cat /sys/block/vda/ro) size=$(cat "
                                  "/sys/block/vda/size)", rf"ro=1 size={8 * 1024 * 2}")
        test_linux.ask(con, "lx", "dd if=/dev/zero of=/dev/vda count=1 conv=fsync 2>&1; "
                                  "echo dd=$?", r"dd=1")
        con.type("poweroff -f\r")
        con.wait_for(r"^ringvisor: guest lx exited with status 0: Power down$")
        assert con.finish() == rvqemu.STATUS_PASS, con.text[-3000:]
    finally:
        con.close()
