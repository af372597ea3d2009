"""Check a QEMU screendump of the VGA text screen against the text the
screen should hold: every character cell that holds a printable glyph must
have lit pixels, and every blank cell none."""
from pathlib import Path

COLS, ROWS = 80, 25


def read_ppm(path):
    data = Path(path).read_bytes()
    fields, pos = [], 0
    while len(fields) < 4:                     # magic, width, height, maxval
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    assert fields[0] == b"P6", "not a binary PPM"
    w, h = int(fields[1]), int(fields[2])
    return w, h, data[pos + 1:]


def check_screen(path, rows):
    w, h, px = read_ppm(path)
    assert w % COLS == 0 and h % ROWS == 0, f"odd text-mode size {w}x{h}"
    cw, ch = w // COLS, h // ROWS

    def lit(col, row):
        for y in range(row * ch, (row + 1) * ch):
            base = (y * w + col * cw) * 3
            if any(px[base:base + cw * 3]):
                return True
        return False

    # The hardware cursor (an underline that blinks) sits at the start of
    # the line after the last one written: that cell may be either.
    last = max((r for r, t in enumerate(rows) if t.strip()), default=-1)
    cursor = (last + 1, 0)
    bad = []
    for r, text in enumerate(rows):
        text = text.ljust(COLS)
        for c in range(COLS):
            if (r, c) != cursor and lit(c, r) != (text[c] != " "):
                bad.append((r, c, text[c]))
    assert not bad, f"{len(bad)} cells disagree with the text buffer, first {bad[:5]}"
