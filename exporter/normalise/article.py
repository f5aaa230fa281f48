"""Passes over the whole article once it is converted: its text, direction, metadata and language marks.

Metadata comes from the options first, then the markup, then fallbacks (the
file name, the first words, the detected language).
"""
from __future__ import annotations

from typing import Any, Mapping

from lxml import etree

from ..document import Metadata
from ..errors import InputError
from ..options import Settings
from ..read import Source, parse_html
from ..tree import INLINES, direction_of, text_of
from . import language as languages
from . import metadata as found_metadata
from .state import State
from .surgery import unwrap_all
from .text import clean_field, clean_lang, collapse_space


def require_text(state: State) -> None:
    """An article with neither words nor images is refused: there is nothing to make an edition of."""
    # the first words found end the search: the whole text is not built for this (settle-metadata does)
    if not any(piece.strip() for piece in state.tree.itertext()) and next(state.tree.iterdescendants("img"), None) is None:
        raise InputError(f"{state.source.origin}: the markup holds no text")


def settle_direction(state: State) -> None:
    """The direction the markup gives the whole article, kept with what the markup says."""
    state.found["direction"] = state.found.get("direction") or article_direction(state.page, state.tree)


def article_direction(content: etree._Element, tree: etree._Element) -> str | None:
    """The direction the markup gives the whole article, or None.

    From the picked content or its nearest ancestor with ``dir`` (a reader view wraps the
    article in ``<div dir="rtl">``), else from a ``dir`` shared by every top-level block, which
    then moves up to the article.
    """
    for el in (content, *content.iterancestors()):
        value = (el.get("dir") or "").strip().lower()
        if value in ("ltr", "rtl"):
            return value
    values = {block.get("dir") for block in tree}
    if len(values) == 1 and values != {None}:
        (value,) = values
        for block in tree:
            del block.attrib["dir"]
        return value
    return None


def settle_metadata(state: State) -> None:
    """The article's metadata: the options, then the markup, then fallbacks."""
    state.metadata = build_metadata(state.settings, state.found, state.tree, state.source)


def build_metadata(settings: Settings, markup: Mapping[str, Any], tree: etree._Element, source: Source) -> Metadata:
    """Options first, then the markup, then fallbacks (file name, detected language).

    Cleaning happens before choosing, so a value that cleans to nothing falls back to the next source.
    The options' values were checked by their declarations (``--date``, ``--url``) when resolved. They are read by
    key: ``settings.title`` is a failed attribute look-up first (an AttributeError made, its message formatted,
    then :meth:`~exporter.options.Settings.__getattr__`), ~1.2 us each, ten an article.
    """
    text: str | None = None

    def article_text() -> str:  # read once, and only when asked (not when the options give title and language)
        nonlocal text
        if text is None:
            text = text_of(tree)
        return text

    title = choose_title(settings["title"], markup, source.stem) or _first_words(article_text())
    given_language = clean_lang(settings["language"])
    language = given_language or markup.get("language")
    if not given_language and language and languages.contradicts(language, article_text()[:20_000], 0.25):
        language = None  # the page says English and is written in Chinese: the text knows better
    if not language:
        language = languages.detect(article_text())
    language = languages.normalise_tag(language)
    if languages.may_take_script(language):
        language = languages.with_script(language, article_text())
    direction = markup.get("direction")  # explicit dir in the markup beats a guess from the language
    return Metadata(
        title=title,
        language=language,
        direction=direction or direction_of(language),
        authors=list(settings["authors"] or markup.get("authors") or []),  # Metadata cleans each
        subtitle=clean_field(settings["subtitle"]),
        date=settings["date"] or markup.get("date"),  # --date was checked when resolved; Metadata checks again
        publisher=clean_field(settings["publisher"]) or clean_field(markup.get("publisher")),
        source_url=settings["source_url"] or markup.get("source_url") or source.url,
        description=clean_field(settings["description"]) or clean_field(markup.get("description")),
        subjects=list(settings["subjects"] or markup.get("subjects") or []),
        rights=clean_field(settings["rights"]),
    )


def choose_title(given: str | None, markup: Mapping[str, Any], stem: str | None) -> str | None:
    """The title: the user's, else the markup's, else the file name's (None: the text's first words)."""
    return clean_field(given) or clean_field(markup.get("title")) or _title_from_stem(clean_field(stem))


def find_title(source: Source, title: str | None = None) -> str:
    """The title :func:`~exporter.normalise.normalise` would give ``source`` (before typography), found
    without normalising its body.

    A batch names its editions before writing them; this keeps that first pass to a parse.
    """
    if clean_field(title):
        return clean_field(title)
    root = parse_html(source.text, source.origin)
    return choose_title(None, found_metadata.extract(root), source.stem) or "Untitled"


def _title_from_stem(stem: str | None) -> str | None:
    if not stem:
        return None
    words = stem.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else None


def _first_words(text: str, count: int = 8) -> str:
    words = text.split(None, count)  # the count words, and the rest (if any) as one
    return " ".join(words[:count]) + ("…" if len(words) > count else "") if words else "Untitled"


def drop_title_heading(state: State) -> None:
    """The first heading repeating the title goes: writers print the title themselves."""
    tree, title, report = state.tree, state.metadata.title, state.report
    first = next((el for el in tree if el.tag in ("h2", "h3", "h4", "h5", "h6")), None)
    if first is None or tree.index(first) > 2:
        return
    if collapse_space(text_of(first)).strip().casefold() == title.strip().casefold():
        tree.remove(first)
        report.note("removed {n} heading{s} repeating the title")


#: The lang values in the article (the article's own included), in document order, found in C: each knows its
#: element (asking the attribute axis is twice as fast as a predicate on every element)
_LANG_VALUES = etree.XPath("descendant-or-self::*/@lang")


def drop_contradicting_language(state: State) -> None:
    """``lang`` that its own text contradicts goes (``lang="EN-US"`` around Chinese, left by a word
    processor): readers and fonts would treat the text as that language."""
    for tag in _LANG_VALUES(state.tree):  # each element's own value: removing one changes no other's
        if tag:
            el = tag.getparent()
            if languages.contradicts(tag, text_of(el)):
                del el.attrib["lang"]
                state.report.note("dropped {n} language mark{s} contradicting the script of their text")


def mark_chinese_script(state: State) -> None:
    """A Chinese ``lang`` inside the article gets the script its own text is written in (``zh`` →
    ``zh-Hant``), as the article's own does, so fonts draw each passage in its script's forms."""
    for tag in _LANG_VALUES(state.tree):
        if tag and tag[:2].lower() == "zh":
            el = tag.getparent()
            marked = languages.with_script(tag, text_of(el))
            if marked != tag:
                el.set("lang", marked)
                state.report.note("marked {n} Chinese passage{s} with their script")


def drop_redundant_language(state: State) -> None:
    """``lang`` equal to the article's own adds nothing; a span left with nothing to carry goes.

    Such a span's id moves to its block (links follow), so no anchor is lost. The spans go and the links
    follow after the walk, each in one step: one by one, many spans in a paragraph cost quadratic time.
    """
    tree, language = state.tree, state.metadata.language
    moved: list[tuple[str, str]] = []  # (a span's id, the id of the block it moved to), in document order
    unwrapped: list[etree._Element] = []
    for value in _LANG_VALUES(tree):  # each element's own lang: removing one changes no other's
        if value and value.lower() == language.lower():
            del value.getparent().attrib["lang"]
    for el in tree.iter("span"):  # then the spans, in document order (a span's own lang is settled above)
        if not el.get("lang") and not el.get("dir"):
            ident = el.get("id")
            if ident:
                block = el.getparent()
                while block.tag in INLINES:
                    block = block.getparent()
                new = block.get("id") or ident
                block.set("id", new)
                moved.append((ident, new))
            unwrapped.append(el)
    _follow_moved_ids(tree, moved)
    unwrap_all(tree, unwrapped)


def _follow_moved_ids(tree: etree._Element, moved: list[tuple[str, str]]) -> None:
    """Point each link at ``#old`` to where its id moved, as following the moves one by one would
    (a later move of the id a link was pointed to takes it on: resolved from the last move back)."""
    if not moved:
        return
    final: dict[str, str] = {}
    for old, new in reversed(moved):
        final[old] = final.get(new, new)
    for a in tree.iter("a"):
        href = a.get("href")
        if href and href[:1] == "#" and href[1:] in final:
            a.set("href", "#" + final[href[1:]])


def mark_language(state: State) -> None:
    """The article carries its language and direction, for every writer to pass on."""
    state.tree.set("lang", state.metadata.language)
    state.tree.set("dir", state.metadata.direction)
