#!/usr/bin/env python3
"""Write the modules the boot tests load: small valid guests, one malformed
image per failure the hypervisor must report, and initrd data.

Usage: mkmodules.py OUTDIR
       mkmodules.py --wrap GUEST.elf PREFIX

Each valid image is an ELF32 i386 ET_EXEC (or a bzImage around the same
code) and a real, minimal guest: its code (at guest-physical 1 MiB)
registers its lguest_data (HC_LGUEST_INIT), then ends with HC_RV_EXIT,
status 0. Each bad image breaks exactly one rule.

--wrap makes PREFIX.bz and PREFIX.vmlinux from an SDK guest: a bzImage
whose protected-mode code is the guest's image, and a copy of the ELF whose
segments are linked PAGE_OFFSET above their physical addresses, as a
vmlinux is. The hypervisor then boots the guest as Linux."""
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


# --- bzImages (Documentation/x86/boot.txt) ---------------------------------

def bzimage(code, *, entry=LOAD, setup_sects=4, sects_field=None, version=0x20D,
            loadflags=1, syssize=None, init_size=None, pref=LOAD, align=0x200000,
            boot_flag=0xAA55, header_len=0x66, relocatable=0, cut=None):
    """A bzImage file: the boot sector and setup_sects sectors (only the
    setup header filled in), then code, the protected-mode part, padded to
    16 bytes as Linux's build pads it."""
    code = code.ljust((len(code) + 15) // 16 * 16, b"\0")
    setup = bytearray(((setup_sects or 4) + 1) * 512)
    struct.pack_into("<B", setup, 0x1F1,
                     setup_sects if sects_field is None else sects_field)
    struct.pack_into("<I", setup, 0x1F4,
                     len(code) // 16 if syssize is None else syssize)
    struct.pack_into("<H", setup, 0x1FE, boot_flag)
    struct.pack_into("<BB4sH", setup, 0x200, 0xEB, header_len, b"HdrS", version)
    struct.pack_into("<B", setup, 0x211, loadflags)
    struct.pack_into("<I", setup, 0x214, entry)
    struct.pack_into("<I", setup, 0x230, align)
    struct.pack_into("<B", setup, 0x234, relocatable)
    struct.pack_into("<I", setup, 0x238, 0x7FF)
    struct.pack_into("<Q", setup, 0x258, pref)
    struct.pack_into("<I", setup, 0x260,
                     (len(code) + 0xFFF) & ~0xFFF if init_size is None else init_size)
    img = bytes(setup) + code
    return img[:cut] if cut else img


def flat_code():
    """The minimal guest as the bytes from 1 MiB on: its code, then its
    lguest_data at DATA."""
    return CODE.ljust(DATA - LOAD, b"\0") + lguest_data()


def bzimages():
    code = flat_code()
    yield "bz_good", bzimage(code)
    yield "bz_bootflag", bzimage(code, boot_flag=0x1234)
    yield "bz_oldproto", bzimage(code, version=0x209)
    yield "bz_hdrend", bzimage(code, header_len=0x20)
    yield "bz_cut", bzimage(code, cut=0x250)
    yield "bz_zimage", bzimage(code, loadflags=0)
    yield "bz_setupsects", bzimage(code, sects_field=200)
    yield "bz_syssize", bzimage(code, syssize=0x10000)
    yield "bz_code32", bzimage(code, entry=LOAD + 0x10000)
    yield "bz_align", bzimage(code, align=0x300000)
    yield "bz_preflow", bzimage(code, pref=0x80000)
    yield "bz_init0", bzimage(code, init_size=0)
    yield "bz_toobig", bzimage(code, pref=0x1000000, init_size=0x400000)
    # Valid, decompressing at 16 MiB as 4.9 does: for the memory plan.
    yield "bz_high", bzimage(code, pref=0x1000000, init_size=0x100000)


def initrds():
    """Data modules for initrd=: a pattern tlinux checks, byte i = 7i + 3."""
    for name, size in (("rd5000", 5000), ("rd4m", 4 * 1024 * 1024 + 1)):
        yield name, bytes((i * 7 + 3) & 0xFF for i in range(size))


def wrap(elf_path, prefix):
    """PREFIX.bz and PREFIX.vmlinux from an SDK guest (see the top)."""
    img = bytearray(Path(elf_path).read_bytes())
    (_, _, _, _, entry, phoff, _, _, _, _, phnum, _, _, _) = EHDR.unpack_from(img)
    flat, end = bytearray(), LOAD
    for i in range(phnum):
        at = phoff + i * PHDR.size
        (ptype, off, vaddr, paddr, filesz, memsz, flags, align) = PHDR.unpack_from(img, at)
        if ptype != PT_LOAD or memsz == 0:
            continue
        assert paddr >= LOAD and vaddr == paddr, "an SDK guest linked at 1 MiB"
        flat[len(flat):] = bytes(max(0, paddr - LOAD + filesz - len(flat)))
        flat[paddr - LOAD:paddr - LOAD + filesz] = img[off:off + filesz]
        end = max(end, paddr + memsz)
        PHDR.pack_into(img, at, ptype, off, vaddr + 0xC0000000, paddr, filesz,
                       memsz, flags, align)
    init_size = (end - LOAD + 0xFFF) & ~0xFFF
    Path(f"{prefix}.bz").write_bytes(bzimage(bytes(flat), entry=entry,
                                             init_size=init_size))
    Path(f"{prefix}.vmlinux").write_bytes(bytes(img))


def main():
    if sys.argv[1] == "--wrap":
        wrap(sys.argv[2], sys.argv[3])
        return
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, data in images():
        (out / f"{name}.elf").write_bytes(data)
    for name, data in bzimages():
        (out / f"{name}.bz").write_bytes(data)
    for name, data in initrds():
        (out / f"{name}.bin").write_bytes(data)


if __name__ == "__main__":
    main()
