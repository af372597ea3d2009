"""make bench-linux without a kernel: it says what it needs and exits 0;
the benchmark program builds as a static i386 executable; the summary's
emulated column, which it reads, counts each emulated instruction; its rows
and make bench's share the results files without either dropping the
other's; the page's linux block renders from them. The real run needs a
user's Linux kernel (LINUX=), which CI has not: docs/benchmarks.md."""
import importlib.util
import json
import struct
import subprocess
import sys

import rvqemu
from rvqemu import STATUS_PASS, boot

TOOLS = rvqemu.ROOT / "tools"


def load(name):
    sys.path.insert(0, str(TOOLS))     # bench_linux imports bench
    try:
        spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod
    finally:
        sys.path.remove(str(TOOLS))


def test_without_linux_it_says_what_it_needs_and_exits_0():
    p = subprocess.run(["make", "--no-print-directory", "-C", str(rvqemu.ROOT),
                        "bench-linux", "LINUX="],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "needs a Linux 4.9 kernel" in p.stdout and "LINUX=" in p.stdout, p.stdout
    assert "qemu" not in p.stdout.lower(), "it booted something"


def test_linuxbench_is_a_static_i386_executable():
    out = rvqemu.BUILD / "linux" / "linuxbench"
    # make knows the target by the Makefile's own (relative) name.
    target = str(out.relative_to(rvqemu.ROOT))
    p = subprocess.run(["make", "--no-print-directory", "-C", str(rvqemu.ROOT), target],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    elf = out.read_bytes()
    assert elf[:4] == b"\x7fELF" and elf[4] == 1, "not a 32-bit ELF"
    e_type, e_machine = struct.unpack_from("<HH", elf, 16)
    assert (e_type, e_machine) == (2, 3), "not an i386 executable"
    phoff, = struct.unpack_from("<I", elf, 28)
    phentsize, phnum = struct.unpack_from("<HH", elf, 42)
    types = [struct.unpack_from("<I", elf, phoff + i * phentsize)[0] for i in range(phnum)]
    assert 3 not in types, "it has a PT_INTERP: not static"


def test_summary_counts_each_emulated_instruction():
    """One case of ttrap: nine in/out (port B read and written, the PIT's
    mode and count written, the count read twice and as a word, port B
    again), and nothing else emulated in the whole run."""
    bl = load("bench_linux")
    b = boot("bench_linux_emulated", append="exit=qemu",
             modules=[(rvqemu.BUILD / "guests" / "ttrap.elf",
                       "name=pit mem=4M -- in_pit_channel2_has_run_out")]).expect_pass()
    assert "PASS in_pit_channel2_has_run_out" in b.log, b.describe()
    assert bl.summary_emulated(b.log, "pit") == 9, b.describe()
    assert bl.summary_emulated(b.log, "nosuchguest") is None


def row(name, value, native=None, unit="instructions"):
    return {"name": name, "unit": unit, "value": value, "native": native,
            "ratio": round(value / native, 3) if native else None, "method": "m"}


def test_each_producer_keeps_the_others_rows(tmp_path):
    bench = load("bench")
    path = tmp_path / "results.json"
    ours = lambda r: not bench.is_linux_row(r)
    bench.merge_results(path, [row("hypercall_null", 236, 2)], ours)
    bench.merge_results(path, [row("linux_null_syscall", 714, 148)], bench.is_linux_row)
    bench.merge_results(path, [row("hypercall_null", 230, 2), row("trap_direct", 2, 2)], ours)
    bench.merge_results(path, [row("linux_null_syscall", 700, 148)], bench.is_linux_row)
    assert [(r["name"], r["value"]) for r in json.loads(path.read_text())] == [
        ("hypercall_null", 230), ("trap_direct", 2), ("linux_null_syscall", 700)]


def test_linux_block_renders_from_the_rows():
    bench = load("bench")
    by = {}
    assert "make bench-linux" in bench.render_linux(by)
    for name, *_ in bench.LINUX_ROWS:
        by[name] = row(name, 3000, 1000)
    by["linux_cpu_work"] = {**row("linux_cpu_work", 70100000, 70000000), "ratio": 1.00143}
    by["linux_emulated"] = row("linux_emulated", 1066, unit="count")
    text = bench.render_linux(by)
    assert "| null system call (`int $0x80` getppid) | 1000 | 3000 | 3.0x | 142 → 1771 (12.5x) | 3.0x | ≤ 1.1x |" in text
    assert "| CPU-bound loop | 70.0 M | 70.1 M | 1.00143x |" in text
    assert "1066 instructions" in text
