#!/usr/bin/env python3
"""Checks that layers only point down (tools/layers.txt): the hypervisor's,
the guest runtime's and the sample guest OS's.

    tools/layers.py [BUILD]        check every object of BUILD (default build)
    tools/layers.py --files        print each hypervisor source and its layer

Two kinds of use are checked, each against the table:
- symbols: every undefined symbol of an object (`nm -u`) is mapped to the
  object that defines it, which catches calls made through local `extern`
  declarations as well as through headers;
- includes: every `#include <...>` of a source or header file.
A use of a layer above the user's own is a violation; one line each,
and exit status 1. Files the table does not place are violations too, so
a new file has to be given a layer."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "tools" / "layers.txt"
# Top-level folders that are not the hypervisor; every other folder's
# sources are, and must have a layer.
NOT_HYPERVISOR = {"build", "docs", "guests", "test", "tools"}
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*<([^>]+)>', re.M)


def load_sections(path=TABLE):
    """[(section name, object prefix, [(layer name, [paths])])], in order."""
    sections = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("["):
            words = line.strip("[]").split()
            opts = dict(w.split("=", 1) for w in words[1:])
            sections.append((words[0], opts.get("objects", ""), []))
        elif line:
            words = line.split()
            sections[-1][2].append((words[0], words[1:]))
    return sections


def load_table(path=TABLE):
    """The hypervisor's layers, bottom first."""
    return load_sections(path)[0][2]


class Layers:
    def __init__(self, table):
        self.names = [name for name, _ in table]
        self.paths = [(p, i) for i, (_, paths) in enumerate(table) for p in paths]

    def of(self, path):
        """The layer index of a repository path, or None."""
        best, idx = -1, None
        stem = re.sub(r"\.(c|h|S)$", "", path)
        for p, i in self.paths:
            hit = path.startswith(p) if p.endswith("/") else stem == p or path == p
            if hit and len(p) > best:
                best, idx = len(p), i
        return idx

    def name(self, i):
        return self.names[i]


def header_path(inc):
    """The repository path an #include <inc> names: the tree's root first,
    then include/ (the hypervisor's -I order); None if neither has it."""
    for base in ("", "include/"):
        if (ROOT / base / inc).is_file():
            return base + inc
    return None


def check(layers, files, defined):
    """Violations, as lines. files: path -> (includes, undefined symbols);
    defined: symbol -> path of the source that defines it."""
    out = []
    for path in sorted(files):
        mine = layers.of(path)
        if mine is None:
            out.append(f"{path}: not in any layer of tools/layers.txt")
            continue
        includes, undefined = files[path]
        for inc in includes:
            target = header_path(inc) or inc
            theirs = layers.of(target)
            if theirs is not None and theirs > mine:
                out.append(f"{path} ({layers.name(mine)}) includes {target} "
                           f"({layers.name(theirs)}), a layer above")
        for sym in sorted(undefined):
            src = defined.get(sym)
            if src is None:
                continue            # libgcc, the linker script's symbols
            theirs = layers.of(src)
            if theirs is not None and theirs > mine:
                out.append(f"{path} ({layers.name(mine)}) uses {sym} from {src} "
                           f"({layers.name(theirs)}), a layer above")
    return out


def sources(section="hypervisor"):
    """Every source and header of a section: for the hypervisor, every one
    outside the folders that are not it; otherwise its own folder's."""
    if section != "hypervisor":
        folder = ROOT / section
        yield from (str(p.relative_to(ROOT)) for p in sorted(folder.iterdir())
                    if p.suffix in (".c", ".h", ".S") and p.is_file())
        return
    for d in sorted(ROOT.iterdir()):
        if not d.is_dir() or d.name.startswith(".") or d.name in NOT_HYPERVISOR:
            continue
        for p in sorted(d.rglob("*")):
            if p.suffix in (".c", ".h", ".S") and p.is_file():
                yield str(p.relative_to(ROOT))


def nm(obj, *args):
    r = subprocess.run(["nm", *args, str(obj)], capture_output=True, text=True, check=True)
    return r.stdout.splitlines()


def scan(build, section="hypervisor", prefix=""):
    """files and defined, as check() takes them, from a section's sources
    and their objects (BUILD/<prefix><source>.o)."""
    files, defined = {}, {}
    for src in sources(section):
        includes = INCLUDE_RE.findall((ROOT / src).read_text(errors="replace"))
        undefined = set()
        obj = build / (prefix + src + ".o")
        if not src.endswith(".h"):
            if not obj.is_file():
                continue            # not part of the program (a test fixture)
            undefined = {line.split()[-1] for line in nm(obj, "-u")}
            for line in nm(obj, "--defined-only", "-g"):
                defined[line.split()[-1]] = src
        files[src] = (includes, undefined)
    return files, defined


def main(argv):
    layers = Layers(load_table())
    if argv[1:2] == ["--files"]:
        for src in sources():
            i = layers.of(src)
            print(f"{'?' if i is None else layers.name(i):9} {src}")
        return 0
    build = Path(argv[1]) if len(argv) > 1 else ROOT / "build"
    failed = False
    for name, prefix, table in load_sections():
        files, defined = scan(build, name, prefix)
        bad = check(Layers(table), files, defined)
        for line in bad:
            print("layers:", line)
        print(f"layers: {name}: {len(files)} files, "
              f"{len(bad)} violation{'' if len(bad) == 1 else 's'}")
        failed |= bool(bad) or not files
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
