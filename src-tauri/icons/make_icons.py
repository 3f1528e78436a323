"""Draws the app icon (a shield over a STRIDE-coloured ring) as RGBA PNGs with the standard
library only. Run from this folder: python3 make_icons.py. The PNGs are committed."""
import math
import struct
import zlib

COLORS = [  # the six STRIDE colours, as in ui/src/theme.css
    (0xE1, 0x4D, 0x4D), (0xF0, 0x8C, 0x2E), (0xC9, 0xA2, 0x27),
    (0x3C, 0x9D, 0x5D), (0x2F, 0x80, 0xED), (0x8E, 0x5C, 0xD9),
]
BG = (0x14, 0x1B, 0x2D)
FG = (0xF4, 0xF6, 0xFA)


def pixel(x, y, n):
    u, v = (x + 0.5) / n * 2 - 1, (y + 0.5) / n * 2 - 1
    # rounded square background
    r = 0.28
    dx, dy = max(abs(u) - (1 - r), 0), max(abs(v) - (1 - r), 0)
    if dx * dx + dy * dy > r * r:
        return (0, 0, 0, 0)
    d = math.hypot(u, v)
    if 0.62 < d < 0.8:
        a = (math.atan2(v, u) + math.pi) / (2 * math.pi)
        return COLORS[int(a * 6) % 6] + (255,)
    # shield: flat top, pointed bottom
    if -0.42 < v < 0.5 and abs(u) < 0.36 * (1 if v < 0.1 else (0.5 - v) / 0.4):
        return FG + (255,)
    return BG + (255,)


def png(n):
    rows = b"".join(b"\0" + b"".join(bytes(pixel(x, y, n)) for x in range(n)) for y in range(n))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", n, n, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


for name, n in [("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256), ("icon.png", 512)]:
    with open(name, "wb") as f:
        f.write(png(n))
