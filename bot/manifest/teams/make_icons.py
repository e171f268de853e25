"""Draw the Teams app icons (a target: "mål") with the standard library only, and write them here.

    python bot/manifest/teams/make_icons.py

color.png: 192×192, white target on the accent colour. outline.png: 32×32, white on transparent
(Teams requires exactly that for the outline icon)."""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ACCENT = (0x1F, 0x6E, 0x5A)
WHITE = (255, 255, 255)

Pixel = tuple[int, int, int, int]


def png(width: int, height: int, pixels: list[list[Pixel]]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"".join(struct.pack("4B", *p) for p in row) for row in pixels)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def target_coverage(x: float, y: float, size: int) -> float:
    """How much of the pixel at (x, y) the white rings and bullseye cover (4×4 supersampling)."""
    c = size / 2
    rings = [(0.46, 0.36), (0.27, 0.17)]  # (outer, inner) radii as fractions of the size
    hits = 0
    for sx in range(4):
        for sy in range(4):
            r = math.hypot(x + (sx + 0.5) / 4 - c, y + (sy + 0.5) / 4 - c) / size
            if r <= 0.08 or any(inner <= r <= outer for outer, inner in rings):
                hits += 1
    return hits / 16


def color_icon(size: int = 192) -> bytes:
    rows = []
    for y in range(size):
        row = []
        for x in range(size):
            a = target_coverage(x, y, size)
            row.append((*(round(w * a + b * (1 - a)) for w, b in zip(WHITE, ACCENT, strict=True)), 255))
        rows.append(row)
    return png(size, size, rows)  # type: ignore[arg-type]


def outline_icon(size: int = 32) -> bytes:
    rows = [[(*WHITE, round(255 * target_coverage(x, y, size))) for x in range(size)] for y in range(size)]
    return png(size, size, rows)


def main() -> None:
    (HERE / "color.png").write_bytes(color_icon())
    (HERE / "outline.png").write_bytes(outline_icon())


if __name__ == "__main__":
    main()
