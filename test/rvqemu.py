"""Boot Ringvisor in QEMU for a test and classify how the boot ended.

Every boot has a timeout. The verdict comes from QEMU's exit status, which
isa-debug-exit makes (value << 1) | 1, read together with the serial log,
which is kept under build/test-logs/ for reading.

Every QEMU a test starts goes through spawn(): it is the direct child of
the test's process, in a process group (and session) of its own, and dies
with that process (PR_SET_PDEATHSIG). Ending it (stop()) kills the group,
so there is no wrapper left standing between the test and QEMU. Its
environment carries the session's token (SESSION_VAR), by which the
suite's last check finds any QEMU the session started, directly or
through a tool, that is still running (conftest.py)."""
import atexit
import ctypes
import itertools
import os
import shutil
import re
import selectors
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"
# The image under test: make test-mutation points this at a mutant build.
HV_ELF = Path(os.environ.get("RINGVISOR_HV", BUILD / "ringvisor.elf"))
# make test-mutation keeps each mutant's logs apart from the main run's.
LOGS = Path(os.environ.get("RINGVISOR_LOGS", BUILD / "test-logs"))
QEMU = "qemu-system-i386"

# include/exitcode.h, as QEMU reports them.
STATUS_PASS, STATUS_FAIL, STATUS_PANIC, STATUS_REFUSED = 3, 5, 7, 9
STATUS_TIMEOUT = 124

OUTCOMES = {
    STATUS_PASS: "pass",
    STATUS_FAIL: "fail: a guest ended other than expected",
    STATUS_PANIC: "panic: the hypervisor stopped itself",
    STATUS_REFUSED: "refused: a module was refused or a guest not started",
    STATUS_TIMEOUT: "hang: QEMU was still running at the timeout",
    0: "triple fault (QEMU exits 0 on a reset under -no-reboot)",
}

# The hypervisor's last line before an ACPI power-off (arch/i386/power.c).
POWEROFF_LINE = "ringvisor: power off (ACPI S5)"


def clean_poweroff(status, log):
    """True if the run ended in an ACPI power-off, not a triple fault: QEMU
    exits 0 either way, so the log must end with the summary table's
    heading somewhere, then the verdict, then the power-off line last."""
    lines = [l for l in log.replace("\r\n", "\n").split("\n") if l.strip()]
    return (status == 0 and bool(lines) and lines[-1] == POWEROFF_LINE
            and any(l.startswith("ringvisor: guest ") and " state " in l for l in lines)
            and any(l.startswith("ringvisor: verdict: ") for l in lines))


class Boot:
    """The end of one boot: QEMU's exit status and the serial log."""

    def __init__(self, name, status, log, stderr, cmd):
        self.name, self.status, self.log = name, status, log
        self.stderr, self.cmd = stderr, cmd

    @property
    def outcome(self):
        return OUTCOMES.get(self.status, f"QEMU error (exit status {self.status})")

    def describe(self):
        tail = "\n".join(self.log.splitlines()[-40:])
        return (f"boot '{self.name}' ended in {self.outcome}\n"
                f"command: {' '.join(self.cmd)}\n"
                f"log: {LOGS / (self.name + '.log')}\n"
                f"--- stderr ---\n{self.stderr.strip()}\n"
                f"--- serial log (last 40 lines) ---\n{tail}")

    def expect(self, status):
        assert self.status == status, (
            f"expected {OUTCOMES.get(status, status)}; " + self.describe())
        return self

    def expect_pass(self):
        return self.expect(STATUS_PASS)

    def has(self, pattern):
        """True if some line of the log matches the regular expression."""
        return re.search(pattern, self.log, re.M) is not None

    def require(self, *patterns):
        for p in patterns:
            assert self.has(p), f"no line matches /{p}/; " + self.describe()
        return self

    def lines(self, pattern):
        return re.findall(pattern, self.log, re.M)


_socket_dir = None
_socket_seq = itertools.count()


def socket_path(kind):
    """A fresh path for a unix socket. Not under build/: a socket's path
    may have at most 107 bytes, and the clone may sit at a long path. One
    short directory under /tmp per process, removed at its exit."""
    global _socket_dir
    if _socket_dir is None:
        _socket_dir = Path(tempfile.mkdtemp(prefix="rv-", dir="/tmp"))
        atexit.register(shutil.rmtree, _socket_dir, True)
    return _socket_dir / f"{kind}{next(_socket_seq)}.sock"


def safe_name(name):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:120]


def qemu_cmd(*, kernel=HV_ELF, append="", modules=(), iso=None, cpu="qemu32",
             mem=128, icount=None, log, extra=()):
    cmd = [QEMU, "-accel", "tcg", "-cpu", cpu, "-m", str(mem), "-no-reboot",
           "-nic", "none", "-display", "none", "-monitor", "none",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-serial", f"file:{log}"]
    if icount:
        cmd += ["-icount", icount]
    if iso:
        cmd += ["-cdrom", str(iso), "-boot", "d"]
    else:
        cmd += ["-kernel", str(kernel), "-append", append]
        if modules:
            # QEMU splits -initrd on commas: a module string may not have one.
            mods = []
            for path, args in modules:
                assert "," not in str(path) + args, "QEMU cannot pass a comma"
                mods.append(f"{path} {args}".strip())
            cmd += ["-initrd", ",".join(mods)]
    return cmd + list(extra)


# make test-mutation caps every boot: a mutant may hang where the real
# image would end.
TIMEOUT_CAP = int(os.environ.get("RINGVISOR_TIMEOUT", "0")) or None

# --- the QEMUs a test starts ------------------------------------------------

# Space-separated tokens, one per pytest session around this process (the
# outermost first): conftest.py adds its own before any worker starts.
SESSION_VAR = "RINGVISOR_TEST_SESSIONS"
PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)

# Every QEMU this process started and has not yet seen end, by pid.
started = {}
_started_lock = threading.Lock()


def _in_child():
    """Runs in the child between fork and exec: die with the parent. (The
    new session itself comes from start_new_session.)"""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def spawn(cmd, **kw):
    """Start QEMU (cmd) as a direct child, alone in a new session and
    process group, killed if this process dies. Returns the Popen; end it
    with stop()."""
    p = subprocess.Popen(cmd, start_new_session=True, preexec_fn=_in_child, **kw)
    with _started_lock:
        started[p.pid] = p
    return p


def stop(p):
    """Kill p's whole process group (QEMU and anything it started) if it
    still runs, and reap it. Safe to call more than once."""
    if p.poll() is None:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    p.wait()
    with _started_lock:
        started.pop(p.pid, None)


def stop_all():
    """Ends every QEMU this process started that still runs (a test's
    teardown). Returns the pids that were still running."""
    with _started_lock:
        live = list(started.values())
    running = [p.pid for p in live if p.poll() is None]
    for p in live:
        stop(p)
    return running


def run_tool(cmd, timeout, **kw):
    """subprocess.run for a tool that starts QEMUs itself (tools/bench.py,
    tools/mutation.py): in its own group, all of which is killed if it
    outlives its timeout (the QEMUs spawn() starts below it die with their
    parent). Raises subprocess.TimeoutExpired as run() does."""
    p = spawn(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
              stderr=subprocess.PIPE, text=True, **kw)
    try:
        out, err = p.communicate(timeout=timeout)
    finally:
        stop(p)
    return subprocess.CompletedProcess(cmd, p.returncode, out, err)


def running_qemus(token):
    """(pid, command line) of every live QEMU whose environment names the
    session token: started by that session, directly or through a tool."""
    found = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            argv = (d / "cmdline").read_bytes().split(b"\0")
            if not argv or not argv[0].endswith(QEMU.encode()):
                continue
            env = (d / "environ").read_bytes().split(b"\0")
            stat = (d / "stat").read_text()
        except OSError:
            continue
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            continue                        # ended, its parent not yet told
        for e in env:
            if e.startswith(SESSION_VAR.encode() + b"=") and \
                    token.encode() in e.split(b"=", 1)[1].split():
                found.append((int(d.name), b" ".join(argv).decode(errors="replace")))
                break
    return found


def boot(name, *, timeout=30, **kw):
    """Boot once, wait at most `timeout` seconds, and return a Boot. QEMU
    has ended, one way or another, when this returns or raises."""
    if TIMEOUT_CAP:
        timeout = min(timeout, TIMEOUT_CAP)
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / (safe_name(name) + ".log")
    log.unlink(missing_ok=True)
    cmd = qemu_cmd(log=log, **kw)
    p = spawn(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
              stderr=subprocess.PIPE, text=True)
    try:
        _, err = p.communicate(timeout=timeout)
        status = p.returncode
    except subprocess.TimeoutExpired:
        stop(p)
        _, err = p.communicate()
        status = STATUS_TIMEOUT
    finally:
        stop(p)
    text = log.read_text(errors="replace") if log.exists() else ""
    b = Boot(safe_name(name), status, text.replace("\r\n", "\n"), err, cmd)
    b.pid = p.pid
    return b


class _Watchdog:
    """Kills a background QEMU's group at its deadline, if the test has
    not ended it by then."""

    def __init__(self, proc, timeout):
        self.timer = threading.Timer(timeout, stop, (proc,))
        self.timer.daemon = True
        self.timer.start()

    def cancel(self):
        self.timer.cancel()


class Monitor:
    """A QEMU started in the background with a QMP socket, for tests that
    look at the machine while it runs (the VGA screen, keys)."""

    def __init__(self, name, timeout=30, **kw):
        LOGS.mkdir(parents=True, exist_ok=True)
        self.name = safe_name(name)
        self.log = LOGS / (self.name + ".log")
        self.log.unlink(missing_ok=True)
        self.sock_path = socket_path("qmp")
        cmd = qemu_cmd(log=self.log, **kw)
        cmd += ["-qmp", f"unix:{self.sock_path},server=on,wait=off"]
        self.proc = spawn(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
        self.watchdog = _Watchdog(self.proc, timeout)
        self.deadline = time.monotonic() + timeout
        self.sock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def serial(self):
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_for(self, pattern):
        while time.monotonic() < self.deadline:
            if re.search(pattern, self.serial(), re.M):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"/{pattern}/ never appeared; log:\n{self.serial()}")

    def _connect(self):
        while self.sock is None:
            try:
                s = socket.socket(socket.AF_UNIX)
                s.connect(str(self.sock_path))
                self.sock = s
                self.rfile = s.makefile("r")
                self.rfile.readline()                      # greeting
                self.qmp("qmp_capabilities")
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > self.deadline:
                    raise
                time.sleep(0.05)

    def qmp(self, command, **args):
        import json
        if self.sock is None and command != "qmp_capabilities":
            self._connect()
        self.sock.sendall(json.dumps({"execute": command,
                                      "arguments": args}).encode() + b"\n")
        while True:
            reply = json.loads(self.rfile.readline())
            if "return" in reply or "error" in reply:
                return reply

    def hmp(self, line):
        return self.qmp("human-monitor-command", **{"command-line": line})

    def close(self):
        """QEMU ends here if it has not already."""
        self.watchdog.cancel()
        stop(self.proc)
        if self.sock:
            self.sock.close()
        self.sock_path.unlink(missing_ok=True)


class SerialConsole:
    """QEMU with COM1 on a unix socket (kept in the serial log as well):
    the test types into it and reads the console back. Started with
    wait=on, so the machine runs only once the test is connected."""

    def __init__(self, name, modules, append="exit=qemu", timeout=60, mem=128,
                 com2=False, icount=None):
        LOGS.mkdir(parents=True, exist_ok=True)
        self.name = safe_name(name)
        log = LOGS / (self.name + ".log")
        log.unlink(missing_ok=True)
        self.path = socket_path("serial")
        cmd = qemu_cmd(log=log, append=append, modules=modules, mem=mem, icount=icount)
        i = cmd.index(f"file:{log}")
        cmd[i - 1:i + 1] = ["-chardev",
                            f"socket,id=com1,path={self.path},server=on,wait=on,"
                            f"logfile={log}",
                            "-serial", "chardev:com1"]
        # COM2, the monitor's channel for scripts (monitor=com2): a second
        # socket, also waited for before the machine runs.
        self.com2 = None
        if com2:
            self.com2_path = socket_path("com2")
            cmd[i + 3:i + 3] = ["-chardev", f"socket,id=com2,path={self.com2_path},"
                                f"server=on,wait=on", "-serial", "chardev:com2"]
        self.proc = spawn(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
        self.watchdog = _Watchdog(self.proc, timeout)
        self.deadline = time.monotonic() + timeout
        self.raw = b""
        self.sock = socket.socket(socket.AF_UNIX)
        try:
            while True:
                try:
                    self.sock.connect(str(self.path))
                    break
                except (FileNotFoundError, ConnectionRefusedError):
                    assert self.proc.poll() is None, self.proc.stderr.read()
                    assert time.monotonic() < self.deadline, "no serial socket"
                    time.sleep(0.05)
            if com2:
                self.com2 = self._connect(self.com2_path)
        except BaseException:
            self.close()
            raise
        self.sock.settimeout(0.1)
        self.com2_raw = b""
        self.com2_seen = 0
        self.reader = None
        if com2:
            # With two sockets, one is not read while the test waits on the
            # other; QEMU writes a byte per message, so an unread socket's
            # buffer fills within a few hundred bytes and the UART's
            # back-pressure drops bytes. A thread reads both all the time.
            self.eof = False
            self.reader = threading.Thread(target=self._read_both, daemon=True)
            self.reader.start()

    def _read_both(self):
        sel = selectors.DefaultSelector()
        sel.register(self.sock, selectors.EVENT_READ, "com1")
        sel.register(self.com2, selectors.EVENT_READ, "com2")
        live = 2
        try:
            self._pump(sel, live)
        except (OSError, ValueError):
            pass                # the test closed the sockets
        self.eof = True

    def _pump(self, sel, live):
        while live:
            for key, _ in sel.select(timeout=0.1):
                try:
                    data = key.fileobj.recv(65536)
                except (socket.timeout, OSError):
                    continue
                if not data:
                    sel.unregister(key.fileobj)
                    live -= 1
                elif key.data == "com1":
                    self.raw += data
                else:
                    self.com2_raw += data
            if self.proc.poll() is not None and not sel.select(timeout=0):
                break

    def _connect(self, path):
        s = socket.socket(socket.AF_UNIX)
        while True:
            try:
                s.connect(str(path))
                s.settimeout(0.1)
                return s
            except (FileNotFoundError, ConnectionRefusedError):
                assert self.proc.poll() is None, self.proc.stderr.read()
                assert time.monotonic() < self.deadline, f"no socket {path}"
                time.sleep(0.05)

    def _read_com2(self):
        if self.reader:
            time.sleep(0.02)
            return not self.eof or self.com2_raw.find(b"\n", self.com2_seen) >= 0
        try:
            data = self.com2.recv(65536)
        except socket.timeout:
            self._read()        # keep COM1 drained too
            return True
        if not data:
            return False
        self.com2_raw += data
        return True

    def command(self, line, raw=None):
        """Send one monitor command on COM2 and return its reply: the lines
        up to and including the one that starts "ok " or "error " (each a
        str, "\r" dropped). raw: bytes to send instead of line."""
        self.com2.sendall(raw if raw is not None else line.encode() + b"\n")
        reply = []
        while time.monotonic() < self.deadline:
            nl = self.com2_raw.find(b"\n", self.com2_seen)
            if nl < 0:
                if not self._read_com2():
                    break
                continue
            text = self.com2_raw[self.com2_seen:nl].decode(errors="replace").rstrip("\r")
            self.com2_seen = nl + 1
            reply.append(text)
            if text.startswith(("ok ", "error ")):
                return reply
        raise AssertionError(f"no reply to {line!r} on COM2; got {reply!r}; "
                             f"console:\n{self.text}")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _read(self):
        if self.reader:
            time.sleep(0.02)
            return not self.eof
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return True
        if not data:
            return False
        self.raw += data
        return True

    @property
    def text(self):
        # Normalised as a whole: a "\r\n" may straddle two reads.
        return self.raw.decode(errors="replace").replace("\r\n", "\n")

    def wait_for(self, pattern):
        while time.monotonic() < self.deadline:
            if re.search(pattern, self.text, re.M):
                return
            if not self._read():
                break
        raise AssertionError(f"/{pattern}/ never appeared; console:\n{self.text}")

    def lines(self, pattern):
        return re.findall(pattern, self.text, re.M)

    def has(self, pattern):
        return re.search(pattern, self.text, re.M) is not None

    def type(self, s):
        """Send s 4 bytes at a time, 10 ms apart: well within the UART's
        16-byte FIFO and the hypervisor's receive ring."""
        data = s.encode()
        for i in range(0, len(data), 4):
            self.sock.sendall(data[i:i + 4])
            time.sleep(0.01)

    def finish(self):
        """Read to the end of the run; QEMU's exit status (the watchdog
        ends it at the deadline, if it has not ended by then)."""
        while self._read() and time.monotonic() < self.deadline:
            pass
        return self.proc.wait()

    def close(self):
        """QEMU ends here if it has not already."""
        self.watchdog.cancel()
        stop(self.proc)
        self.sock.close()
        self.path.unlink(missing_ok=True)
        if self.com2:
            self.com2.close()
            self.com2_path.unlink(missing_ok=True)
