"""Text-level cleaning shared by the normaliser's stages: NFC, control characters, whitespace."""
from __future__ import annotations

import re
import unicodedata

# C0 controls but tab/newline/CR, DEL, C1 controls, lone surrogates, BOM, non-characters.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")
#: HTML's collapsible white space, plus the Unicode line/paragraph separators.
_SPACE_RUN = re.compile("[ \t\n\r\f\u2028\u2029]+")


def clean_text(text: str | None) -> str:
    """NFC-normalised text without control characters (white space untouched)."""
    if not text:
        return ""
    text = _CONTROLS.sub("", text)
    return unicodedata.normalize("NFC", text) if not text.isascii() else text


def collapse_space(text: str) -> str:
    """Collapse runs of HTML white space to one space."""
    return _SPACE_RUN.sub(" ", text)


def is_blank(text: str | None) -> bool:
    return not text or not _SPACE_RUN.sub("", text)


def clean_field(value: object) -> str | None:
    """A metadata value as the tree's text: NFC, no control characters, single spaces; None when empty."""
    if value is None:
        return None
    return collapse_space(clean_text(str(value))).strip() or None
