#!/usr/bin/env python3
"""Write the ELF modules the boot tests load: small valid guests and one
malformed image per failure the hypervisor must report.

Usage: mkmodules.py OUTDIR

Each valid image is an ELF32 i386 ET_EXEC and a real, minimal guest: its
code (at guest-physical 1 MiB) registers its lguest_data (HC_LGUEST_INIT),
then ends with HC_RV_EXIT, status 0. Each bad image breaks exactly one
rule."""
import struct
import sys
from pathlib import Path

EHDR = struct.Struct("<16sHHIIIIIHHHHHH")   # Elf32_Ehdr, 52 bytes
PHDR = struct.Struct("<IIIIIIII")           # Elf32_Phdr, 32 bytes
PT_LOAD, PF_X, PF_W, PF_R = 1, 1, 2, 4
LOAD = 0x100000

DATA = LOAD + 0x1000          # where the guests' lguest_data lives

# mov $1, %eax (HC_LGUEST_INIT); mov $DATA, %ebx; int $0x1f;
# mov $65, %eax (HC_RV_EXIT); xor %ebx, %ebx; int $0x1f; jmp .
CODE = (bytes.fromhex("b801000000") + b"\xbb" + struct.pack("<I", DATA) +
        bytes.fromhex("cd1f" "b841000000" "31db" "cd1f" "ebfe"))


def lguest_data():
    """struct lguest_data (include/abi.h): every async slot done (0xFF at
    offset 24), syscall_vec 0x80 (offset 1384)."""
    d = bytearray(1388)
    d[24:88] = b"\xff" * 64
    struct.pack_into("<I", d, 1384, 0x80)
    return bytes(d)


def elf(segments, entry=LOAD, ident_class=1, ident_data=1, machine=3,
        etype=2, version=1, phentsize=PHDR.size, phoff=EHDR.size, phnum=None,
        pad_to=None):
    """segments: list of (paddr, data bytes, memsz, flags) laid out in order
    after the program headers."""
    phnum = len(segments) if phnum is None else phnum
    ident = b"\x7fELF" + bytes([ident_class, ident_data, 1]) + bytes(9)
    data_off = EHDR.size + PHDR.size * len(segments)
    body, phdrs = b"", b""
    for paddr, data, memsz, flags in segments:
        phdrs += PHDR.pack(PT_LOAD, data_off + len(body), paddr, paddr,
                           len(data), memsz, flags, 0x1000)
        body += data
    hdr = EHDR.pack(ident, etype, machine, version, entry, phoff, 0, 0,
                    EHDR.size, phentsize, phnum, 0, 0, 0)
    img = hdr + phdrs + body
    if pad_to:
        img = img.ljust(pad_to, b"\0")
    return img


def good():
    return elf([(LOAD, CODE, len(CODE), PF_R | PF_X),
                (DATA, lguest_data(), 0x1000, PF_R | PF_W)])


def images():
    ok = good()
    yield "good", ok
    yield "good2", elf([(LOAD, CODE, len(CODE), PF_R | PF_X),
                        (DATA, lguest_data(), 0x3000, PF_R | PF_W)])
    yield "notelf", b"#!/bin/sh\necho this is not an ELF image\n" * 4
    yield "empty", b""
    yield "truncated", ok[:40]
    yield "class64", elf([(LOAD, CODE, 64, PF_R | PF_X)], ident_class=2)
    yield "bigendian", elf([(LOAD, CODE, 64, PF_R | PF_X)], ident_data=2)
    yield "machine", elf([(LOAD, CODE, 64, PF_R | PF_X)], machine=0x3E)
    yield "notexec", elf([(LOAD, CODE, 64, PF_R | PF_X)], etype=3)
    yield "phdrs_outside", elf([(LOAD, CODE, 64, PF_R | PF_X)], phoff=0x10000)
    yield "noload", elf([], phnum=0)
    # The segment claims more file bytes than the file has.
    img = bytearray(ok)
    struct.pack_into("<I", img, EHDR.size + 16, 0x100000)   # p_filesz
    struct.pack_into("<I", img, EHDR.size + 20, 0x100000)   # p_memsz
    yield "seg_outside_file", bytes(img)
    # An offset that wraps around 4 GiB when the size is added.
    img = bytearray(ok)
    struct.pack_into("<I", img, EHDR.size + 4, 0xFFFFFFF0)  # p_offset
    yield "seg_offset_wrap", bytes(img)
    yield "filesz_gt_memsz", elf([(LOAD, CODE, 4, PF_R | PF_X)])
    yield "overlap", elf([(LOAD, CODE, 0x2000, PF_R | PF_X),
                          (LOAD + 0x1000, b"x" * 16, 0x1000, PF_R | PF_W)])
    yield "huge", elf([(LOAD, CODE, 0x7FFFFFFF, PF_R | PF_X)])
    yield "toobig_for_mem", elf([(LOAD, CODE, 0x800000, PF_R | PF_X)])
    yield "entry_outside", elf([(LOAD, CODE, 0x1000, PF_R | PF_X)],
                               entry=0x400000)
    yield "entry_not_exec", elf([(LOAD, CODE, 0x1000, PF_R | PF_X),
                                 (LOAD + 0x1000, b"d" * 16, 0x1000, PF_R | PF_W)],
                                entry=LOAD + 0x1000)


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, data in images():
        (out / f"{name}.elf").write_bytes(data)


if __name__ == "__main__":
    main()
