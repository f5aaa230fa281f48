"""What the normaliser produces and writers consume: documents, their metadata, books.

A :class:`Document` is one article: its clean tree (see :mod:`exporter.tree`),
its :class:`Metadata`, the folder its relative resources are resolved against,
and a report of what normalising changed. A :class:`Book` is what a writer
writes: one or more documents under the book's own metadata. A single-article
export is a book of one, so every writer has one code path.
"""
from __future__ import annotations

import copy
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from lxml import etree

from . import tree as vocabulary


@dataclass
class Metadata:
    """Descriptive metadata. ``language`` is always known (EPUB and hyphenation need it)."""

    title: str
    language: str = "en"
    subtitle: str | None = None
    authors: list[str] = field(default_factory=list)
    date: str | None = None
    publisher: str | None = None
    source_url: str | None = None
    description: str | None = None
    subjects: list[str] = field(default_factory=list)
    rights: str | None = None
    direction: str = "ltr"

    def __post_init__(self) -> None:
        """Whoever builds metadata (normaliser, book.toml, options, API), its text is clean: an XML
        writer can hold it and a title is never empty."""
        from .dates import normalise_date
        from .normalise.text import clean_field

        for name in ("subtitle", "date", "publisher", "source_url", "description", "rights"):
            setattr(self, name, clean_field(getattr(self, name)))
        self.date = normalise_date(self.date)  # a real date, or none: writers convert and store it
        self.title = clean_field(self.title) or "Untitled"
        self.authors = [a for a in map(clean_field, self.authors) if a]
        self.subjects = [s for s in map(clean_field, self.subjects) if s]

    def with_overrides(self, **given: object) -> "Metadata":
        """A copy where every non-empty value in ``given`` wins."""
        changes = {k: v for k, v in given.items() if v not in (None, "", (), [])}
        if "authors" in changes:
            changes["authors"] = list(changes["authors"])  # type: ignore[arg-type]
        if "subjects" in changes:
            changes["subjects"] = list(changes["subjects"])  # type: ignore[arg-type]
        if "language" in changes and "direction" not in changes:
            changes["direction"] = vocabulary.direction_of(str(changes["language"]))
        return replace(self, **changes)  # type: ignore[arg-type]

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


class Report(Counter):
    """What the normaliser did, counted by kind: ``{"curled {n} quote{s}": 46, …}``.

    A kind may be a message template: ``{n}`` is the count and ``{s}``/``{es}`` the
    plural ending, so that :meth:`lines` reads "curled 46 quotes" and "reflowed 1 run-on
    paragraph". Other kinds read "kind: count".
    """

    def note(self, kind: str, count: int = 1) -> None:
        if count:
            self[kind] += count

    @staticmethod
    def phrase(kind: str, count: int) -> str:
        if "{n}" in kind:
            one = count == 1
            return kind.replace("{n}", str(count)).replace("{s}", "" if one else "s").replace("{es}", "" if one else "es")
        return f"{kind}: {count}"

    def lines(self) -> list[str]:
        return [self.phrase(kind, count) for kind, count in sorted(self.items())]

    def forget(self, prefix: str) -> None:
        """Drop the kinds that start with ``prefix`` (a line that would mislead where it is read)."""
        for kind in [kind for kind in self if kind.startswith(prefix)]:
            del self[kind]


@dataclass
class Document:
    """One normalised article."""

    tree: etree._Element
    metadata: Metadata
    base: Path | None = None
    report: Report = field(default_factory=Report)
    #: where it came from, for messages ("article.html", "<stdin>", "records.jsonl:17")
    origin: str = "<string>"

    def to_xml(self, pretty: bool = True) -> str:
        """The clean tree as XML text (what ``exporter normalise`` prints).

        ``pretty`` indents only between blocks, where white space means nothing, so that
        normalising the printed tree again gives the same tree (lxml's own pretty printer
        would indent inside ``pre``).
        """
        if not pretty:
            return etree.tostring(self.tree, encoding="unicode")
        tree = copy.deepcopy(self.tree)
        _indent_blocks(tree)
        return etree.tostring(tree, encoding="unicode") + "\n"

    @property
    def text(self) -> str:
        return vocabulary.text_of(self.tree)

    def validation_errors(self) -> list[str]:
        return vocabulary.validation_errors(self.tree)

    # lxml elements do not pickle: carry the tree as XML into worker processes
    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["tree"] = etree.tostring(self.tree, encoding="unicode")
        return state

    def __setstate__(self, state: dict) -> None:
        state = dict(state)
        state["tree"] = etree.fromstring(state["tree"], _tree_parser())
        self.__dict__.update(state)


def _tree_parser() -> etree.XMLParser:
    """A parser for trees this package wrote (pickled into another process): any depth and any size the
    normaliser let through (libxml2's defaults refuse 256 levels and 10 MB in one text or attribute, which
    a book within its limits can have: a data: image), and nothing outside the string."""
    return etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True, load_dtd=False)


_INLINE_CONTAINERS, _INLINES = vocabulary.INLINE_CONTAINERS, vocabulary.INLINES


#: The white space before a child at each level of indentation (``"\n"`` and two spaces a level), made once
_INDENTS = ["\n" + "  " * level for level in range(64)]


def _indent(level: int) -> str:
    return _INDENTS[level] if level < 64 else "\n" + "  " * level


def _indent_blocks(el: etree._Element, level: int = 0) -> None:
    """Indent the children of elements that hold only blocks (never inline content or ``pre``)."""
    text = el.text
    if el.tag in _INLINE_CONTAINERS or (text and text.strip()):
        return  # a paragraph (most blocks) is answered before its children are listed
    children = el[:]
    if not children:
        return
    for child in children:
        if child.tag in _INLINES:
            return
        tail = child.tail
        if tail and tail.strip():
            return
    inner = _indent(level + 1)
    el.text = inner
    for child in children:
        child.tail = inner
        # a paragraph would return at once, and so would a child without children (an image, a rule): neither is
        # visited (a call, its tag, text and children asked, for nothing)
        if len(child) and child.tag not in _INLINE_CONTAINERS:
            _indent_blocks(child, level + 1)
    children[-1].tail = _indent(level)


@dataclass
class Part:
    """A titled group of articles in a book (``book.toml`` parts)."""

    title: str
    articles: list[Document]


@dataclass
class Book:
    """What writers write: the book's metadata and its articles, optionally grouped in parts."""

    metadata: Metadata
    articles: list[Document]
    parts: list[Part] = field(default_factory=list)

    @classmethod
    def of(cls, document: Document) -> "Book":
        """A book of one article, sharing its metadata."""
        return cls(metadata=document.metadata, articles=[document])

    @property
    def is_collection(self) -> bool:
        """True when the book holds several articles (and so needs a contents list)."""
        return len(self.articles) > 1 or bool(self.parts)

    def identifier(self) -> str:
        """A stable identifier: from the source URL, else from the content; never random."""
        if self.metadata.source_url and not self.is_collection:
            seed = self.metadata.source_url
        else:
            seed = "\n".join([self.metadata.title] + [d.to_xml(pretty=False) for d in self.articles])
        digest = hashlib.sha1(seed.encode("utf-8")).hexdigest()
        return f"urn:uuid:{digest[:8]}-{digest[8:12]}-5{digest[13:16]}-{'89ab'[int(digest[16], 16) % 4]}{digest[17:20]}-{digest[20:32]}"


def slugify(text: str, fallback: str = "article", max_length: int = 80) -> str:
    """A safe file name stem: ASCII letters, digits and hyphens (transliterated where possible)."""
    from anyascii import anyascii

    text = anyascii(text)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    slug = slug[:max_length].rstrip("-")
    return slug or fallback
