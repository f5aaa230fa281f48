"""The normaliser: any article markup → a clean :class:`~exporter.document.Document`.

read (decode, parse) → pick the content → convert to the vocabulary → structure
passes → metadata (options, then markup, then fallbacks) → language passes.
It knows no output format.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable, Mapping

from lxml import etree

from ..document import Document, Metadata, Report
from ..errors import InputError, LimitError
from ..options import LIMIT_OPTIONS, METADATA_OPTIONS, NORMALISE_OPTIONS, Option, Settings, resolve
from ..read import Source, decode_source, parse_html
from ..tree import INLINES, direction_of, text_of, validation_errors
from . import language as languages
from . import metadata as found_metadata
from . import notes, reflow, repair, transforms, typography
from .convert import Converter, clean_lang
from .split import unwrap
from .text import clean_field, collapse_space

#: The options :func:`normalise` accepts (metadata wins over the markup).
OPTIONS: tuple[Option, ...] = METADATA_OPTIONS + NORMALISE_OPTIONS + LIMIT_OPTIONS

#: Passes that need the article's language, run once it is known: ``f(tree, metadata, settings, report)``.
LanguagePass = Callable[[etree._Element, Metadata, Settings, Report], None]
LANGUAGE_PASSES: list[LanguagePass] = [reflow.reflow, typography.typography]


def normalise(markup: str | bytes | Source, *, origin: str = "<string>", base: str | Path | None = None,
              stem: str | None = None, **options: Any) -> Document:
    """Normalise article markup (a fragment, an article or a whole page) into a clean document.

    ``options`` are the metadata options (``title``, ``authors``, ``language``,
    ``date``…, which win over what the markup says) and the normaliser's own
    (see :data:`OPTIONS`). Raises :class:`~exporter.errors.InputError` or
    :class:`~exporter.errors.LimitError` for input it cannot take.
    """
    settings = resolve(OPTIONS, options)
    if isinstance(markup, Source):
        source = markup
    else:
        source = decode_source(markup, origin=origin, base=Path(base) if base else None, stem=stem)
    if settings.max_input_mb and len(source.text) > settings.max_input_mb * 1_000_000:
        raise LimitError(f"{source.origin}: input is over the limit of {settings.max_input_mb:g} MB "
                         f"(raise it with --max-input-mb)")
    root = parse_html(source.text, source.origin)
    report = Report()
    markup_meta = found_metadata.extract(root)
    content = pick_content(root)
    flatten_deep_nesting(content, settings.max_depth, report)
    notes.group_source_notes(content, report)
    repair.repair_source(content, report)
    given_url = settings.source_url or markup_meta.get("source_url")
    tree = Converter(report, base_url=given_url).convert(content)
    transforms.run(tree, report)
    if not text_of(tree).strip() and tree.find(".//img") is None:
        raise InputError(f"{source.origin}: the markup holds no text")
    markup_meta["direction"] = markup_meta.get("direction") or article_direction(content, tree)
    metadata = build_metadata(settings, markup_meta, tree, source)
    drop_title_heading(tree, metadata.title, report)
    for language_pass in LANGUAGE_PASSES:
        language_pass(tree, metadata, settings, report)
    drop_redundant_language(tree, metadata.language)
    tree.set("lang", metadata.language)
    tree.set("dir", metadata.direction)
    if os.environ.get("EXPORTER_VALIDATE_TREES"):  # the test suite sets it: every tree must be valid
        problems = validation_errors(tree)
        if problems:
            raise RuntimeError(f"{source.origin}: the clean tree breaks its schema: {'; '.join(problems[:3])}")
    return Document(tree=tree, metadata=metadata, base=source.base, report=report, origin=source.origin)


def pick_content(root: etree._Element) -> etree._Element:
    """The part of a page that is the article: its only ``<article>`` or ``<main>``, else the body."""
    body = root.find("body")
    if body is None:
        body = root
    for tag in ("article", "main"):
        found = body.findall(f".//{tag}")
        if len(found) == 1 and len("".join(found[0].itertext()).split()) >= 0.5 * len("".join(body.itertext()).split()):
            return found[0]
    return body


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


def flatten_deep_nesting(root: etree._Element, max_depth: int, report: Report) -> None:
    """Unwrap elements nested deeper than ``max_depth``: their text stays, their structure goes.

    Keeps the converter's recursion bounded whatever the input.
    """
    deep: list[etree._Element] = []
    stack: list[tuple[etree._Element, int]] = [(root, 0)]
    while stack:
        el, depth = stack.pop()
        for child in el:
            if isinstance(child.tag, str):
                if depth + 1 > max_depth:
                    deep.append(child)
                stack.append((child, depth + 1))
    for el in reversed(deep):
        el.drop_tag()  # lxml.html elements: children and text move up into the parent
    if deep:
        report.note("flattened {n} over-deep element{s}", len(deep))


def build_metadata(settings: Settings, markup: Mapping[str, Any], tree: etree._Element, source: Source) -> Metadata:
    """Options first, then the markup, then fallbacks (file name, detected language).

    Cleaning happens before choosing, so a value that cleans to nothing falls back to the next source.
    The options' values were checked by their declarations (``--date``, ``--url``) when resolved.
    """
    title = choose_title(settings.title, markup, source.stem) or _first_words(tree)
    language = clean_lang(settings.language) or markup.get("language")
    if not language:
        language = languages.detect(text_of(tree))
    language = languages.normalise_tag(language)
    direction = markup.get("direction")  # explicit dir in the markup beats a guess from the language
    return Metadata(
        title=title,
        language=language,
        direction=direction or direction_of(language),
        authors=list(settings.authors or markup.get("authors") or []),  # Metadata cleans each
        subtitle=clean_field(settings.subtitle),
        date=found_metadata.normalise_date(settings.date) or markup.get("date"),
        publisher=clean_field(settings.publisher) or clean_field(markup.get("publisher")),
        source_url=settings.source_url or markup.get("source_url"),
        description=clean_field(settings.description) or clean_field(markup.get("description")),
        subjects=list(settings.subjects or markup.get("subjects") or []),
        rights=clean_field(settings.rights),
    )


def choose_title(given: str | None, markup: Mapping[str, Any], stem: str | None) -> str | None:
    """The title: the user's, else the markup's, else the file name's (None: the text's first words)."""
    return clean_field(given) or clean_field(markup.get("title")) or _title_from_stem(clean_field(stem))


def find_title(source: Source, title: str | None = None) -> str:
    """The title :func:`normalise` would give ``source`` (before typography), found without normalising its body.

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


def _first_words(tree: etree._Element, count: int = 8) -> str:
    words = text_of(tree).split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "") if words else "Untitled"


def drop_title_heading(tree: etree._Element, title: str, report: Report) -> None:
    """The first heading repeating the title goes: writers print the title themselves."""
    first = next((el for el in tree if el.tag in ("h2", "h3", "h4", "h5", "h6")), None)
    if first is None or tree.index(first) > 2:
        return
    if collapse_space(text_of(first)).strip().casefold() == title.strip().casefold():
        tree.remove(first)
        report.note("removed {n} heading{s} repeating the title")
        transforms.consecutive_headings(tree, report)


def drop_redundant_language(tree: etree._Element, language: str) -> None:
    """``lang`` equal to the article's own adds nothing; a span left with nothing to carry goes.

    Such a span's id moves to its block (links follow), so no anchor is lost.
    """
    for el in list(tree.iter()):
        if el.get("lang") and el.get("lang").lower() == language.lower():
            del el.attrib["lang"]
        if el.tag == "span" and not el.get("lang") and not el.get("dir"):
            ident = el.get("id")
            if ident:
                block = el.getparent()
                while block.tag in INLINES:
                    block = block.getparent()
                new = block.get("id") or ident
                block.set("id", new)
                for a in tree.iter("a"):
                    if a.get("href") == "#" + ident:
                        a.set("href", "#" + new)
            unwrap(el)


def _raise_recursion_limit() -> None:
    if sys.getrecursionlimit() < 20_000:
        sys.setrecursionlimit(20_000)


_raise_recursion_limit()
