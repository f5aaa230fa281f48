"""The book plan: how a :class:`~exporter.document.Book` is laid out, worked out once for every writer.

Reading order, article numbers, where each part opens, the anchors of each article and where a link to
another article of the book leads. Every edition (EPUB, PDF, text) reads the book in this order, so
the same book never reads differently from one format to the next.

The order is the articles' order as given (``Book.articles``), each article once. A part opens where its
first article comes and keeps its articles together, in the part's own order: for
``Book(articles=[A, B, C], parts=[Part("P", [A, B])])`` the book reads P: A, B, then C. Articles
named only in a part (not in ``Book.articles``) come with their part; a part none of whose articles is
in ``Book.articles`` opens after them, parts in their declared order. A part without articles never
opens (it would be an empty page).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit, urlunsplit

from lxml import etree

from .document import Book, Document, Part


@dataclass(frozen=True)
class PartOpening:
    """A part where it opens: its number counts the parts in reading order from 1."""

    part: Part
    number: int

    @property
    def title(self) -> str:
        return self.part.title

    @property
    def anchor(self) -> str:
        """The id of the part's opening page (``part-N``)."""
        return f"part-{self.number}"


@dataclass(frozen=True)
class PlannedArticle:
    """One article in its place: number, id prefix, part, and the part that opens just before it."""

    doc: Document
    number: int  #: from 1, in reading order
    prefix: str  #: prefixed to every id of the article in a collection (``a3-``); none for a single article
    part: PartOpening | None
    opens: PartOpening | None  #: the part whose opening page comes right before this article, if any
    ids: frozenset[str]  #: every id inside the article as the editions write it (prefixed)

    @property
    def anchor(self) -> str:
        """The id of the article's section (what contents lists and in-book links point at)."""
        return f"{self.prefix}article"


@dataclass(frozen=True)
class BookPlan:
    book: Book
    articles: tuple[PlannedArticle, ...]
    parts: tuple[PartOpening, ...]
    by_url: dict[str, PlannedArticle]  #: articles by :func:`url_key` of their source URL (the last one wins)

    @property
    def is_collection(self) -> bool:
        return self.book.is_collection

    def link_target(self, href: str) -> tuple[PlannedArticle, str] | None:
        """Where a web link to an article of the book leads inside it: the article and the anchor (the
        linked fragment when the article has it, else the article's start); None for any other link."""
        if not href.startswith(("http://", "https://")):
            return None
        target = self.by_url.get(url_key(href))
        if target is None:
            return None
        fragment = urlsplit(href).fragment
        anchor = target.prefix + fragment
        return target, anchor if fragment and anchor in target.ids else target.anchor


def plan_book(book: Book) -> BookPlan:
    """The plan of ``book`` (see the module's description for the order)."""
    in_part: dict[int, Part] = {}
    for part in book.parts:
        for doc in part.articles:
            in_part.setdefault(id(doc), part)
    candidates = list(book.articles) + [doc for part in book.parts for doc in part.articles]
    order: list[tuple[Document, Part | None]] = []
    placed: set[int] = set()
    for doc in candidates:
        if id(doc) in placed:
            continue
        part = in_part.get(id(doc))
        members = [d for d in part.articles if in_part.get(id(d)) is part] if part is not None else [doc]
        for member in members:
            if id(member) not in placed:
                placed.add(id(member))
                order.append((member, part))
    collection = book.is_collection
    articles: list[PlannedArticle] = []
    openings: dict[int, PartOpening] = {}
    for number, (doc, part) in enumerate(order, 1):
        opening = opens = None
        if part is not None:
            if id(part) not in openings:
                openings[id(part)] = opens = PartOpening(part, len(openings) + 1)
            opening = openings[id(part)]
        prefix = f"a{number}-" if collection else ""
        ids = frozenset(prefix + el.get("id") for el in doc.tree.iter() if el.get("id"))
        ids |= {f"{prefix}article", f"{prefix}title"} if prefix else set()
        articles.append(PlannedArticle(doc, number, prefix, opening, opens, ids))
    by_url = {url_key(a.doc.metadata.source_url): a for a in articles if a.doc.metadata.source_url}
    return BookPlan(book, tuple(articles), tuple(openings.values()), by_url)


def url_key(url: str | None) -> str:
    """A URL as writers compare it with a book's source URLs: scheme, ``www.``, fragment and a final
    slash do not matter (``http://www.example.org/a/`` names ``https://example.org/a``)."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:  # an address urlsplit refuses ("http://[x/") names no article of the book
        return (url or "").strip()
    host = parts.netloc.lower().removeprefix("www.")
    return urlunsplit(("", host, parts.path.rstrip("/") or "/", parts.query, ""))


def links_inside_book(root: etree._Element, plan: BookPlan,
                      href_to: Callable[[PlannedArticle, str], str]) -> int:
    """Point every web link to an article of the book at that article inside the edition.

    ``href_to(article, anchor)`` says how the edition writes such a link (``#anchor`` in one document,
    ``file.xhtml#anchor`` across files). The title block's source line cites the web page itself: it
    stays a web link. Returns how many links were changed.
    """
    changed = 0
    for link in root.iter("a"):
        found = plan.link_target(link.get("href", ""))
        if found is None or any("title-block" in (a.get("class") or "").split() for a in link.iterancestors()):
            continue
        link.set("href", href_to(*found))
        changed += 1
    return changed
