"""Characters no font has: a PDF that would print them as boxes fails, unless the user accepts it.

A box (the font's ``.notdef`` glyph) loses the word for the reader and for every text extractor, and
on a machine without CJK fonts a whole Chinese article becomes boxes. So by default that edition
fails with one line naming the characters and the fonts to install (exit 6, a writer's failure; in a
batch the record fails with that line), and nothing is written; ``--missing-glyphs warn`` writes it
and says the same line as a warning.
"""
from __future__ import annotations

import logging
import unicodedata

from ...errors import WriterError
from ...options import Option

log = logging.getLogger("exporter")

MODES = ("fail", "warn")

OPTION = Option("missing_glyphs", "PDF: when some characters have no font and would print as boxes: fail that "
                "edition (nothing is written) or warn and write it.", kind="choice", default="fail",
                choices=MODES, group="pdf")

#: Scripts of Debian's CJK font package, by the first word of the characters' Unicode names.
_CJK = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO", "IDEOGRAPHIC", "HALFWIDTH", "FULLWIDTH")


def message(title: str, missing: list[str]) -> str:
    """The one line that names the characters without a font and what to install."""
    shown = " ".join(f"U+{ord(c):04X}" for c in missing[:8]) + (" …" if len(missing) > 8 else "")
    cjk = any(unicodedata.name(c, "").startswith(_CJK) for c in missing)
    packages = "fonts-noto-cjk" if cjk else "fonts-noto-core, fonts-noto-extra"
    return (f"PDF of {title!r}: {len(missing)} character(s) have no font and print as boxes ({shown}); "
            f"install fonts that cover them (e.g. Debian's {packages})")


def check(title: str, missing: list[str], mode: str) -> None:
    """Fail (``fail``) or warn (``warn``) when ``missing`` has characters; nothing when it is empty."""
    if not missing:
        return
    if mode == "warn":
        log.warning("%s", message(title, missing))
        return
    raise WriterError(message(title, missing) + ", or accept the boxes with --missing-glyphs warn")
