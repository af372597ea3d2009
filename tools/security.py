#!/usr/bin/env python3
"""The security catalogue (issue "Isolation that holds"): every case, its
kind, the defence it attacks and its exact expected outcome, read from the
guests' sources (guests/security/) and the tables below.

    tools/security.py doc      write docs/security.md from the catalogue
    tools/security.py check    exit 1 if docs/security.md is not current
    tools/security.py suite    make test-security: the catalogue's pytest
                               modules, then tools/mutation.py, then one line
                               "security: N cases, N passed, M escapes"
    tools/security.py soak     make soak: 10^6 fuzzed calls; 1000
                               crash-and-restart cycles next to a bystander
An escape is any oracle trip in a boot of the suite (an "oracle:" error
line, a missing "oracle: intact", a guard frame), or a bystander whose
output differs from its solo run (the tests record those in
build/security-escapes.txt)."""
import collections
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "guests" / "security"
DOC = ROOT / "docs" / "security.md"
BUILD = ROOT / "build"
ESCAPES = BUILD / "security-escapes.txt"
LOG_PREFIX = "security_"

# kind -> the defence it attacks (docs/design.md's table: file: function)
DEFENCE = {
    "privileged: interrupt flag": "the CPU (IOPL 0, CPL 1/3); `traps/emulate.c: emulate_gp` skips ring-1 `cli` only",
    "privileged: descriptor-table registers": "the CPU (CPL > 0); `core/run.c: dispatch` reflects #GP",
    "descriptor-table reads": "nothing to defend: `sgdt` shows the guest's own GDT in the read-only state page",
    "privileged: control registers": "the CPU (CPL > 0); `traps/emulate.c: emulate_gp` emulates none",
    "privileged: debug registers": "the CPU (CPL > 0); `core/run.c: dispatch` reflects #GP",
    "privileged: model-specific registers": "the CPU (CPL > 0, CR4.PCE = 0); `traps/reflect.c: reflect_trap`",
    "privileged: caches and TLB": "the CPU (CPL > 0); `core/run.c: dispatch`",
    "fast system calls": "SYSENTER_CS_MSR left 0 by the host (so #GP(0)); sysexit needs CPL 0",
    "port I/O": "no I/O bitmap (`arch/i386/desc.c`, `switcher/setup.c`); `traps/emulate.c: emulate_gp`",
    "string port I/O": "no I/O bitmap; `traps/emulate.c: emulate_gp` emulates only in/out, never ins/outs or prefixes",
    "iret to an inner ring": "the CPU (RPL < CPL; DPL 0 host code); `core/run.c: sanitise`",
    "far transfer to host selectors": "host descriptors at DPL 0 (`arch/i386/desc.c`); `hcall/desc.c` never lets slots 10, 11, 16, 31 be written",
    "LDT selectors (TI=1)": "no LDT: LDTR null, `lldt` privileged, LDT descriptors refused (`hcall/desc.c`)",
    "segment loads of host selectors": "host descriptors at DPL 0; `core/run.c: sanitise` for CS/SS",
    "guest EFLAGS reaching an iret": "`core/run.c: sanitise` (IF=1, IOPL=0, VM=0, NT=0 before every entry); the guest TSS's null back link",
    "int n for every vector": "`traps/idt.c: idt_refresh` (stub DPL: hypercall ring 1 only, host and IRQ vectors 0)",
    "popf in ring 1": "the CPU (popf at CPL > IOPL leaves IF and IOPL); `core/run.c: sanitise`",
    "null selectors at a world switch": "`switcher/switcher.S: switch_to_guest` pops them in ring 0; `trap_to_host` on a fault",
    "GDT: conforming code": "`hcall/desc.c: seg_check_descriptor` (DPL 0 raised to 1)",
    "GDT: host slots": "`hcall/desc.c: seg_check_descriptor` (slots 10, 11, 16, 31 never written)",
    "IDT: gates aimed at the Switcher or host": "`traps/idt.c: idt_refresh` (the guest's own CS in every direct gate); `CR0.WP` (`mm/paging.c`)",
    "IDT: wrong gate type or DPL": "`traps/idt.c: direct_trap` (only present trap gates are direct); `traps/reflect.c: deliver`",
    "page tables: aliasing": "`mm/shadow.c` (rights over both levels, shadow writable only if dirty)",
    "page tables: unreported edits": "`mm/shadow.c` (entries checked when copied; the frame bound)",
    "page tables: cached directory": "`mm/shadow.c` (the directory cache holds only checked entries)",
    "GDT: ring 2": "`hcall/desc.c: seg_check_descriptor` (DPL 2 refused: rings 1 and 3 only, everywhere)",
    "GDT: system descriptors": "`hcall/desc.c: seg_check_descriptor` (a present system descriptor kills)",
    "stale selectors at a world switch": "`switcher/switcher.S: trap_to_host` (RPL 0 frame -> switcher_fault), `core/run.c: run_once`",
    "hypercall pointers outside its memory": "`mm/gmem.c: guest_range` (one bounds check, no wrap)",
    "lengths that wrap": "`mm/gmem.c: guest_range`",
    "hypercalls before LGUEST_INIT": "`hcall/dispatch.c: run_hcall`",
    "garbage in the async ring": "`hcall/dispatch.c: hcall_drain_async` (a copy per slot, one lap, status 0 only)",
    "SET_STACK with bad segments or addresses": "`hcall/dispatch.c: hc_set_stack`, `hcall/segments.c: seg_is_flat_ring1_data` (checked again when its GDT entry changes)",
    "kernel stack unmapped": "`mm/shadow.c: shadow_pin_stack` (pinned, re-pinned before entry)",
    "page-table calls naming no directory": "`mm/shadow.c: shadow_set_pte/shadow_set_pgd` (no cached directory: nothing to do)",
    "denial of service: never halting": "`core/sched.c` (weighted deficit round robin), `cpu_limit=`",
    "denial of service: virtual IF off": "the real IF stays on (`core/run.c: sanitise`); `core/sched.c`",
    "denial of service: hypercall storm": "`core/sched.c` (hypercalls run on the caller's quantum)",
    "denial of service: fault storm": "`core/sched.c`; `traps/reflect.c`",
    "denial of service: console storm": "`core/console.c` (per-guest line buffer; a full console blocks the writer only)",
    "denial of service: IRQ-vector storm": "`traps/idt.c` (IRQ vectors DPL 0: #GP, never the host's handlers)",
    "denial of service: page-fault storm": "`mm/shadow.c`, `traps/reflect.c`, `core/sched.c`",
    "hypercall fuzzing": "`hcall/dispatch.c` and everything behind it: kill_guest, never panic",
    "crash-and-restart churn": "`core/lifecycle.c` (every frame returned), `mm/frame.c: frame_scan_step`",
    "output integrity: forged hypervisor lines": "`lib/escape.c: str_escape` in `core/console.c: format_line` (guest lines behind `[name]`, control bytes escaped) and `core/guest.c: guest_exit` (SHUTDOWN's text quoted)",
    "restart limits: on_exit= and cpu_limit=": "`core/sched.c: lifecycle` (on_exit= decides, accounting carried, restart cost charged)",
    "CPU isolation: long console writes": "`hcall/dispatch.c: hc_rv_console_write` (HCALL_CONSOLE_PIECE per entry), `core/sched.c: charge`",
    "CPU isolation: async ring floods": "`hcall/dispatch.c: hcall_drain_async` (a byte budget per entry, the slot kept, the call restarted)",
    "CPU isolation: restart loops": "`core/lifecycle.c: guest_load_piece` (in the guest's own slices), `core/sched.c: lifecycle` (teardown charged)",
    "CPU isolation: halt and timer storms": "`core/sched.c` (wakes preempt only with credit left)",
    "CPU isolation: fault storms": "`core/sched.c: charge` (fault handling runs in the faulting guest's slice)",
    "CPU isolation: hypercall storms": "`core/sched.c: charge`",
    "CPU isolation: shadow eviction storms": "`mm/shadow.c: reclaim, free_table, shadow_release` "
                                             "(evicted tables go to the guest's spare list, a few "
                                             "instructions each; frames go back in pieces at its end)",
    "CPU isolation: disk requests": "`dev/virtio_blk.c: vblk_work` (VBLK_WORK_BYTES of data per pass, in the requesting guest's own slice), `core/sched.c: charge`",
    "CPU isolation: cap= and host work": "`core/sched.c: charge`, `cap_window_opened` (overrun carried as debt)",
    "memory isolation: shadow page tables": "`mm/shadow.c: alloc_table` (the budget reserved at admission, `mm/frame.c: frame_pool_reserve`; at it, its own tables evicted), `core/sched.c: destroy_checked`",
    "memory isolation: admission": "`core/lifecycle.c: admit` (RAM + fixed + shadow budget against unpromised frames)",
    "mutation self-check": "the tests themselves: each named check removed must make its tests fail (`tools/mutation.py`)",
    "virtio: queue placement": "`dev/virtqueue.c: vq_enable` (a power of two up to 256; each ring aligned and wholly inside guest RAM, checked once)",
    "virtio: descriptor loops": "`dev/virtqueue.c: load` (a walk counts the descriptors it visits: at most the queue's size)",
    "virtio: out-of-range buffers": "`dev/virtqueue.c: load` (each descriptor copied once, its buffer inside guest RAM by `mm/gmem.c: guest_range`, no wrap)",
    "virtio: zero-length and indirect descriptors": "`dev/virtqueue.c: load`",
    "virtio: ring indices": "`dev/virtqueue.c: vq_start, load` (the available index moves by at most the size; head and next inside the queue)",
    "virtio: buffer direction": "`dev/virtio_console.c: vcon_work, vcon_input`",
    "virtio: notify": "`dev/virtio_pci.c: notify` (an enabled queue, at its own register, with its own number)",
    "PCI_CFG window": "`dev/virtio_pci.c: window_ok` (BAR 0; 1, 2 or 4 bytes; aligned; inside the BAR)",
    "BAR 0: an access that fits no register": "`dev/virtio_pci.c: bar_region` (each register at its own offset and width, virtio 1.0 4.1.3.1)",
    "device memory: misaligned access": "`dev/dev.c: dev_mmio`",
    "device memory: not a mov": "`traps/insn.c: insn_decode_mov`, `traps/emulate.c: emulate_mmio` (the instruction's bytes in the reason)",
    "device memory: where no device is": "`dev/dev.c: dev_mmio`, `dev/virtio_pci.c: vpci_bar_claims` (decode on, not sizing, inside the BAR); `mm/shadow.c: guest_lookup` (nothing beyond the window)",
    "PCI: BAR relocation": "`dev/virtio_pci.c: bar0_write` (aligned, inside the MMIO window, not on another device)",
    "virtio: feature negotiation": "`dev/virtio_pci.c: status_write` (FEATURES_OK only for a subset of the offer with VERSION_1)",
    "ROM stubs: the page and its alias": "`switcher/setup.c: switcher_map_guest` (the ROM page read-only to the guest; the alias is the guest's own lguest_data frame, absent from the host's table)",
    "ROM stubs: gates": "`traps/idt.c: idt_refresh` (a ROM gate only for a present interrupt gate of a vector a direct trap could take, below the Switcher; DPL 0 where the CPU pushes an error code; back to the Switcher's stub otherwise)",
    "ROM stubs: the guest's GDT": "the CPU's gate checks on the guest's own CS and SS (`hcall/desc.c`: never DPL 0); `core/run.c: sanitise` before the next entry",
    "virtio-blk: request layout": "`dev/virtio_blk.c: measure` (a 16-byte device-readable header, readable before writable, a device-writable status byte at the end; any split into descriptors)",
    "virtio-blk: data over its own ring": "`dev/virtqueue.c: load` (each descriptor checked again when the walk steps onto it), `dev/virtio_blk.c: transfer` (a chain that no longer matches its measure kills)",
    "virtio-blk: requests past the end": "`dev/virtio_blk.c: decide` (sector and length against the capacity, without overflow; IOERR before any data moves)",
    "virtio-blk: writes to a read-only disk": "`dev/virtio_blk.c: decide` (IOERR; a read-only disk is the module itself and never written)",
    "virtio-blk: lengths and types": "`dev/virtio_blk.c: decide` (whole sectors only, IOERR; an unknown type UNSUPP)",
    "virtio-net: frame sizes": "`dev/virtio_net.c: send_chain` (12 + 14 .. 12 + 1518 bytes over the whole chain, summed in 64 bits; dropped and counted otherwise)",
    "virtio-net: header flags not negotiated": "`dev/virtio_net.c: send_chain` (flags and gso_type must be 0: no checksum or GSO feature offered)",
    "virtio-net: spoofed source MAC": "`dev/netswitch.c: net_transmit` (a frame's source must be its port's MAC: refused and counted, never learned)",
    "virtio-net: frames to a restarting guest": "`dev/netswitch.c: net_unhook` from `core/lifecycle.c: guest_release_piece` (ports unhooked before the memory goes back), `dev/virtio_net.c: vnet_receive` (alive, loaded, DRIVER_OK, queue enabled)",
    "CPU isolation: switch floods": "`dev/virtio_net.c: vnet_work` (NET_WORK_BYTES a pass, every copy counted, in the sender's slice), `core/sched.c: charge`",
    "monitor input: long and binary lines": "`core/monitor.c: edit` (printable ASCII only, at most MONITOR_LINE_MAX bytes kept, the whole line refused at Enter with one line)",
    "monitor input: bad commands and names": "`core/monitor_cmd.c: monitor_command, find_slot, cmd_set` (every word checked before anything changes; one error line)",
    "denial of service: notify storm": "`dev/virtio_pci.c: notify`, `dev/dev.c: dev_work` (work per pass bounded by DEV_WORK_BYTES, on the guest's own time); `core/sched.c`",
}

# sec_net cases (the virtual switch, test/test_security_net.py, one boot):
# case -> (kind, expected; "killed: `reason`" for the killing ones)
NQ1 = "virtio net queue 1: "
NET = {
    "net_desc_loop": ("virtio: descriptor loops",
                      "killed: `" + NQ1 + r"descriptor chain from 0 is longer than the queue \(32\): a loop`"),
    "net_outside": ("virtio: out-of-range buffers",
                    "killed: `" + NQ1 + "descriptor 0's buffer of 64 bytes lies outside its memory`"),
    "net_hdr_flags": ("virtio-net: header flags not negotiated",
                      "killed: `virtio net transmit queue: header flags 0x01 and gso_type 0, with no "
                      "checksum or GSO feature negotiated`"),
    "net_gso": ("virtio-net: header flags not negotiated",
                "killed: `virtio net transmit queue: header flags 0x00 and gso_type 1, with no "
                "checksum or GSO feature negotiated`"),
    "net_oversize": ("virtio-net: frame sizes",
                     "a 1519-byte frame, and a 4000-byte one in three descriptors: dropped, counted "
                     "(`2 oversize`), nothing forwarded; the sender goes on and exits 0"),
    "net_runt": ("virtio-net: frame sizes",
                 "a 13-byte frame and a bare split header: dropped, counted (`2 runt`); a 14-byte "
                 "frame in 26 one-byte descriptors is forwarded (any layout); exits 0"),
    "net_spoof": ("virtio-net: spoofed source MAC",
                  "5 frames with the victim's MAC as source: refused at the sender's port, counted "
                  "(`5 spoofed`); the victim receives only the sender's 1 own frame"),
    "net_restart": ("virtio-net: frames to a restarting guest",
                    "a broadcast flood at a guest restarted 20 times: every frame each life "
                    "receives is the flood's, the bystander's output equals its solo run, every "
                    "frame back, oracle intact"),
    "net_flood_share": ("CPU isolation: switch floods",
                        "a flood of 1500-byte broadcasts at a receiver: the weight-100 victim, one "
                        "of three guests, gets at least 30% of its solo work (its third, less "
                        "10%); the receiver keeps receiving and ends on time"),
}

SWITCHER_GP = (r"the Switcher faulted loading its state: general protection "
               r"\(#GP\), error code 0x70 \(a bad segment register or iret frame\)")
NOT_FLAT = r"SET_STACK: segment {} is not a flat, writable ring-1 data segment"
SYSDESC = r"LOAD_GDT_ENTRY: entry 14 is a system descriptor \(0000a{}00 10000067\)"

# sec_kill cases: case -> (kind, the exact kill reason as a regular expression)
KILLS = {
    "pre_exit": ("hypercalls before LGUEST_INIT", r"hypercall 65 before LGUEST_INIT"),
    "pre_halt": ("hypercalls before LGUEST_INIT", r"hypercall 10 before LGUEST_INIT"),
    "pre_async_junk": ("hypercalls before LGUEST_INIT", r"hypercall 4 before LGUEST_INIT"),
    "init_wrap": ("lengths that wrap", r"LGUEST_INIT: lguest_data at fffff000 is outside its memory"),
    "init_switcher": ("hypercall pointers outside its memory",
                      r"LGUEST_INIT: lguest_data at ffc03000 is outside its memory"),
    "gdt_call_gate": ("GDT: system descriptors", SYSDESC.format("c")),
    "gdt_task_gate": ("GDT: system descriptors", SYSDESC.format("5")),
    "gdt_ldt": ("GDT: system descriptors", SYSDESC.format("2")),
    "gdt_busy_tss": ("GDT: system descriptors", SYSDESC.format("b")),
    "gdt_int_gate": ("GDT: system descriptors", SYSDESC.format("e")),
    "gdt_tss16": ("GDT: system descriptors", SYSDESC.format("1")),
    "tls_call_gate": ("GDT: system descriptors",
                      r"LOAD_GDT_ENTRY: entry 7 is a system descriptor \(0000ec00 10000067\)"),
    "stale_ds": ("stale selectors at a world switch", SWITCHER_GP),
    "write_switcher": ("hypercall pointers outside its memory",
                       r"CONSOLE_WRITE: 16 bytes at ffc00000 are outside its memory"),
    "write_wrap": ("lengths that wrap", r"CONSOLE_WRITE: 8192 bytes at fffff000 are outside its memory"),
    "write_top": ("lengths that wrap", r"CONSOLE_WRITE: 16 bytes at fffffff0 are outside its memory"),
    "write_len_huge": ("lengths that wrap",
                       r"CONSOLE_WRITE: 4294967295 bytes at 00001000 are outside its memory"),
    "write_beyond": ("hypercall pointers outside its memory",
                     r"CONSOLE_WRITE: 1 bytes at 00200000 are outside its memory"),
    "write_straddle": ("hypercall pointers outside its memory",
                       r"CONSOLE_WRITE: 16 bytes at 001ffff8 are outside its memory"),
    "read_switcher": ("hypercall pointers outside its memory",
                      r"CONSOLE_READ: 16 bytes at ffc02000 are outside its memory"),
    "read_wrap": ("lengths that wrap", r"CONSOLE_READ: 8192 bytes at fffff000 are outside its memory"),
    "counters_top": ("hypercall pointers outside its memory",
                     r"COUNTERS: buffer at ffffffc0 is outside its memory"),
    "counters_wrap": ("lengths that wrap", r"COUNTERS: buffer at fffffff0 is outside its memory"),
    "counters_beyond": ("hypercall pointers outside its memory",
                        r"COUNTERS: buffer at 00200000 is outside its memory"),
    "tls_wrap": ("lengths that wrap", r"LOAD_TLS: descriptors at fffffff0 are outside its memory"),
    "shutdown_lastb": ("lengths that wrap", r"SHUTDOWN: message at ffffffff is outside its memory"),
    "shutdown_no_nul": ("hypercall pointers outside its memory",
                        r"SHUTDOWN: message at 001ffffc is outside its memory"),
    "pgtable_top": ("hypercall pointers outside its memory",
                    r"NEW_PGTABLE: page directory fffff000 is not a page of its memory"),
    "pgtable_sw": ("hypercall pointers outside its memory",
                   r"NEW_PGTABLE: page directory ffc00000 is not a page of its memory"),
    "async_junk": ("garbage in the async ring", r"unknown hypercall 99"),
    "async_bad_stack": ("garbage in the async ring", NOT_FLAT.format("0")),
    "async_ptr_wrap": ("garbage in the async ring", r"COUNTERS: buffer at fffffff0 is outside its memory"),
    "gdt_dpl2": ("GDT: ring 2", r"LOAD_GDT_ENTRY: entry 14 has DPL 2 \(00cfda00 0000ffff\); ring 2 is not used"),
    "stack_seg_edit": ("SET_STACK with bad segments or addresses",
                          r"LOAD_GDT_ENTRY: entry 14 holds the ring-1 stack segment 0x71 and is no "
                          r"longer a flat, writable ring-1 data segment"),
    "stack_null_ss": ("SET_STACK with bad segments or addresses", NOT_FLAT.format("0x1")),
    "stack_ldt_ss": ("SET_STACK with bad segments or addresses", NOT_FLAT.format("0x6d")),
    "stack_tss_ss": ("SET_STACK with bad segments or addresses", NOT_FLAT.format("0x81")),
    "stack_above_sw": ("SET_STACK with bad segments or addresses",
                       r"SET_STACK: stack top ffc04000 is out of range"),
    "stack_wraps_low": ("SET_STACK with bad segments or addresses",
                        r"SET_STACK: stack top 00001000 is out of range"),
    "stack_below_sw": ("SET_STACK with bad segments or addresses",
                       r"SET_STACK: the stack page at ffbff000 is not mapped writable"),
    "stack_readonly": ("kernel stack unmapped",
                       r"SET_STACK: the stack page at [0-9a-f]{8} is not mapped writable"),
    "rom_cs_dpl3": ("ROM stubs: the guest's GDT",
                    r"entry with code segment 0x61, which is not its own ring-1 or ring-3 code"),
    "rom_cs_absent": ("ROM stubs: the guest's GDT",
                      r"entry with code segment 0x61, which is not its own ring-1 or ring-3 code"),
    "rom_ss_edit": ("ROM stubs: the guest's GDT",
                    r"LOAD_GDT_ENTRY: entry 13 holds the ring-1 stack segment 0x69 and is no "
                    r"longer a flat, writable ring-1 data segment"),
    "rom_gate_gone": ("ROM stubs: gates", r"interrupt 128 at eip [0-9a-f]{8}: no handler installed"),
    "kstack_unmapped": ("kernel stack unmapped",
                        r"SET_STACK: the stack page at [0-9a-f]{8} is not mapped writable"),
}
# sec_kill cases that must change nothing: the guest prints NOEFFECT, exits 0
NOEFFECT = {
    "ne_async_status": "garbage in the async ring",
    "ne_async_lap": "garbage in the async ring",
    "ne_pgd_top": "page-table calls naming no directory",
    "ne_pte_top": "page-table calls naming no directory",
}
NOEFFECT_WHY = {
    "ne_async_status": "statuses neither 0 nor 0xFF, with lethal calls: none runs; exit 0",
    "ne_async_lap": "64 pending harmless calls, 20 times: one lap each; exit 0",
    "ne_pgd_top": "SET_PGD for a directory at fffff000: ignored (as lguest); exit 0",
    "ne_pte_top": "SET_PTE for a directory at fffff000: ignored (as lguest); exit 0",
}

# sec_dev cases (the PCI bus and the virtio console, mem=2M: BAR 0 at
# 00200000): case -> (kind, the exact kill reason as a regular expression)
VQ = r"virtio console queue 1 of size {}: {} \(maximum 256\)"
Q1 = r"virtio console queue 1: "
WINDOW = (r"virtio console: PCI_CFG window of bar {}, offset {}, length {}: "
          r"not an aligned 1, 2 or 4 bytes inside BAR 0")
BAR = r"virtio console: {}-byte {} at BAR 0 offset {}: {}"
WIDTH = "not the width of the register there"
NOTIFY_W = "notify registers take a 16-bit write"
ISR_R = "the ISR status takes a one-byte read"
NOREG = "no register there"
NODEV = r"{}-byte read of device memory at {}: no device is there"
INSN = (r"cannot emulate the instruction at [0-9a-f]{{8}} on device memory at {} "
        r"\(bytes: {}\): not a register mov")
DEV_KILLS = {
    "vq_size_0": ("virtio: queue placement", VQ.format(0, "size is not a power of two from 1 to the maximum")),
    "vq_size_3": ("virtio: queue placement", VQ.format(3, "size is not a power of two from 1 to the maximum")),
    "vq_size_512": ("virtio: queue placement", VQ.format(512, "size is not a power of two from 1 to the maximum")),
    "vq_desc_align": ("virtio: queue placement",
                      VQ.format(16, "descriptor table is not 16-byte aligned inside its memory")),
    "vq_desc_4g": ("virtio: queue placement",
                   VQ.format(16, "descriptor table is not 16-byte aligned inside its memory")),
    "vq_avail_end": ("virtio: queue placement",
                     VQ.format(16, "available ring is not 2-byte aligned inside its memory")),
    "vq_used_mmio": ("virtio: queue placement",
                     VQ.format(16, "used ring is not 4-byte aligned inside its memory")),
    "desc_loop": ("virtio: descriptor loops",
                  Q1 + r"descriptor chain from 0 is longer than the queue \(16\): a loop"),
    "desc_self_loop": ("virtio: descriptor loops",
                       Q1 + r"descriptor chain from 3 is longer than the queue \(16\): a loop"),
    "desc_zero_len": ("virtio: zero-length and indirect descriptors", Q1 + "descriptor 0 has length 0"),
    "desc_indirect": ("virtio: zero-length and indirect descriptors",
                      Q1 + "descriptor 0 is indirect, which is not offered"),
    "desc_beyond": ("virtio: out-of-range buffers",
                    Q1 + "descriptor 0's buffer of 16 bytes lies outside its memory"),
    "desc_straddle": ("virtio: out-of-range buffers",
                      Q1 + "descriptor 0's buffer of 16 bytes lies outside its memory"),
    "desc_len_huge": ("virtio: out-of-range buffers",
                      Q1 + "descriptor 0's buffer of 4294967295 bytes lies outside its memory"),
    "desc_4g": ("virtio: out-of-range buffers",
                Q1 + "descriptor 0's buffer of 16 bytes lies outside its memory"),
    "desc_switcher": ("virtio: out-of-range buffers",
                      Q1 + "descriptor 0's buffer of 16 bytes lies outside its memory"),
    "desc_next_out": ("virtio: ring indices", Q1 + "descriptor 0 chains to 16, beyond the queue"),
    "avail_jump": ("virtio: ring indices", Q1 + "available index jumped from 0 to 17"),
    "avail_jump_back": ("virtio: ring indices", Q1 + "available index jumped from 0 to 65535"),
    "avail_head_out": ("virtio: ring indices",
                       Q1 + r"available ring names descriptor 16, beyond the queue \(16\)"),
    "avail_head_huge": ("virtio: ring indices",
                        Q1 + r"available ring names descriptor 65535, beyond the queue \(16\)"),
    "tx_writable": ("virtio: buffer direction",
                    "virtio console transmit queue: descriptor 0 is device-writable"),
    "notify_unknown": ("virtio: notify",
                       "virtio console: notify of queue 5 at notify register 0: no such enabled queue"),
    "notify_disabled": ("virtio: notify",
                        "virtio console: notify of queue 1 at notify register 1: no such enabled queue"),
    "notify_past": ("BAR 0: an access that fits no register", BAR.format(2, "write", "0x108", NOREG)),
    "notify_read": ("BAR 0: an access that fits no register", BAR.format(2, "read", "0x100", NOTIFY_W)),
    "notify_dword": ("BAR 0: an access that fits no register", BAR.format(4, "write", "0x104", NOTIFY_W)),
    "cfg_bad_bar": ("PCI_CFG window", WINDOW.format(1, "0x308", 4)),
    "cfg_len_3": ("PCI_CFG window", WINDOW.format(0, "0", 3)),
    "cfg_len_0": ("PCI_CFG window", WINDOW.format(0, "0", 0)),
    "cfg_len_8": ("PCI_CFG window", WINDOW.format(0, "0x20", 8)),
    "cfg_misaligned": ("PCI_CFG window", WINDOW.format(0, "0x305", 4)),
    "cfg_outside_bar": ("PCI_CFG window", WINDOW.format(0, "0x1000", 4)),
    "cfg_wraps": ("PCI_CFG window", WINDOW.format(0, "0xfffffffc", 4)),
    "cfg_crossing": ("BAR 0: an access that fits no register", BAR.format(4, "write", "0x14", WIDTH)),
    "cfg_isr_write": ("BAR 0: an access that fits no register", BAR.format(1, "write", "0x200", ISR_R)),
    "mmio_misaligned": ("device memory: misaligned access",
                        "4-byte read of device memory at 00200002 is misaligned"),
    "mmio_misalign16": ("device memory: misaligned access",
                        "2-byte write of device memory at 00200017 is misaligned"),
    "mmio_crossing": ("BAR 0: an access that fits no register", BAR.format(4, "write", "0x14", WIDTH)),
    "mmio_narrow": ("BAR 0: an access that fits no register", BAR.format(2, "read", "0x4", WIDTH)),
    "mmio_gap": ("BAR 0: an access that fits no register", BAR.format(4, "read", "0x80", NOREG)),
    "mmio_isr_wide": ("BAR 0: an access that fits no register", BAR.format(4, "read", "0x200", ISR_R)),
    "mmio_past_dev": ("BAR 0: an access that fits no register", BAR.format(4, "read", "0x30c", NOREG)),
    "mmio_no_device": ("device memory: where no device is", NODEV.format(4, "00201000")),
    "mmio_window_end": ("device memory: where no device is", NODEV.format(1, "002fffff")),
    "mmio_decode_off": ("device memory: where no device is", NODEV.format(2, "00200012")),
    "mmio_sizing": ("device memory: where no device is", NODEV.format(2, "00200012")),
    "mmio_old_bar": ("device memory: where no device is", NODEV.format(2, "00200012")),
    "mmio_beyond": ("device memory: where no device is",
                    r"page table entry 00300063 \(for 40100000\) maps a frame beyond its "
                    r"2048 KiB and its device window"),
    "mmio_movs": ("device memory: not a mov", INSN.format("00200000", "a5 0f 0b 90 90 90 90 90")),
    "mmio_add": ("device memory: not a mov", INSN.format("00200000", "01 03 0f 0b 90 90 90 90")),
    "mmio_mov_imm": ("device memory: not a mov", INSN.format("00200000", "c7 03 01 00 00 00 0f 0b")),
    "mmio_movzx": ("device memory: not a mov", INSN.format("00200014", "0f b6 43 14 0f 0b 90 90")),
    "mmio_prefixed": ("device memory: not a mov", INSN.format("00200000", "f0 87 03 0f 0b 90 90 90")),
}
# sec_dev cases that must change nothing: NOEFFECT, exit 0
DEV_NOEFFECT = {
    "ne_bar_outside": ("PCI: BAR relocation",
                       "BAR 0 written outside the MMIO window: a warning line, BAR 0 unchanged "
                       "and still answering there; exit 0"),
    "ne_features": ("virtio: feature negotiation",
                    "an unknown feature: FEATURES_OK does not stick; VERSION_1 alone then "
                    "is accepted; exit 0"),
}
# sec_blk cases (a virtio-blk disk, mem=2M): case -> (kind, the exact kill
# reason as a regular expression)
DQ = r"virtio disk queue 0: "
DREQ = DQ + r"request at descriptor 0: "
BLK_KILLS = {
    "blk_loop": ("virtio: descriptor loops",
                 DQ + r"descriptor chain from 0 is longer than the queue \(16\): a loop"),
    "blk_outside": ("virtio: out-of-range buffers",
                    DQ + r"descriptor 1's buffer of 512 bytes lies outside its memory"),
    "blk_short_hdr": ("virtio-blk: request layout", DREQ + r"a header of 8 bytes, 16 needed"),
    "blk_hdr_write": ("virtio-blk: request layout", DREQ + r"a header of 0 bytes, 16 needed"),
    "blk_self_write": ("virtio-blk: data over its own ring",
                       DQ + r"descriptor 2 is indirect, which is not offered"),
    "blk_status_ro": ("virtio-blk: request layout",
                            DREQ + r"no device-writable byte for the status at its end"),
    "blk_read_after": ("virtio-blk: request layout",
                           DREQ + r"a device-readable descriptor after a device-writable one"),
}
# sec_blk cases answered with an error status, nothing moved: NOEFFECT, exit 0
BLK_NOEFFECT = {
    "blk_end_read": ("virtio-blk: requests past the end",
                          "reads at the capacity, across the end, at sector 2^64-1 and 2^55: "
                          "IOERR each, the buffer untouched; exit 0"),
    "blk_end_write": ("virtio-blk: requests past the end",
                           "writes across the end and at sector 2^64-1 of a writable disk: IOERR, "
                           "its last sector unchanged; exit 0"),
    "blk_ro_write": ("virtio-blk: writes to a read-only disk",
                     "a write to the read-only disk: IOERR, the sectors read back unchanged; exit 0"),
    "blk_unsupported": ("virtio-blk: lengths and types",
                        "types 4 (FLUSH, not offered) and 0xFFFFFFFF: UNSUPP, nothing written; exit 0"),
    "blk_bad_length": ("virtio-blk: lengths and types",
                       "a read of 100 bytes (not whole sectors): IOERR, nothing written; exit 0"),
}

# sec_dev cases that need console input: test/test_devices.py types it
DEV_INPUT = {
    "rx_readonly": ("virtio: buffer direction",
                    "virtio console receive queue: descriptor 0 is not device-writable"),
}


def kill_reason(cid):
    """The exact kill reason (a regular expression) of a killing case."""
    for table in (KILLS, DEV_KILLS, DEV_INPUT, BLK_KILLS):
        if cid in table:
            return table[cid][1]
    raise KeyError(cid)

# sec_kill cases that try to forge the hypervisor's lines: case -> expected.
# The oracle (test/test_security.py: test_forge) reads the raw log, split
# by every line separator Python knows, not only by the guest's prefix.
FORGE = {
    "forge_console": "console text with CR, VT, FF, FS-RS, NEL, U+2028, ESC sequences and NUL "
                     "before `ringvisor: error: oracle`: every byte escaped behind `[forge_console]`; "
                     "no line of the log, however split, starts as the hypervisor's",
    "forge_shutdown": "SHUTDOWN whose message holds `\\n`, `\\r`, ESC and `ringvisor: oracle: intact`: "
                      "printed once, quoted and escaped, on the exit line and in the summary",
}
FORGE_KIND = "output integrity: forged hypervisor lines"

ERRVEC_VECTORS = (10, 11, 12, 13, 14, 17)
# Cases whose pinned outcome the hypervisor does not give yet: reported to
# the lead (docs/security.md, "Known wrong outcomes"); strict xfail, so a
# fix turns them into a failure until they are taken off this list.
KNOWN_WRONG = {}

DOS = {
    "dos_spin": ("denial of service: never halting", "spin"),
    "dos_irqoff": ("denial of service: virtual IF off", "irqoff"),
    "dos_hcall": ("denial of service: hypercall storm", "hcall"),
    "dos_fault": ("denial of service: fault storm", "fault"),
    "dos_pfault": ("denial of service: page-fault storm", "pfault"),
    "dos_console": ("denial of service: console storm", "console"),
    "dos_intirq": ("denial of service: IRQ-vector storm", "intirq"),
    "dos_notify": ("denial of service: notify storm", "notify"),
}
# Memory isolation (test/test_security_dos.py: test_memory): 30 guests of
# mem=2M touching a byte every 4 MiB, in a 128 MiB host, next to a bystander.
MEMORY = {
    "shadow_touch_30": ("memory isolation: shadow page tables",
                        "30 guests of mem=2M each touching a byte every 4 MiB (767 shadow tables "
                        "wanted) in 128 MiB: each stays within its shadow budget by evicting its "
                        "own tables, none is killed for memory, the bystander's output equals its "
                        "solo run, every frame back when each ends (the frame oracle then)"),
    "admission_refused": ("memory isolation: admission",
                          "a guest whose RAM, fixed cost and shadow budget do not fit: refused at "
                          "boot with one line naming the three, the others run"),
}

# Abuse of the monitor's input (test/test_security_monitor.py), sent on COM2
# (monitor=com2) beside two running guests: case -> (kind, the bytes sent,
# the start of the one reply line). Each must get that one line and change
# nothing: both guests still running, unpaused, at the same weight.
MONITOR_LONG = "monitor input: long and binary lines"
MONITOR_BAD = "monitor input: bad commands and names"
MONITOR_INPUT = {
    "mon_long_line": (MONITOR_LONG, b"pause t1 " + b"x" * 300 + b"\n",
                      "error msg=line too long (more than 64 bytes)"),
    "mon_huge_line": (MONITOR_LONG, b"kill t1" + b"y" * 4000 + b"\n",
                      "error msg=line too long (more than 64 bytes)"),
    "mon_nul": (MONITOR_LONG, b"kill\x00 t1\n", "error msg=byte 0x00 is not text"),
    "mon_high_bytes": (MONITOR_LONG, b"pause t1" + bytes(range(0x80, 0x100)) + b"\n",
                       "error msg=byte 0x80 is not text"),
    "mon_utf8_name": (MONITOR_LONG, "pause t\u0131\n".encode(), "error msg=byte 0xc4 is not text"),
    "mon_escape_seq": (MONITOR_LONG, b"\x1b[2J\x1b]0;x\x07kill t1\n",
                       "error msg=byte 0x1b is not text"),
    "mon_unknown_cmd": (MONITOR_BAD, b"frobnicate t1\n", 'error msg=unknown command "frobnicate"'),
    "mon_abbreviated_cmd": (MONITOR_BAD, b"ki t1\n", 'error msg=unknown command "ki"'),
    "mon_unknown_guest": (MONITOR_BAD, b"kill nosuch\n", 'error msg=no guest is named "nosuch"'),
    "mon_ambiguous_guest": (MONITOR_BAD, b"kill t\n", 'error msg="t" names 2 guests'),
    "mon_format_name": (MONITOR_BAD, b"kill %s%n%x\n", 'error msg=no guest is named "%s%n%x"'),
    "mon_too_many_words": (MONITOR_BAD, b"a b c d e f g h i\n", "error msg=more than 8 words"),
    "mon_missing_arg": (MONITOR_BAD, b"kill\n", "error msg=usage: kill NAME"),
    "mon_extra_arg": (MONITOR_BAD, b"pause t1 t2\n", "error msg=usage: pause NAME"),
    "mon_weight_overflow": (MONITOR_BAD, b"set t1 weight=99999999999999\n",
                            "error msg=weight= wants 1..1000"),
    "mon_weight_zero": (MONITOR_BAD, b"set t1 weight=0 cap=50\n", "error msg=weight= wants 1..1000"),
    "mon_cap_over": (MONITOR_BAD, b"set t1 weight=500 cap=101\n", "error msg=cap= wants 0..100"),
    "mon_set_junk": (MONITOR_BAD, b"set t1 weight=500 turbo=1\n",
                     'error msg=set takes weight=N and cap=N, not "turbo=1"'),
}

# Restart policy and accounting (test/test_security_dos.py: test_restart):
# case -> (kind, sec_storm mode, module options, expected)
RESTART = {
    "restart_follows_on_exit": ("restart limits: on_exit= and cpu_limit=", "restart", "",
                                "SHUTDOWN asking for a restart under on_exit=stop: ends once, "
                                "never restarted"),
    "restart_cpu_limit_spans": ("restart limits: on_exit= and cpu_limit=", "restart",
                                "on_exit=restart restarts=1000 cpu_limit=40ms expect=killed",
                                "5 ms of work then a restart, 1000 allowed, cpu_limit=40ms: killed "
                                "for its cpu_limit after at most 8 restarts (accounting spans restarts)"),
}

# CPU isolation (test/test_security_share.py): a victim (guests/sched/spin.c,
# weight 100, one second of virtual time under -icount) beside one adversary
# (sec_storm) of equal weight; the victim's own count of work against its
# solo run, never the hypervisor's cpu_ns. case -> (kind, adversary options,
# sec_storm mode, the victim's least share, or None and the capped
# adversary's own share at most)
SHARE_MIN = 0.45
CAP_MAX = 0.11
SHARE = {
    "share_conbig": ("CPU isolation: long console writes", "", "conbig"),
    "share_ring": ("CPU isolation: async ring floods", "", "ring"),
    "share_restart": ("CPU isolation: restart loops", "mem=64M on_exit=restart restarts=1000000",
                      "restartnow"),
    "share_halt": ("CPU isolation: halt and timer storms", "", "halt"),
    "share_fault": ("CPU isolation: fault storms", "", "fault"),
    "share_pfault": ("CPU isolation: fault storms", "", "pfault"),
    "share_hcall": ("CPU isolation: hypercall storms", "", "hcall"),
    "share_evict": ("CPU isolation: shadow eviction storms", "mem=200M", "touch2"),
    "share_flush": ("CPU isolation: shadow eviction storms", "", "touchflush"),
    "share_disk": ("CPU isolation: disk requests", "disk_rw=storm.img", "disk"),
    "share_capped_conbig": ("CPU isolation: cap= and host work", "cap=10", "conbig"),
}
SHARE_EXPECT = ("a weight-100 victim beside it gets at least 45% of the work it does alone "
                "over one second of virtual time (its own loop count, -icount)")
CAP_EXPECT = "a cap=10 spinner does at most 11% of the work it does uncapped in one second"

DOS_EXPECT = ("killed at its cpu_limit=100ms; the bystander's output is byte-identical "
              "to its solo run; a CPU-bound weight-100 guest gets at least 90% of its "
              "weight's share")


def _fmt(v, e):
    if v == "EMU":
        return "emulated, no trap"
    if v == "NONE":
        return "no trap (not privileged)"
    name = {"GP": "#GP", "TS": "#TS"}[v]
    return f"{name}({e}) reflected"


def priv_cases():
    """(id, kind, expected) for every PCASE row of sec_priv.c, both rings."""
    text = (SRC / "sec_priv.c").read_text()
    rows = re.findall(r'^X\((\w+), "([^"]+)", (\w+), (\w+), (\w+), (\w+)\)', text, re.M)
    out = []
    for name, kind, v1, e1, v3, e3 in rows:
        out.append((f"r1_{name}", kind, "ring 1: " + _fmt(v1, e1)))
        out.append((f"r3_{name}", kind, "ring 3: " + _fmt(v3, e3)))
    return out


SCASE_EXPECT = {
    "int_sweep_ring1": "every vector 0-255 from ring 1 with DPL-1 gates: hypercall 0x1F runs; "
                       "2, 8, 15, 32-47 #GP(n*8+2); the rest reflected as n (7, 10-14, 17: #GP too, one module each)",
    "int_sweep_ring3_dpl1": "every vector from ring 3 with DPL-1 gates: #GP(n*8+2), 0x80 the system call",
    "int_sweep_ring3_dpl3": "every vector from ring 3 with DPL-3 gates: reflected as n; 2, 7, 8, 10-15, 17, 0x1F, 32-47 #GP(n*8+2)",
    "int7_ring1_reflected": "int $7 through the guest's gate: #GP(0x3a) reflected (the host would take it for #NM)",
    "int7_ring3_reflected": "int $7 from ring 3 through a DPL-3 gate: #GP(0x3a) reflected",
    "irq_vectors_no_host_effect": "3200 x int $0x20-0x2F: #GP each; no timer tick, timer_irqs unchanged; the timer still works",
    "popf_cannot_clear_if": "popf with IF=0, IOPL=3: pushf shows IF=1, IOPL=0; a timer interrupt still arrives",
    "nt_cleared_by_switch": "NT set, then a hypercall: the Switcher's iret is no task return; NT clear after",
    "ac_tf_flags_kept_harmless": "AC set through a hypercall: IF=1, IOPL=0, VM=0 after",
    "null_selectors_at_switch": "ds/es/fs/gs null across a hypercall: kept null, guest runs on",
    "rpl0_data_selector_at_switch": "ds = 0x68 (RPL 0 of its own data) across a hypercall: kept, no effect",
    "lcall_rpl0_own_code_stays_ring1": "lcall $0x60 (RPL 0): runs at CPL 1 with cs 0x61",
    "gdt_conforming_dpl0_raised": "conforming code with DPL 0 in slot 20: stored DPL 1; a far call runs at CPL 1",
    "gdt_host_slot_cs_unchanged": "LOAD_GDT_ENTRY 10 and 16: ignored (lar unchanged); ljmp 0x51 #GP(0x50)",
    "idt_gate_into_switcher_text": "direct gate at 0xFFC00000: runs in ring 1, #PF(3) writing the read-only state page",
    "idt_gate_into_switcher_stubs": "gate at the Switcher's stubs: ring 1, #GP(0x58) loading the host's %ds",
    "idt_gate_beyond_memory": "gate at 0xC0100000: #PF at that address, reflected",
    "idt_odd_gate_types": "gates of type 5, 6 and 0xC: delivered to the handler as a trap gate, nothing else",
    "idt_gate_dpl0_int3_gp": "int3 through a DPL-0 trap gate: #GP(0x1A)",
    "rom_page_read_only": "a write to the system-call gate's ROM stub: #PF(3) at that address, the ROM unchanged",
    "rom_alias_is_own_frame": "a write through the lguest_data alias lands in its own lguest_data, and back",
    "rom_error_vector_int_gp": "int $11 through a DPL-3 interrupt gate for #NP: its ROM gate has DPL 0, so #GP(0x5A)",
    "rom_nmi_mc_kept_by_host": "interrupt gates for NMI and #MC: the real gates stay the Switcher's (selector 0x50)",
    "pt_alias_rw_ro_same_frame": "one frame mapped RW and RO: reads agree; a write through RO #PF(3), frame unchanged",
    "pt_page_edited_unreported": "a writable page-table page edited without SET_PTE to another own frame: "
                                 "old or new frame (both its own); after SET_PTE the new one",
    "pt_cached_dir_edited_unreported": "a cached directory's table edited while out of use: back in use "
                                       "it still maps the old (own) frame; FLUSH_TLB(1) refreshes",
}


def scases():
    text = (SRC / "sec_priv.c").read_text()
    return re.findall(r'^SCASE\((\w+), "([^"]+)"\)', text, re.M)


def catalogue():
    """Every case: dicts with id, group, kind, defence, expected."""
    cases = []

    def add(cid, group, kind, expected):
        cases.append(dict(id=cid, group=group, kind=kind, defence=DEFENCE[kind],
                          expected=expected, known_wrong=KNOWN_WRONG.get(cid)))
    for cid, kind, exp in priv_cases():
        add(cid, "priv", kind, exp)
    for cid, kind in scases():
        add(cid, "priv", kind, SCASE_EXPECT[cid])
    for r in (1, 3):
        for v in ERRVEC_VECTORS:
            add(f"errvec_r{r}_{v}", "errvec", "int n for every vector",
                f"int ${v} from ring {r} through a DPL-3 gate: #GP({v * 8 + 2:#x}) reflected "
                "(the CPU pushes no error code for int n)")
    for cid, (kind, reason) in KILLS.items():
        add(cid, "kill", kind, f"killed: `{reason}`")
    for cid, kind in NOEFFECT.items():
        add(cid, "noeffect", kind, NOEFFECT_WHY[cid])
    for cid, (kind, reason) in DEV_KILLS.items():
        add(cid, "devkill", kind, f"killed: `{reason}`")
    for cid, (kind, why) in DEV_NOEFFECT.items():
        add(cid, "devnoeffect", kind, why)
    for cid, (kind, reason) in BLK_KILLS.items():
        add(cid, "blkkill", kind, f"killed: `{reason}`")
    for cid, (kind, why) in BLK_NOEFFECT.items():
        add(cid, "blknoeffect", kind, why)
    for cid, (kind, reason) in DEV_INPUT.items():
        add(cid, "devinput", kind, f"killed when input arrives: `{reason}`")
    for cid, (kind, exp) in NET.items():
        add(cid, "net", kind, exp)
    for cid, exp in FORGE.items():
        add(cid, "forge", FORGE_KIND, exp)
    for cid, (kind, _, mode) in SHARE.items():
        exp = SHARE_EXPECT if "cap=" not in SHARE[cid][1] else \
            "a weight-100 victim beside a cap=10 adversary gets at least 85% of its solo work"
        add(cid, "share", kind, f"`{mode}`: " + exp)
    add("cap_10_alone", "share", "CPU isolation: cap= and host work", CAP_EXPECT)
    for cid, (kind, exp) in MEMORY.items():
        add(cid, "memory", kind, exp)
    for cid, (kind, _, _, exp) in RESTART.items():
        add(cid, "restart", kind, exp)
    for cid, (kind, _) in DOS.items():
        add(cid, "dos", kind, DOS_EXPECT)
    for cid, (kind, raw, reply) in MONITOR_INPUT.items():
        shown = raw if len(raw) <= 40 else raw[:24] + f"... ({len(raw)} bytes)".encode()
        add(cid, "monitor", kind, f"`{shown!r}` on COM2: one line `{reply}...`, "
            "nothing changed (both guests still running, unpaused, at weight 100)")
    add("fuzz_share", "fuzz", "hypercall fuzzing",
        ">= 10^5 fuzzed calls, deaths counted by reason, no panic, oracle intact")
    add("mutation", "mutation", "mutation self-check", "every mutant caught (make test-mutation)")
    return cases


def render_doc():
    cases = catalogue()
    kinds = collections.OrderedDict()
    for c in cases:
        kinds.setdefault(c["kind"], []).append(c)
    out = ["# Security catalogue", "",
           "Generated by `tools/security.py doc` from `guests/security/` and the",
           "tables in `tools/security.py`; `test/test_security.py` fails when it is",
           "not current. One attack per case, each with one exact expected outcome.",
           "`make test-security` runs them all (and `tools/mutation.py`) and ends",
           "with `security: N cases, N passed, M escapes`; `make soak` runs the",
           "long fuzzer and restart runs.", "",
           f"**{len(cases)} cases over {len(kinds)} kinds.**", "",
           "Where the cases run:", "",
           "- `priv` and `errvec`: `guests/security/sec_priv.c` (with `sec_probe.S`),",
           "  one PASS/FAIL line per case; `errvec` cases one module each;",
           "- `kill`, `noeffect`, `forge`: `guests/security/sec_kill.c`, one module per",
           "  case, the kill reason matched exactly;",
           "- `devkill`, `devnoeffect`: `guests/security/sec_dev.c` (the PCI bus and the",
           "  virtio console), the same way, in the same boot;",
           "- `blkkill`, `blknoeffect`: `guests/security/sec_blk.c` (a virtio-blk disk",
           "  through the runtime's driver), the same way, in a boot of their own",
           "  beside a bystander (the catalogue's boot fills MAX_MODULES);",
           "- `devinput`: `sec_dev.c` beside `guests/tests/tvirtio.c` in",
           "  test/test_devices.py's boot, which types the input that triggers it;",
           "- `net`: `guests/security/sec_net.c` (the virtual switch and virtio-net),",
           "  one boot with a bystander, counters read from the summary",
           "  (test/test_security_net.py); `net_flood_share` under `-icount`;",
           "- `dos`: `guests/security/sec_storm.c` next to `guests/sched/bystander.c`",
           "  and `guests/sched/spin.c`, under `-icount`;",
           "- `share`: `guests/sched/spin.c` (the victim) beside `guests/security/sec_storm.c`,",
           "  under `-icount` (test/test_security_share.py);",
           "- `restart`, `memory`: `guests/security/sec_storm.c` (test/test_security_dos.py);",
           "- `fuzz`: `guests/security/sec_fuzz.c` (test/test_security_fuzz.py);",
           "- `monitor`: bytes on COM2 (`monitor=com2`) beside two `guests/sched/ticker.c`",
           "  (test/test_security_monitor.py);",
           "- `mutation`: `tools/mutation.py`.", "",
           "Cases already elsewhere (not repeated here) include tkill's 45 kills",
           "(test/test_guest_kills.py), tattack's Switcher-page attacks, ttrap/tirq/tuser",
           "(test/test_guest_cases.py) and the paging attacks (test/test_paging.py).", ""]
    wrong = [c for c in cases if c["known_wrong"]]
    if wrong:
        out += ["## Known wrong outcomes (reported, kept as strict xfail)", ""]
        for c in wrong:
            out.append(f"- `{c['id']}`: {c['known_wrong']}.")
        out += ["", "Fix for the error-code vectors: give the Switcher stub for vectors 8, "
                "10-14 and 17 DPL 0 whatever the guest's gate says (`traps/idt.c: "
                "idt_refresh`), so `int n` raises #GP(n*8+2) as for the host's own vectors. "
                "For `int $7`: reflect vector 7 when the FPU already holds this guest's "
                "state (a real #NM cannot happen then: `traps/fpu.c: fpu_handle_nm`).", ""]
    out += ["## Guarantees (issue 11)", "",
            "- **Output integrity.** Every byte a guest controls is printed behind its",
            "  `[name]` prefix or quoted, with every control byte, DEL and byte from",
            "  0x80 escaped (`\\n`, `\\r`, `\\t`, `\\xNN`); hypervisor lines are told",
            "  apart by `^ringvisor: ` (docs/console.md). Cases `forge_*`.",
            "- **Memory.** Each guest's shadow budget (64 frames + 1 per 256 KiB of",
            "  `mem=`, or `shadow=`) is reserved at admission; a guest that does not",
            "  fit (RAM + fixed cost + budget) is refused with one line; at its budget",
            "  a guest evicts its own tables; its frames come back the moment it ends,",
            "  checked by the oracle then (docs/design.md).",
            "- **Restarts** follow `on_exit=`, keep the guest's CPU accounting",
            "  (`cpu_limit=`, `cap=`) and are charged to it. Cases `restart_*`.",
            "- **Bounded work.** Console output: 512 bytes per hypercall entry, ring",
            "  and call together, the rest restarted (eip rewound) in ring order;",
            "  guest loading: 64 KiB pieces in the guest's own slices; host time is",
            "  charged to its guest and an overrun is debt, never forgiven; the host",
            "  keeps interrupts off for at most 100 000 instructions (`make bench`:",
            "  `host_irq_off_max`; docs/design.md, \"Bounded host work\").",
            "- **CPU share.** A victim of equal weight beside any adversary of the",
            "  catalogue gets at least 45 % of its solo work over one second of virtual",
            "  time; a `cap=10` guest gets at most 11 % (docs/scheduler.md). Cases",
            "  `share_*`, `cap_10_alone`.", ""]
    out += ["## Cases", ""]
    for kind, cs in kinds.items():
        out += [f"### {kind}", "", f"Defence: {cs[0]['defence']}", "",
                "| case | where | expected |", "|---|---|---|"]
        for c in cs:
            exp = c["expected"].replace("|", "\\|")
            mark = " (known wrong)" if c["known_wrong"] else ""
            out.append(f"| `{c['id']}`{mark} | {c['group']} | {exp} |")
        out.append("")
    return "\n".join(out)


def run(cmd, **kw):
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run(cmd, cwd=ROOT, **kw)


def scan_escapes():
    """Escapes in the suite's boot logs and the tests' own record."""
    found = []
    for log in sorted((BUILD / "test-logs").glob(LOG_PREFIX + "*.log")):
        text = log.read_text(errors="replace")
        for m in re.finditer(r"^ringvisor: error: oracle.*$", text, re.M):
            found.append(f"{log.name}: {m[0]}")
        if re.search(r"guard", text, re.I) and re.search(r"^ringvisor: error:.*guard", text, re.M | re.I):
            found.append(f"{log.name}: guard frame")
        if "ringvisor: starting" in text and not re.search(r"^ringvisor: oracle: intact", text, re.M) \
                and not re.search(r"^ringvisor: (panic|PANIC)", text, re.M):
            found.append(f"{log.name}: no 'oracle: intact'")
    if ESCAPES.exists():
        found += [l for l in ESCAPES.read_text().splitlines() if l.strip()]
    return found


def suite():
    xml = BUILD / "security-junit.xml"
    ESCAPES.unlink(missing_ok=True)
    for log in (BUILD / "test-logs").glob(LOG_PREFIX + "*.log"):
        log.unlink()
    modules = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "test").glob("test_security*.py"))
    run([sys.executable, "-m", "pytest", "-n", "2", "-q", "-p", "no:cacheprovider",
         f"--junitxml={xml}"] + modules + ["test/test_devices.py"])
    ids = {c["id"] for c in catalogue()}
    results = {}
    if xml.exists():
        for tc in ET.parse(xml).getroot().iter("testcase"):
            m = re.search(r"\[(.*)\]$", tc.get("name", ""))
            cid = m[1] if m else tc.get("name", "").removeprefix("test_")
            if cid not in ids:
                continue
            bad = tc.find("failure") is not None or tc.find("error") is not None \
                or tc.find("skipped") is not None
            results[cid] = results.get(cid, True) and not bad
    mut = run([sys.executable, str(ROOT / "tools" / "mutation.py")])
    results["mutation"] = mut.returncode == 0
    escapes = scan_escapes()
    for e in escapes:
        print(f"ESCAPE: {e}")
    for cid in sorted(ids - set(results)):
        print(f"security: case {cid} did not run")
    passed = sum(1 for cid in ids if results.get(cid))
    print(f"security: {len(ids)} cases, {passed} passed, {len(escapes)} escapes")
    return 0 if passed == len(ids) - len([c for c in ids if c in KNOWN_WRONG]) \
        and not escapes else 1


def soak():
    sys.path.insert(0, str(ROOT / "test"))
    import test_security_fuzz as fz
    import test_security_dos as dos
    ok = True
    calls, deaths, b = fz.fuzz_run("security_soak_fuzz", guests=8, restarts=350,
                                   calls=2500, timeout=590)
    print(f"soak: fuzzer {calls} calls, QEMU status {b.status}")
    for reason, n in deaths.most_common():
        print(f"soak:   {n:6d} x killed: {reason}")
    ok &= calls >= 10 ** 6 and b.status == 3 and not fz.escapes_in(b)
    res = dos.churn("security_soak_churn", restarts=1000, timeout=590)
    print(f"soak: churn {res}")
    ok &= res["ok"]
    print("soak: " + ("passed" if ok else "FAILED"))
    return 0 if ok else 1


def main(argv):
    cmd = argv[1] if len(argv) > 1 else "doc"
    if cmd == "doc":
        DOC.write_text(render_doc() + "\n")
        return 0
    if cmd == "check":
        cur = DOC.read_text() if DOC.exists() else ""
        if cur != render_doc() + "\n":
            print("docs/security.md is not current: run tools/security.py doc")
            return 1
        return 0
    if cmd == "suite":
        return suite()
    if cmd == "soak":
        return soak()
    if cmd == "count":
        cs = catalogue()
        print(len(cs), "cases,", len({c["kind"] for c in cs}), "kinds")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
