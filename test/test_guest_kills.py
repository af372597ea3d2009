"""The Switcher and the run loop: every case that must kill a guest, each
in its own module of guests/tests/tkill.c (the case is its argument), all
in ONE boot with expect=killed, next to a bystander guest that must finish
all its cases. Each case pins the exact kill reason."""
import os

import pytest

import rvqemu
from rvqemu import STATUS_PASS, boot

GUESTS = rvqemu.BUILD / "guests"
# Under pytest-xdist each worker that runs a case of this module boots once
# for itself: a log of its own, so two workers never share one file.
WORKER = "_" + os.environ.get("PYTEST_XDIST_WORKER", "main")
EIP = r"[0-9a-f]{8}"
SWITCHER_GP = (r"the Switcher faulted loading its state: general protection "
               r"\(#GP\), error code 0x70 \(a bad segment register or iret frame\)")
NOT_FLAT = r"SET_STACK: segment {} is not a flat, writable ring-1 data segment"

# case -> the exact reason (a regular expression for the whole reason)
KILLS = {
    # before LGUEST_INIT (tkill's own entry point, before the runtime's)
    "pre_write": r"hypercall 64 before LGUEST_INIT",
    "pre_flush": r"hypercall 0 before LGUEST_INIT",
    "pre_unknown": r"unknown hypercall 3",
    "init_outside": r"LGUEST_INIT: lguest_data at 7ffff000 is outside its memory",
    "init_straddle": r"LGUEST_INIT: lguest_data at 001ffc18 is outside its memory",
    "init_sysvec": r"LGUEST_INIT: system-call vector 0x81 is not 0x80",
    "init_kaddr": r"LGUEST_INIT: kernel_address ffc00000 reaches the Switcher",
    # hypercalls with bad arguments
    "init_twice": r"LGUEST_INIT called twice",
    "init_async": r"LGUEST_INIT queued in the async ring",
    "shutdown_out": r"SHUTDOWN: message at 7ffff000 is outside its memory",
    "pgtable_unalig": r"NEW_PGTABLE: page directory 00001800 is not a page of its memory",
    "pgtable_out": r"NEW_PGTABLE: page directory 00400000 is not a page of its memory",
    "idt_256": r"LOAD_IDT_ENTRY: vector 256 is beyond the IDT",
    "idt_huge": r"LOAD_IDT_ENTRY: vector 4294967295 is beyond the IDT",
    "stack_rpl0": NOT_FLAT.format("0x68"),
    "stack_dpl0": NOT_FLAT.format("0x59"),
    "stack_dpl3": NOT_FLAT.format("0x79"),
    "stack_nonflat": NOT_FLAT.format("0x71"),
    "stack_code": NOT_FLAT.format("0x61"),
    "stack_pages0": r"SET_STACK: 0 pages; 1 or 2 allowed",
    "stack_pages3": r"SET_STACK: 3 pages; 1 or 2 allowed",
    "stack_unmapped": r"SET_STACK: the stack page at 00eff000 is not mapped writable",
    "set_pmd": r"SET_PMD is for PAE guests, and Ringvisor guests are not PAE",
    "tls_out": r"LOAD_TLS: descriptors at 7ffff000 are outside its memory",
    "gdt_32": r"LOAD_GDT_ENTRY: index 32 is beyond the GDT",
    "gdt_system": r"LOAD_GDT_ENTRY: entry 14 is a system descriptor \(0000a900 10000067\)",
    "hc_3": r"unknown hypercall 3",
    "hc_11": r"unknown hypercall 11",
    "hc_12": r"unknown hypercall 12",
    "hc_17": r"unknown hypercall 17",
    "hc_20": r"unknown hypercall 20",
    "hc_68": r"unknown hypercall 68",
    "hc_200": r"unknown hypercall 200",
    "async_unknown": r"unknown hypercall 17",
    "write_out": r"CONSOLE_WRITE: 32 bytes at 001ffff0 are outside its memory",
    "read_out": r"CONSOLE_READ: 8 bytes at 7ffff000 are outside its memory",
    "counters_out": r"COUNTERS: buffer at 001ffff0 is outside its memory",
    # attacks on the Switcher and the run loop
    "stale_fs": SWITCHER_GP,
    "stale_gs": SWITCHER_GP,
    "stale_es": SWITCHER_GP,
    "gdt_clobber_cs": r"entry with code segment 0x61, which is not its own "
                      r"ring-1 or ring-3 code",
    # slot 13 is also the SET_STACK segment: caught when it is written
    "gdt_clobber_ss": r"LOAD_GDT_ENTRY: entry 13 holds the ring-1 stack segment 0x69 "
                      r"and is no longer a flat, writable ring-1 data segment",
    # faults the guest cannot take
    "no_pf_handler": rf"unhandled page fault \(#PF\) at eip {EIP} \(address "
                     r"00f00000, error 0\): no handler installed",
    "no_gp_handler": rf"unhandled general protection \(#GP\) at eip {EIP} "
                     r"\(error 0\): no handler installed",
    "push_unmapped": r"cannot push a trap frame: its stack at 00effffc is not "
                     r"mapped writable",
}


def gname(case):
    return ("k_" + case)[:15]


@pytest.fixture(scope="module")
def run():
    mods = [(GUESTS / "tkill.elf", f"name={gname(c)} mem=2M expect=killed -- {c}")
            for c in KILLS]
    mods.append((GUESTS / "tattack.elf", "name=bystander mem=4M"))
    return boot("guest_kills" + WORKER, append="exit=qemu", modules=mods, mem=256,
                timeout=60)


@pytest.mark.parametrize("case", sorted(KILLS))
def test_kill(run, case):
    n = gname(case)
    got = run.lines(rf"^ringvisor: error: guest {n} killed: (.*)$")
    assert len(got) == 1, f"{n}: {len(got)} kill lines; " + run.describe()
    assert rvqemu.re.fullmatch(KILLS[case], got[0]), \
        f"{n} killed for '{got[0]}', expected /{KILLS[case]}/"
    assert not run.has(rf"^\[{n}\] SURVIVED"), run.describe()


def test_bystander_and_verdict(run):
    """The hypervisor and the other guest go on after all those kills."""
    run.require(r"^\[bystander\] \d+ cases, 0 failed$",
                r"^ringvisor: guest bystander exited with status 0$")
    run.expect(STATUS_PASS).require(r"^ringvisor: oracle: intact")
