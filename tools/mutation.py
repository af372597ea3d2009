#!/usr/bin/env python3
"""The mutation self-check (make test-mutation).

For each named check in include/mutation.h, build the hypervisor with that
check left out (-DMUTATE=N, into build/mutant-N/), run the tests that exist
to catch its absence against that image (RINGVISOR_HV), and require them to
FAIL. A suite that still passes with a check removed is not testing it.
Exit status 0 only if every mutant was caught."""
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# check number, name, the tests that must fail without it.
MUTANTS = [
    (1, "the EFLAGS sanitiser",
     ["test/test_guest_cases.py", "-k",
      "noirq_iret_iopl3_ignored or iret_frame_iopl3_if0_ignored or ring3_iret_iopl3_ignored"]),
    (2, "the GDT's system-descriptor check",
     ["test/test_guest_kills.py", "-k", "gdt_system"]),
    (3, "the PTE frame bound",
     ["test/test_paging.py", "-k", "frame-beyond"]),
    (4, "the Switcher-fault kill",
     ["test/test_guest_kills.py", "-k", "stale_fs"]),
    (5, "the hypercall pointer check",
     ["test/test_guest_kills.py", "-k", "write_out"]),
    (6, "the ROM stubs' no-interrupt region",
     ["test/test_guest_cases.py", "-k", "trom and no_interrupt_in_stub"]),
    (7, "the disk's range check",
     ["test/test_disks.py", "-k", "sdk_disks"]),
    (8, "the switch's spoofing refusal",
     ["test/test_security_net.py", "-k", "net_spoof"]),
    (9, "unhooking a guest's ports before its memory goes back",
     ["test/test_security_net.py", "-k", "net_restart"]),
    (10, "the Switcher walker's bound on a page table's frame",
     ["test/test_paging.py", "-k", "user-pde-outside"]),
]


def main():
    python = sys.executable
    survivors = 0
    for n, name, tests in MUTANTS:
        build = ROOT / "build" / f"mutant-{n}"
        subprocess.run(["make", "-s", f"BUILD={build}", f"EXTRA_CFLAGS=-DMUTATE={n}",
                        str(build / "ringvisor.elf")], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        env = dict(os.environ, RINGVISOR_HV=str(build / "ringvisor.elf"),
                   RINGVISOR_LOGS=str(build / "test-logs"), RINGVISOR_TIMEOUT="20")
        t0 = time.monotonic()
        p = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            "-x"] + tests, cwd=ROOT, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        took = time.monotonic() - t0
        if p.returncode == 0:
            survivors += 1
            print(f"mutation {n} ({name}) SURVIVED: its tests still pass ({took:.0f} s)")
        else:
            print(f"mutation {n} ({name}): caught, its tests fail as they must ({took:.0f} s)")
    print(f"mutation: {len(MUTANTS)} mutants, {len(MUTANTS) - survivors} caught, "
          f"{survivors} survived")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
