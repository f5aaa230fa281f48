"""Many documents → one :class:`~exporter.document.Book`: book metadata, parts, links inside the book.

Writers give article *i* (1-based, in reading order) of a collection the id prefix ``a{i}-``
and the anchor ``a{i}-article`` (see :func:`exporter.plan.plan_book`), and turn a link
that names another article's source URL (compared by :func:`exporter.plan.url_key`) into
a link to that anchor. Here ids an
article could share with the ids writers add are renamed first, so ids never clash.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Any, Sequence

from lxml import etree

from ..document import Book, Document, Metadata, Part
from ..tree import direction_of

#: Ids writers create for each article of a collection (after the ``a{i}-`` prefix).
RESERVED_ID = re.compile(r"^(title|article|h-\d+)$")


def book_metadata(options: dict[str, Any], documents: Sequence[Document]) -> Metadata:
    """The book's own metadata: what the user gave, the rest from the articles (language) or a fallback."""
    language = options.get("language") or _most_common([d.metadata.language for d in documents]) or "en"
    title = options.get("title") or "Collected articles"
    meta = Metadata(title=title, language=language, direction=direction_of(language))
    given = {k: v for k, v in options.items() if k not in ("title", "language") and k in Metadata.__dataclass_fields__}
    return meta.with_overrides(**given)


def assemble(documents: list[Document], metadata: Metadata, parts: Sequence[str | None] | None = None) -> Book:
    """A book of ``documents`` in order; ``parts[i]`` is the part title of document ``i`` (or None)."""
    for doc in documents:
        rename_reserved_ids(doc.tree)
    book = Book(metadata=metadata, articles=list(documents))
    if parts and any(parts):
        grouped: list[Part] = []
        for doc, title in zip(documents, parts):
            title = title or ""
            if not grouped or grouped[-1].title != title:
                grouped.append(Part(title=title, articles=[]))
            grouped[-1].articles.append(doc)
        book.parts = grouped
    return book


def rename_reserved_ids(tree: etree._Element) -> None:
    """Rename ids that could clash with the ids writers add per article; links follow."""
    taken = {el.get("id") for el in tree.iter() if el.get("id")}
    renamed: dict[str, str] = {}
    for el in tree.iter():
        ident = el.get("id")
        if ident and RESERVED_ID.match(ident):
            new, n = f"x-{ident}", 1
            while new in taken:
                n += 1
                new = f"x{n}-{ident}"
            taken.add(new)
            renamed[ident] = new
            el.set("id", new)
    if renamed:
        for a in tree.iter("a"):
            href = a.get("href", "")
            if href.startswith("#") and href[1:] in renamed:
                a.set("href", "#" + renamed[href[1:]])


def _most_common(values: list[str]) -> str | None:
    return Counter(values).most_common(1)[0][0] if values else None
