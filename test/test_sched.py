"""The scheduler, virtual time and lifecycle, under -icount shift=0,sleep=off
so that shares, caps and lateness are exact, repeatable figures."""
import re


import rvqemu
from rvqemu import STATUS_REFUSED, boot

G = rvqemu.BUILD / "guests"
ICOUNT = "shift=0,sleep=off"
HV = "exit=qemu"

# docs/scheduler.md: a woken guest with credit left preempts the running
# one, so a timer is late by at most this much.
TIMER_LATENESS_BOUND_US = 100


def summary(b):
    """{name: (state, status, cpu_us, restarts)} from the end-of-run table."""
    rows = {}
    for m in re.finditer(r"^ringvisor: (\S+)\s+(exited|killed|gone)\s+(-?\d+|-)\s+(\d+|-)"
                         r"\s+\S+\s+\S+\s+\S+\s+(\d+)", b.log, re.M):
        rows[m[1]] = (m[2], m[3], int(m[4]) if m[4] != "-" else None, int(m[5]))
    return rows


def test_weighted_fairness():
    mods = [(G / "spin.elf", f"name=w{w} weight={w * 100} -- 350") for w in (1, 2, 4)]
    b = boot("sched_fair", append=HV + " timeslice=1ms", modules=mods, icount=ICOUNT,
             timeout=60).expect_pass()
    rows = summary(b)
    cpu = {w: rows[f"w{w}"][2] for w in (1, 2, 4)}
    total = sum(cpu.values())
    for w in (1, 2, 4):
        share = cpu[w] / total
        assert abs(share - w / 7) < 0.03, (cpu, b.describe())


def test_cap_holds():
    """Alone, a guest with cap=20 gets no more than 20% of each window."""
    b = boot("sched_cap", append=HV, icount=ICOUNT, timeout=60,
             modules=[(G / "spin.elf", "name=capped cap=20 -- 500")]).expect_pass()
    cpu_ms = summary(b)["capped"][2] / 1000
    # 500 ms is five 100 ms windows: at most 20 ms in each.
    assert 90 <= cpu_ms <= 101, b.describe()


def test_idle_guest_uses_no_cpu_and_wakes_on_time():
    mods = [(G / "sleeper.elf", "name=idle -- 10 20000"),
            (G / "spin.elf", "name=hog -- 250")]
    b = boot("sched_idle", append=HV, modules=mods, icount=ICOUNT, timeout=60).expect_pass()
    rows = summary(b)
    assert rows["idle"][2] < 2000, b.describe()      # < 1% of its 200 ms
    late = int(b.lines(r"\[idle\] timer: .* latest (\d+) us late")[0])
    assert late <= TIMER_LATENESS_BOUND_US, b.describe()


def test_many_timers_on_time():
    mods = [(G / "sleeper.elf", f"name=s{i} -- 20 {500 + 100 * i}") for i in range(8)]
    mods += [(G / "spin.elf", f"name=hog{i} -- 200") for i in range(2)]
    b = boot("sched_timers", append=HV, modules=mods, icount=ICOUNT, timeout=60).expect_pass()
    lates = [int(x) for x in b.lines(r"\[s\d\] timer: .* latest (\d+) us late")]
    assert len(lates) == 8 and max(lates) <= TIMER_LATENESS_BOUND_US, b.describe()


def bystander_lines(b):
    return [l for l in b.log.split("\n") if l.startswith("[bystander]")]


def test_faulty_guests_do_not_disturb_others():
    solo = boot("sched_bystander_solo", append=HV, icount=ICOUNT,
                modules=[(G / "bystander.elf", "name=bystander")]).expect_pass()
    mods = [(G / "bystander.elf", "name=bystander"),
            (G / "crash.elf", "name=crasher expect=killed"),
            (G / "spin.elf", "name=looper cpu_limit=40ms expect=killed -- 0 forever"),
            (G / "spin.elf", "name=irqoff cpu_limit=40ms expect=killed -- 0 irqoff forever")]
    b = boot("sched_bystander_mixed", append=HV, icount=ICOUNT, modules=mods,
             timeout=60).expect_pass()
    b.require(r"^ringvisor: error: guest crasher killed: unhandled page fault",
              r"guest looper killed: used up its cpu_limit=",
              r"guest irqoff killed: used up its cpu_limit=")
    assert bystander_lines(b) == bystander_lines(solo) and len(bystander_lines(solo)) == 20


def test_scale_64_guests():
    mods = [(G / "bystander.elf", f"name=g{i:02d} mem=2M -- 3") for i in range(64)]
    b = boot("sched_scale64", append=HV, mem=256, modules=mods, icount=ICOUNT,
             timeout=120).expect_pass()
    assert len(b.lines(r"^ringvisor: guest g\d\d exited with status 0$")) == 64, b.describe()
    for i in range(64):
        assert len(b.lines(rf"^\[g{i:02d}\] bystander line")) == 3, b.describe()


def test_restart_100_times_returns_every_frame(testmods):
    mods = [(testmods / "good.elf", "name=phoenix mem=2M on_exit=restart restarts=100")]
    b = boot("sched_restart", append=HV, modules=mods, timeout=60).expect_pass()
    b.require(r"^ringvisor: guest phoenix: restarting \(100 of 100\)")
    before = int(b.lines(r"^ringvisor: memory: (\d+) frames free before the guests start")[0])
    after, scan = map(int, b.lines(r"^ringvisor: memory: (\d+) frames free after the guests ended "
                                   r"\((\d+) by a scan\)")[0])
    assert before == after == scan, b.describe()
    assert summary(b)["phoenix"][3] == 100


def test_crash_restart_policy(testmods):
    mods = [(G / "crash.elf", "name=fragile on_crash=restart restarts=3 expect=killed")]
    b = boot("sched_crash_restart", append=HV, modules=mods, timeout=60).expect_pass()
    assert len(b.lines(r"^ringvisor: error: guest fragile killed: unhandled page fault")) == 4, b.describe()


def test_guest_that_does_not_fit_is_skipped(testmods):
    mods = [(testmods / "good.elf", "name=huge mem=512M"),
            (testmods / "good.elf", "name=small mem=2M")]
    b = boot("sched_no_fit", append=HV, mem=64, modules=mods).expect(STATUS_REFUSED)
    b.require(r"^ringvisor: error: guest huge: does not fit: 524288 KiB of guest memory, "
              r"\d+ KiB fixed and 8448 KiB of shadow budget wanted, \d+ KiB free; not started$",
              r"^ringvisor: guest small exited with status 0",
              r"^ringvisor: verdict: refused: every guest that ran ended as expected; "
              r"0 modules refused, 1 guest not started for lack of memory$")
