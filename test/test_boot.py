"""Boot paths: -kernel/-initrd and the GRUB ISO, CPU models, memory sizes,
command lines, malformed modules and the crash report. One case per
function; each asserts on QEMU's exit status and the serial log."""
import pytest
import time

import rvqemu
from rvqemu import STATUS_PANIC, STATUS_REFUSED, STATUS_TIMEOUT, boot

HV = "exit=qemu"


def two_modules(testmods):
    return [(testmods / "good.elf", "name=alpha mem=2M"),
            (testmods / "good2.elf", "name=beta mem=4M weight=200")]


def test_kernel_boot_report(testmods):
    b = boot("kernel_report", append=HV, modules=two_modules(testmods))
    b.expect_pass().require(
        r"^ringvisor: Ringvisor \S+, a paravirtual hypervisor",
        r"^ringvisor: cpu: ",
        r"^ringvisor: cpu features: .*\btsc\b",
        r"^ringvisor: tsc: \d+ kHz",
        r"^ringvisor: memory map \(BIOS e820\):",
        r"^ringvisor:   \[0x0+-0x0009[0-9a-f]+\] available",
        r"^ringvisor: paging: on",
        r"^ringvisor: timer: a 1 ms one-shot fired",
        r"^ringvisor: memory: \d+ frames free",
        r'^ringvisor: module 0 \(.*good\.elf\): guest "alpha", 2048 KiB, weight 100',
        r'^ringvisor: module 1 \(.*good2\.elf\): guest "beta", 4096 KiB, weight 200',
        r"^ringvisor: starting 2 guests",
        r"^ringvisor: verdict: pass: every guest ended as expected$")
    assert not b.has(r"warning|error|PANIC"), b.describe()


def test_iso_boot(testmods, tmp_path):
    iso = rvqemu.BUILD / "test-two-modules.iso"
    import subprocess
    mods = []
    for path, args in two_modules(testmods):
        mods += [str(path), args]
    subprocess.run(["sh", str(rvqemu.ROOT / "tools/mkiso.sh"), str(iso),
                    str(rvqemu.HV_ELF), HV] + mods, check=True)
    b = boot("iso_two_modules", iso=iso, timeout=60)
    b.expect_pass().require(
        r"^ringvisor: loaded by GRUB",
        r'^ringvisor: command line: "exit=qemu"',
        r'guest "alpha", 2048 KiB',
        r'guest "beta", 4096 KiB',
        r"^ringvisor: starting 2 guests")
    assert not b.has(r"warning|error"), b.describe()


@pytest.mark.parametrize("cpu", ["pentium2", "pentium3", "coreduo", "qemu32", "max"])
def test_cpu_models(testmods, cpu):
    b = boot(f"cpu_{cpu}", cpu=cpu, append=HV, modules=two_modules(testmods))
    b.expect_pass().require(r"^ringvisor: cpu features:", r"starting 2 guests")


@pytest.mark.parametrize("cpu,missing", [("pentium", "CMOV"), ("486", "CMOV")])
def test_old_cpu_refused(cpu, missing):
    """The CPU check runs before any i686 code: the message, then a halt."""
    b = boot(f"cpu_refused_{cpu}", cpu=cpu, append=HV, timeout=5)
    b.expect(STATUS_TIMEOUT).require(
        r"ringvisor: error: this CPU lacks the FPU, TSC or CMOV")


@pytest.mark.parametrize("mem", [16, 128, 2048])
def test_memory_sizes(testmods, mem):
    b = boot(f"mem_{mem}", mem=mem, append=HV, modules=two_modules(testmods))
    b.expect_pass()
    frames = int(b.lines(r"^ringvisor: memory: (\d+) frames free")[0])
    # Everything above the image and modules is free, less the tables.
    assert mem * 256 * 0.80 - 2048 < frames < mem * 256, b.describe()


def test_unknown_option_warns(testmods):
    b = boot("unknown_option", append=HV + " frobnicate=3 loglevel=7",
             modules=two_modules(testmods))
    b.expect_pass().require(
        r"^ringvisor: warning: command line: .*frobnicate",
        r"^ringvisor: warning: command line: .*loglevel")


def test_qemu_image_name_skipped(testmods):
    """QEMU puts the kernel's path first on its command line: not an option."""
    b = boot("image_name", append=HV)
    b.expect_pass()
    assert not b.has(r"warning: command line"), b.describe()


MALFORMED = {
    "notelf": r"not an ELF",
    "empty": r"(empty|too small|not an ELF)",
    "truncated": r"(truncated|too small)",
    "class64": r"(class|ELF32|64-bit)",
    "bigendian": r"(endian|byte order)",
    "machine": r"(machine|i386)",
    "notexec": r"(executable|type)",
    "phdrs_outside": r"program header",
    "noload": r"(PT_LOAD|loadable)",
    "seg_outside_file": r"(outside the file|beyond the file|past the end)",
    "seg_offset_wrap": r"(outside the file|beyond the file|past the end|wrap)",
    "filesz_gt_memsz": r"(filesz|file size)",
    "overlap": r"overlap",
    "huge": r"(memory|does not fit|too large)",
    "toobig_for_mem": r"(memory|does not fit|too large)",
    "entry_outside": r"entry",
    "entry_not_exec": r"entry",
}


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_malformed_module(testmods, kind):
    """One clear line naming the module, its file and guest, and the
    reason; the valid guests around it still start; the verdict is not a
    pass and says why."""
    check_malformed(testmods, kind, f"malformed_{kind}")


def check_malformed(mods_dir, kind, name):
    bad = mods_dir / f"{kind}.elf"
    mods = [(mods_dir / "good.elf", "name=first mem=2M"),
            (bad, "name=bad mem=2M"),
            (mods_dir / "good2.elf", "name=last mem=4M")]
    b = boot(name, append=HV, modules=mods)
    b.expect(STATUS_REFUSED)
    errs = b.lines(r"^ringvisor: error: (.*)$")
    assert len(errs) == 1, b.describe()
    assert errs[0].startswith(f'module 1 ({bad}), guest "bad": '), b.describe()
    assert errs[0].endswith("; skipped"), b.describe()
    assert rvqemu.re.search(MALFORMED[kind], errs[0], rvqemu.re.I), b.describe()
    b.require(r'guest "first"', r'guest "last"', r"starting 2 guests",
              r"^ringvisor: verdict: refused: every guest that ran ended as expected; "
              r"1 module refused \(1 bad kernel image\), 0 guests not started")
    return b


BAD_OPTIONS = [
    ("name=bad mem=3X", r"mem=3X: not a size", "bad options"),
    ("name=bad frob=1", r"unknown option 'frob'", "bad options"),
    ("name=this-name-is-far-too-long", r"name=this-name-is-far-too-long: not 1..15",
     "bad options"),
    ("name=bad weight=0", r"weight=0: outside 1..1000", "bad options"),
    ("name=alpha", r"already taken", "name taken"),
]


@pytest.mark.parametrize("opts,why,cause", BAD_OPTIONS)
def test_bad_module_options(testmods, opts, why, cause):
    check_bad_options(testmods, opts, why, cause, "badopts_" + opts)


def check_bad_options(mods_dir, opts, why, cause, name):
    bad = mods_dir / "good2.elf"
    mods = [(mods_dir / "good.elf", "name=alpha mem=2M"), (bad, opts)]
    b = boot(name, append=HV, modules=mods)
    b.expect(STATUS_REFUSED)
    errs = b.lines(r"^ringvisor: error: (.*)$")
    asked = rvqemu.re.search(r"name=(\S+)", opts)[1]
    assert len(errs) == 1 and rvqemu.re.search(why, errs[0]), b.describe()
    assert errs[0].startswith(f'module 1 ({bad}), guest "{asked}": '), b.describe()
    b.require(r"^ringvisor: starting 1 guest\b",
              rf"^ringvisor: verdict: refused: .*; 1 module refused \(1 {cause}\)")


@pytest.mark.parametrize("kind,what", [
    ("null", r"page fault \(#PF\).*\n(.*\n)*.*cr2=00000000"),
    ("ud", r"invalid opcode \(#UD\)"),
    ("gp", r"general protection \(#GP\)"),
    ("de", r"divide error \(#DE\)"),
    ("df", r"double fault \(#DF\)"),
    ("assert", r"assertion failed"),
    ("panic", r"PANIC: a deliberate panic"),
])
def test_deliberate_fault_report(kind, what):
    """A fault inside the hypervisor: registers, CR2, and a backtrace with
    function names from the image, then QEMU's panic status."""
    b = boot(f"fault_{kind}", append=f"{HV} fault={kind}")
    b.expect(STATUS_PANIC).require(what, r"^ringvisor: backtrace:",
                                   r"<deliberate_fault[.\w]*\+0x[0-9a-f]+>",
                                   r"<c_boot_main\+0x[0-9a-f]+>")


def test_vga_mirror():
    """The console is mirrored on the VGA text screen: read the text buffer
    through the monitor and check the screendump shows those lines."""
    m = rvqemu.Monitor("vga", append="", timeout=30, extra=["-machine", "acpi=off"])
    try:
        # The last line: after it the screen no longer moves between the
        # screendump and the read of the text buffer.
        m.wait_for(r"^ringvisor: halted")
        ppm = rvqemu.LOGS / "vga.ppm"
        m.hmp(f"screendump {ppm}")
        words = m.hmp("xp /2000hx 0xb8000")["return"]
    finally:
        m.close()
    cells = [int(w, 16) for line in words.splitlines() for w in line.split()[1:]]
    rows = ["".join(chr(c & 0xFF) for c in cells[r * 80:(r + 1) * 80]).rstrip()
            for r in range(25)]
    text = "\n".join(rows)
    assert "ringvisor: switcher:" in text and "; stopping" in text, text
    import vga_ppm
    vga_ppm.check_screen(ppm, rows)


def screen_rows(m):
    """The VGA text screen's 25 rows, read from video memory."""
    words = m.hmp("xp /2000hx 0xb8000")["return"]
    cells = [int(w, 16) for line in words.splitlines() for w in line.split()[1:]]
    return ["".join(chr(c & 0xFF) for c in cells[r * 80:(r + 1) * 80]).rstrip()
            for r in range(25)]


def run_to_halt(name, append, modules):
    """Boot with no ACPI, so the machine halts and stays at the end; the
    VGA screen then, and the serial log."""
    with rvqemu.Monitor(name, append=append, modules=modules, timeout=30,
                        extra=["-machine", "acpi=off"]) as m:
        deadline = time.monotonic() + 25
        rows = screen_rows(m)
        while "ringvisor: halted" not in rows and time.monotonic() < deadline:
            time.sleep(0.2)
            rows = screen_rows(m)
        time.sleep(0.3)          # the serial log's last bytes
        return rows, m.serial()


def test_console_vga_writes_the_screen_only(testmods):
    """console=vga: everything on the screen, nothing on the serial line."""
    rows, serial = run_to_halt("console_vga_only", "console=vga",
                               [(testmods / "good.elf", "name=a")])
    text = "\n".join(rows)
    assert "ringvisor: verdict: pass" in text and "ringvisor: halted" in rows, text
    assert serial == "", serial


def test_console_serial_leaves_the_screen_alone(testmods):
    rows, serial = run_to_halt("console_serial_only", "console=serial",
                               [(testmods / "good.elf", "name=a")])
    assert "ringvisor: halted" in serial and "verdict: pass" in serial, serial
    assert not any("ringvisor" in r for r in rows), "\n".join(rows)


def hv_lines(b):
    """The hypervisor's lines, numbers and the table's padding blanked
    (times and counts vary from run to run)."""
    re = rvqemu.re
    out = []
    for line in b.log.splitlines():
        if line.startswith("ringvisor: "):
            line = re.sub(r"loglevel=\w+", "loglevel=L", line)
            line = re.sub(r"\d+", "N", re.sub(r"0x[0-9a-fA-F]+", "X", line))
            out.append(re.sub(r"\s+", " ", line).rstrip())
    return out


def test_log_levels_add_content(testmods):
    """warn < info < debug, each showing all of the level below and more:
    warn gives warnings, errors, the table and the verdict; info adds the
    boot report and the guests' starts and ends; debug adds where modules,
    tables and guests are, and each guest's LGUEST_INIT."""
    mods = [(testmods / "good.elf", "name=a mem=2M -- one two"),
            (testmods / "notelf.elf", "name=bad")]
    runs = {}
    for level in ("warn", "info", "debug"):
        b = boot(f"loglevel_{level}", append=f"exit=qemu frobnicate loglevel={level}",
                 modules=mods)
        b.expect(STATUS_REFUSED)
        runs[level] = hv_lines(b)
    warn, info, debug = runs["warn"], runs["info"], runs["debug"]
    assert set(warn) < set(info) < set(debug), (warn, info, debug)
    for line in warn:
        assert rvqemu.re.match(r"ringvisor: (warning|error|verdict): |ringvisor: [a-z]+ +\S+ +\S+ ",
                               line), line
    assert not [l for l in info if "debug:" in l], info
    extra = [l for l in debug if l not in info]
    assert all(l.startswith("ringvisor: debug: ") for l in extra), extra
    for want in (r'debug: module N: \[X-X\) ".*good\.elf name=a mem=NM -- one two"$',
                 r'debug: guest a: command line "a one two"$',
                 r"debug: acpi: RSDP at X",
                 r"debug: guest a: N KiB at host-physical X",
                 r"debug: guest a: LGUEST_INIT: lguest_data at gpa X",
                 r"debug: sched: time slice N us"):
        assert any(rvqemu.re.search(want, l) for l in extra), (want, extra)
