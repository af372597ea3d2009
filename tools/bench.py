#!/usr/bin/env python3
"""Run the benchmarks and report them.

Boots Ringvisor under QEMU's -icount shift=0,align=off (the TSC then counts
instructions, so every figure repeats exactly) with the `bench` option and
the benchmark guest, reads the figures from the serial log, prints a table
and writes build/bench/results.json: a list of
{name, unit, value, native, ratio, method}.

Usage: bench.py [--build DIR]"""
import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# name -> (unit, native baseline name or None, one-line method)
FIGURES = {
    "hypercall_null": ("instructions", "native_int",
                       "least of 200 sync HC_SEND_INTERRUPTS round trips, less the rdtsc bracket"),
    "hypercall_floor": ("instructions", "native_int",
                        "least Switcher round trip (enter, guest int $0x1F, back) timed by the host"),
    "hypercall_async_1": ("instructions", "native_int",
                          "per call: 1 call queued in the ring, then the draining sync call"),
    "hypercall_async_8": ("instructions", "native_int",
                          "per call: 8 calls queued in the ring, then the draining sync call"),
    "hypercall_async_64": ("instructions", "native_int",
                           "per call: 64 calls queued in the ring, then the draining sync call"),
    "trap_reflected": ("instructions", "native_int",
                       "int $0x80 through an interrupt gate: host reflects it to a bare iret handler"),
    "trap_direct": ("instructions", "native_int",
                    "int $0x80 through a trap gate the CPU delivers directly to a bare iret handler"),
}


def run(build):
    log = build / "bench" / "serial.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    cmd = ["timeout", "120", "qemu-system-i386", "-accel", "tcg",
           "-icount", "shift=0,align=off,sleep=off", "-cpu", "max", "-m", "128",
           "-no-reboot", "-nic", "none", "-display", "none",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-serial", f"file:{log}",
           "-kernel", str(build / "ringvisor.elf"), "-append", "exit=qemu bench",
           "-initrd", f"{build / 'guests' / 'bench.elf'} name=bench mem=4M"]
    status = subprocess.run(cmd, stdin=subprocess.DEVNULL).returncode
    text = log.read_text(errors="replace")
    if status != 3:
        sys.exit(f"bench: the benchmark boot failed (QEMU status {status}); see {log}")
    return text


def parse(text):
    raw = {}
    for name, value in re.findall(r"^\[bench\] BENCH (\w+) (\d+)", text, re.M):
        raw[name] = int(value)
    for name, value in re.findall(r"^ringvisor: bench: (\w+) (\d+)", text, re.M):
        raw[name] = int(value)
    for value in re.findall(r"^ringvisor: bench: bench switch_floor (\d+)", text, re.M):
        raw["hypercall_floor"] = int(value)
    return raw


def results(raw):
    out = []
    for name, (unit, native_name, method) in FIGURES.items():
        if name not in raw:
            sys.exit(f"bench: no figure for {name} in the log")
        value = raw[name]
        native = raw.get(native_name) if native_name else None
        ratio = round(value / native, 2) if native else None
        out.append({"name": name, "unit": unit, "value": value,
                    "native": native, "ratio": ratio, "method": method})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=str(ROOT / "build"))
    build = Path(ap.parse_args().build)
    res = results(parse(run(build)))
    (build / "bench" / "results.json").write_text(json.dumps(res, indent=2) + "\n")
    print(f"{'figure':24} {'value':>10} {'native':>8} {'ratio':>8}  unit")
    for r in res:
        native = "-" if r["native"] is None else str(r["native"])
        ratio = "-" if r["ratio"] is None else f"{r['ratio']}x"
        print(f"{r['name']:24} {r['value']:>10} {native:>8} {ratio:>8}  {r['unit']}")
    print(f"written: {build / 'bench' / 'results.json'}")


if __name__ == "__main__":
    main()
