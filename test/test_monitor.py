"""The monitor (docs/console.md, "The monitor"): every command driven
through COM2 (monitor=com2) and its effect checked on the machine, and the
ringvisor> prompt on the console itself."""
import re
import time

import pytest

import rvqemu
from rvqemu import SerialConsole, clean_poweroff

G = rvqemu.BUILD / "guests"
HV = "exit=qemu monitor=com2"
ESC = "\x1d"                    # Ctrl-]: opens the prompt


def rows(reply):
    """{name: {key: value}} from list's "guest k=v ..." lines; reason= is
    last and runs to the end of the line."""
    out = {}
    for line in reply:
        if not line.startswith("guest "):
            continue
        head, _, reason = line.partition(" reason=")
        kv = dict(w.split("=", 1) for w in head.split()[1:])
        kv["reason"] = reason
        out[kv["name"]] = kv
    return out


def screen(s):
    """The console as a terminal shows it: each "\r ESC[K" (the prompt
    erased before other output) wipes its line so far."""
    return re.sub(r"[^\n]*\r\x1b\[K", "", s.text)


def wait_screen(s, pattern):
    deadline = time.monotonic() + 20
    while not re.search(pattern, screen(s), re.M):
        assert time.monotonic() < deadline, f"/{pattern}/ never appeared:\n{screen(s)}"
        s._read()


def kv(line):
    return dict(w.split("=", 1) for w in line.split()[1:] if "=" in w)


def ticks(s, name):
    return [int(n) for n in re.findall(rf"^\[{name}\] tick (\d+) loops", screen(s), re.M)]


def wait_ticks(s, name, more, since=None):
    """Wait until `name` printed `more` ticks beyond `since` (default: now)."""
    base = len(ticks(s, name)) if since is None else since
    deadline = time.monotonic() + 20
    while len(ticks(s, name)) < base + more:
        assert time.monotonic() < deadline, s.text
        s._read()


def two_tickers(name, extra=()):
    mods = [(G / "ticker.elf", "name=t1 -- 100"), (G / "ticker.elf", "name=t2 -- 100")]
    return SerialConsole(name, mods + list(extra), append=HV, com2=True, timeout=90)


def test_pause_stops_progress_and_unpause_resumes_it():
    with two_tickers("monitor_pause") as s:
        wait_ticks(s, "t1", 2)
        r = s.command("pause t1")
        assert r == ["ok cmd=pause guest=t1"], r
        assert rows(s.command("list"))["t1"]["state"] == "paused"
        paused_at = len(ticks(s, "t1"))
        wait_ticks(s, "t2", 8)              # 0.8 s of t2's progress
        # At most the tick it was printing when the pause came.
        assert len(ticks(s, "t1")) <= paused_at + 1, s.text
        assert s.command("pause t1")[-1].startswith("error msg=guest t1 is already paused")
        assert s.command("unpause t1") == ["ok cmd=unpause guest=t1"]
        wait_ticks(s, "t1", 3, since=paused_at + 1)
        assert rows(s.command("list"))["t1"]["state"] == "running"
        assert s.command("unpause t1")[-1] == "error msg=guest t1 is not paused"


def test_kill_frees_frames_and_the_scan_agrees():
    with two_tickers("monitor_kill") as s:
        wait_ticks(s, "t2", 1)
        mem = s.command("mem")
        before = kv(mem[0])
        held = {kv(l)["guest"]: int(kv(l)["frames"]) for l in mem if l.startswith("mem guest=")}
        assert s.command("kill t2") == ["ok cmd=kill guest=t2"]
        deadline = time.monotonic() + 10
        while rows(s.command("list"))["t2"]["state"] != "killed":
            assert time.monotonic() < deadline
        after = kv(s.command("mem")[0])
        assert int(after["frames_free"]) == int(before["frames_free"]) + held["t2"], (before, after)
        assert after["frames_free"] == after["frames_scan"], after
        s.wait_for(r"^ringvisor: error: guest t2 killed: killed from the monitor$")
        assert s.command("kill t2")[-1] == "error msg=guest t2 has ended"
        assert s.command("kill t1") == ["ok cmd=kill guest=t1"]
        assert s.finish() == rvqemu.STATUS_PASS, s.text
    # Killed from the monitor: no on_crash=, and the verdict does not count it.
    assert re.search(r"^ringvisor: t2 +killed .* killed from the monitor$", s.text, re.M), s.text
    assert not re.search(r"not as expected", s.text), s.text


def test_pause_and_kill_stop_a_hypercall_storm():
    """A guest that does nothing but synchronous hypercalls is entered again
    straight after each one (core/run.c), never going back to the
    scheduler's loop within its slice: the monitor's pause and kill must
    still hold it at once, and the tickers must keep ticking meanwhile."""
    storm = (G / "sec_storm.elf", "name=storm -- hcall")
    with two_tickers("monitor_hcall_storm", extra=[storm]) as s:
        wait_ticks(s, "t1", 1)
        calls = int(rows(s.command("list"))["storm"]["hypercalls"])
        assert calls > 0
        assert s.command("pause storm") == ["ok cmd=pause guest=storm"]
        paused = rows(s.command("list"))["storm"]
        assert paused["state"] == "paused", paused
        wait_ticks(s, "t1", 2)
        assert rows(s.command("list"))["storm"]["hypercalls"] == paused["hypercalls"]
        assert s.command("unpause storm") == ["ok cmd=unpause guest=storm"]
        wait_ticks(s, "t2", 1)
        assert int(rows(s.command("list"))["storm"]["hypercalls"]) > int(paused["hypercalls"])
        assert s.command("kill storm") == ["ok cmd=kill guest=storm"]
        assert rows(s.command("list"))["storm"]["state"] == "killed"
        s.wait_for(r"^ringvisor: error: guest storm killed: killed from the monitor$")
        wait_ticks(s, "t1", 1)
        s.command("kill t1")
        s.command("kill t2")
        assert s.finish() == rvqemu.STATUS_PASS, s.text


def test_restart_and_kill_ignore_the_policy():
    mods = [(G / "ticker.elf", "name=phoenix on_crash=restart on_exit=restart restarts=5 -- 100")]
    with SerialConsole("monitor_kill_policy", mods, append=HV, com2=True, timeout=60) as s:
        wait_ticks(s, "phoenix", 1)
        assert s.command("restart phoenix") == ["ok cmd=restart guest=phoenix"]
        s.wait_for(r"^ringvisor: guest phoenix: restarting, as the monitor asked$")
        deadline = time.monotonic() + 10
        while True:
            r = rows(s.command("list"))["phoenix"]
            if r["state"] == "running" and r["restarts"] == "1":
                break
            assert time.monotonic() < deadline, r
        assert r["reason"] == "restarted from the monitor", r
        assert s.command("kill phoenix") == ["ok cmd=kill guest=phoenix"]
        assert s.finish() == rvqemu.STATUS_PASS, s.text
    assert "restarting (" not in s.text, s.text     # on_crash= did not apply


def test_restart_brings_back_an_ended_guest():
    with two_tickers("monitor_revive") as s:
        wait_ticks(s, "t2", 1)
        assert s.command("kill t2") == ["ok cmd=kill guest=t2"]
        s.wait_for(r"guest t2 killed: killed from the monitor")
        deadline = time.monotonic() + 10
        while rows(s.command("list"))["t2"]["state"] != "killed":   # its memory back
            assert time.monotonic() < deadline
        free = int(kv(s.command("mem")[0])["frames_free"])
        assert s.command("restart t2") == ["ok cmd=restart guest=t2"]
        s.wait_for(r"^ringvisor: guest t2: restarting, as the monitor asked$")
        before = len(ticks(s, "t2"))
        wait_ticks(s, "t2", 2, since=before)
        r = rows(s.command("list"))["t2"]
        assert r["state"] == "running" and r["restarts"] == "1", r
        assert r["reason"] == "killed from the monitor", r
        assert int(kv(s.command("mem")[0])["frames_free"]) < free
        s.command("kill t1")
        s.command("kill t2")
        assert s.finish() == rvqemu.STATUS_PASS, s.text
    # Once for each life: the oracle checked the frames both times.
    assert len(re.findall(r"^ringvisor: error: guest t2 killed", s.text, re.M)) == 2
    assert re.search(r"^ringvisor: t2 +killed .* 1 +\d+  killed from the monitor$", s.text,
                     re.M), s.text


def test_set_weight_changes_the_shares():
    with two_tickers("monitor_set") as s:
        wait_ticks(s, "t1", 2)
        # Sampling starts with the monitor's first use: no figure yet.
        assert rows(s.command("list"))["t1"]["cpu_recent"] == "-"
        time.sleep(2.2)                     # then a whole sampling period at 1:1
        r = rows(s.command("list"))
        even = float(r["t1"]["cpu_recent"]), float(r["t2"]["cpu_recent"])
        assert abs(even[0] - even[1]) < 15, r
        assert s.command("set t2 weight=300") == ["ok cmd=set guest=t2 weight=300 cap=0"]
        assert rows(s.command("list"))["t2"]["weight"] == "300"
        time.sleep(2.3)                     # then a whole period at 1:3
        r = rows(s.command("list"))
        t1, t2 = float(r["t1"]["cpu_recent"]), float(r["t2"]["cpu_recent"])
        share = t2 / (t1 + t2)
        assert 0.65 <= share <= 0.85, r
        # Bad values change nothing.
        for bad in ("set t2 weight=0", "set t2 weight=5000", "set t2 cap=101",
                    "set t2 speed=3", "set t2"):
            assert s.command(bad)[-1].startswith("error msg="), bad
        assert s.command("set t1 cap=20") == ["ok cmd=set guest=t1 weight=100 cap=20"]
        time.sleep(2.3)
        r = rows(s.command("list"))
        assert float(r["t1"]["cpu_recent"]) <= 22, r


def test_console_routes_typed_input():
    mods = [(G / "conecho.elf", "name=alpha"), (G / "conecho.elf", "name=alphabet"),
            (G / "conecho.elf", "name=beta")]
    with SerialConsole("monitor_console", mods, append=HV, com2=True, timeout=60) as s:
        s.wait_for(r"^\[beta\] conecho ready")
        assert s.command("console beta") == ["ok cmd=console guest=beta"]
        s.type("to beta\r")
        s.wait_for(r"^\[beta\] got: to beta$")
        # An exact name wins over the prefix of another.
        assert s.command("console alpha") == ["ok cmd=console guest=alpha"]
        s.type("to alpha\r")
        s.wait_for(r"^\[alpha\] got: to alpha$")
        assert s.command("console alphab") == ["ok cmd=console guest=alphabet"]
        s.type("quit\r")
        s.wait_for(r"^\[alphabet\] got: quit$")
        assert s.command("console al")[-1] == \
            'error msg="al" names 2 guests; give more of the name'
        assert s.command("console zed")[-1] == \
            'error msg=no guest is named "zed"; list shows them'
        assert not s.has(r"^\[beta\] got: to alpha") and not s.has(r"^\[alpha\] got: to beta")


def test_list_top_trace_mem_help():
    with two_tickers("monitor_list") as s:
        wait_ticks(s, "t1", 2)
        r = s.command("list")
        assert r[-1] == "ok cmd=list guests=2", r
        t1 = rows(r)["t1"]
        for key in ("name", "state", "weight", "cap", "cpu_recent", "cpu_total", "mem_kib", "shadow",
                    "switches", "hypercalls", "faults", "net_out", "net_in", "restarts",
                    "reason"):
            assert key in t1, t1
        assert t1["mem_kib"] == "8192" and int(t1["switches"]) > 0, t1
        assert t1["net_out"] == t1["net_in"] == "-", t1        # no net= port

        s.com2.sendall(b"top\n")
        deadline = time.monotonic() + 20
        while s.com2_raw.count(b"top refresh=") < 2:
            assert time.monotonic() < deadline, s.com2_raw
            time.sleep(0.05)
        r = s.command("", raw=b"\n")
        assert r[-1].startswith("ok cmd=top refreshes="), r
        assert int(kv(r[-1])["refreshes"]) >= 2

        assert s.command("trace on") == ["ok cmd=trace tracing=on"]
        time.sleep(0.5)
        assert s.command("trace off") == ["ok cmd=trace tracing=off"]
        r = s.command("trace dump")
        entries = [kv(l) for l in r if l.startswith("trace ")]
        assert len(entries) == int(kv(r[-1])["entries"]) > 5, r
        assert {e["guest"] for e in entries} == {"t1", "t2"}, r
        times = [int(e["t_us"]) for e in entries]
        assert times == sorted(times), times

        r = s.command("mem")
        assert r[-1] == "ok cmd=mem"
        m = kv(r[0])
        assert m["frames_free"] == m["frames_scan"] and int(m["heap_bytes"]) > 0, r
        assert len([l for l in r if l.startswith("mem guest=")]) == 2, r

        r = s.command("help")
        names = [kv(l)["command"] for l in r if l.startswith("help ")]
        for c in ("list", "top", "console", "pause", "unpause", "kill", "restart", "set",
                  "trace", "mem", "shutdown"):
            assert c in names, names


def test_bad_input_gets_one_line_and_changes_nothing():
    with two_tickers("monitor_bad_input") as s:
        wait_ticks(s, "t1", 1)
        before = {n: r["state"] for n, r in rows(s.command("list")).items()}
        cases = [
            (b"pause t1" + b"x" * 300 + b"\n", "error msg=line too long"),
            (b"pause \x80t1\n", "error msg=byte 0x80 is not text"),
            (b"kill\x00 t1\n", "error msg=byte 0x00 is not text"),
            (b"\x1b[Apause t1\n", "error msg=byte 0x1b is not text"),
            (b"frobnicate t1\n", 'error msg=unknown command "frobnicate"'),
            (b"pause\n", "error msg=usage: pause NAME"),
            (b"kill t1 t2\n", "error msg=usage: kill NAME"),
            (b"a b c d e f g h i\n", "error msg=more than 8 words"),
            (b"kill nosuch\n", 'error msg=no guest is named "nosuch"'),
            (b"trace sideways\n", "error msg=trace takes on, off or dump"),
        ]
        for raw, want in cases:
            r = s.command(None, raw=raw)
            assert len(r) == 1 and r[0].startswith(want), (raw, r)
        after = {n: r["state"] for n, r in rows(s.command("list")).items()}
        assert before == after == {"t1": "running", "t2": "running"}, (before, after)
        # Editing: DEL and Ctrl-U take bytes back before Enter.
        assert s.command(None, raw=b"pausx\x7fe t2\n") == ["ok cmd=pause guest=t2"]
        assert s.command(None, raw=b"garbage\x15unpause t2\n") == ["ok cmd=unpause guest=t2"]


def test_shutdown_powers_off_through_acpi():
    mods = [(G / "ticker.elf", "name=t1 -- 100"),
            (G / "conecho.elf", "name=echo"),
            (G / "spin.elf", "name=deaf -- 0 irqoff forever")]
    with SerialConsole("monitor_shutdown", mods, append=HV, com2=True, timeout=60) as s:
        wait_ticks(s, "t1", 1)
        s.command("pause t1")               # a paused guest still gets the button
        r = s.command("shutdown")
        assert r == ["ok cmd=shutdown asked=3 other=0 bound_ms=2000"], r
        status = s.finish()
    assert clean_poweroff(status, s.text), s.text
    log = s.text
    assert re.search(r"^\[t1\] rv: power button pressed; exiting$", log, re.M), log
    assert re.search(r"^\[echo\] rv: power button pressed; exiting$", log, re.M), log
    # The one that cannot take the interrupt (its virtual IF stays off).
    assert re.search(r"^ringvisor: error: guest deaf killed: did not stop within 2000 ms of "
                     r"the power button \(shutdown\)$", log, re.M), log
    assert re.search(r"^ringvisor: t1 +exited +0 ", log, re.M), log
    assert log.index("ringvisor: verdict:") < log.index(rvqemu.POWEROFF_LINE)


def test_clean_poweroff_check_tells_a_triple_fault_apart():
    """The harness's own check: QEMU exits 0 both ways."""
    good = ("ringvisor: guest           state  status\nringvisor: verdict: pass: x\n"
            + rvqemu.POWEROFF_LINE + "\n")
    assert clean_poweroff(0, good)
    assert not clean_poweroff(0, good.replace(rvqemu.POWEROFF_LINE, ""))
    assert not clean_poweroff(0, good + "ringvisor: something after\n")
    assert not clean_poweroff(3, good)
    assert not clean_poweroff(0, "ringvisor: verdict: pass\n" + rvqemu.POWEROFF_LINE)


def test_prompt_on_the_console():
    mods = [(G / "conecho.elf", "name=echo")]
    with SerialConsole("monitor_prompt", mods, append="exit=qemu", timeout=60) as s:
        s.wait_for(r"^\[echo\] conecho ready")
        s.type(ESC)
        s.wait_for(r"ringvisor> $")
        s.type("list\r")
        s.wait_for(r"^ringvisor: echo +halted ")
        assert s.has(r"^ringvisor: guest +state +weight +cap% +cpu%1s +cpu% ")
        s.type("frobnicate\r")
        s.wait_for(r'^ringvisor: monitor: error: unknown command "frobnicate"; help lists them$')
        s.type("x" * 80 + "\r")
        s.wait_for(r"^ringvisor: monitor: error: line too long \(more than 64 bytes\); "
                   r"nothing done$")
        s.type("li\x01st\r")
        s.wait_for(r"^ringvisor: monitor: error: byte 0x01 is not text; nothing done$")
        s.type("pause ghost\r")
        s.wait_for(r'^ringvisor: monitor: error: no guest is named "ghost"; list shows them$')
        s.type("\r")                        # an empty line closes the prompt
        time.sleep(0.3)
        s.type("after\r")
        wait_screen(s, r"^\[echo\] got: after$")
        # Nothing typed at the prompt reached the guest.
        got = re.findall(r"^\[echo\] got: (.*)$", screen(s), re.M)
        assert got == ["after"], got
        # Ctrl-] twice: the second, at an empty prompt, goes to the guest.
        s.type(ESC + ESC + "z\r")
        wait_screen(s, r"^\[echo\] got: \^\]z$")
        s.type(ESC)
        s.wait_for(r"ringvisor> $")
        s.type("kill echo\r")
        assert s.finish() == rvqemu.STATUS_PASS, s.text
    assert s.has(r"^ringvisor: error: guest echo killed: killed from the monitor$")
    # The prompt left the screen before the end-of-run report.
    tail = s.text[s.text.index("ringvisor: guest           state  status"):]
    assert "ringvisor> " not in tail, tail


def test_guests_run_while_the_prompt_is_open():
    """Lines print whole above the prompt, which is drawn again below each,
    with what was typed; the guests are not held up by it."""
    mods = [(G / "conecho.elf", "name=echo"), (G / "ticker.elf", "name=tk -- 50")]
    with SerialConsole("monitor_prompt_redraw", mods, append="exit=qemu", timeout=60) as s:
        wait_screen(s, r"^\[tk\] tick 2 ")
        s.type(ESC + "pau")
        s.wait_for(r"ringvisor> pau$")
        opened = len(ticks(s, "tk"))
        wait_ticks(s, "tk", 10, since=opened)     # half a second with the prompt open
        # Each tick's line came whole, after the prompt was erased, and the
        # prompt with the typed text came back after it.
        raw = s.text[s.text.index("ringvisor> pau"):]
        erased = re.findall(r"ringvisor> pau\r\x1b\[K\[tk\] tick (\d+) loops \d+\n", raw)
        assert len(erased) >= 10, raw
        assert re.search(r"\x1b\[K\[tk\] tick \d+ loops \d+\nringvisor> pau\r\x1b\[K", raw), raw
        s.type("se tk\r")
        wait_screen(s, r"^ringvisor: monitor: guest tk paused: it is not scheduled")
        s.type(ESC)                         # close; ESC at an empty prompt...
        time.sleep(0.3)
        s.type("typed\r")                   # ...sent one Ctrl-] to echo first
        wait_screen(s, r"^\[echo\] got: \^\]typed$")
        paused = len(ticks(s, "tk"))
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            s._read()
        assert len(ticks(s, "tk")) <= paused + 1
        s.type(ESC + "kill tk\r")
        wait_screen(s, r"guest tk killed: killed from the monitor")
        s.type("kill echo\r")
        assert s.finish() == rvqemu.STATUS_PASS, s.text


def test_com2_commands_wait_their_turn():
    with two_tickers("monitor_pipeline") as s:
        wait_ticks(s, "t1", 1)
        s.com2.sendall(b"list\nmem\npause t1\nunpause t1\n")
        assert s.command(None, raw=b"")[-1] == "ok cmd=list guests=2"
        assert s.command(None, raw=b"")[-1] == "ok cmd=mem"
        assert s.command(None, raw=b"") == ["ok cmd=pause guest=t1"]
        assert s.command(None, raw=b"") == ["ok cmd=unpause guest=t1"]


def test_monitor_com2_is_off_by_default():
    mods = [(G / "ticker.elf", "name=t1 -- 100 3")]
    b = rvqemu.boot("monitor_off", append="exit=qemu", modules=mods).expect_pass()
    assert not b.has(r"monitor: commands on COM2"), b.describe()
    b = rvqemu.boot("monitor_no_com2", append="exit=qemu monitor=com2",
                    modules=mods).expect_pass()
    b.require(r"^ringvisor: warning: monitor=com2: no UART at COM2; the monitor is on the "
              r"console only$")


def test_shutdown_ends_a_linux_guest_after_the_bound():
    """A Linux guest has no power button (the lguest ABI has none): it is
    killed after the stated bound, with that reason, and the run still
    ends in a clean power-off. Skipped without LINUX= (test_linux.py)."""
    import test_linux as tl
    if tl.why_skip():
        pytest.skip(tl.why_skip())
    mods = tl.linux("lx") + [(G / "ticker.elf", "name=t1 -- 500")]
    with SerialConsole("monitor_shutdown_linux", mods, append=HV, com2=True,
                       timeout=tl.BOOT_S + 60, mem=256) as s:
        tl.ask(s, "lx", "echo up", "up")
        assert rows(s.command("list"))["lx"]["state"] in ("running", "halted")
        r = s.command("shutdown")
        assert r == ["ok cmd=shutdown asked=1 other=1 bound_ms=2000"], r
        status = s.finish()
    assert clean_poweroff(status, s.text), s.text[-3000:]
    assert re.search(r"^ringvisor: error: guest lx killed: shutdown: no power button to press "
                     r"\(the lguest ABI has none\); ended after 2000 ms$", s.text, re.M), s.text
    assert re.search(r"^\[t1\] rv: power button pressed; exiting$", s.text, re.M)
    assert re.search(r"^ringvisor: verdict: pass", s.text, re.M), s.text[-3000:]


def test_keyboard_opens_the_prompt():
    """Ctrl-] on the PS/2 keyboard (QEMU's sendkey) opens the prompt too;
    what is typed there goes to the monitor, not the guest."""
    m = rvqemu.Monitor("monitor_keyboard", timeout=60, append="exit=qemu",
                       modules=[(G / "conecho.elf", "name=echo")])

    def keys(*names):
        for k in names:
            r = m.hmp(f"sendkey {k}")
            assert "error" not in r, r

    try:
        m.wait_for(r"^\[echo\] conecho ready$")
        keys("ctrl-bracket_right")
        m.wait_for(r"ringvisor> ")
        keys("l", "i", "s", "t", "ret")
        m.wait_for(r"^ringvisor: echo +halted ")
        keys("k", "i", "l", "l", "spc", "e", "c", "h", "o", "ret")
        status = m.proc.wait(timeout=30)
        log = m.serial()
        assert status == rvqemu.STATUS_PASS, f"exit status {status}; log:\n{log}"
        assert re.search(r"^ringvisor: error: guest echo killed: killed from the monitor$",
                         log, re.M), log
        assert "got:" not in log, log
    finally:
        m.close()


def test_list_shows_the_switch_counters():
    """The net= guests' frames on the switch (docs/network.md) are list
    columns too, equal to the end-of-run table's."""
    mods = [(G / "udp_echo.elf", "name=echo net=lan"),
            (G / "udp_client.elf", "name=client net=lan -- 200 4 7"),
            (G / "ticker.elf", "name=t1 -- 100")]
    with SerialConsole("monitor_net", mods, append=HV, com2=True, timeout=120) as s:
        s.wait_for(r"^ringvisor: guest echo exited")
        s.wait_for(r"^ringvisor: guest client exited")
        deadline = time.monotonic() + 10
        while True:
            r = rows(s.command("list"))
            if r["echo"]["state"] == r["client"]["state"] == "exited":
                break
            assert time.monotonic() < deadline, r
        assert r["t1"]["net_out"] == r["t1"]["net_in"] == "-", r
        s.command("kill t1")
        assert s.finish() == rvqemu.STATUS_PASS, s.text
    for name in ("echo", "client"):
        m = re.search(rf"^ringvisor: net {name} +(\d+) +\d+ +(\d+) ", s.text, re.M)
        assert m, s.text
        assert (r[name]["net_out"], r[name]["net_in"]) == (m[1], m[2]), (r[name], m[0])
        assert int(m[1]) >= 200, m[0]
