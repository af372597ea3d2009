#!/usr/bin/env python3
"""Run the benchmarks and report them.

Every boot runs under QEMU's -icount shift=0,align=off,sleep=off: the TSC
then counts instructions and idle time costs nothing, so every figure
repeats exactly. The hypervisor's `bench` option measures the native
counterparts in the same boot (ring 0, on the bare machine) and its own
figures (the bare world switch, guest switches, boot time, memory per
guest, a timeline). This script boots:
  - the benchmark guest (guests/bench) alone;
  - three CPU-bound guests with weights 1:2:4 (fairness, and the timeline);
  - 1, 2, 4, ... 64 CPU-bound guests (the guest-to-guest switch);
then prints a table and writes build/bench/results.json, a list of
{name, unit, value, native, ratio, method}, and PNG plots beside it.

Usage: bench.py [--build DIR] [--no-plots]"""
import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SWITCH_COUNTS = [1, 2, 4, 8, 16, 32, 64]
WEIGHTS = [1, 2, 4]


def boot(build, name, modules, append="", mem=128):
    log = build / "bench" / f"{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    cmd = ["timeout", "300", "qemu-system-i386", "-accel", "tcg",
           "-icount", "shift=0,align=off,sleep=off", "-cpu", "max",
           "-m", str(mem), "-no-reboot", "-nic", "none", "-display", "none",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-serial", f"file:{log}",
           "-kernel", str(build / "ringvisor.elf"),
           "-append", f"exit=qemu bench {append}".strip(),
           "-initrd", ",".join(modules)]
    status = subprocess.run(cmd, stdin=subprocess.DEVNULL).returncode
    text = log.read_text(errors="replace")
    if status != 3:
        sys.exit(f"bench: boot '{name}' failed (QEMU status {status}); see {log}")
    return text


def figures(text):
    """Every `BENCH name value` (guest) and `bench: name value` (host)."""
    raw = {}
    for name, value in re.findall(r"^\[\w+\] BENCH (\w+) (\d+)", text, re.M):
        raw[name] = int(value)
    for name, value in re.findall(r"^ringvisor: bench: (\w+) (\d+)$", text, re.M):
        raw[name] = int(value)
    for name, what, value in re.findall(r"^ringvisor: bench: (\w+) (\w+) (\d+)$", text, re.M):
        raw.setdefault(what, int(value))
    return raw


def summary_cpu(text):
    """{guest: cpu microseconds} from the end-of-run table."""
    return {m[1]: int(m[2]) for m in
            re.finditer(r"^ringvisor: (\S+)\s+exited\s+-?\d+\s+(\d+)", text, re.M)}


def entry(name, unit, value, native, method):
    ratio = round(value / native, 3) if native else None
    return {"name": name, "unit": unit, "value": value, "native": native,
            "ratio": ratio, "method": method}


def collect(build):
    g = build / "guests"
    res, extra = [], {}

    main = figures(boot(build, "main", [f"{g / 'bench.elf'} name=bench mem=8M"]))
    nat_int = main["native_int"]
    nat_pf = main["native_pagefault"]
    nat_ps = main["native_process_switch"]

    def add(name, unit, native, method, value=None):
        res.append(entry(name, unit, main[name] if value is None else value,
                         native, method))

    add("hypercall_null", "instructions", nat_int,
        "least of 200 sync HC_SEND_INTERRUPTS (a no-op) round trips, less the rdtsc bracket; native: int to a bare iret in ring 0")
    add("hypercall_floor", "instructions", nat_int,
        "least host-timed Switcher round trip (enter, the guest's int $0x1F, back), rdtsc pair included",
        value=main["switch_floor"])
    for n in (1, 8, 64):
        add(f"hypercall_async_{n}", "instructions", nat_int,
            f"per call: {n} no-op calls queued in the async ring, then the one sync call that drains them")
    add("trap_reflected", "instructions", nat_int,
        "int $0x80 from ring 1 through an interrupt gate: the host reflects it to a bare handler")
    add("trap_direct", "instructions", nat_int,
        "int $0x80 from ring 1 through a trap gate the CPU delivers to the guest directly")
    add("syscall_user", "instructions", nat_int,
        "int $0x80 from ring 3 through a DPL-3 trap gate (direct) to a bare handler in ring 1")
    add("syscall_user_reflected", "instructions", nat_int,
        "int $0x80 from ring 3 through an interrupt gate, as Linux 4.9 installs it: reflected by the host")
    add("pagefault_demand", "instructions", nat_pf,
        "first write to a page the guest mapped but the shadow lacks: filled by the host; native: #PF handler that maps the page")
    add("pagefault_guest", "instructions", nat_pf,
        "first write to a page the guest has not mapped: reflected, its handler maps it and reports it with SET_PTE")
    add("pagefault_switches", "switches", None,
        "world switches per guest-handled page fault (HC_RV_COUNTERS over 256 faults)",
        value=main["pagefault_switches_x100"] / 100)
    add("process_switch_cached", "instructions", nat_ps,
        "NEW_PGTABLE to a cached shadow directory, then 4 pages touched; native: CR3 reload and the same touches")
    add("process_switch_uncached", "instructions", nat_ps,
        "NEW_PGTABLE cycling through 9 directories (the cache holds 8): every shadow refilled for 4 pages")
    add("virq_latency", "instructions", nat_int,
        "from enabling the virtual IF with a timer IRQ pending (SEND_INTERRUPTS) to its handler's first instruction")
    add("timer_lateness", "instructions", main["native_timer_lateness"],
        "least lateness of a 100 us SET_CLOCKEVENT one-shot, halted meanwhile (instructions = ns under icount); native: a host timer event")
    add("cpu_bound_ratio", "ratio", None,
        "instructions for the same integer work (include/benchwork.h) in a guest over natively, same boot",
        value=round(main["cpu_work"] / main["native_cpu_work"], 5))
    add("boot_to_first_guest", "instructions", None,
        "from the hypervisor's first C instruction to entering the first guest (a 8 MiB guest)")
    add("memory_per_guest", "bytes", None,
        "host memory a guest costs beyond its RAM: its structure, regs and state pages, two guard frames, peak shadow frames")
    extra["checksums_agree"] = main["cpu_work_checksum"] == main["native_cpu_work_checksum"]

    # Fairness: weights 1:2:4, CPU-bound, 1 ms quantum per weight 100.
    mods = [f"{g / 'spin.elf'} name=w{w} weight={w * 100} -- 350" for w in WEIGHTS]
    text = boot(build, "fair", mods, "timeslice=1ms")
    cpu = summary_cpu(text)
    total = sum(cpu[f"w{w}"] for w in WEIGHTS)
    err = max(abs(cpu[f"w{w}"] / total - w / sum(WEIGHTS)) for w in WEIGHTS) * 100
    res.append(entry("fair_share_error_percent", "percent", round(err, 3), None,
                     "weights 1:2:4, CPU-bound, 350 ms: the largest gap between a share and its weight's"))
    for w in WEIGHTS:
        res.append(entry(f"fair_share_w{w}", "percent",
                         round(cpu[f"w{w}"] / total * 100, 2), round(w / sum(WEIGHTS) * 100, 2),
                         f"share of CPU the weight-{w} guest got; native column: its weight's share"))
    extra["timeline"] = [(int(t), int(i)) for t, i in
                         re.findall(r"^ringvisor: bench: timeline (\d+) (\d+)$", text, re.M)]

    # Guest-to-guest switches.
    for n in SWITCH_COUNTS:
        mods = [f"{g / 'spin.elf'} name=s{i} mem=2M -- {n * 3 + 10}" for i in range(n)]
        text = boot(build, f"switch_{n}", mods, "timeslice=1ms benchswitches", mem=256)
        m = re.search(r"bench: guest_switch_host (\d+) over (\d+) switches", text)
        floor = figures(text).get("switch_floor", 0)
        res.append(entry(f"guest_switch_{n}", "instructions", int(m[1]) + floor, None,
                         f"{n} CPU-bound guests, 1 ms slices: host path from one slice's last exit to the next slice's entry ({m[2]} switches, mean) plus the Switcher round trip"))
    return res, extra


def plots(build, res, extra):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("bench: python3-matplotlib is missing: no plots")
        return
    out = build / "bench"

    ratios = [r for r in res if r["ratio"] and r["unit"] == "instructions"]
    fig, ax = plt.subplots(figsize=(9, 5))
    ax.barh([r["name"] for r in ratios], [r["ratio"] for r in ratios])
    ax.set_xscale("log")
    ax.set_xlabel("cost relative to the native counterpart (log scale)")
    ax.set_title("Ringvisor: instructions per operation over native, -icount shift=0")
    fig.tight_layout()
    fig.savefig(out / "ratios.png")

    sw = [r for r in res if r["name"].startswith("guest_switch_")]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot([int(r["name"].rsplit("_", 1)[1]) for r in sw], [r["value"] for r in sw], "o-")
    ax.set_xscale("log", base=2)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("guests")
    ax.set_ylabel("instructions per guest switch")
    ax.set_title("Guest-to-guest switch cost")
    fig.tight_layout()
    fig.savefig(out / "guest_switch.png")

    tl = extra["timeline"]
    if tl:
        fig, ax = plt.subplots(figsize=(10, 3))
        t0 = tl[0][0]
        for (t, gid), (t_next, _) in zip(tl, tl[1:] + [(tl[-1][0], 0)]):
            ax.broken_barh([((t - t0) / 1e6, max((t_next - t) / 1e6, 0.01))], (gid - 0.4, 0.8))
        ax.set_yticks(range(len(WEIGHTS)))
        ax.set_yticklabels([f"w{w} (weight {w * 100})" for w in WEIGHTS])
        ax.set_xlabel("ms (instructions / 1e6)")
        ax.set_title("Which guest ran when: weights 1:2:4, 1 ms quantum")
        ax.set_xlim(0, 50)
        fig.tight_layout()
        fig.savefig(out / "timeline.png")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=str(ROOT / "build"))
    ap.add_argument("--no-plots", action="store_true")
    args = ap.parse_args()
    build = Path(args.build)
    res, extra = collect(build)
    (build / "bench" / "results.json").write_text(json.dumps(res, indent=2) + "\n")
    print(f"{'figure':32} {'value':>12} {'native':>10} {'ratio':>10}  unit")
    for r in res:
        native = "-" if r["native"] is None else str(r["native"])
        ratio = "-" if r["ratio"] is None else f"{r['ratio']}x"
        print(f"{r['name']:32} {r['value']:>12} {native:>10} {ratio:>10}  {r['unit']}")
    if not extra["checksums_agree"]:
        print("bench: warning: the guest's and the native work checksums differ")
    if not args.no_plots:
        plots(build, res, extra)
    print(f"written: {build / 'bench' / 'results.json'}")


if __name__ == "__main__":
    main()
