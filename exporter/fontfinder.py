"""Which font draws which characters: the theme's bundled faces first, then the system's (fontconfig).

Three users. The PDF writer declares a bundled script face (``role = "script"`` in ``theme.toml``) only
when the book has text that face alone covers: WeasyPrint copies and registers every ``@font-face`` it is
given, so declaring all of them would cost every PDF. The EPUB cover looks for a face with a title's
glyphs, bundled or system; a system face is a file and an index, because Debian's CJK fonts are ``.ttc``
collections of several faces. ``exporter fonts`` lists each script a news corpus meets and the font that
draws it.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .themes import FontFace, Theme

#: Scripts a news corpus meets, each with a few characters of its own (what ``exporter fonts`` checks).
SCRIPTS: tuple[tuple[str, str], ...] = (
    ("Latin", "AaÉéŁłŒœẞ"), ("Greek", "ΑαΩω"), ("Cyrillic", "ЖжЯя"), ("Armenian", "Աա"),
    ("Georgian", "აბგ"), ("Hebrew", "אבג"), ("Arabic", "عربي"), ("Devanagari", "हिन्दी"),
    ("Bengali", "বাংলা"), ("Tamil", "தமிழ்"), ("Thai", "ไทย"), ("Ethiopic", "አማርኛ"),
    ("Han", "中文字"), ("Kana", "かなカナ"), ("Hangul", "한국어"), ("Emoji", "🌟😀👍"), ("Symbols", "★☆✓→①"),
)


@dataclass(frozen=True)
class Found:
    """A face that draws some text: its family, file and index in the file (a ``.ttc`` holds several)."""

    family: str
    path: Path
    index: int = 0
    bundled: bool = False
    regular: bool = True  # upright and of normal weight (what a listing shows first)


def unicodes(path: Path, index: int = 0) -> frozenset[int]:
    """The code points the face at ``index`` of the font file ``path`` maps (empty when it is no font)."""
    stat = path.stat()
    return _unicodes(path, index, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _unicodes(path: Path, index: int, mtime_ns: int, size: int) -> frozenset[int]:  # noqa: ARG001 - cache key
    import uharfbuzz as hb

    try:
        return frozenset(hb.Face(hb.Blob.from_file_path(str(path)), index).unicodes)
    except Exception:  # an unreadable or broken file covers nothing, it never fails an export
        return frozenset()


def face_unicodes(face: FontFace) -> frozenset[int]:
    """The code points a theme's face draws: those its file maps, within its ``unicode_range`` if it has one."""
    return _within(unicodes(face.path), face.ranges)


@lru_cache(maxsize=64)
def _within(codes: frozenset[int], ranges: tuple[tuple[int, int], ...]) -> frozenset[int]:
    if not ranges:
        return codes
    return frozenset(c for c in codes if any(first <= c <= last for first, last in ranges))


def css_unicode_range(face: FontFace) -> str:
    """The face's ``unicode-range`` for a stylesheet, as the runs of code points it really draws.

    WeasyPrint hands the range to fontconfig as the face's whole character set, so a range wider than
    the font's map would claim characters it has no glyph for (an emoji drawn as Charis SIL's box);
    the runs of :func:`face_unicodes` claim exactly what the face draws. Empty when the face has no range.
    """
    if not face.ranges:
        return ""
    return _runs(face_unicodes(face))


@lru_cache(maxsize=64)
def _runs(codes: frozenset[int]) -> str:
    runs: list[list[int]] = []
    for code in sorted(codes):
        if runs and code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return ", ".join(f"U+{a:X}" if a == b else f"U+{a:X}-{b:X}" for a, b in runs)


def face_covers(face: FontFace, text: str) -> bool:
    """True when a theme's face draws every visible character of ``text`` (within its ``unicode_range``)."""
    return _has_all(face_unicodes(face), text)


def covers(path: Path, text: str, index: int = 0) -> bool:
    """True when the face has a glyph for every visible character of ``text``."""
    return _has_all(unicodes(path, index), text)


def faces_for(theme: Theme, text: str) -> tuple[FontFace, ...]:
    """The theme's faces a book with ``text`` needs: every body and mono face, and each script face that
    covers a character no body face has (in the theme's order, its bold with it). The mono faces do not
    count: a Greek word in a paragraph is not set in the code font because that font has Greek."""
    base = [f for f in theme.faces if f.role == "body"]
    have = frozenset().union(*(face_unicodes(f) for f in base)) if base else frozenset()
    wanted = {ord(c) for c in set(text)} - have
    needed_families = {f.family for f in theme.faces if wanted and f.role == "script" and wanted & face_unicodes(f)}
    return tuple(f for f in theme.faces if f.role != "script" or f.family in needed_families)


def bundled_face(theme: Theme, text: str, weight: int = 400) -> FontFace | None:
    """The theme's script face (nearest ``weight``) that covers ``text``, if one does."""
    faces = sorted((f for f in theme.faces if f.role == "script" and f.style == "normal"),
                   key=lambda f: abs(f.weight - weight))
    return next((f for f in faces if face_covers(f, text)), None)


def _has_all(codes: frozenset[int], text: str) -> bool:
    return all(ord(c) in codes for c in text if not c.isspace())


def system_faces(language: str, weight: int = 400) -> tuple[Found, ...]:
    """System faces fontconfig ranks best for ``language`` (a BCP 47 tag) at ``weight`` (``.ttf``, ``.otf``
    and the faces of ``.ttc`` collections)."""
    bold = ":weight=bold" if weight >= 600 else ""
    return _fc("fc-match", "-s", "-f", _FORMAT, f":lang={fontconfig_language(language)}{bold}")[:40]


def fontconfig_language(tag: str) -> str:
    """A BCP 47 tag as fontconfig names languages: Chinese by its written form (``zh-Hant`` → ``zh-tw``,
    ``zh`` → ``zh-cn``: the regional glyphs differ), every other language by its base."""
    parts = tag.lower().replace("_", "-").split("-")
    if parts[0] != "zh":
        return parts[0]
    if "hk" in parts or "mo" in parts:
        return "zh-hk"
    return "zh-tw" if "hant" in parts or "tw" in parts else "zh-cn"


def system_faces_covering(text: str) -> tuple[Found, ...]:
    """System faces that have every character of ``text`` (what fontconfig lists for that charset)."""
    codes = " ".join(f"{ord(c):x}" for c in sorted(set(text)) if not c.isspace())
    return _fc("fc-list", "--format", _FORMAT, f":charset={codes}")


#: What the fontconfig tools print per face: family, file, index in the file, weight (80: regular), slant (0).
_FORMAT = "%{family[0]}\t%{file}\t%{index}\t%{weight}\t%{slant}\n"


@lru_cache(maxsize=64)
def _fc(*command: str) -> tuple[Found, ...]:
    """Faces a fontconfig tool prints (honours ``FONTCONFIG_FILE``); none when it is not installed."""
    if not shutil.which(command[0]):
        return ()
    try:
        run = subprocess.run(list(command), capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return ()
    found = []
    for line in run.stdout.splitlines():
        family, file, index, weight, slant = (line.split("\t") + [""] * 5)[:5]
        path = Path(file)
        if path.suffix.lower() in (".ttf", ".otf", ".ttc") and path.is_file():
            found.append(Found(family, path, int(index) if index.isdigit() else 0,
                               regular=weight in ("80", "") and slant in ("0", "")))
    return tuple(found)


def system_tools() -> bool:
    """Whether fontconfig's command-line tools are here to ask about system fonts."""
    return shutil.which("fc-list") is not None


def coverage(theme: Theme) -> list[tuple[str, Found | None]]:
    """Each of :data:`SCRIPTS` and the font that draws it: a face of the theme, else a system face (one the
    theme's print stylesheet names first, as WeasyPrint would pick it), else None (boxes)."""
    named = _families_named(theme.stylesheet("print"))
    result: list[tuple[str, Found | None]] = []
    for script, sample in SCRIPTS:
        face = next((f for f in theme.faces if f.style == "normal" and f.weight == 400 and f.role != "mono"
                     and face_covers(f, sample)), None)
        if face is not None:
            result.append((script, Found(face.family, face.path, 0, bundled=True)))
            continue
        system = system_faces_covering(sample)
        ranked = sorted(system, key=lambda f: (named.index(f.family) if f.family in named else len(named),
                                               not f.regular, f.family, str(f.path), f.index))
        result.append((script, ranked[0] if ranked else None))
    return result


def _families_named(css: str) -> list[str]:
    """The quoted family names of a stylesheet's font lists, in order of first mention."""
    names: list[str] = []
    for name in re.findall(r'"([^"]+)"', " ".join(re.findall(r"font-family:([^;}]*)", css))):
        if name not in names:
            names.append(name)
    return names
