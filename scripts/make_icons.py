#!/usr/bin/env python3
"""Draws the app icons (public/icons/*.png) from the same shapes as public/favicon.svg.

Pure Python (no imaging library on the build machines): each pixel is sampled 4×4 times in the
SVG's 64-unit space. Run it again after changing the design:  python3 scripts/make_icons.py
"""
import struct
import zlib
from pathlib import Path

ACCENT = (0x4F, 0x46, 0xE5)
WHITE = (0xFF, 0xFF, 0xFF)


def in_rounded_rect(x, y, x0, y0, x1, y1, r):
    if not (x0 <= x <= x1 and y0 <= y <= y1):
        return False
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def in_triangle(x, y, a, b, c):
    def side(p, q):
        return (x - q[0]) * (p[1] - q[1]) - (p[0] - q[0]) * (y - q[1])
    d1, d2, d3 = side(a, b), side(b, c), side(c, a)
    return not ((d1 < 0 or d2 < 0 or d3 < 0) and (d1 > 0 or d2 > 0 or d3 > 0))


def colour_at(x, y, maskable):
    """The colour at (x, y) in 64-unit space, or None for transparent."""
    if maskable:
        # Full bleed: launchers cut their own shape; the glyph stays inside the 80 % safe zone.
        background = True
        x, y = 32 + (x - 32) / 0.8, 32 + (y - 32) / 0.8
    else:
        background = in_rounded_rect(x, y, 0, 0, 64, 64, 14)
    bubble = in_rounded_rect(x, y, 12, 20, 52, 42, 4) or in_triangle(x, y, (21, 41), (30, 41), (21, 50))
    eye = (x - 25) ** 2 + (y - 31) ** 2 <= 9 or (x - 39) ** 2 + (y - 31) ** 2 <= 9
    if bubble and not eye:
        return WHITE
    if background:
        return ACCENT
    return None


def render(size, maskable):
    rows = []
    n = 4
    for py in range(size):
        row = bytearray([0])
        for px in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(n):
                for sx in range(n):
                    x = (px + (sx + 0.5) / n) * 64 / size
                    y = (py + (sy + 0.5) / n) * 64 / size
                    c = colour_at(x, y, maskable)
                    if c is not None:
                        acc[0] += c[0]; acc[1] += c[1]; acc[2] += c[2]; acc[3] += 255
            covered = acc[3] // 255
            if covered:
                row += bytes([acc[0] // covered, acc[1] // covered, acc[2] // covered, acc[3] // (n * n)])
            else:
                row += bytes(4)
        rows.append(bytes(row))
    return png(size, size, b"".join(rows))


def png(width, height, raw):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    out = Path(__file__).resolve().parent.parent / "public" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in [
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("icon-maskable-512.png", 512, True),
        ("apple-touch-icon.png", 180, True),
    ]:
        (out / name).write_bytes(render(size, maskable))
        print(out / name)
