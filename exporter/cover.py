"""A generated cover: title, authors and site set in the theme's fonts on a calm field.

Library views and file managers show a book by its cover; a book without one is
a grey rectangle. This draws a 1600×2560 PNG (the proportions Kindle and Kobo
recommend) with Pillow, as a 256-colour PNG. The colour comes from a hash of the title, so the same
book always gets the same cover (reproducible bytes). When the theme's font lacks
glyphs for the title (Arabic, Chinese…), a face that has them is used: one the
theme bundles for that script, else a system font found with fontconfig (a face
of a ``.ttc`` collection too: Debian's CJK fonts are collections). Text is laid
out with Raqm when Pillow has it, so right-to-left scripts are shaped and ordered.
"""
from __future__ import annotations

import hashlib
import io
from functools import lru_cache
from pathlib import Path

from .document import Metadata
from .fontfinder import bundled_face, covers, face_covers, system_faces
from .themes import Theme
from .words import byline

SIZE = (1600, 2560)
MARGIN = 150
#: (background, foreground, accent): dark fields with light type, readable in colour and in greyscale.
PALETTES = (
    ((33, 52, 71), (244, 239, 228), (201, 162, 94)),
    ((74, 38, 46), (246, 238, 230), (214, 170, 120)),
    ((35, 64, 56), (240, 240, 230), (190, 200, 150)),
    ((48, 45, 70), (240, 236, 246), (180, 170, 220)),
    ((64, 52, 40), (247, 240, 228), (220, 180, 120)),
)


def generate(meta: Metadata, theme: Theme) -> bytes:
    """The cover of a book with ``meta`` as PNG bytes (same input, same bytes).

    Drawn as two coverage masks (ink and accent, which never overlap) and stored as a 256-colour PNG whose
    palette blends each into the background in 128 steps: the same picture to the eye as a full-colour one,
    half the bytes, and a quarter of the time (encoding 4 million RGB pixels was most of an EPUB's writing).
    """
    from PIL import Image, ImageChops, ImageDraw

    digest = hashlib.sha1(meta.title.encode("utf-8")).digest()
    background, ink, accent = PALETTES[digest[0] % len(PALETTES)]
    ink_mask, accent_mask = Image.new("L", SIZE, 0), Image.new("L", SIZE, 0)
    inked, accented = ImageDraw.Draw(ink_mask), ImageDraw.Draw(accent_mask)
    width = SIZE[0] - 2 * MARGIN
    direction = "rtl" if meta.direction == "rtl" else "ltr"
    accented.rectangle((MARGIN, MARGIN, SIZE[0] - MARGIN, MARGIN + 14), fill=255)

    y = MARGIN + 220
    title_face = _font(theme, meta.title, meta.language, weight=700)
    lines, font = _fit(meta.title, title_face, width, max_height=1250, start=150, minimum=56)
    y = _draw_lines(inked, lines, font, y, direction, spacing=1.18)
    if meta.subtitle:
        y += 40
        sub_face = _font(theme, meta.subtitle, meta.language, style="italic")
        lines, font = _fit(meta.subtitle, sub_face, width, max_height=380, start=72, minimum=40)
        y = _draw_lines(inked, lines, font, y, direction, spacing=1.25)
    if meta.authors:
        names = byline(meta.authors, meta.language)
        y += 110
        accented.rectangle((MARGIN, y, MARGIN + 220, y + 6), fill=255)
        y += 70
        lines, font = _fit(names, _font(theme, names, meta.language), width, max_height=300, start=84, minimum=40)
        _draw_lines(inked, lines, font, y, direction, spacing=1.25)
    site = meta.publisher or _host(meta.source_url)
    if site:
        lines, font = _fit(site, _font(theme, site, meta.language), width, max_height=140, start=56, minimum=32)
        _draw_lines(accented, lines[:2], font, SIZE[1] - MARGIN - 80 * len(lines[:2]), direction, spacing=1.3)
    # palette index: ink coverage in 0-127, accent coverage in 128-255 (where there is accent at all)
    index = ImageChops.lighter(ink_mask.point(lambda v: v >> 1),
                               accent_mask.point(lambda v: 128 + (v >> 1) if v else 0))
    image = Image.frombytes("P", SIZE, index.tobytes())
    image.putpalette([round(b + (c - b) * step / 127) for colour in (ink, accent) for step in range(128)
                      for b, c in zip(background, colour)])
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=6)
    return out.getvalue()


def shown_text(meta: Metadata) -> list[str]:
    """What :func:`generate` sets on the cover, in its order (title, subtitle, byline, site): the cover
    image's text alternative says exactly this."""
    site = meta.publisher or _host(meta.source_url)
    return [x for x in (meta.title, meta.subtitle, byline(meta.authors, meta.language) if meta.authors else "",
                        site) if x]


def _host(url: str | None) -> str | None:
    if not url:
        return None
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


#: A face to draw with: a font file and the index of the face in it (a ``.ttc`` holds several), or None for
#: Pillow's own font.
Face = tuple[Path, int] | None


def _font(theme: Theme, text: str, language: str, weight: int = 400, style: str = "normal") -> Face:
    """The theme's body face closest to ``weight``/``style`` if it covers ``text``, else the theme's face for
    the script of ``text``, else a system face that covers it (fontconfig's best for ``language`` first)."""
    faces = [f for f in theme.faces if f.role == "body"]
    faces.sort(key=lambda f: (abs(f.weight - weight), f.style != style))
    if faces and face_covers(faces[0], text):
        return faces[0].path, 0
    script = bundled_face(theme, text, weight)
    if script is not None:
        return script.path, 0
    for candidate in system_faces(language, weight):
        if covers(candidate.path, text, candidate.index):
            return candidate.path, candidate.index
    return (faces[0].path, 0) if faces else None


def _load(face: Face, size: int):
    from PIL import ImageFont

    if face is None:
        return ImageFont.load_default(size)
    layout = ImageFont.Layout.RAQM if _has_raqm() else ImageFont.Layout.BASIC
    path, index = face
    return ImageFont.truetype(str(path), size, index=index, layout_engine=layout)


@lru_cache(maxsize=1)
def _has_raqm() -> bool:
    from PIL import features

    return bool(features.check("raqm"))


def _fit(text: str, face: Face, width: int, max_height: int, start: int, minimum: int):
    """Lines and font: the largest size from ``start`` down at which ``text`` wraps into ``max_height``.

    Only what the box could show at the smallest size is measured (a quarter-em per character at most):
    a title of 200,000 characters took minutes to wrap, ten times, and is cut with an ellipsis anyway.
    """
    text = text[:int(max_height // (minimum * 1.2) + 1) * (width * 4 // minimum + 1)]
    size = start
    while True:
        font = _load(face, size)
        room = max(1, int(max_height // (size * 1.2)))
        lines = _wrap(text, font, width, room + 1)
        if len(lines) <= room:
            return lines, font
        if size <= minimum:  # still too long at the smallest size: cut, and say so with an ellipsis
            return lines[: room - 1] + [lines[room - 1].rstrip(" ,.;:") + "…"], font
        size = int(size * 0.9)


def _wrap(text: str, font, width: int, most: int) -> list[str]:
    """Greedy wrapping on spaces, at most ``most`` lines; text without spaces (Chinese, Japanese) wraps
    between characters."""
    units = text.split() if " " in text.strip() else list(text.strip())
    joiner = " " if " " in text.strip() else ""
    lines: list[str] = []
    current = ""
    for unit in units:
        trial = current + joiner + unit if current else unit
        if current and font.getlength(trial) > width:
            lines.append(current)
            current = unit
            if len(lines) >= most:
                return lines
        else:
            current = trial
    if current:
        lines.append(current)
    return lines or [""]


def _draw_lines(draw, lines: list[str], font, y: int, direction: str, spacing: float) -> int:
    """Set ``lines`` from ``y`` on a coverage mask (full strength: the palette gives the colour)."""
    size = font.size if hasattr(font, "size") else 40
    for line in lines:
        kwargs = {"direction": direction} if _has_raqm() else {}
        if direction == "rtl":
            x = SIZE[0] - MARGIN - font.getlength(line, **kwargs)
        else:
            x = MARGIN
        draw.text((x, y), line, font=font, fill=255, **kwargs)
        y += int(size * spacing)
    return y
