#!/usr/bin/env python3
"""make tcb: the hypervisor's trusted computing base in source lines of
code, by layer (tools/layers.txt), counted by Debian's cloc: code lines,
no blanks or comments, the unit seL4 and NOVA quote. The Switcher has a
line of its own; the test-only parts (the benchmarks, the oracles, the
mutation points) are counted apart and are not in the totals.

    tools/tcb.py            the table
    tools/tcb.py --total    the core and whole totals only"""
import csv
import io
import subprocess
import sys

import layers

# Built in every image but there only to measure and to check.
TEST_ONLY = ("core/bench.c", "core/bench.h", "core/oracle.c", "core/oracle.h",
             "include/mutation.h")
SWITCHER = "switcher/"
# The targets issue 17 sets: the whole hypervisor at most seL4's kernel,
# the core without the device models at most 7,000.
WHOLE_MAX, CORE_MAX = 8700, 7000


def code_lines(paths):
    out = subprocess.run(["cloc", "--by-file", "--csv", "--quiet", *paths], cwd=layers.ROOT,
                         capture_output=True, text=True, check=True).stdout
    counts = {}
    for row in csv.reader(io.StringIO(out)):
        if len(row) >= 5 and row[0] not in ("language", "SUM"):
            counts[row[1]] = int(row[4])
    return counts


def main(argv):
    table = layers.Layers(layers.load_table())
    files = list(layers.sources())
    counts = code_lines(files)
    rows = {}
    test_only = 0
    for path in files:
        n = counts.get(path, 0)
        if path in TEST_ONLY:
            test_only += n
            continue
        i = table.of(path)
        name = "switcher" if path.startswith(SWITCHER) else table.name(i)
        rows[name] = rows.get(name, 0) + n
    devices = sum(n for p, n in counts.items() if p.startswith("dev/"))
    whole = sum(rows.values())
    core = whole - devices
    if argv[1:2] == ["--total"]:
        print(f"core {core} whole {whole} test-only {test_only}")
        return 0
    print("tcb: code lines (cloc: no blanks, no comments), by layer, bottom first")
    for name in table.names:
        if name in rows:
            print(f"tcb:   {name:10} {rows[name]:6}")
        if name == "host" and "switcher" in rows:
            print(f"tcb:   {'switcher':10} {rows['switcher']:6}   (inside host: its own line)")
    print(f"tcb: whole hypervisor     {whole:6}   (target <= {WHOLE_MAX})")
    print(f"tcb: without dev/         {core:6}   (target <= {CORE_MAX})")
    print(f"tcb: test-only, apart     {test_only:6}   ({', '.join(TEST_ONLY)})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
