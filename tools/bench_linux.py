#!/usr/bin/env python3
"""make bench-linux: the same Linux kernel natively in QEMU and as a
Ringvisor guest, the same benchmark program in both, each figure side by
side with its ratio.

Both boots run under QEMU's -icount shift=0,align=off,sleep=off, so the
TSC counts instructions, idle time is free and every figure repeats. The
kernel's initramfs is build/linux/bench-initramfs.cpio.gz
(tools/linuxbench/mkinitramfs.sh): busybox and tools/linuxbench/linuxbench.c,
which is /init, runs the benchmark and powers off. Natively the kernel gets
it with -initrd and its console on the UART; as a guest it is a module the
kernel claims with initrd= and the benchmark writes to the virtio console.
Both boots give the kernel 64 MiB and boot the same bzImage, so both run
its decompressor. When the kernel's build directory has its vmlinux, a
third boot starts the guest from that, for the boot figure without the
decompressor.

The figures go into build/bench/results.json as linux_-prefixed rows in
make bench's format ({name, unit, value, native, ratio, method}: value is
the guest's, native the same kernel's on the bare QEMU machine); make
bench's own rows stay. With --publish (what make bench-linux passes) they
also go into docs/bench-results.json and docs/benchmarks.md's linux block.

Usage: bench_linux.py --linux PATH [--build DIR] [--publish] [--builtin-initramfs]
  PATH: a kernel build directory (arch/x86/boot/bzImage and vmlinux), a
  bzImage, or a vmlinux with the bzImage of its build beside it.
  --builtin-initramfs: the kernel carries the initramfs itself
  (CONFIG_INITRAMFS_SOURCE=build/linux/bench-initramfs.d), so neither boot
  is given one (a second copy would be unpacked over the first, and
  counted)."""
import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import bench

ICOUNT = "shift=0,align=off,sleep=off"
GUEST_MEM = "64M"
TIMEOUT_S = 900          # a boot and the benchmark take 15-60 s of TCG time
CMDLINE = "loglevel=0 norandmaps"  # no console messages, no address-space randomisation

# linuxbench's figures: (its name, the row's name, the method).
FIGURES = [
    ("null_syscall", "linux_null_syscall",
     "getppid through a raw int $0x80, least of 2000"),
    ("page_fault", "linux_page_fault",
     "first write to a page of a fresh anonymous mmap2 mapping, least of 4 x 64 pages"),
    ("pipe_roundtrip", "linux_pipe_roundtrip",
     "one byte to a child process and back through two pipes, least of 1000"),
    ("pipe_local", "linux_pipe_local",
     "a one-byte write and read of a pipe within one process (lmbench's pipe overhead)"),
    ("context_switch", "linux_context_switch",
     "(pipe round trip - 2 x pipe overhead) / 2, lmbench's lat_ctx for 2 processes"),
    ("fork_exit", "linux_fork_exit",
     "fork, the child exits at once, the parent's waitpid returns; least of 200"),
    ("fork_exec", "linux_fork_exec",
     "fork, the child execs the static linuxbench -x, which exits; least of 100"),
    ("mmap_munmap_1m", "linux_mmap_munmap_1m",
     "mmap2 of 1 MiB anonymous memory and its munmap, untouched; least of 500"),
    ("boot_to_init", "linux_boot_to_init",
     "QEMU start to /init's first instruction (its TSC), firmware and, as a guest, Ringvisor's boot included"),
]


def kernels(linux):
    """(the bzImage both boot, the vmlinux of its build or None)."""
    p = Path(linux)
    if p.is_dir():
        bz, vml = p / "arch/x86/boot/bzImage", p / "vmlinux"
    elif p.is_file() and p.read_bytes()[:4] == b"\x7fELF":
        bz, vml = p.parent / "arch/x86/boot/bzImage", p
    elif p.is_file():
        bz, vml = p, None
    else:
        sys.exit(f"bench-linux: LINUX={linux} is neither a file nor a directory")
    if not bz.is_file():
        sys.exit(f"bench-linux: no bzImage for the native boot at {bz}")
    return bz, (vml if vml and vml.is_file() else None)


def qemu(log, args):
    """Runs QEMU under a timeout; its status and the serial log."""
    cmd = ["timeout", str(TIMEOUT_S), "qemu-system-i386", "-accel", "tcg",
           "-icount", ICOUNT, "-cpu", "max", "-no-reboot", "-nic", "none",
           "-display", "none", "-serial", f"file:{log}"] + args
    status = subprocess.run(cmd, stdin=subprocess.DEVNULL).returncode
    return status, log.read_text(errors="replace")


def figures(text, prefix=""):
    found = {m[1]: int(m[2]) for m in re.finditer(
        rf"^{re.escape(prefix)}linuxbench: (\w+) (\d+)", text, re.M)}
    err = re.search(rf"^{re.escape(prefix)}linuxbench: error: (.*)$", text, re.M)
    return found, err[1] if err else None


def boot_native(build, bzimage, initramfs, builtin):
    log = build / "bench" / "linux_native.log"
    initrd = [] if builtin else ["-initrd", str(initramfs)]
    status, text = qemu(log, ["-m", GUEST_MEM, "-kernel", str(bzimage),
                              "-append", f"console=ttyS0 {CMDLINE}"] + initrd)
    found, err = figures(text)
    if status != 0 or "done" not in found:
        sys.exit(f"bench-linux: the native boot failed (QEMU status {status}"
                 f"{', ' + err if err else ''}); see {log}")
    return found


def boot_guest(build, image, initramfs, builtin, log_name):
    log = build / "bench" / f"{log_name}.log"
    if builtin:
        modules = f"{image} name=linux mem={GUEST_MEM} -- console=hvc0 {CMDLINE}"
    else:
        modules = (f"{image} name=linux mem={GUEST_MEM} initrd={initramfs} "
                   f"-- console=hvc0 {CMDLINE},{initramfs}")
    status, text = qemu(log, ["-m", "256", "-kernel", str(build / "ringvisor.elf"),
                              "-append", "exit=qemu", "-initrd", modules,
                              "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"])
    found, err = figures(text, "[linux] ")
    if status != 3 or "done" not in found:
        sys.exit(f"bench-linux: the guest boot failed (QEMU status {status}"
                 f"{', ' + err if err else ''}); see {log}")
    found["emulated"] = summary_emulated(text, "linux")
    if found["emulated"] is None:
        sys.exit(f"bench-linux: no summary row for the guest; see {log}")
    return found


def summary_emulated(text, name):
    """The emulated instructions in guest name's row of the hypervisor's
    end-of-run summary (after status, cpu, switches, hypercalls, faults and
    restarts), or None."""
    m = re.search(rf"^ringvisor: {re.escape(name)}\s+(?:exited|killed)\s+-?\d+(?:\s+\d+){{5}}"
                  r"\s+(\d+)\s", text, re.M)
    return int(m[1]) if m else None


def rows(native, guest, guest_vmlinux):
    res = [bench.entry(name, "instructions", guest[key], native[key], method)
           for key, name, method in FIGURES]
    if guest_vmlinux:
        res.append(bench.entry(
            "linux_boot_to_init_vmlinux", "instructions", guest_vmlinux["boot_to_init"], None,
            "QEMU start to /init as a guest booted from the build's vmlinux: no decompressor "
            "runs (lguest's and the issue's boot figures count this way)"))
    # The ratio to five places: the target is within a thousandth of native.
    res.append({"name": "linux_cpu_work", "unit": "instructions",
                "value": guest["cpu_work"], "native": native["cpu_work"],
                "ratio": round(guest["cpu_work"] / native["cpu_work"], 5),
                "method": "the same 10 M iterations of integer work in user mode, timed whole: "
                          "what the timer interrupts that land in it cost"})
    res.append(bench.entry("linux_emulated", "count", guest["emulated"], None,
                           "instructions Ringvisor emulated for the guest over the whole run "
                           "(port I/O, cli, device memory), from its summary"))
    return res


def table(res):
    print(f"{'figure':24} {'native':>12} {'guest':>12} {'ratio':>9}  unit")
    for r in res:
        native = "-" if r["native"] is None else str(r["native"])
        ratio = "-" if r["ratio"] is None else f"{r['ratio']}x"
        print(f"{r['name']:24} {native:>12} {r['value']:>12} {ratio:>9}  {r['unit']}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--linux", default="")
    ap.add_argument("--build", default=str(bench.ROOT / "build"))
    ap.add_argument("--publish", action="store_true",
                    help="also write docs/bench-results.json and the page's linux block")
    ap.add_argument("--builtin-initramfs", action="store_true",
                    help="the kernel has the initramfs built in: give the guest none")
    args = ap.parse_args()
    if not args.linux:
        print("bench-linux: needs a Linux 4.9 kernel built with LGUEST_GUEST, VIRTIO_PCI,\n"
              "VIRTIO_CONSOLE, BLK_DEV_INITRD, DEVTMPFS and SERIAL_8250_CONSOLE:\n"
              "  make bench-linux LINUX=path/to/kernel-build-dir (or its bzImage)\n"
              "docs/benchmarks.md says what it measures.")
        return
    build = Path(args.build)
    initramfs = build / "linux" / "bench-initramfs.cpio.gz"
    if not initramfs.is_file():
        sys.exit(f"bench-linux: no {initramfs}: run it through make bench-linux")
    (build / "bench").mkdir(parents=True, exist_ok=True)
    bzimage, vmlinux = kernels(args.linux)
    print(f"bench-linux: {bzimage} natively and as a guest"
          + (f", and {vmlinux} as a guest for the boot" if vmlinux else ""))
    native = boot_native(build, bzimage, initramfs, args.builtin_initramfs)
    guest = boot_guest(build, bzimage, initramfs, args.builtin_initramfs, "linux_guest")
    guest_vmlinux = vmlinux and boot_guest(build, vmlinux, initramfs, args.builtin_initramfs,
                                           "linux_guest_vmlinux")
    if native["cpu_work_checksum"] != guest["cpu_work_checksum"]:
        sys.exit("bench-linux: the guest's and the native work checksums differ")
    res = rows(native, guest, guest_vmlinux)
    table(res)
    out = build / "bench" / "results.json"
    bench.merge_results(out, res, bench.is_linux_row)
    print(f"written: {out}")
    if args.publish:
        bench.merge_results(bench.DOC_RESULTS, res, bench.is_linux_row)
        bench.render_doc(json.loads(bench.DOC_RESULTS.read_text()))
        print(f"written: {bench.DOC_RESULTS} and the linux figures in {bench.DOC}")


if __name__ == "__main__":
    main()
