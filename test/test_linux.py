"""A real Linux 4.9 guest, when there is one: LINUX=path/to/bzImage-or-vmlinux
(and optionally INITRD=file; without it build/linux/initramfs.cpio.gz from
tools/mkinitramfs.sh if it is there, else the kernel's own initramfs).
Without LINUX= every case is skipped: CI has no Linux kernel, and the SDK
guests cover the same paths (test_linuxload.py). docs/linux-guest.md.

Each case talks to the guest's shell through the serial console: the first
guest has the input focus, triple Ctrl-A moves it (docs/console.md)."""
import os
import time
from pathlib import Path

import pytest

import rvqemu
from rvqemu import STATUS_PASS

LINUX = os.environ.get("LINUX", "")
INITRD = os.environ.get("INITRD", "")
BUSYBOX_INITRD = rvqemu.BUILD / "linux" / "initramfs.cpio.gz"



def why_skip():
    """The reason every case is skipped, or None to run them."""
    if not LINUX:
        return ("no Linux kernel: set LINUX=path/to/bzImage-or-vmlinux "
                "(and INITRD=) to boot a real Linux guest")
    if not Path(LINUX).is_file():
        return f"LINUX={LINUX} is not a file"
    if INITRD and not Path(INITRD).is_file():
        return f"INITRD={INITRD} is not a file"
    return None


# Skipped as a module, each case collected and reported with the reason.
pytestmark = pytest.mark.skipif(why_skip() is not None, reason=why_skip() or "")
if not INITRD and BUSYBOX_INITRD.is_file():
    INITRD = str(BUSYBOX_INITRD)

BOOT_S = 180                  # a TCG boot to a shell takes some 10-30 s
COMPUTE = rvqemu.BUILD / "guests" / "compute.elf"


def linux(name, args="", opts=""):
    """The kernel's module and, with an initrd, the initrd's (one each:
    a module is claimed by one guest only)."""
    opts = f"name={name} mem=64M {opts}".strip()
    mods = []
    if INITRD:
        opts += f" initrd={INITRD}"
        mods.append((Path(INITRD), ""))
    return [(Path(LINUX), f"{opts} -- {args}".strip())] + mods


def ask(con, name, command, answer, every=5.0):
    """Type command into the focused guest until its output shows a line
    matching answer: the first tries may come before the shell is up."""
    deadline = time.monotonic() + BOOT_S
    while True:
        try:
            con.type(command + "\r")
        except OSError:
            con.finish()
            raise AssertionError(f"QEMU ended before {name} answered; console:\n"
                                 f"{con.text[-4000:]}") from None
        end = min(deadline, time.monotonic() + every)
        while time.monotonic() < end:
            if con.has(rf"^\[{name}\] {answer}$"):
                return
            if not con._read():
                break
        assert time.monotonic() < deadline and con.proc.poll() is None, (
            f"/{answer}/ never came from {name}; console:\n{con.text[-4000:]}")


def console(name, modules):
    return rvqemu.SerialConsole(name, modules, timeout=BOOT_S + 60, mem=256)


def test_boots_to_a_shell_that_runs_commands():
    """The shell answers a command typed on the console, so the boot got
    there, and the kernel's command line is exactly the one given."""
    con = console("linux_shell", linux("linux", "rvmark=1 quiet"))
    try:
        ask(con, "linux", "echo rv-$((6*7))", r"rv-42")
        con.type("cat /proc/cmdline\r")
        con.wait_for(r"^\[linux\] rvmark=1 quiet$")
    finally:
        con.close()


def test_two_linux_guests_and_an_sdk_guest():
    """Two Linux guests and an SDK guest side by side; the focus moves from
    one shell to the other and each answers on its own line stream."""
    mods = linux("lx1") + linux("lx2") + [(COMPUTE, "name=compute mem=8M")]
    con = console("linux_two", mods)
    try:
        ask(con, "lx1", "echo one-$((2+3))", r"one-5")
        con.type("\x01\x01\x01")
        con.wait_for(r"^ringvisor: console: input now goes to lx2$")
        ask(con, "lx2", "echo two-$((3+4))", r"two-7")
        con.wait_for(r"^ringvisor: guest compute exited with status 0")
        assert not con.has(r"^\[lx1\] two-7$") and not con.has(r"^\[lx2\] one-5$")
    finally:
        con.close()


@pytest.mark.parametrize("command", ["poweroff -f", "poweroff"])
def test_poweroff_is_a_clean_exit(command):
    """poweroff -f (at once) and poweroff (through busybox init, with the
    busybox initramfs) send "Power down": exit status 0, the run passes."""
    con = console("linux_" + command.replace(" ", ""), linux("linux"))
    try:
        ask(con, "linux", "echo up-$((1+1))", r"up-2")
        con.type(command + "\r")
        con.wait_for(r"^ringvisor: guest linux exited with status 0: Power down$")
        assert con.finish() == STATUS_PASS, con.text[-3000:]
    finally:
        con.close()


def test_reboot_restarts_under_on_exit():
    """reboot -f is an exit that on_exit=restart turns into a restart: the
    kernel and its initrd load again into fresh memory and devices, and the
    new boot's shell answers."""
    con = console("linux_reboot", linux("linux", opts="on_exit=restart restarts=1"))
    try:
        ask(con, "linux", "echo before-$((2+2))", r"before-4")
        con.type("reboot -f\r")
        con.wait_for(r"^ringvisor: guest linux: restarting \(1 of 1\)$")
        ask(con, "linux", "echo after-$((3+3))", r"after-6")
        con.type("poweroff -f\r")
        con.wait_for(r"^ringvisor: guest linux exited with status 0: Power down$")
        assert con.finish() == STATUS_PASS, con.text[-3000:]
    finally:
        con.close()
