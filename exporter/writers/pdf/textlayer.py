"""The PDF's text layer, as extractors read it: soft layout hyphens and fonts encoded Identity-H.

Two things WeasyPrint 70 writes that copy, search and text extractors misread:

- The hyphen the layout adds at a line end is the font's U+2010 glyph, and its
  ``ToUnicode`` entry says U+2010, a hard hyphen: "prob‐ lem" is what search sees.
  ISO 32000-1 (14.8.2.2.3) wants a hyphen added by the layout to read as a soft
  hyphen (U+00AD), which extractors drop or join. The writer keeps U+2010 out of
  the text it lays out (:func:`exporter.writers.pdf.markup.no_hard_hyphen_characters`),
  so in our PDFs that glyph is only ever the layout's hyphen.
- A font with a character it has no glyph for (drawn as a box) gets a custom
  ``/Encoding`` CMap (``WP-Encod-0``) mapping those codes to CID 0, instead of
  ``Identity-H``. pypdf and pdfminer.six cannot read text through such a CMap
  (pypdf gave "M(“(ç(J C)U):)" for "Mike Conley"); poppler can. Here the font
  goes back to ``Identity-H`` and, for TrueType outlines, a ``CIDToGIDMap`` does
  what the CMap did (missing codes → glyph 0), so the page looks the same and
  every extractor reads it.
"""
from __future__ import annotations

import re

_HYPHEN = re.compile(rb"(<[0-9a-fA-F]{4}>\s*)<2010>")
_CIDCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s+(\d+)")


def soft_layout_hyphens(pdf) -> int:
    """Make every font's U+2010 glyph read as U+00AD; return how many ``ToUnicode`` maps changed."""
    import pikepdf

    changed = 0
    for font in _fonts(pdf):
        cmap = font.get("/ToUnicode")
        if not isinstance(cmap, pikepdf.Stream):
            continue
        data = cmap.read_bytes()
        new = _HYPHEN.sub(rb"\1<00ad>", data)
        if new != data:
            cmap.write(new)
            changed += 1
    return changed


def identity_encodings(pdf) -> int:
    """Replace WeasyPrint's custom CID encodings by ``Identity-H``; return how many fonts changed."""
    import pikepdf

    changed = 0
    for font in _fonts(pdf):
        encoding = font.get("/Encoding")
        if not isinstance(encoding, pikepdf.Stream):
            continue
        missing, last = set(), 0
        for code, cid in _CIDCHAR.findall(encoding.read_bytes()):
            code, cid = int(code, 16), int(cid)
            last = max(last, code)
            if cid == 0 and code != 0:
                missing.add(code)
        font.Encoding = pikepdf.Name("/Identity-H")
        for descendant in font.get("/DescendantFonts", []):
            if descendant.get("/Subtype") == "/CIDFontType2" and missing:
                gids = bytearray()
                for cid in range(last + 1):
                    gids += (0 if cid in missing else cid).to_bytes(2, "big")
                descendant.CIDToGIDMap = pdf.make_stream(bytes(gids))
        changed += 1
    return changed


def _fonts(pdf):
    """Every composite or simple font dictionary of the file, once each."""
    import pikepdf

    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font" and "/ToUnicode" in obj:
            yield obj
