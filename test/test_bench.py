"""The benchmarks: `make bench` runs and writes results.json in the agreed
format (no figure of that run is judged: benchmarks are not tests); the
figures in docs/benchmarks.md are exactly what tools/bench.py renders from
the committed docs/bench-results.json, which `make bench` writes, and none
is quoted by hand elsewhere on the page; the ratio plot's bars start at the
1x line."""
import importlib.util
import json
import re
import sys

import pytest

import rvqemu

KEYS = {"name", "unit", "value", "native", "ratio", "method"}
UNITS = {"instructions", "switches", "ratio", "percent", "bytes", "count", "frames/s"}
DOC = rvqemu.ROOT / "docs" / "benchmarks.md"
DOC_RESULTS = rvqemu.ROOT / "docs" / "bench-results.json"


def load_bench():
    spec = importlib.util.spec_from_file_location("bench", rvqemu.ROOT / "tools" / "bench.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def check_results(res):
    assert isinstance(res, list) and res
    names = set()
    for r in res:
        assert set(r) == KEYS, r
        assert r["unit"] in UNITS, r
        assert isinstance(r["value"], (int, float)), r
        assert r["native"] is None or isinstance(r["native"], (int, float)), r
        assert r["ratio"] is None or isinstance(r["ratio"], (int, float)), r
        names.add(r["name"])
    assert {"hypercall_null", "hypercall_floor", "hypercall_async_1", "hypercall_async_8",
            "hypercall_async_64", "trap_reflected", "trap_rom", "trap_direct", "syscall_user",
            "syscall_user_rom",
            "pagefault_demand", "pagefault_guest", "pagefault_switches",
            "process_switch_cached", "process_switch_uncached", "virq_latency",
            "timer_lateness", "cpu_bound_ratio", "fair_share_error_percent",
            "boot_to_first_guest", "memory_per_guest", "host_irq_off_max"} <= names
    assert {f"guest_switch_{n}" for n in (1, 2, 4, 8, 16, 32, 64)} <= names
    assert {"net_fps_64", "net_fps_1500", "net_rtt_64", "net_rtt_1500", "console_rtt_64",
            "net_copy_per_byte"} <= names


def test_bench_writes_valid_json():
    p = rvqemu.run_tool([sys.executable, str(rvqemu.ROOT / "tools/bench.py"),
                         "--build", str(rvqemu.BUILD), "--no-plots"], timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    check_results(json.loads((rvqemu.BUILD / "bench" / "results.json").read_text()))


def test_page_figures_are_the_committed_results():
    """Each generated block of the page is what the committed results
    render to: an edited figure, or results committed without the page
    (or the reverse), fails here. `make bench` rewrites both."""
    bench = load_bench()
    res = json.loads(DOC_RESULTS.read_text())
    check_results(res)
    want = bench.render_blocks(res)
    got = bench.doc_blocks(DOC.read_text())
    assert set(got) == set(want), f"blocks on the page {sorted(got)}, not {sorted(want)}"
    for name in want:
        assert got[name] == want[name], (
            f"docs/benchmarks.md's block '{name}' is not what docs/bench-results.json "
            f"gives; run `python3 tools/bench.py --render-doc` (or `make bench`)")


def test_no_figure_is_quoted_by_hand_outside_the_blocks():
    bench = load_bench()
    res = json.loads(DOC_RESULTS.read_text())
    text = DOC.read_text()
    outside = re.sub(r"^<!-- bench: (\w+) -->\n.*?^<!-- /bench: \1 -->$", "", text,
                     flags=re.S | re.M)
    assert not re.search(r"^<!-- /?bench: ", outside, re.M), "a marker without its pair"
    for r in res:
        for v in (r["value"], r["native"]):
            if v is None:
                continue
            shown = bench.fmt_number(v)
            if len(shown.replace(".", "")) < 3:
                continue        # 2, 26, 2.5: too common to tell from prose
            assert not re.search(rf"(?<![\w.]){re.escape(shown)}(?![\w.])", outside), (
                f"{r['name']}'s figure {shown} is written by hand in docs/benchmarks.md; "
                "quote it from a generated block (tools/bench.py render_blocks)")


def test_ratio_bars_start_at_1x():
    bench = load_bench()
    res = json.loads(DOC_RESULTS.read_text())
    bars = bench.ratio_bars(res)
    assert bars and any(r < 1 for _, r, _, _ in bars) and any(r > 1 for _, r, _, _ in bars)
    for name, ratio, start, end in bars:
        assert (start, end) == (min(1.0, ratio), max(1.0, ratio)), name


def test_ratio_plot_has_the_1x_line_and_bars_from_it():
    plt = pytest.importorskip("matplotlib.pyplot", reason="python3-matplotlib (make bench installs it)")
    bench = load_bench()
    res = json.loads(DOC_RESULTS.read_text())
    fig = bench.ratio_plot(plt, res)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert any(list(l.get_xdata()) == [1.0, 1.0] for l in ax.lines), "no 1x line"
    rects = ax.patches
    bars = bench.ratio_bars(res)
    assert len(rects) == len(bars)
    for rect, (name, ratio, start, end) in zip(rects, bars):
        assert rect.get_x() == pytest.approx(start), name
        assert rect.get_x() + rect.get_width() == pytest.approx(end), name
    lo, hi = ax.get_xlim()
    assert lo < min(s for _, _, s, _ in bars) and hi > max(e for _, _, _, e in bars)
    plt.close(fig)
