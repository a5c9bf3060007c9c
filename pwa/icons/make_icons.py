"""Draw the app's icons (a magnifying glass over a check mark) with Pillow: no downloaded asset.

Run from the repository root: ``.venv/bin/python pwa/icons/make_icons.py``. It writes icon-192.png,
icon-512.png and icon-maskable-512.png beside itself; the maskable one keeps its drawing inside the
central safe zone (a circle of 40 % of the size) and fills the whole square with the background.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
BACKGROUND = (11, 92, 85)
FOREGROUND = (255, 255, 255)
ACCENT = (242, 180, 65)
SCALE = 4  # drawn larger, then reduced: smooth edges without an anti-aliasing library


def draw(size: int, *, maskable: bool) -> Image.Image:
    big = size * SCALE
    image = Image.new("RGB", (big, big), BACKGROUND)
    pen = ImageDraw.Draw(image)
    if not maskable:  # a rounded tile on transparent corners
        image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
        pen = ImageDraw.Draw(image)
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 5, fill=BACKGROUND)
    unit = big * (0.62 if maskable else 0.8) / 100  # the drawing spans 100 units
    origin = (big - 100 * unit) / 2

    def at(x: float, y: float) -> tuple[float, float]:
        return origin + x * unit, origin + y * unit

    lens_centre, lens_radius, ring = at(42, 42), 30 * unit, 8 * unit
    cx, cy = lens_centre
    pen.line([at(63, 63), at(92, 92)], fill=FOREGROUND, width=round(13 * unit))
    pen.ellipse((cx - lens_radius, cy - lens_radius, cx + lens_radius, cy + lens_radius), fill=FOREGROUND)
    inner = lens_radius - ring
    pen.ellipse((cx - inner, cy - inner, cx + inner, cy + inner), fill=BACKGROUND)
    pen.line([at(28, 43), at(38, 54), at(57, 31)], fill=ACCENT, width=round(8 * unit), joint="curve")
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    for name, size, maskable in (
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("icon-maskable-512.png", 512, True),
    ):
        draw(size, maskable=maskable).save(HERE / name, optimize=True)


if __name__ == "__main__":
    main()
