"""Pictures for the demo's completed audit, drawn with Pillow: photos of what the auditors saw on the
works sites (JPEG, 1200 x 900) and the signatures drawn at the closing meeting (PNG pen strokes).

Everything is drawn from a seed, so the same demo gives the same files (the same SHA-256) on every
machine. A photo is a drawn scene, softened and grained like a tablet camera's picture; it carries no
Exif, as the tablet strips it before upload.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib import resources
from typing import Final

from PIL import Image, ImageDraw, ImageFilter, ImageFont

__all__ = ["PHOTO_SIZE", "SCENES", "draw_photo", "draw_signature"]

PHOTO_SIZE: Final = (1200, 900)
Color = tuple[int, int, int]
Point = tuple[float, float]
Draw = ImageDraw.ImageDraw
Scene = Callable[[Image.Image, random.Random, str], None]
"""Draws one scene on a 1200 x 900 picture; the text is the label the scene shows (a sign, a tag)."""

SKIN: Final[Color] = (176, 122, 88)
HI_VIS: Final[Color] = (244, 122, 32)


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont:
    """Amiri, which the reports ship too: Pillow's own default font has no accented letters."""
    font = resources.files("fontpkg_amiri") / "files" / "Amiri-Regular.ttf"
    return ImageFont.truetype(io.BytesIO(font.read_bytes()), size)


def _gradient(draw: Draw, box: tuple[int, int, int, int], top: Color, bottom: Color) -> None:
    x0, y0, x1, y1 = box
    span = max(1, y1 - y0)
    for y in range(y0, y1):
        t = (y - y0) / span
        draw.line(
            [(x0, y), (x1, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )


def _blob(rng: random.Random, cx: float, cy: float, rx: float, ry: float, points: int = 14) -> list[Point]:
    """An irregular closed outline around (cx, cy): a heap, a stain, a stone."""
    outline = []
    for i in range(points):
        angle = 6.2832 * i / points
        k = rng.uniform(0.7, 1.15)
        outline.append((cx + rx * k * math.cos(angle), cy + ry * k * math.sin(angle)))
    return outline


def _person(
    draw: Draw, x: float, feet: float, height: float, shirt: Color, *, helmet: bool, vest: bool
) -> None:
    """A standing worker seen from the front; ``feet`` is where the figure stands."""
    head = height * 0.13
    body_top = feet - height + head * 2
    draw.rectangle([x - height * 0.07, feet - height * 0.45, x - height * 0.01, feet], fill=(52, 58, 74))
    draw.rectangle([x + height * 0.01, feet - height * 0.45, x + height * 0.07, feet], fill=(52, 58, 74))
    draw.rectangle([x - height * 0.11, body_top, x + height * 0.11, feet - height * 0.43], fill=shirt)
    if vest:
        draw.rectangle(
            [x - height * 0.11, body_top + 4, x + height * 0.11, feet - height * 0.47], fill=HI_VIS
        )
        for k in (0.3, 0.55):
            y = body_top + (feet - height * 0.45 - body_top) * k
            draw.line([(x - height * 0.11, y), (x + height * 0.11, y)], fill=(225, 228, 220), width=5)
    draw.line(
        [(x - height * 0.11, body_top + 6), (x - height * 0.2, feet - height * 0.5)], fill=shirt, width=12
    )
    draw.line(
        [(x + height * 0.11, body_top + 6), (x + height * 0.19, feet - height * 0.52)], fill=shirt, width=12
    )
    draw.ellipse([x - head / 2, body_top - head * 1.1, x + head / 2, body_top - head * 0.05], fill=SKIN)
    if helmet:
        draw.chord(
            [x - head * 0.62, body_top - head * 1.35, x + head * 0.62, body_top - head * 0.35],
            180,
            360,
            fill=(245, 245, 240),
        )
    else:
        draw.chord(
            [x - head / 2, body_top - head * 1.12, x + head / 2, body_top - head * 0.5],
            180,
            360,
            fill=(40, 30, 26),
        )


def _fitting(draw: Draw, lines: Sequence[str], width: float, size: int) -> ImageFont.FreeTypeFont:
    """The largest font up to ``size`` in which every line fits ``width`` pixels."""
    while size > 10 and max(draw.textlength(line, font=_font(size)) for line in lines) > width:
        size -= 1
    return _font(size)


def _sign(
    draw: Draw, box: tuple[int, int, int, int], lines: Sequence[str], fill: Color = (22, 92, 60)
) -> None:
    x0, y0, x1, y1 = box
    for post in (x0 + 20, x1 - 28):
        draw.rectangle([post, y1, post + 8, y1 + 140], fill=(90, 90, 90))
    draw.rectangle(box, fill=fill, outline=(235, 235, 235), width=4)
    font = _fitting(draw, lines, x1 - x0 - 32, int((y1 - y0) / (len(lines) + 1.2)))
    for i, line in enumerate(lines):
        draw.text((x0 + 16, y0 + 10 + i * (y1 - y0 - 20) / len(lines)), line, fill=(250, 250, 245), font=font)


def _mountains(draw: Draw, rng: random.Random, horizon: int) -> None:
    for shade, base in (((150, 140, 132), horizon - 170), ((128, 112, 96), horizon - 90)):
        peaks = [(0.0, float(horizon))]
        x = 0.0
        while x < PHOTO_SIZE[0]:
            x += rng.uniform(120, 260)
            peaks.append((x, base + rng.uniform(-60, 60)))
        draw.polygon([*peaks, (float(PHOTO_SIZE[0]), float(horizon))], fill=shade)


def _trench(image: Image.Image, rng: random.Random, label: str) -> None:
    draw = ImageDraw.Draw(image)
    _gradient(draw, (0, 0, 1200, 380), (118, 164, 214), (205, 220, 232))
    _mountains(draw, rng, 380)
    _gradient(draw, (0, 380, 1200, 900), (170, 130, 92), (128, 92, 62))
    draw.polygon([(430, 380), (620, 380), (900, 900), (260, 900)], fill=(70, 50, 36))
    draw.polygon([(470, 380), (580, 380), (700, 900), (420, 900)], fill=(44, 32, 24))
    draw.polygon(_blob(rng, 150, 520, 190, 90), fill=(150, 108, 72))
    draw.polygon(_blob(rng, 1020, 470, 150, 60), fill=(156, 116, 80))
    for x, feet, shirt in ((520, 760, (60, 90, 140)), (600, 690, (150, 60, 50))):
        _person(draw, x, feet, 300, shirt, helmet=False, vest=False)
    draw.rectangle([690, 520, 704, 860], fill=(240, 200, 40))
    for i in range(0, 340, 34):
        draw.rectangle([690, 520 + i, 704, 537 + i], fill=(30, 30, 30))
    _sign(draw, (700, 190, 1170, 320), label.split("|"))


def _road_works(image: Image.Image, rng: random.Random, label: str) -> None:
    draw = ImageDraw.Draw(image)
    _gradient(draw, (0, 0, 1200, 360), (126, 170, 216), (214, 226, 236))
    _mountains(draw, rng, 360)
    _gradient(draw, (0, 360, 1200, 900), (184, 150, 110), (150, 116, 82))
    draw.polygon([(540, 360), (660, 360), (1180, 900), (20, 900)], fill=(62, 62, 64))
    draw.polygon([(700, 520), (960, 520), (980, 700), (690, 700)], fill=(236, 188, 30))
    draw.ellipse([640, 620, 780, 760], fill=(50, 50, 50))
    draw.rectangle([760, 450, 900, 530], fill=(40, 40, 44))
    people = (
        (230, 820, (70, 110, 70), True, True),
        (400, 780, (190, 180, 160), False, False),
        (1050, 840, (40, 70, 130), False, False),
    )
    for x, feet, shirt, helmet, vest in people:
        _person(draw, x, feet, 330, shirt, helmet=helmet, vest=vest)
    for x in (120, 330, 560):
        draw.polygon([(x, 700), (x + 18, 640), (x + 36, 700)], fill=HI_VIS)
    _sign(draw, (40, 150, 420, 260), label.split("|"))


def _waste_canal(image: Image.Image, rng: random.Random, label: str) -> None:
    draw = ImageDraw.Draw(image)
    _gradient(draw, (0, 0, 1200, 300), (140, 180, 222), (220, 230, 236))
    _gradient(draw, (0, 300, 1200, 420), (104, 146, 72), (88, 124, 60))
    _gradient(draw, (0, 420, 1200, 900), (176, 152, 120), (140, 118, 92))
    draw.polygon([(0, 460), (1200, 400), (1200, 520), (0, 600)], fill=(168, 168, 160))
    draw.polygon([(0, 490), (1200, 425), (1200, 495), (0, 570)], fill=(70, 112, 128))
    for _ in range(70):
        cx, cy = rng.uniform(80, 760), rng.uniform(610, 860)
        shade = rng.randint(130, 215)
        draw.polygon(
            _blob(rng, cx, cy, rng.uniform(18, 60), rng.uniform(12, 36), 8),
            fill=(shade, shade - 8, shade - 20),
        )
    for cx, cy in ((300, 640), (520, 700), (640, 620)):
        draw.rectangle([cx, cy, cx + 90, cy + 50], fill=(214, 210, 200), outline=(150, 140, 130), width=2)
        draw.text((cx + 8, cy + 14), "CIMENT", fill=(160, 40, 40), font=_font(18))
    draw.polygon([(840, 560), (1140, 560), (1100, 760), (880, 760)], fill=(214, 170, 40))
    for _ in range(24):
        draw.polygon(
            _blob(rng, rng.uniform(860, 1120), rng.uniform(520, 570), 40, 20, 7),
            fill=(rng.randint(110, 190),) * 3,
        )
    draw.text((890, 690), label, fill=(70, 50, 20), font=_font(26))


def _oil_drums(image: Image.Image, rng: random.Random, label: str) -> None:
    draw = ImageDraw.Draw(image)
    _gradient(draw, (0, 0, 1200, 330), (150, 184, 220), (222, 230, 236))
    _gradient(draw, (0, 330, 1200, 900), (168, 140, 108), (132, 106, 80))
    draw.rectangle([60, 150, 520, 360], fill=(206, 206, 200), outline=(120, 120, 120), width=3)
    for x in range(0, 1200, 28):
        draw.line([(x, 250), (x + 28, 330)], fill=(120, 120, 120), width=2)
    draw.polygon(_blob(rng, 640, 760, 360, 110, 20), fill=(46, 40, 34))
    for x, color in ((420, (30, 70, 150)), (620, (150, 40, 36)), (820, (30, 70, 150))):
        draw.rectangle([x, 470, x + 150, 720], fill=color)
        draw.ellipse([x, 445, x + 150, 495], fill=tuple(min(255, c + 40) for c in color))
        for y in (540, 640):
            draw.line([(x, y), (x + 150, y)], fill=tuple(max(0, c - 30) for c in color), width=6)
    draw.rectangle([640, 560, 750, 610], fill=(240, 240, 230))
    draw.text((648, 572), label, fill=(20, 20, 20), font=_font(22))
    draw.rectangle([240, 620, 330, 740], fill=(210, 40, 30))
    draw.polygon(_blob(rng, 1020, 720, 120, 40, 10), fill=(60, 52, 44))


def _binders(image: Image.Image, rng: random.Random, label: str) -> None:
    draw = ImageDraw.Draw(image)
    _gradient(draw, (0, 0, 1200, 900), (226, 214, 190), (196, 182, 158))
    colors = [(30, 70, 140), (150, 36, 40), (40, 110, 70), (210, 160, 30), (90, 90, 100), (230, 230, 226)]
    titles = [*label.split("|"), "PV de chantier", "Décomptes", "Attachements", "Courrier 2025"]
    for shelf in (360, 700):
        draw.rectangle([80, shelf, 1120, shelf + 26], fill=(120, 84, 50))
        x = 110
        while x < 1060:
            width = rng.randint(62, 96)
            color = rng.choice(colors)
            draw.rectangle([x, shelf - 280, x + width - 6, shelf], fill=color)
            draw.rectangle([x + 10, shelf - 250, x + width - 16, shelf - 60], fill=(245, 242, 232))
            spine = Image.new("RGB", (180, width - 30), (245, 242, 232))
            ImageDraw.Draw(spine).text(
                (6, 4), titles[(x // 7) % len(titles)], fill=(20, 20, 40), font=_font(18)
            )
            image.paste(spine.rotate(90, expand=True), (x + 12, shelf - 245))
            draw.ellipse([x + width // 2 - 14, shelf - 44, x + width // 2 + 6, shelf - 24], fill=(60, 60, 60))
            x += width


def _plans(image: Image.Image, rng: random.Random, label: str) -> None:
    draw = ImageDraw.Draw(image)
    _gradient(draw, (0, 0, 1200, 900), (232, 234, 230), (200, 202, 198))
    draw.rectangle([0, 760, 1200, 900], fill=(150, 120, 86))
    for x0, y0 in ((90, 90), (640, 120)):
        draw.rectangle([x0, y0, x0 + 480, y0 + 600], fill=(236, 242, 250), outline=(160, 170, 190), width=2)
        for _ in range(9):
            a, b = rng.uniform(x0 + 30, x0 + 300), rng.uniform(y0 + 30, y0 + 380)
            draw.rectangle(
                [a, b, a + rng.uniform(60, 150), b + rng.uniform(40, 120)], outline=(40, 60, 120), width=3
            )
        for k in range(10):
            draw.line([(x0 + 30, y0 + 430 + 6 * k), (x0 + 450, y0 + 430 + 6 * k)], fill=(90, 100, 140))
        draw.rectangle([x0 + 250, y0 + 500, x0 + 470, y0 + 590], fill=(255, 255, 255), outline=(40, 40, 40))
        lines = label.split("|")
        font = _fitting(draw, lines, 200, 20)
        for i, line in enumerate(lines):
            draw.text((x0 + 260, y0 + 508 + 26 * i), line, fill=(20, 20, 30), font=font)
        for dx in (6, 470):
            draw.ellipse([x0 + dx - 6, y0 - 6, x0 + dx + 6, y0 + 6], fill=(200, 30, 30))


def _first_aid(image: Image.Image, rng: random.Random, label: str) -> None:
    draw = ImageDraw.Draw(image)
    _gradient(draw, (0, 0, 1200, 900), (214, 212, 204), (178, 176, 168))
    draw.rectangle([0, 720, 1200, 900], fill=(120, 112, 100))
    draw.rounded_rectangle([220, 240, 380, 700], radius=60, fill=(196, 30, 30))
    draw.rectangle([270, 170, 330, 245], fill=(40, 40, 40))
    draw.line([(330, 200), (440, 260), (420, 520)], fill=(30, 30, 30), width=14)
    draw.rectangle([250, 380, 350, 470], fill=(245, 245, 240))
    draw.rectangle([390, 300, 560, 390], fill=(250, 246, 210), outline=(120, 110, 60), width=2)
    for i, line in enumerate(label.split("|")):
        draw.text((400, 310 + 26 * i), line, fill=(30, 30, 30), font=_font(20))
    draw.rectangle([660, 330, 1040, 600], fill=(246, 246, 242), outline=(170, 170, 170), width=4)
    draw.rectangle([660, 200, 1040, 330], fill=(236, 236, 230), outline=(170, 170, 170), width=4)
    draw.rectangle([830, 225, 870, 305], fill=(20, 140, 70))
    draw.rectangle([810, 245, 890, 285], fill=(20, 140, 70))
    draw.rectangle([700, 520, 780, 580], fill=(230, 220, 200))
    draw.rectangle([900, 540, 1010, 580], fill=(200, 60, 60))


def _samples(image: Image.Image, rng: random.Random, label: str) -> None:
    draw = ImageDraw.Draw(image)
    _gradient(draw, (0, 0, 1200, 260), (150, 186, 222), (226, 232, 236))
    _gradient(draw, (0, 260, 1200, 900), (180, 158, 126), (144, 122, 96))
    for y in (640, 690, 740):
        draw.rectangle([160, y, 1040, y + 34], fill=(150, 112, 70), outline=(100, 74, 44), width=2)
    marked = label.split("|")
    for i in range(9):
        x = 200 + i * 92
        draw.rectangle([x, 420, x + 70, 640], fill=(176, 176, 170))
        draw.ellipse([x, 405, x + 70, 435], fill=(204, 204, 198))
        if i < len(marked):
            draw.text((x + 6, 500), marked[i], fill=(20, 20, 120), font=_font(17))
    draw.polygon(_blob(rng, 1100, 600, 60, 40), fill=(120, 120, 116))


SCENES: Final[dict[str, Scene]] = {
    "trench": _trench,
    "road_works": _road_works,
    "waste_canal": _waste_canal,
    "oil_drums": _oil_drums,
    "binders": _binders,
    "plans": _plans,
    "first_aid": _first_aid,
    "samples": _samples,
}


def _grain(image: Image.Image, rng: random.Random) -> Image.Image:
    """A camera's look: soft edges, a little sensor noise, darker corners."""
    width, height = image.size
    soft = image.filter(ImageFilter.GaussianBlur(1.1))
    noise = Image.frombytes("L", (width, height), rng.randbytes(width * height)).convert("RGB")
    grained = Image.blend(soft, noise, 0.06)
    vignette = Image.radial_gradient("L").resize((width, height)).point(lambda v: int(v * 0.45))
    return Image.composite(Image.new("RGB", (width, height), (0, 0, 0)), grained, vignette)


def draw_photo(scene: str, label: str, seed: int) -> bytes:
    """A JPEG of ``scene`` (a key of :data:`SCENES`) showing ``label``, the same bytes for the same
    arguments."""
    rng = random.Random(seed)  # noqa: S311 - a picture's texture, not a secret
    image = Image.new("RGB", PHOTO_SIZE, (255, 255, 255))
    SCENES[scene](image, rng, label)
    buffer = io.BytesIO()
    _grain(image, rng).save(buffer, "JPEG", quality=80, optimize=True)
    return buffer.getvalue()


def _cursive(rng: random.Random, width: float, height: float) -> list[Point]:
    """A pen's path through cursive-like letters: a slanted trochoid, each turn a letter whose
    height and width wander (tall loops like l or h, short arches like n or e)."""
    points: list[Point] = []
    x, base, t = width * 0.08, height * 0.66, 0.0
    tall, wide = height * 0.5, height * 0.1
    while x < width * 0.78:
        x += height * 0.012 * rng.uniform(0.85, 1.15)
        y = base - tall * (1 - math.cos(t)) / 2
        points.append((x + wide * math.sin(t) + (base - y) * 0.3, y))
        t += 0.2
        if t > 2 * math.pi:
            t -= 2 * math.pi
            tall = height * rng.choice((0.12, 0.16, 0.2, 0.42, 0.5))
            wide = height * rng.uniform(0.05, 0.1)
    return points


def draw_signature(seed: int, size: tuple[int, int] = (600, 220)) -> bytes:
    """A PNG signature as the tablet's pad makes it: a dark pen stroke on white, drawn three times
    larger and scaled down for smooth edges; a seeded cursive line and a flourish underneath."""
    rng = random.Random(seed)  # noqa: S311 - a drawing, not a secret
    scale = 3
    width, height = size[0] * scale, size[1] * scale
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    ink = (18, 28, 70)
    draw.line(_cursive(rng, width, height), fill=ink, width=4 * scale, joint="curve")
    lift = rng.uniform(0.02, 0.06)
    tail = [
        (width * (0.1 + 0.78 * t), height * (0.8 - lift * t) + math.sin(t * 6.0) * height * 0.03)
        for t in (i / 30 for i in range(31))
    ]
    draw.line(tail, fill=ink, width=3 * scale, joint="curve")
    buffer = io.BytesIO()
    image.resize(size, Image.Resampling.LANCZOS).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
