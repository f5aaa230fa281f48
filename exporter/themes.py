"""Themes: a folder with ``theme.toml`` (settings and font faces) and a stylesheet per writer.

Bundled themes live in ``themes/`` (installed as ``exporter/themes``); a user
may pass a folder of their own. Fonts named by a theme come from ``fonts/``
(installed as ``exporter/fonts``) or from the theme's own folder.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import UsageError

PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """``themes`` or ``fonts``: inside the installed package, else at the top of a source checkout."""
    installed = PACKAGE / name
    return installed if installed.is_dir() else PACKAGE.parent / name


@dataclass(frozen=True)
class FontFace:
    family: str
    path: Path
    weight: int = 400
    style: str = "normal"
    role: str = "body"  # body | mono | script (a script the body face lacks: the PDF declares it where needed)
    #: CSS ``unicode-range`` (``U+0-36F, U+400-10FFFF``): the characters this face draws; empty: all it has
    unicode_range: str = ""

    @property
    def ranges(self) -> tuple[tuple[int, int], ...]:
        """``unicode_range`` as (first, last) code points; empty when the face draws all it has."""
        return parse_unicode_range(self.unicode_range)

    @property
    def media_type(self) -> str:
        return {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}[self.path.suffix.lower()]


def parse_unicode_range(text: str) -> tuple[tuple[int, int], ...]:
    """A CSS ``unicode-range`` value (``U+0-36F, U+2000-10FFFF, U+20A?``) as (first, last) pairs."""
    ranges = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        if not re.fullmatch(r"[Uu]\+[0-9A-Fa-f?]{1,6}(-[0-9A-Fa-f]{1,6})?", part):
            raise UsageError(f"{part!r} is not a unicode-range (use U+0-36F, U+2000-10FFFF)")
        first, _, last = part[2:].partition("-")
        ranges.append((int(first.replace("?", "0"), 16), int(last or first.replace("?", "F"), 16)))
    return tuple(ranges)


@dataclass(frozen=True)
class Theme:
    name: str
    folder: Path
    settings: dict[str, Any] = field(default_factory=dict)
    faces: tuple[FontFace, ...] = ()

    def stylesheet(self, writer: str) -> str:
        """The CSS the theme gives one writer (``epub.css``, ``print.css``), or an empty string."""
        path = self.folder / f"{writer}.css"
        return path.read_text(encoding="utf-8") if path.is_file() else ""

    def setting(self, section: str, key: str, default: Any = None) -> Any:
        return self.settings.get(section, {}).get(key, default)

    def family(self, role: str) -> str | None:
        return next((f.family for f in self.faces if f.role == role), None)


def available() -> list[str]:
    folder = data_dir("themes")
    return sorted(p.name for p in folder.iterdir() if (p / "theme.toml").is_file()) if folder.is_dir() else []


@lru_cache(maxsize=16)
def load(name_or_folder: str = "default") -> Theme:
    """A bundled theme by name, or a theme folder by path."""
    folder = Path(name_or_folder)
    if not (folder / "theme.toml").is_file():
        folder = data_dir("themes") / name_or_folder
    if not (folder / "theme.toml").is_file():
        raise UsageError(f"unknown theme {name_or_folder!r} (available: {', '.join(available()) or 'none'})")
    try:
        settings = tomllib.loads((folder / "theme.toml").read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{folder / 'theme.toml'}: {exc}") from None
    fonts = data_dir("fonts")
    faces = []
    for face in settings.get("fonts", {}).get("faces", []):
        path = folder / face["file"]
        if not path.is_file():
            path = fonts / face["file"]
        if path.is_file():
            unicode_range = face.get("unicode_range", "")
            parse_unicode_range(unicode_range)  # a malformed range is the theme's usage error, found when it loads
            faces.append(FontFace(family=face["family"], path=path, weight=int(face.get("weight", 400)),
                                  style=face.get("style", "normal"), role=face.get("role", "body"),
                                  unicode_range=unicode_range))
    return Theme(name=settings.get("name", folder.name), folder=folder, settings=settings, faces=tuple(faces))
