"""Text-level cleaning shared by the normaliser's stages: NFC, control characters, whitespace, language tags."""
from __future__ import annotations

import re
import unicodedata

# C0 controls but tab/newline/CR, DEL, C1 controls, lone surrogates, BOM, non-characters.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")
#: HTML's collapsible white space, plus the Unicode line/paragraph separators.
_SPACE_RUN = re.compile("[ \t\n\r\f\u2028\u2029]+")
#: What makes :data:`_SPACE_RUN` change a text: a run of spaces, or white space other than the space
_SPACE_TO_COLLAPSE = re.compile("[\t\n\r\f\u2028\u2029]")
_LANG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")


def clean_text(text: str | None) -> str:
    """NFC-normalised text without control characters (white space untouched)."""
    if not text:
        return ""
    if text.isascii() and text.isprintable():
        return text  # most text: no control character (they are not printable), nothing to compose
    text = _CONTROLS.sub("", text)
    return unicodedata.normalize("NFC", text) if not text.isascii() else text


def has_controls(text: str) -> bool:
    """Whether ``text`` holds a character :func:`clean_text` removes (a control, a lone surrogate, a BOM…)."""
    return _CONTROLS.search(text) is not None


def collapse_space(text: str) -> str:
    """Collapse runs of HTML white space to one space."""
    if not has_space_to_collapse(text):
        return text  # most text: single spaces only, found by a few scans in C, no new string
    return _SPACE_RUN.sub(" ", text)


def has_space_to_collapse(text: str) -> bool:
    """True when :func:`collapse_space` changes ``text``: a run of spaces, or a character of
    :data:`_SPACE_TO_COLLAPSE` (substring searches: several times faster than the regex's scan)."""
    return ("  " in text or "\n" in text or "\t" in text or "\r" in text or "\f" in text or "\u2028" in text
            or "\u2029" in text)


#: The characters of :data:`_SPACE_RUN`
SPACES = " \t\n\r\f\u2028\u2029"


def is_blank(text: str | None) -> bool:
    """True for None, "" and text of HTML white space only."""
    return not text or not text.strip(SPACES)


def clean_field(value: object) -> str | None:
    """A metadata value as the tree's text: NFC, no control characters, single spaces; None when empty."""
    if value is None:
        return None
    return collapse_space(clean_text(str(value))).strip() or None


def clean_lang(value: str | None) -> str | None:
    """A well-formed BCP 47-ish tag (``en_US`` → ``en-US``), or None."""
    if not value:
        return None
    value = value.strip().replace("_", "-")
    return value if _LANG.match(value) else None


def clean_dir(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().lower()
    return value if value in ("ltr", "rtl") else None


#: The characters that match an ASCII letter when case is ignored though they are none ("ſ" is "s"), or
#: whose lower case is longer than they are ("İ"): without them, a text in lower case holds an ASCII word
#: where ``re`` finds it with case ignored, at the same place.
FOLDS_INTO_ASCII = re.compile("[\u0130\u0131\u017f\u212a]")
