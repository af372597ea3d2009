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
  - a CPU-bound guest beside the security catalogue's storms (the host's
    longest stretch with interrupts off);
  - 1, 2, 4, ... 64 CPU-bound guests (the guest-to-guest switch);
then prints a table and writes build/bench/results.json, a list of
{name, unit, value, native, ratio, method}, and PNG plots beside it. The
linux_ rows of make bench-linux (tools/bench_linux.py) share both results
files: each tool replaces only its own rows.

With --publish (what `make bench` passes) it also copies the results to
docs/bench-results.json and rewrites the generated blocks of
docs/benchmarks.md from them, so the page's figures are always those of a
run; test/test_bench.py checks the page against that copy. --render-doc
only rewrites the page from docs/bench-results.json, with no boot.

Usage: bench.py [--build DIR] [--no-plots] [--publish | --render-doc]"""
import argparse
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
DOC_RESULTS = ROOT / "docs" / "bench-results.json"
SWITCH_COUNTS = [1, 2, 4, 8, 16, 32, 64]
WEIGHTS = [1, 2, 4]


def boot(build, name, modules, append="", mem=128):
    log = build / "bench" / f"{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    cmd = ["qemu-system-i386", "-accel", "tcg",
           "-icount", "shift=0,align=off,sleep=off", "-cpu", "max",
           "-m", str(mem), "-no-reboot", "-nic", "none", "-display", "none",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-serial", f"file:{log}",
           "-kernel", str(build / "ringvisor.elf"),
           "-append", f"exit=qemu bench {append}".strip(),
           "-initrd", ",".join(modules)]
    # No `timeout` wrapper: run() kills QEMU itself at the timeout.
    try:
        status = subprocess.run(cmd, stdin=subprocess.DEVNULL, timeout=300).returncode
    except subprocess.TimeoutExpired:
        status = 124
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


def is_linux_row(r):
    """make bench-linux's rows (tools/bench_linux.py); make bench owns the rest."""
    return r["name"].startswith("linux_")


def merge_results(path, rows, owns):
    """Writes rows to the results file at path in place of the rows there
    that owns(row) says are the caller's; the other producer's rows stay
    (make bench and make bench-linux share the file)."""
    try:
        old = json.loads(path.read_text())
    except (OSError, ValueError):
        old = []
    merged = [r for r in old if not owns(r)] + rows
    merged.sort(key=is_linux_row)  # stable: make bench's rows first, in their order
    path.write_text(json.dumps(merged, indent=2) + "\n")


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
        "int $0x81 from ring 1 through an interrupt gate (a vector only the host path takes): the host reflects it to a bare handler")
    add("trap_rom", "instructions", nat_int,
        "int $0x80 from ring 1 through an interrupt gate: the CPU delivers it to the vector's ROM stub, which jumps to a bare handler")
    add("trap_direct", "instructions", nat_int,
        "int $0x80 from ring 1 through a trap gate the CPU delivers to the guest directly")
    add("syscall_user", "instructions", nat_int,
        "int $0x80 from ring 3 through a DPL-3 trap gate (direct) to a bare handler in ring 1")
    add("syscall_user_rom", "instructions", nat_int,
        "int $0x80 from ring 3 through an interrupt gate, as Linux 4.9 installs it: through the ROM stub, no world switch")
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
        "from the hypervisor's first C instruction to entering the first guest (a 8 MiB guest), the native measurements left out")
    add("memory_per_guest", "bytes", None,
        "host memory admission reserves for a guest beyond its RAM: its structure, regs, state and ROM pages, two guard frames, its shadow-frame budget (64 frames + 1 per 256 KiB of mem=, or shadow=)")
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

    # The host's longest stretch with interrupts off, next to the worst
    # adversaries of the security catalogue (test/test_security_share.py).
    mods = [f"{g / 'spin.elf'} name=victim -- 100"]
    for mode, opts in (("conbig", ""), ("ring", ""), ("restartnow", "mem=64M on_exit=restart "
                       "restarts=1000000"), ("pfault", ""), ("hcall", ""), ("halt", ""),
                      ("touch2", "mem=240M"), ("touchflush", "")):
        mods.append(f"{g / 'sec_storm.elf'} name={mode} {opts} cpu_limit=50ms expect=killed "
                    f"-- {mode}")
    text = boot(build, "irqoff", mods, "benchirqoff", mem=512)
    res.append(entry("host_irq_off_max", "instructions", figures(text)["host_irq_off_max"], None,
                     "longest host stretch with interrupts off (guest exit or window to the next "
                     "guest entry, window or idle wait) beside console, ring, restart, fault, "
                     "hypercall, halt and shadow-eviction storms; docs/design.md states the bound"))

    # The switch: udp_echo and guests/bench/netbench.c on one segment.
    net = figures(boot(build, "net", [f"{g / 'udp_echo.elf'} name=echo net=lan",
                                      f"{g / 'netbench.elf'} name=netbench net=lan"]))
    for n in (64, 1500):
        res.append(entry(f"net_fps_{n}", "frames/s", net[f"net_fps_{n}"], None,
                         f"{n}-byte frames carried by the switch per virtual second (10^9 "
                         "instructions), both ways: 4000 sent to udp_echo, 16 in flight, "
                         "and their echoes"))
        res.append(entry(f"net_rtt_{n}", "instructions", net[f"net_rtt_{n}"],
                         net["console_rtt_64"],
                         f"one {n}-byte frame to udp_echo and its echo back, mean of 200; "
                         "native column: one 64-byte HC_RV_CONSOLE_WRITE round trip of the same guest"))
    res.append(entry("console_rtt_64", "instructions", net["console_rtt_64"], None,
                     "one 64-byte HC_RV_CONSOLE_WRITE from netbench, mean of 50"))
    res.append(entry("net_copy_per_byte", "instructions", round(
        (net["net_rtt_1500"] - net["net_rtt_64"]) / (2 * (1500 - 64)), 2), None,
        "(net_rtt_1500 - net_rtt_64) / (2 x 1436): what a byte costs one way, the "
        "sender's copy into its buffer, the switch's copy and the receiver's copy out"))

    # Guest-to-guest switches.
    for n in SWITCH_COUNTS:
        mods = [f"{g / 'spin.elf'} name=s{i} mem=2M -- {n * 3 + 10}" for i in range(n)]
        text = boot(build, f"switch_{n}", mods, "timeslice=1ms benchswitches", mem=256)
        m = re.search(r"bench: guest_switch_host (\d+) over (\d+) switches", text)
        floor = figures(text).get("switch_floor", 0)
        res.append(entry(f"guest_switch_{n}", "instructions", int(m[1]) + floor, None,
                         f"{n} CPU-bound guests, 1 ms slices: host path from one slice's last exit to the next slice's entry ({m[2]} switches, mean) plus the Switcher round trip"))
    return res, extra


def ratio_bars(res):
    """[(name, ratio, start, end)]: one bar per figure with a native
    counterpart, spanning from 1x (as fast as native) to its ratio, so its
    length is its distance from native: rightwards when dearer, leftwards
    when cheaper."""
    return [(r["name"], r["ratio"], min(1.0, r["ratio"]), max(1.0, r["ratio"]))
            for r in res if r["ratio"] and r["unit"] == "instructions"]


def ratio_plot(plt, res):
    """ratio_bars on a log scale, with the 1x line; the matplotlib figure."""
    bars = ratio_bars(res)
    ratios = [b[1] for b in bars]
    fig, ax = plt.subplots(figsize=(9, 5))
    ax.barh([b[0] for b in bars], [end - start for _, _, start, end in bars],
            left=[start for _, _, start, _ in bars])
    ax.axvline(1.0, color="black", linewidth=1.2, label="1x: as native")
    for i, (_, ratio, _, end) in enumerate(bars):
        ax.annotate(fmt_ratio(ratio), (end, i), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize=8)
    ax.set_xscale("log")
    ax.set_xlim(min(ratios + [1.0]) / 1.5, max(ratios + [1.0]) * 3)
    ax.invert_yaxis()
    ax.legend(loc="lower right")
    ax.set_xlabel("cost relative to the native counterpart (log scale; bars start at 1x)")
    ax.set_title("Ringvisor: instructions per operation over native, -icount shift=0")
    fig.tight_layout()
    return fig


def plots(build, res, extra):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("bench: python3-matplotlib is missing: no plots")
        return
    out = build / "bench"

    fig = ratio_plot(plt, res)
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


# --- the page: docs/benchmarks.md's generated blocks --------------------------

# lguest's and Xen's figures, for the comparison: Linux 4.9 host and guest
# under the same -icount QEMU (native -> guest, instructions).
LGUEST_SYSCALL = (142, 1771)
LGUEST_PAGEFAULT = (1743, 5905)
LGUEST_PIPE = (5482, 18823)
LGUEST_CPU_BOUND = 1.002
LGUEST_BOOT_TO_INIT = "937 M"  # from the kernel's start, not QEMU's
XEN_PV_SYSCALL, XEN_PV_PAGEFAULT, XEN_PV_PIPE, XEN_PV_CPU_BOUND = 3.0, 1.9, 2.1, 1.001
WRAP = 76		# the page's paragraphs are filled to this width

# The figures table: each row's figure, in order, and what it is.
TABLE_ROWS = [
    ("hypercall_null", "a no-op synchronous hypercall, round trip"),
    ("hypercall_floor", "the bare Switcher round trip (enter, `int $0x1F`, back), timed by the host"),
    ("hypercall_async_1", "per call: 1 call queued in the ring, then the draining call"),
    ("hypercall_async_8", "per call, 8 queued"),
    ("hypercall_async_64", "per call, 64 queued (the whole ring)"),
    ("trap_reflected", "`int $0x81` from ring 1 through an interrupt gate: reflected by the host"),
    ("trap_rom", "`int $0x80` through an interrupt gate: the CPU delivers it to the ROM stub, no world switch"),
    ("trap_direct", "`int $0x80` through a trap gate: delivered by the CPU, no world switch"),
    ("syscall_user", "`int $0x80` from ring 3, direct trap gate (the bracket may round it below native)"),
    ("syscall_user_rom", "the same through an interrupt gate, as Linux 4.9 installs it: the ROM stub"),
    ("pagefault_demand", "first touch of a page the guest mapped: a hidden fault the host fills"),
    ("pagefault_guest", "first touch from ring 3 of an unmapped page: the Switcher's walker delivers the fault, the guest maps it and reports it (`SET_PTE`)"),
    ("pagefault_switches", "world switches per guest-handled fault from ring 3 (the least round of 64): the `SET_PTE` alone"),
    ("process_switch_cached", "`NEW_PGTABLE` to a cached shadow directory, four pages touched"),
    ("process_switch_uncached", "the same, cycling through 9 directories: every shadow refilled"),
    ("virq_latency", "enabling the virtual IF with a timer IRQ pending, to its handler"),
    ("timer_lateness", "a 100 µs one-shot, halted meanwhile: deadline to handler (instructions = ns)"),
    ("cpu_bound_ratio", "the same 16 M instructions of work in a guest over natively"),
    ("guest_switch", None),
    ("fair_share_error_percent", None),
    ("boot_to_first_guest", "first C instruction to the first guest instruction, the native measurements left out: the 200 µs PIT window for the TSC, ACPI, the page tables, and clearing the 8 MiB guest"),
    ("memory_per_guest", "bytes admission reserves for a guest beyond its RAM: its structure, regs, state and ROM pages, two guard frames and its shadow-frame budget (64 frames + 1 per 256 KiB of `mem=`)"),
    ("net_fps_64", "64-byte frames the switch carries per virtual second between two SDK guests (udp_echo and netbench, 16 in flight, both ways)"),
    ("net_fps_1500", "the same with 1500-byte frames"),
    ("net_rtt_64", "a 64-byte frame's round trip between two SDK guests, in instructions; the native column is one 64-byte console hypercall of the same guest"),
    ("net_rtt_1500", "the same with a 1500-byte frame"),
    ("net_copy_per_byte", "instructions per byte one way (three copies: into the sender's buffer, the switch's, out of the receiver's), from the two round trips"),
    ("host_irq_off_max", "the host's longest stretch with interrupts off beside the security catalogue's storms (`benchirqoff`); the bound docs/design.md states is 100 000"),
]


def fmt_number(v):
    """A figure as the page prints it: millions as "33.6 M", others as is."""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e6:
        v = int(v)
    if isinstance(v, (int, float)) and abs(v) >= 1e6:
        return f"{v / 1e6:.1f} M"
    return f"{v:g}" if isinstance(v, float) else str(v)


def fmt_ratio(ratio):
    return "–" if ratio is None else (f"{ratio:.0f}x" if ratio >= 10 else f"{ratio:.1f}x")


def render_blocks(res):
    """{block name: its Markdown} for docs/benchmarks.md, from results."""
    by = {r["name"]: r for r in res}

    def v(name):
        return fmt_number(by[name]["value"])

    rows = ["| figure | Ringvisor | native | ratio | what it is |",
            "|---|---:|---:|---:|---|"]
    for name, what in TABLE_ROWS:
        if name == "guest_switch":
            sw = [by[f"guest_switch_{n}"]["value"] for n in SWITCH_COUNTS]
            rows.append(f"| `guest_switch_{SWITCH_COUNTS[0]}` .. `_{SWITCH_COUNTS[-1]}` | "
                        f"{min(sw)} .. {max(sw)} | – | – | slice end to the next slice's "
                        f"first guest instruction, least to most over {SWITCH_COUNTS[0]} "
                        f"to {SWITCH_COUNTS[-1]} guests |")
            continue
        r = by[name]
        if name == "fair_share_error_percent":
            got = " / ".join(f"{by[f'fair_share_w{w}']['value']:.2f}" for w in WEIGHTS)
            want = " / ".join(f"{by[f'fair_share_w{w}']['native']:.2f}" for w in WEIGHTS)
            what = f"weights 1:2:4 over 350 ms: shares {got} % for {want}"
        native = "–" if r["native"] is None else fmt_number(r["native"])
        rows.append(f"| `{name}` | {v(name)} | {native} | {fmt_ratio(r['ratio'])} | {what} |")

    nat = by["syscall_user"]["native"]
    rom = by["syscall_user_rom"]["value"]
    direct = ("no more than natively" if by["syscall_user"]["value"] <= nat
              else f"{fmt_ratio(by['syscall_user']['ratio'])} native")
    ls, lp = LGUEST_SYSCALL, LGUEST_PAGEFAULT
    comparison = [
        "| operation | lguest (native → guest) | Ringvisor |",
        "|---|---|---|",
        f"| system call | {ls[0]} → {ls[1]} ({ls[1] / ls[0]:.1f}x): every `int 0x80` "
        f"reflected through the host | direct trap gate: {v('syscall_user')} vs {nat} "
        f"native; an interrupt gate as Linux 4.9 installs it, through the ROM "
        f"stub: {rom} |",
        f"| page fault | {lp[0]} → {lp[1]} ({lp[1] / lp[0]:.1f}x) | hidden (shadow) fault "
        f"{v('pagefault_demand')}; guest-handled with `SET_PTE` {v('pagefault_guest')}, "
        f"{v('pagefault_switches')} world switches |",
        f"| CPU-bound | {LGUEST_CPU_BOUND}x | {v('cpu_bound_ratio')}x |",
        "",
        textwrap.fill(
            f"Xen PV is {XEN_PV_SYSCALL}x native on system calls and {XEN_PV_PAGEFAULT}x "
            f"on page faults. A guest that installs its system-call vector as a trap "
            f"gate pays {direct} on Ringvisor ({v('syscall_user')} against "
            f"{nat} instructions); one that follows Linux 4.9 (an interrupt gate) pays "
            f"{rom}: the ROM stub moves the virtual IF into the frame and jumps to "
            f"the handler, with no world switch. Reflection through the host, which "
            f"other vectors still take, costs {v('trap_reflected')} from ring 1, most of "
            f"it the two world switches (a {v('hypercall_floor')}-instruction floor), the "
            f"stack walk and the run loop.", WRAP),
    ]
    where = [textwrap.fill(
        f"A null hypercall costs {v('hypercall_null')} instructions; "
        f"{v('hypercall_floor')} of them are the bare Switcher round trip, both ways "
        "(`hypercall_floor`, the host's rdtsc pair included), and the rest the run "
        "loop's fast path (`core/run.c`): the call, inline from `hcall/sync.h` with "
        "its arguments read in place; the interrupt window; and the tests that "
        "nothing else is due before the same guest is entered again "
        "(`need_resched`, its state and pending interrupts, device work, the stack "
        "pin, the sanitiser's fast path).", WRAP)]
    return {"figures": "\n".join(rows), "comparison": "\n".join(comparison),
            "where": "\n".join(where), "linux": render_linux(by)}


# The Linux table: each row's figure, what it is, lguest's native -> guest
# (or its note), Xen PV's ratio and the target, from the issue "Faster than
# Xen on the same Linux" (lguest and Xen measured under the same -icount QEMU).
LINUX_ROWS = [
    ("linux_null_syscall", "null system call (`int $0x80` getppid)",
     f"{LGUEST_SYSCALL[0]} → {LGUEST_SYSCALL[1]} ({LGUEST_SYSCALL[1] / LGUEST_SYSCALL[0]:.1f}x)",
     f"{XEN_PV_SYSCALL}x", "≤ 1.1x"),
    ("linux_page_fault", "first write to an anonymous page",
     f"{LGUEST_PAGEFAULT[0]} → {LGUEST_PAGEFAULT[1]} "
     f"({LGUEST_PAGEFAULT[1] / LGUEST_PAGEFAULT[0]:.1f}x)", f"{XEN_PV_PAGEFAULT}x", "≤ 1.5x"),
    ("linux_pipe_roundtrip", "pipe ping-pong round trip, 2 processes",
     f"{LGUEST_PIPE[0]} → {LGUEST_PIPE[1]} ({LGUEST_PIPE[1] / LGUEST_PIPE[0]:.1f}x)",
     f"{XEN_PV_PIPE}x", "≤ 1.5x"),
    ("linux_cpu_work", "CPU-bound loop", f"{LGUEST_CPU_BOUND}x", f"{XEN_PV_CPU_BOUND}x",
     "≤ 1.001x"),
    ("linux_boot_to_init", "QEMU start → `/init` (64 MiB), both from the bzImage",
     "–", "–", "–"),
    ("linux_boot_to_init_vmlinux", "the same, the guest from the vmlinux: no decompressor",
     f"kernel start → `/init`: {LGUEST_BOOT_TO_INIT}", "–", "≤ 150 M"),
    ("linux_context_switch", "context switch through a pipe (lmbench, 2 processes)", "–", "–", "–"),
    ("linux_pipe_local", "pipe write and read in one process", "–", "–", "–"),
    ("linux_fork_exit", "fork + exit", "–", "–", "–"),
    ("linux_fork_exec", "fork + exec", "–", "–", "–"),
    ("linux_mmap_munmap_1m", "`mmap` + `munmap` of 1 MiB", "–", "–", "–"),
]


def render_linux(by):
    """The linux block: make bench-linux's figures beside lguest's and Xen's."""
    if not any(is_linux_row(r) for r in by.values()):
        return "Not measured yet: `make bench-linux LINUX=...` fills this block."
    rows = ["| operation | native | Ringvisor | ratio | lguest (native → guest) | Xen PV | target |",
            "|---|---:|---:|---:|---|---:|---|"]
    for name, what, lguest, xen, target in LINUX_ROWS:
        r = by.get(name)
        if not r:
            continue  # the vmlinux boot, when the kernel came without one
        ratio = (f"{r['ratio']:.5f}x" if name == "linux_cpu_work" else fmt_ratio(r["ratio"]))
        native = "–" if r["native"] is None else fmt_number(r["native"])
        rows.append(f"| {what} | {native} | {fmt_number(r['value'])} | "
                    f"{ratio} | {lguest} | {xen} | {target} |")
    rows += ["", textwrap.fill(
        f"Over the whole run (boot and benchmark) Ringvisor emulated "
        f"{fmt_number(by['linux_emulated']['value'])} instructions for the guest "
        "(`linux_emulated`: port I/O, `cli`, device memory).", WRAP)]
    return "\n".join(rows)


def block_pattern(name):
    """A generated block in the page: its two marker lines and the lines
    between them (none in an empty block)."""
    return re.compile(rf"(<!-- bench: {name} -->\n)(?:.*?\n)?(<!-- /bench: {name} -->)", re.S)


def doc_blocks(text):
    """{name: content} of every generated block in the page's text."""
    return {m[1]: (m[2] or "").rstrip("\n") for m in re.finditer(
        r"<!-- bench: (\w+) -->\n(.*?\n)?<!-- /bench: \1 -->", text, re.S)}


def render_doc(res, doc=DOC):
    """Rewrites the page's generated blocks from res; each must be there."""
    text = doc.read_text()
    for name, body in render_blocks(res).items():
        text, n = block_pattern(name).subn(lambda m: m[1] + body + "\n" + m[2], text)
        if n != 1:
            sys.exit(f"bench: {doc} has {n} blocks '{name}', not 1")
    doc.write_text(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=str(ROOT / "build"))
    ap.add_argument("--no-plots", action="store_true")
    ap.add_argument("--publish", action="store_true",
                    help="also write docs/bench-results.json and the page's figures")
    ap.add_argument("--render-doc", action="store_true",
                    help="only rewrite the page from docs/bench-results.json")
    args = ap.parse_args()
    if args.render_doc:
        render_doc(json.loads(DOC_RESULTS.read_text()))
        print(f"written: {DOC}")
        return
    build = Path(args.build)
    res, extra = collect(build)
    merge_results(build / "bench" / "results.json", res, lambda r: not is_linux_row(r))
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
    if args.publish:
        merge_results(DOC_RESULTS, res, lambda r: not is_linux_row(r))
        render_doc(json.loads(DOC_RESULTS.read_text()))
        print(f"written: {DOC_RESULTS} and the figures in {DOC}")


if __name__ == "__main__":
    main()
