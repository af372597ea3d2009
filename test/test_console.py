"""The console (docs/console.md): nothing lost when guests write faster than
drain= lets out, lines never interleaved, long lines split with "[name]+",
colour on request, and input to the focused guest only, from the serial line
and from the PS/2 keyboard, with triple Ctrl-A moving the focus; a prompt
without a newline shown while its guest waits for input, and the runtime's
line discipline (echo, erase, Ctrl-U, raw mode). The test guests are
guests/contests/conflood.c, conecho.c and contty.c."""
import re
import time

import pytest

import rvqemu
from rvqemu import STATUS_PASS, boot

FLOOD = rvqemu.BUILD / "guests" / "conflood.elf"
ECHO = rvqemu.BUILD / "guests" / "conecho.elf"
TTY = rvqemu.BUILD / "guests" / "contty.elf"
LINE_MAX = 160          # CONSOLE_LINE_MAX in include/param.h


def payload(n, width):
    return "".join(chr(ord("a") + (n + i) % 26) for i in range(width))


def flood_line(tag, n, width):
    return f"{tag} {n:05d} {payload(n, width)}"


def check_stream(b, name, tag, count, width):
    """Every line of guest `name` is there, whole and in order, then the
    summary; returns the bytes the guest says it wrote."""
    got = b.lines(rf"^\[{name}\] (.*)$")
    want = [flood_line(tag, n, width) for n in range(count)]
    assert len(got) == count + 1, f"{len(got)} lines from {name}, not {count + 1}; " + b.describe()
    for n, (g, w) in enumerate(zip(got, want)):
        assert g == w, f"{name} line {n}: {g!r} is not {w!r}"
    total = sum(len(w) + 1 for w in want)
    assert got[-1] == f"{tag} done: {count} lines, {total} bytes", got[-1]
    return total


def waits(b, name):
    m = b.lines(rf"^ringvisor: console: guest {name} waited for room in the "
                r"output buffer (\d+) times$")
    return int(m[0]) if m else 0


def test_fast_writer_slow_drain_loses_nothing():
    """24 KB at 8 KB/s through a 4 KiB buffer: the guest must be blocked,
    and every byte arrives, in order, at about the rate asked for."""
    start = time.monotonic()
    b = boot("console_flood_drain", append="exit=qemu drain=8K", timeout=90,
             modules=[(FLOOD, "name=flood -- f 300 60")])
    elapsed = time.monotonic() - start
    b.expect_pass()
    total = check_stream(b, "flood", "f", 300, 60)
    assert waits(b, "flood") >= 1, b.describe()
    # Guest bytes plus the "[flood] " prefixes, at 8192 bytes per second.
    assert elapsed > 0.7 * (total + 301 * 8) / 8192, f"done in {elapsed:.1f} s"


def test_unlimited_drain_writes_through():
    b = boot("console_flood_unlimited", append="exit=qemu", timeout=60,
             modules=[(FLOOD, "name=flood -- f 300 60")])
    b.expect_pass()
    check_stream(b, "flood", "f", 300, 60)
    assert waits(b, "flood") == 0, b.describe()


@pytest.mark.parametrize("drain", ["0", "16K"])
def test_two_writers_never_interleave(drain):
    """Two guests flood at once on 1 ms slices: each line is whole, each
    guest's lines are in order, and the two streams do alternate."""
    b = boot(f"console_two_writers_{drain}", timeout=90,
             append=f"exit=qemu drain={drain} timeslice=1ms",
             modules=[(FLOOD, "name=a -- a 400 70"),
                      (FLOOD, "name=b -- b 400 70")])
    b.expect_pass()
    for line in b.log.splitlines():
        assert (line.startswith("ringvisor: ")
                or re.fullmatch(r"\[(a|b)\] \1 (\d{5} [a-z]{70}|done: .*)", line)), (
            f"a mixed or broken line: {line!r}")
    check_stream(b, "a", "a", 400, 70)
    check_stream(b, "b", "b", 400, 70)
    owners = [m for m in b.lines(r"^\[(a|b)\] ")]
    switches = sum(1 for x, y in zip(owners, owners[1:]) if x != y)
    assert switches >= 2, f"the guests never alternated ({switches} switches)"


def test_long_line_is_split_with_the_mark():
    """A 408-byte line prints as 160 + 160 + 88 bytes, the later pieces
    marked "[long]+"; a line of exactly 160 bytes prints whole."""
    b = boot("console_long_line", append="exit=qemu",
             modules=[(FLOOD, "name=long -- x 2 400"),
                      (FLOOD, "name=exact -- y 2 152")])
    b.expect_pass()
    for n in range(2):
        text = flood_line("x", n, 400)
        pieces = [text[i:i + LINE_MAX] for i in range(0, len(text), LINE_MAX)]
        assert [len(p) for p in pieces] == [160, 160, 88]
        b.require("^" + re.escape(f"[long] {pieces[0]}") + "$",
                  "^" + re.escape(f"[long]+ {pieces[1]}") + "$",
                  "^" + re.escape(f"[long]+ {pieces[2]}") + "$")
        exact = flood_line("y", n, 152)
        assert len(exact) == LINE_MAX
        b.require("^" + re.escape(f"[exact] {exact}") + "$")
    assert len(b.lines(r"^\[long\]\+ ")) == 4, b.describe()
    assert not b.has(r"^\[exact\]\+"), b.describe()


def test_color_prefixes():
    """color: each guest's "[name]" in its own colour, the text and the
    hypervisor's lines plain."""
    b = boot("console_color", append="exit=qemu color",
             modules=[(FLOOD, "name=a -- a 2 10"), (FLOOD, "name=b -- b 2 10")])
    b.expect_pass()
    a = b.lines(r"^\x1b\[(\d+)m\[a\]\x1b\[0m a 00000 ")
    bb = b.lines(r"^\x1b\[(\d+)m\[b\]\x1b\[0m b 00000 ")
    assert a and bb and a[0] != bb[0], b.describe()
    for line in b.log.splitlines():
        if line.startswith("ringvisor"):
            assert "\x1b" not in line, line


# --- input ---------------------------------------------------------------


def test_serial_input_goes_to_the_focused_guest():
    con = rvqemu.SerialConsole("console_serial_focus",
                       [(ECHO, "name=a"), (ECHO, "name=b")])
    try:
        con.wait_for(r"^\[a\] conecho ready$")
        con.wait_for(r"^\[b\] conecho ready$")
        # The first guest has the focus; a lone or double Ctrl-A is input.
        con.type("hello-a\r")
        con.wait_for(r"^\[a\] got: hello-a$")
        con.type("\x01\x01z\r")
        con.wait_for(r"^\[a\] got: \^A\^Az$")
        # Triple Ctrl-A: the focus moves on, and the hypervisor says so.
        con.type("\x01\x01\x01")
        con.wait_for(r"^ringvisor: console: input now goes to b$")
        con.type("hello-b\n")
        con.wait_for(r"^\[b\] got: hello-b$")
        con.type("quit\r")
        con.wait_for(r"^\[b\] got: quit$")
        # b has ended: input goes to the next live guest, a, which is said.
        con.type("quit\r")
        con.wait_for(r"^ringvisor: console: input now goes to a$")
        con.wait_for(r"^\[a\] got: quit$")
        status = con.finish()
        assert status == STATUS_PASS, f"exit status {status}; console:\n{con.text}"
        assert not con.has(r"^\[b\] got: hello-a") and not con.has(r"^\[a\] got: hello-b"), con.text
        assert len(re.findall(r"got: ", con.text)) == 5, con.text
    finally:
        con.close()


def test_keyboard_input_and_focus_switch():
    """The PS/2 keyboard through QEMU's sendkey: letters, shift, digits,
    punctuation, Backspace and Enter; ctrl-a three times moves the focus."""
    m = rvqemu.Monitor("console_keyboard", timeout=60, append="exit=qemu",
                       modules=[(ECHO, "name=a"), (ECHO, "name=b")])

    def keys(*names):
        for k in names:
            r = m.hmp(f"sendkey {k}")
            assert "error" not in r, r

    try:
        m.wait_for(r"^\[a\] conecho ready$")
        m.wait_for(r"^\[b\] conecho ready$")
        keys("h", "i", "minus", "shift-a", "shift-1", "spc", "4", "2", "ret")
        m.wait_for(r"^\[a\] got: hi-A! 42$")
        keys("ctrl-a", "ctrl-a", "ctrl-a")
        m.wait_for(r"^ringvisor: console: input now goes to b$")
        keys("o", "k", "x", "backspace", "ret")
        m.wait_for(r"^\[b\] got: okx\^\?$")
        keys("q", "u", "i", "t", "ret")
        m.wait_for(r"^\[b\] got: quit$")
        keys("q", "u", "i", "t", "ret")
        m.wait_for(r"^\[a\] got: quit$")
        status = m.proc.wait(timeout=30)
        log = m.serial()
        assert status == STATUS_PASS, f"exit status {status}; log:\n{log}"
        assert not re.search(r"^\[b\] got: hi", log, re.M), log
        assert not re.search(r"^\[a\] got: ok", log, re.M), log
    finally:
        m.close()


# --- cooked input: the guest runtime's line discipline --------------------

ERASE = "\b \b"


@pytest.mark.parametrize("drain", ["0", "8K"])
def test_cooked_input_echoes_and_edits(drain):
    """The prompt is on the console before anything is typed; what is
    typed comes back as it is typed, on the prompt's line; DEL and ^H
    erase a character ("\\b \\b"), two for a ^X; Ctrl-U the line; CR
    and LF end it as '\\n'. Raw mode: no echo, no editing, CR stays CR.
    Ctrl-D on an empty line is the end of input."""
    con = rvqemu.SerialConsole(f"console_cooked_{drain}", [(TTY, "name=tty")],
                               append=f"exit=qemu drain={drain}")
    try:
        # Nothing typed yet: the unfinished line must show on its own.
        con.wait_for(r"^\[tty\] cooked> \Z")
        con.type("ab\x7fc\r")
        con.wait_for(r"^\[tty\] got 3: ac\^J$")
        con.wait_for(r"^\[tty\] cooked> \Z")
        con.type("xy\x08z\n")
        con.wait_for(r"^\[tty\] got 3: xz\^J$")
        con.type("junk\x15ok\r")
        con.wait_for(r"^\[tty\] got 3: ok\^J$")
        con.type("q\x02\x7fw\r")
        con.wait_for(r"^\[tty\] got 3: qw\^J$")
        con.type("raw\r")
        con.wait_for(r"^\[tty\] got 4: raw\^J$")
        con.type("h\x7f\r\nq")
        con.wait_for(r"^\[tty\] raw:.* 71$")
        con.wait_for(r"^\[tty\] cooked> \Z")
        con.type("\x04")
        con.wait_for(r"^\[tty\] end of input$")
        status = con.finish()
        assert status == STATUS_PASS, f"exit status {status}; console:\n{con.text}"
        text = con.text
        # The echo, on the prompt's line, as typed.
        for echo in ("ab" + ERASE + "c", "xy" + ERASE + "z",
                     "junk" + 4 * ERASE + "ok", "q^B" + 2 * ERASE + "w", "raw"):
            assert f"[tty] cooked> {echo}\n" in text, (echo, text)
        # Raw: the bytes as typed, nothing echoed.
        raw = " ".join(con.lines(r"^\[tty\] raw: (.*)$")).split()
        assert raw == ["68", "7f", "0d", "0a", "71"], text
        assert "[tty] cooked> [tty] raw" not in text and "cooked> h" not in text, text
        assert len(con.lines(r"^\[tty\] got ")) == 5, text
    finally:
        con.close()


def test_unfinished_line_shows_while_the_guest_halts():
    """HC_HALT shows the unfinished line too (how a Linux guest waits for a
    key); the guest's next text continues it."""
    con = rvqemu.SerialConsole("console_prompt_halt", [(TTY, "name=tty -- halt")])
    try:
        con.wait_for(r"^\[tty\] halting> \Z")
        assert not con.has("woke"), con.text      # it is still asleep
        status = con.finish()
        assert status == STATUS_PASS, f"exit status {status}; console:\n{con.text}"
        assert con.has(r"^\[tty\] halting> woke$"), con.text
    finally:
        con.close()


def test_open_prompt_is_ended_by_other_output():
    """Other output ends an open prompt line with a newline first; what the
    guest writes next then starts its own line, marked "[name]+"."""
    con = rvqemu.SerialConsole("console_prompt_interrupted",
                               [(TTY, "name=a"), (TTY, "name=b")])
    try:
        con.wait_for(r"^\[a\] cooked> $")
        con.wait_for(r"^\[b\] cooked> $")
        con.type("\x01\x01\x01")
        con.wait_for(r"^ringvisor: console: input now goes to b$")
        con.type("\x01\x01\x01")
        con.wait_for(r"^ringvisor: console: input now goes to a$")
        con.type("hi\r")
        con.wait_for(r"^\[a\] got 3: hi\^J$")
        con.wait_for(r"^\[a\] cooked> \Z")
        con.type("\x04")
        con.wait_for(r"^ringvisor: guest a exited with status 0$")
        con.type("\x04")
        con.wait_for(r"^ringvisor: guest b exited with status 0$")
        status = con.finish()
        assert status == STATUS_PASS, f"exit status {status}; console:\n{con.text}"
        assert con.has(r"^\[a\]\+ hi$"), con.text
        # Every line starts with a guest's prefix or the hypervisor's.
        for line in con.text.splitlines():
            assert re.match(r"(\[(a|b)\]\+? |ringvisor: |$)", line), (line, con.text)
    finally:
        con.close()
