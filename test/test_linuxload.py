"""Linux kernels as modules, without Linux: the tlinux test guest wrapped
as a bzImage and as a vmlinux (tools/mkmodules.py --wrap) checks from
inside what a Linux guest finds at boot (boot_params, its exact command
line, the initrd), then ends as Linux 4.9 would (Power down, a panic, a
reboot). Malformed bzImages and bad initrd= claims each get one clear line
while the other guests start. docs/linux-guest.md, docs/usage.md."""
import re

import pytest

import rvqemu
from rvqemu import STATUS_FAIL, STATUS_REFUSED, boot

HV = "exit=qemu"
CASES = ["loader_fields", "setup_header", "command_line", "initrd"]


def tlinux(testmods, form):
    return testmods / ("tlinux.bz" if form == "bzimage" else "tlinux.vmlinux")


def bystander(testmods):
    return (testmods / "good.elf", "name=sdk mem=2M")


@pytest.mark.parametrize("form", ["bzimage", "vmlinux"])
def test_boots_as_linux_with_initrd(testmods, form):
    """Recognised as Linux, boot_params and the initrd as the Launcher
    made them, and Power down is a clean exit, next to an SDK guest."""
    mods = [(tlinux(testmods, form), f"name=lx mem=8M initrd=rd5000.bin -- {form} rd=5000"),
            bystander(testmods),
            (testmods / "rd5000.bin", "")]
    b = boot(f"linuxload_{form}", append=HV, modules=mods)
    kind = "bzImage" if form == "bzimage" else "vmlinux"
    b.expect_pass().require(
        rf'^ringvisor: module 0 \(.*tlinux\.\w+\): Linux {kind} "lx", 8192 KiB',
        r'^ringvisor: module 2 \(.*rd5000\.bin\): initrd of guest "lx", 5000 bytes$',
        r"^ringvisor: starting 2 guests",
        *[rf"^\[lx\] PASS {c}$" for c in CASES],
        r"^ringvisor: guest lx exited with status 0: Power down$")
    assert not b.has(r"FAIL|error"), b.describe()


def test_iso_linux_with_initrd(testmods):
    """Through GRUB: module lines repeat the path, and initrd= finds its
    module by basename."""
    import subprocess
    iso = rvqemu.BUILD / "test-linux-initrd.iso"
    subprocess.run(["sh", str(rvqemu.ROOT / "tools/mkiso.sh"), str(iso), str(rvqemu.HV_ELF),
                    HV, str(testmods / "tlinux.bz"),
                    "name=lx mem=8M initrd=some/dir/rd5000.bin -- bzimage rd=5000",
                    str(testmods / "rd5000.bin"), ""], check=True)
    b = boot("linuxload_iso", iso=iso, timeout=60)
    b.expect_pass().require(
        r'^ringvisor: module 0 \(/boot/tlinux\.bz\): Linux bzImage "lx"',
        r'^ringvisor: module 1 \(/boot/rd5000\.bin\): initrd of guest "lx", 5000 bytes$',
        *[rf"^\[lx\] PASS {c}$" for c in CASES],
        r"^ringvisor: guest lx exited with status 0: Power down$")


def test_no_initrd(testmods):
    b = boot("linuxload_no_initrd", append=HV,
             modules=[(tlinux(testmods, "bzimage"), "name=lx mem=4M -- bzimage")])
    b.expect_pass().require(*[rf"^\[lx\] PASS {c}$" for c in CASES])


def test_panic_is_a_crash_under_on_crash(testmods):
    """Any SHUTDOWN message but "Power down" is a crash: the guest is
    killed with the message, escaped, and on_crash= restarts it."""
    mods = [(tlinux(testmods, "vmlinux"),
             "name=lx mem=4M on_crash=restart restarts=1 expect=killed -- vmlinux then=panic"),
            bystander(testmods)]
    b = boot("linuxload_panic", append=HV, modules=mods)
    reason = r'crashed: "Kernel panic - not syncing: \"tlinux\"\n\x01"'
    b.expect_pass().require(
        r"^ringvisor: error: guest lx killed: " + re.escape(reason) + "$",
        r"^ringvisor: guest lx: restarting \(1 of 1\)$")
    assert len(b.lines(r"^ringvisor: error: guest lx killed")) == 2, b.describe()


def test_reboot_obeys_on_exit(testmods):
    """A reboot with no command (__pa(NULL), outside guest memory) ends the
    guest with status 0; it restarts only under on_exit=restart."""
    stop = boot("linuxload_reboot_stop", append=HV, modules=[
        (tlinux(testmods, "bzimage"), "name=lx mem=4M -- bzimage then=reboot")])
    stop.expect_pass().require(r"^ringvisor: guest lx exited with status 0: reboot$")
    assert not stop.has("restarting"), stop.describe()
    again = boot("linuxload_reboot_restart", append=HV, modules=[
        (tlinux(testmods, "bzimage"), "name=lx mem=4M on_exit=restart restarts=2 -- bzimage then=reboot")])
    again.expect_pass().require(r"^ringvisor: guest lx: restarting \(2 of 2\)$")
    assert len(again.lines(r"exited with status 0: reboot$")) == 3, again.describe()


def test_sdk_guest_shutdown_unchanged(testmods):
    """An SDK guest's SHUTDOWN message is still an exit with status 0, its
    text quoted (output integrity)."""
    b = boot("linuxload_sdk_shutdown", append=HV, modules=[
        (rvqemu.BUILD / "guests" / "tcrash.elf", "name=sdk -- shutdown")])
    b.expect_pass().require(r'^ringvisor: guest sdk exited with status 0: "tcrash says goodbye"$')


MALFORMED_BZ = {
    "bz_bootflag": r"boot flag 0x1234 is not 0xaa55",
    "bz_oldproto": r"boot protocol 2\.09 is older than 2\.10",
    "bz_hdrend": r"setup header ends at 0x222, outside 0x264\.\.0x290",
    "bz_cut": r"setup header runs past the file \(592 bytes\)",
    "bz_zimage": r"lack LOADED_HIGH",
    "bz_setupsects": r"200 setup sectors reach past the file",
    "bz_syssize": r"syssize says 0x100000 bytes of code",
    "bz_code32": r"code32_start 0x110000 is outside the code",
    "bz_align": r"kernel_alignment 0x300000 is not a power of two",
    "bz_preflow": r"pref_address 0x80000 is below 1 MiB",
    "bz_init0": r"init_size is 0",
    "bz_toobig": r"needs memory up to 20480 KiB .* more than the guest's 8192 KiB",
}


@pytest.mark.parametrize("kind", sorted(MALFORMED_BZ))
def test_malformed_bzimage(testmods, kind):
    mods = [(testmods / "good.elf", "name=first mem=2M"),
            (testmods / f"{kind}.bz", "name=bad mem=8M"),
            (testmods / "bz_good.bz", "name=last mem=2M")]
    b = boot(f"linuxload_{kind}", append=HV, modules=mods)
    b.expect(STATUS_REFUSED).require(r"^ringvisor: verdict: refused: .*1 bad kernel image")
    errs = b.lines(r"^ringvisor: error: (.*)$")
    assert len(errs) == 1, b.describe()
    assert f'{kind}.bz), guest "bad": bzImage: ' in errs[0] and errs[0].endswith("; skipped"), \
        errs[0]
    assert re.search(MALFORMED_BZ[kind], errs[0]), errs[0]
    b.require(r'guest "first"', r'Linux bzImage "last"', r"starting 2 guests",
              r"guest last exited with status 0")


CLAIMS = {
    # what the guest's line says, the modules after it, the reason
    "not_found": ("initrd=nothere.bin", [], r"initrd=nothere\.bin: no module after this one is that file"),
    "claimed_twice": ("initrd=rd5000.bin", ["rd5000.bin"],
                      r'initrd=rd5000\.bin: module 2 is already claimed by guest "one"'),
    "too_big": ("initrd=rd4m.bin", ["rd4m.bin"],
                r"initrd of 4100 KiB is more than half of the guest's 8192 KiB"),
    "no_room": ("mem=20M initrd=rd4m.bin", ["rd4m.bin"],
                r"20480 KiB of guest memory cannot hold the kernel \(up to 17408 KiB\) "
                r"and the initrd \(4100 KiB\): raise mem="),
    "sdk_guest": ("initrd=rd4m.bin", ["rd4m.bin"],
                  r"initrd= is for a Linux kernel, and this is an SDK guest"),
}


@pytest.mark.parametrize("case", sorted(CLAIMS))
def test_bad_initrd_claim(testmods, case):
    """The claiming guest is refused with one line; the module it named is
    still data, not a guest; the others go on."""
    opts, data, why = CLAIMS[case]
    kernel = {"sdk_guest": "good.elf", "no_room": "bz_high.bz"}.get(case, "bz_good.bz")
    mods = [(testmods / "bz_good.bz", "name=one mem=2M initrd=rd5000.bin"),
            (testmods / kernel, f"name=two mem=8M {opts}"),
            (testmods / "rd5000.bin", "")] + [(testmods / d, "") for d in data]
    if case == "claimed_twice":
        mods[2:] = [(testmods / "rd5000.bin", "")]
    b = boot(f"linuxload_claim_{case}", append=HV, modules=mods)
    b.expect(STATUS_REFUSED).require(r"^ringvisor: verdict: refused: .*1 bad module claim")
    errs = b.lines(r"^ringvisor: error: (.*)$")
    assert len(errs) == 1, b.describe()
    assert errs[0].startswith("module 1 (") and errs[0].endswith("; skipped"), errs[0]
    assert re.search(why, errs[0]), errs[0]
    b.require(r'Linux bzImage "one"', r'initrd of guest "one", 5000 bytes',
              r"starting 1 guest\b")


def test_claimed_module_of_a_refused_guest_is_data(testmods):
    """A guest refused after its claim (here: its name is taken) still owns
    its initrd: no second error for a data module booted as a guest."""
    mods = [(testmods / "bz_good.bz", "name=one mem=2M"),
            (testmods / "bz_good.bz", "name=one mem=2M initrd=rd5000.bin"),
            (testmods / "rd5000.bin", "")]
    b = boot("linuxload_claim_refused", append=HV, modules=mods)
    b.expect(STATUS_REFUSED).require(
        r'initrd of guest "one", 5000 bytes \(that guest was skipped\)')
    assert len(b.lines(r"^ringvisor: error:")) == 1, b.describe()


def test_failed_case_is_a_crash(testmods):
    """The check has teeth: a wrong rd= makes tlinux fail its initrd case
    and end with a message other than Power down, a crash."""
    b = boot("linuxload_wrong_rd", append=HV, modules=[
        (tlinux(testmods, "bzimage"), "name=lx mem=4M initrd=rd5000.bin -- bzimage rd=4999"),
        (testmods / "rd5000.bin", "")])
    b.expect(STATUS_FAIL).require(r"^\[lx\] FAIL initrd: ramdisk_size 5000, want 4999",
                                  r'guest lx killed: crashed: "tlinux: a case failed"')
