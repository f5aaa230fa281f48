"""Pages of the PDF edition: their size, margins, bleed and marks, and what goes in their margins.

A page size is a name (A4, Letter, A5…), ``WIDTHxHEIGHT`` with units
(``6x9in``, ``148mm x 210mm``), optionally followed by ``landscape``, or ``auto``:
Letter where the reader's locale (else the article's language tag) names a
country that prints on US Letter, else the theme's size. Margins come from the
theme (``[print] margin_top/bottom/inner/outer``), are scaled down for pages
narrower than A4, and are mirrored when printing on both sides (``duplex``).
The generated ``@page`` rules carry only geometry and margin-box content; the
theme's ``print.css`` styles them.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

#: Millimetres per unit.
UNITS: dict[str, float] = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72, "pc": 25.4 / 6}

#: Named sizes, portrait, in millimetres.
NAMED: dict[str, tuple[float, float]] = {
    "a3": (297, 420), "a4": (210, 297), "a5": (148, 210), "a6": (105, 148),
    "b5": (176, 250), "jis-b5": (182, 257),
    "letter": (215.9, 279.4), "legal": (215.9, 355.6), "ledger": (279.4, 431.8),
    "executive": (184.15, 266.7), "trade": (152.4, 228.6),
}

#: Territories that use US Letter (CLDR supplemental ``paperSize`` data); everywhere else uses A4.
LETTER_REGIONS = frozenset({"US", "CA", "MX", "BZ", "CL", "CO", "CR", "GT", "NI", "PA", "PH", "PR", "SV", "VE"})

_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*([a-z]*)\s*[x×*]\s*(\d+(?:\.\d+)?)\s*([a-z]+)$")
_LENGTH = re.compile(r"^(\d+(?:\.\d+)?)\s*([a-z]*)$")
MIN_SIDE_MM, MAX_SIDE_MM = 50.0, 1500.0


@dataclass(frozen=True)
class PageSize:
    """A sheet size in millimetres (the trimmed page: bleed is added outside it)."""

    width: float
    height: float
    name: str = ""

    @property
    def css(self) -> str:
        return f"{_mm(self.width)} {_mm(self.height)}"


def length_mm(text: str, what: str = "length") -> float:
    """``3mm``, ``0.125in``, ``9pt`` → millimetres; a bare ``0`` is allowed. Raises ValueError."""
    match = _LENGTH.match(text.strip().lower())
    if not match or (match.group(2) and match.group(2) not in UNITS):
        raise ValueError(f"{text!r} is not a {what} such as 3mm, 0.125in or 9pt")
    number, unit = float(match.group(1)), match.group(2)
    if not unit:
        if number != 0:
            raise ValueError(f"{text!r} needs a unit (mm, cm, in, pt)")
        return 0.0
    return number * UNITS[unit]


def parse_size(text: str) -> PageSize:
    """A page size from its name or ``WIDTHxHEIGHT``; raises ValueError with a readable message."""
    spec = " ".join(text.strip().lower().split())
    landscape = spec.endswith(" landscape")
    spec = spec.removesuffix(" landscape").removesuffix(" portrait")
    if spec in NAMED:
        width, height = NAMED[spec]
        name = spec
    else:
        match = _SIZE.match(spec)
        if not match:
            raise ValueError(f"{text!r} is not a page size: use A4, Letter, A5, 6x9in or WIDTHxHEIGHT "
                             "with a unit (mm, cm, in, pt)")
        first_unit, second_unit = match.group(2) or match.group(4), match.group(4)
        for unit in (first_unit, second_unit):
            if unit not in UNITS:
                raise ValueError(f"{text!r}: unknown unit {unit!r} (use mm, cm, in or pt)")
        width = float(match.group(1)) * UNITS[first_unit]
        height = float(match.group(3)) * UNITS[second_unit]
        name = ""
    if landscape:
        width, height = max(width, height), min(width, height)
    for side in (width, height):
        if not MIN_SIDE_MM <= side <= MAX_SIDE_MM:
            raise ValueError(f"{text!r}: each side must be between {MIN_SIDE_MM:.0f} and {MAX_SIDE_MM:.0f} mm")
    return PageSize(width, height, name)


def check_size(text: str) -> str:
    """The option's converter: ``auto`` or a size :func:`parse_size` accepts, returned as given."""
    text = str(text).strip()
    if text.lower() != "auto":
        parse_size(text)
    return text


def check_length(text: str) -> str:
    """The ``--bleed`` converter: a length up to 25 mm, returned as given."""
    text = str(text).strip()
    if length_mm(text, "bleed") > 25:
        raise ValueError(f"{text!r}: a bleed over 25 mm is not a bleed")
    return text


def region_of(tag: str) -> str | None:
    """The region subtag of a BCP 47 tag or POSIX locale: ``en-US`` / ``en_US.UTF-8`` → ``US``."""
    tag = tag.split(".")[0].split("@")[0].replace("_", "-")
    for part in tag.split("-")[1:]:
        if (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            return part.upper()
    return None


def locale_region(environ: dict[str, str] | None = None) -> str | None:
    """The region of the reader's paper locale (POSIX order: LC_ALL, LC_PAPER, LANG), if it names one."""
    env = os.environ if environ is None else environ
    for key in ("LC_ALL", "LC_PAPER", "LANG"):
        value = env.get(key, "")
        if value:
            return region_of(value)
    return None


def default_size(language: str, theme_size: str | None, environ: dict[str, str] | None = None) -> PageSize:
    """What ``--page-size auto`` means: the reader's locale, else the language tag, else the theme."""
    region = locale_region(environ) or region_of(language)
    if region is not None:
        return parse_size("letter" if region in LETTER_REGIONS else "a4")
    return parse_size(theme_size or "a4")


@dataclass(frozen=True)
class Margins:
    """Page margins in millimetres; ``inner`` is on the binding side."""

    top: float = 20.0
    bottom: float = 24.0
    inner: float = 22.0
    outer: float = 18.0

    @classmethod
    def from_theme(cls, settings: dict) -> "Margins":
        given = {side: length_mm(str(settings[f"margin_{side}"]), "margin")
                 for side in ("top", "bottom", "inner", "outer") if f"margin_{side}" in settings}
        return cls(**given)

    def scaled_for(self, size: PageSize) -> "Margins":
        """Margins designed for A4 shrunk in proportion on narrower pages (never below 60 %)."""
        factor = min(1.0, max(0.6, min(size.width, size.height) / 210.0))
        return Margins(self.top * factor, self.bottom * factor, self.inner * factor, self.outer * factor)


@dataclass(frozen=True)
class Layout:
    """Everything the ``@page`` rules depend on."""

    size: PageSize
    margins: Margins
    duplex: bool = False
    bleed_mm: float = 0.0
    marks: str = "none"  # none | crop | cross | both

    @property
    def text_height(self) -> float:
        return self.size.height - self.margins.top - self.margins.bottom

def page_css(layout: Layout) -> str:
    """The ``@page`` rules for ``layout``: geometry, page numbers and running heads.

    Running heads read the named strings ``verso-head`` (left pages, two-sided) and
    ``recto-head`` (right pages, or every page one-sided) that each article sets; ``first-except`` leaves them
    out on the page where an article opens. Front matter (``page: front``) and
    blank pages carry neither heads nor numbers.
    """
    m = layout.margins
    marks = {"none": "none", "crop": "crop", "cross": "cross", "both": "crop cross"}[layout.marks]
    rules = [
        "@page {",
        f"  size: {layout.size.css};",
        f"  margin: {_mm(m.top)} {_mm(m.outer)} {_mm(m.bottom)} {_mm(m.inner)};",
    ]
    if layout.bleed_mm:
        rules.append(f"  bleed: {_mm(layout.bleed_mm)};")
    if marks != "none":
        rules.append(f"  marks: {marks};")
        if not layout.bleed_mm:
            rules.append("  bleed: 6mm;")  # marks are drawn in the bleed area: give them room
    rules.append("}")
    if layout.duplex:
        rules += [
            "@page :left {",
            f"  margin-left: {_mm(m.outer)}; margin-right: {_mm(m.inner)};",
            "  @top-left { content: string(verso-head, first-except); }",
            "  @bottom-left { content: counter(page); }",
            "}",
            "@page :right {",
            f"  margin-left: {_mm(m.inner)}; margin-right: {_mm(m.outer)};",
            "  @top-right { content: string(recto-head, first-except); }",
            "  @bottom-right { content: counter(page); }",
            "}",
        ]
    else:
        rules += [
            "@page {",
            "  @top-center { content: string(recto-head, first-except); }",
            "  @bottom-center { content: counter(page); }",
            "}",
        ]
    boxes = ("top-left", "top-center", "top-right", "bottom-left", "bottom-center", "bottom-right")
    for selector in ("front", ":blank"):
        rules.append(f"@page {selector} {{ " + " ".join(f"@{box} {{ content: none; }}" for box in boxes) + " }")
    # images never taller than the text block, so they are never split or pushed off the page
    rules.append(f"figure img {{ max-height: {_mm(layout.text_height * 0.8)}; }}")
    return "\n".join(rules) + "\n"


def _mm(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + "mm"
