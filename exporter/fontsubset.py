"""Font subsetting: embed only the glyphs a book uses (HarfBuzz's subsetter, through uharfbuzz).

A full Charis SIL face is about 1 MB; the glyphs of one article are a few dozen
KB. Subsetting keeps OpenType layout features (ligatures, kerning, small caps)
and the whole ``name`` table, so the font's copyright and licence strings
(name IDs 0, 13, 14) travel with the embedded font as the OFL asks.

HarfBuzz subsets a face in a few milliseconds where fontTools took a quarter of a
second, so a single-article command no longer pays most of a second for its fonts
and needs no cache between commands; its output is the same for the same input
(EPUBs stay byte-reproducible).

Stable API (shared by the EPUB and PDF writers)::

    subset_font(path_or_bytes, text) -> bytes   # same format (TTF/OTF) as the source
"""
from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

#: Characters always kept: what readers and stylesheets add around the text (list numbers,
#: generated separators, quotes, note labels), so a reader's own furniture never falls back.
ALWAYS = (string.printable + "\u00a0\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u2022\u00b7\u2020\u2021"
          "\u00ab\u00bb\u2039\u203a\u00b0\u00a9\u00ae\u2122\u00d7\u2212")

#: Blocks always kept whole: Basic Latin, Latin-1, General Punctuation and Currency Symbols. Most
#: articles then need the same subset, so a process (a batch worker) subsets each face once and reuses
#: it; characters outside these blocks are added one by one (a CJK block is far too big to keep whole).
SHARED_BLOCKS = ((0x20, 0x7F), (0xA0, 0x100), (0x2000, 0x2070), (0x20A0, 0x20C1))
_SHARED = "".join(chr(c) for start, end in SHARED_BLOCKS for c in range(start, end))


def subset_font(font: Path | bytes, text: str) -> bytes:
    """The font reduced to the glyphs needed for ``text`` (plus :data:`ALWAYS` and the shared blocks), as bytes.

    Raises ``ValueError`` when the data is not a font HarfBuzz can read.
    """
    data = _bytes_of(font)
    extra = frozenset(c for c in set(text) if not any(start <= ord(c) < end for start, end in SHARED_BLOCKS))
    return _subset(data, extra)


def _bytes_of(font: Path | bytes) -> bytes:
    """The font's bytes; a file is read once per process while it stays unchanged (a batch asks per article)."""
    if not isinstance(font, Path):
        return font
    stat = font.stat()
    return _read(font, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _read(path: Path, mtime_ns: int, size: int) -> bytes:  # noqa: ARG001 - the stamp is the cache key
    return path.read_bytes()


#: Tables dropped outright: Graphite (Charis SIL has it) cannot be subset, and no reading system uses it.
DROP_TABLES = ("Silf", "Silt", "Sill", "Glat", "Gloc", "Feat")


@lru_cache(maxsize=16)
def _subset(data: bytes, extra: frozenset[str]) -> bytes:
    """The subset for the shared blocks plus ``extra``, cached: the same inputs always give the same bytes."""
    import uharfbuzz as hb

    face = _face(data)
    wanted = hb.SubsetInput()
    wanted.unicode_set.update(ord(c) for c in set(_SHARED + ALWAYS) | extra)
    # everything of these kinds is kept (each set starts as HarfBuzz's default list: emptied, then inverted)
    for kind in (hb.SubsetInputSets.LAYOUT_FEATURE_TAG, hb.SubsetInputSets.LAYOUT_SCRIPT_TAG,
                 hb.SubsetInputSets.NAME_ID, hb.SubsetInputSets.NAME_LANG_ID):
        kept = wanted.sets(kind)
        kept.clear()
        kept.invert()
    wanted.sets(hb.SubsetInputSets.DROP_TABLE_TAG).update(int.from_bytes(tag.encode("ascii"), "big")
                                                           for tag in DROP_TABLES)
    wanted.flags = hb.SubsetFlags.NOTDEF_OUTLINE  # hinting kept, glyph names dropped, as fontTools did
    try:
        return bytes(hb.subset(face, wanted).blob.data)
    except RuntimeError as exc:  # HarfBuzz says only "Subsetting failed"
        raise ValueError(f"not a usable font: {exc}") from None


def _face(data: bytes):
    """HarfBuzz's face of ``data``; ``ValueError`` when it is not a font (HarfBuzz then sees no glyphs)."""
    import uharfbuzz as hb

    face = hb.Face(hb.Blob(data))
    if face.glyph_count == 0:
        raise ValueError("not a usable font: no glyphs")
    return face

