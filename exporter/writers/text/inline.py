"""Inline content as one string: emphasis marks, numbered link and note references, transliteration.

One :class:`Inline` serves one article, because link and note numbers restart
with every article: each URL gets a number the first time it is linked and
keeps it, each note the first time it is referenced.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from anyascii import anyascii
from lxml import etree

from ...tree import BLOCKS, NOTE, NOTE_ROLE, NOTEREF_ROLE
from ...words import word
from .marks import EMPHASIS
from .wrap import GLUE, JOIN, wide

_SPACE = re.compile(r"[ \t\n\r\f\v]+")
#: a reference marker made by this module (always glued), and the word characters right after it
_MARKER = re.compile(GLUE + r"(\[(?:Note" + GLUE + r")?\d+\])([^\W_]*)")


@dataclass
class Style:
    """The reader's choices that change how text is spelled (not how it is laid out)."""

    emphasis: str = "underscore"
    ascii: bool = False

    def text(self, value: str) -> str:
        """Text as it will be printed: transliterated when the edition is ASCII."""
        return transliterate(value) if self.ascii and not value.isascii() else value


def transliterate(value: str) -> str:
    """ASCII for ``value``; each CJK character becomes a word of its own (北京 → Bei Jing), so lines can still break."""
    out: list[str] = []
    after_cjk = after_stop = after_close = False
    for char in value:
        spelled = char if char.isascii() else anyascii(char)
        cjk_word = wide(char) and spelled[:1].isalnum()
        opening = unicodedata.category(char) in ("Pi", "Ps")
        if out and ((spelled[:1].isalnum() and (after_stop or (out[-1][-1:].isalnum() and (cjk_word or after_cjk))))
                    or (opening and after_cjk) or (cjk_word and after_close)):
            out.append(" ")
        out.append(spelled)
        after_cjk = cjk_word
        after_stop = wide(char) and spelled[-1:] in ",.;:!?)"  # CJK punctuation carries its own space
        after_close = unicodedata.category(char) in ("Pf", "Pe")
    return "".join(out)


@dataclass
class Inline:
    """Renders inline content of one article and remembers its links and notes."""

    style: Style
    notes_by_id: dict[str, etree._Element] = field(default_factory=dict)
    links: dict[str, int] = field(default_factory=dict)
    notes: dict[str, int] = field(default_factory=dict)

    @classmethod
    def for_article(cls, root: etree._Element, style: Style) -> "Inline":
        found = {el.get("id"): el for el in root if el.tag == NOTE and el.get("role") == NOTE_ROLE and el.get("id")}
        return cls(style=style, notes_by_id=found)

    def render(self, el: etree._Element, keep_space: bool = False, emphasis: bool = True) -> str:
        """The inline content of ``el``; whitespace collapsed unless ``keep_space`` (``pre``).

        ``emphasis=False`` leaves out the marks (headings are set apart already).
        """
        out = _place_markers(self._content(el, keep_space, frozenset() if emphasis else frozenset({"em", "strong"})))
        return out if keep_space else out.strip(" ")

    def note_number(self, ident: str) -> int:
        return self.notes.setdefault(ident, len(self.notes) + 1)

    def _text(self, value: str | None, keep_space: bool) -> str:
        if not value:
            return ""
        if not keep_space:
            value = _SPACE.sub(" ", value)
        return self.style.text(value)

    def _content(self, el: etree._Element, keep_space: bool, inside: frozenset[str]) -> str:
        parts = [self._text(el.text, keep_space)]
        for child in el:
            if isinstance(child.tag, str):
                parts.append(self._element(child, keep_space, inside))
            parts.append(self._text(child.tail, keep_space))
        text = "".join(parts)
        return text if keep_space else re.sub(r" {2,}", " ", text)

    def _element(self, el: etree._Element, keep_space: bool, inside: frozenset[str]) -> str:
        tag = el.tag
        if tag == "br":
            return "\n"
        if tag == "img":
            return self._image(el)
        if tag == "a" and el.get("role") == NOTEREF_ROLE and el.get("href", "")[1:] in self.notes_by_id:
            return f"{GLUE}[Note{GLUE}{self.note_number(el.get('href', '')[1:])}]"
        inner = self._content(el, keep_space, inside | {tag})
        if tag in ("em", "strong") and tag not in inside:
            return _mark(inner, *EMPHASIS[self.style.emphasis][tag])
        if tag == "a":
            return inner + self._link_marker(el.get("href", ""), inner)
        if tag in BLOCKS:  # not in a clean tree; kept readable rather than run together
            return f" {inner} "
        return inner

    def _image(self, img: etree._Element) -> str:
        """An image within a sentence: its description in its place, nothing when decorative,
        else a short ``[Image]`` marker so the reader knows something stood there (in a table cell,
        with the file name, which tells one undescribed icon from another)."""
        alt = img.get("alt")
        if alt is not None:
            return self.style.text(" ".join(alt.split()))
        image = self.style.text(word("image", language_of(img)).text)
        name = file_name(img.get("src", "")) if next(img.iterancestors("td", "th"), None) is not None else ""
        return f"[{image}: {self.style.text(name)}]" if name else f"[{image}]"  # in a table, an image is a datum

    def _link_marker(self, href: str, text: str) -> str:
        """`` [n]`` after a link's text, unless it points inside the book or its text is the URL."""
        if not href or href.startswith("#"):
            return ""
        shown = " ".join(text.split()).rstrip("/").casefold()
        bare = re.sub(r"^(?:https?://(?:www\.)?|mailto:)", "", href, flags=re.I).rstrip("/")
        if shown in {x.casefold() for x in (href.rstrip("/"), bare, self.style.text(href).rstrip("/"))}:
            return ""
        number = self.links.setdefault(href, len(self.links) + 1)
        return f"{GLUE}[{number}]"


def _place_markers(text: str) -> str:
    """Settle each ``[n]`` marker: glued to its word, or after the run of CJK it falls inside.

    CJK runs words together without spaces, so a marker inside the run would
    split a word for every search tool; it goes to the end of the run, where
    CJK text puts note marks anyway. A marker with no word before it loses its glue.
    """
    def settle(match: re.Match) -> str:
        before = text[match.start() - 1] if match.start() else ""
        if not before or before in " \n":
            return match.group(1) + match.group(2)
        if wide(before):
            return match.group(2) + JOIN + match.group(1)
        return match.group(0)

    return _MARKER.sub(settle, text) if GLUE in text else text


def _mark(inner: str, opening: str, closing: str) -> str:
    """Emphasis marks hugging the words, with surrounding spaces left outside."""
    core = inner.strip(" \n")
    if not core or not opening:
        return inner
    start = len(inner) - len(inner.lstrip(" \n"))
    end = start + len(core)
    return f"{inner[:start]}{opening}{core}{closing}{inner[end:]}"


def language_of(el: etree._Element) -> str:
    """The language ``el`` is in: its own ``lang`` or its nearest ancestor's (the article root has one)."""
    return next((a.get("lang") for a in (el, *el.iterancestors()) if a.get("lang")), "en")


def file_name(src: str) -> str:
    """The file name of an image URL (nothing for ``data:`` URLs), to tell undescribed images apart."""
    if src.startswith("data:"):
        return ""
    return unquote(urlsplit(src).path.rsplit("/", 1)[-1])
