"""Finding one's way: heading ids, the table of contents (nav and NCX), landmarks, links inside the book."""
from __future__ import annotations

import itertools

from ebooklib import epub
from lxml import etree

from ...plan import BookPlan, PartOpening, PlannedArticle
from ...words import Word, word
from ..html import headings
from .document import EPUB_TYPE, OPS_NS, XML_LANG, Chapter

#: Headings deeper than this stay out of the table of contents (it is for finding one's way, not an index).
TOC_DEPTH = 3

def article_file(article: PlannedArticle) -> str:
    """The content document of an article (``text/article-N.xhtml``, N its number in the book)."""
    return f"text/article-{article.number}.xhtml"


def part_file(opening: PartOpening) -> str:
    """The content document of a part's opening page."""
    return f"text/part-{opening.number}.xhtml"


def toc(plan: BookPlan, chapters: list[Chapter]) -> list:
    """ebooklib toc entries: each article (with its headings), grouped under its part where it has one."""
    counter = itertools.count(1)
    entries = []
    by_part: dict[int, list] = {}
    for art in chapters:
        subs = _heading_tree(art.section, art.file_name, counter)
        title = art.title if plan.is_collection else plan.book.metadata.title
        entry = (epub.Section(title, href=art.file_name), subs) if subs else \
            epub.Link(art.file_name, title, f"toc-{next(counter)}")
        part = art.planned.part
        if part is None:
            entries.append(entry)
        else:
            if part.number not in by_part:
                by_part[part.number] = []
                entries.append((epub.Section(part.title, href=part_file(part)), by_part[part.number]))
            by_part[part.number].append(entry)
    return entries


def nav_body(items: list, guide: list[dict], language: str) -> etree._Element:
    """The nav document body: the toc ``items`` (mirroring the NCX) and the landmarks of ``guide``, whose
    titles say their language (they are the book's own words: see :mod:`exporter.words`)."""
    body = etree.Element("div", nsmap={"epub": OPS_NS})
    nav = etree.SubElement(body, "nav", {EPUB_TYPE: "toc", "id": "toc", "role": "doc-toc"})
    label(etree.SubElement(nav, "h1"), word("contents", language), language)

    def entries(parent: etree._Element, items: list) -> None:
        ol = etree.SubElement(parent, "ol")
        for item in items:
            li = etree.SubElement(ol, "li")
            head, children = (item[0], item[1]) if isinstance(item, tuple) else (item, [])
            a = etree.SubElement(li, "a", href=head.href)
            a.text = head.title
            if children:
                entries(li, children)

    entries(nav, items)
    landmarks = etree.SubElement(body, "nav", {EPUB_TYPE: "landmarks", "id": "landmarks", "hidden": "hidden"})
    label(etree.SubElement(landmarks, "h2"), word("landmarks", language), language)
    ol = etree.SubElement(landmarks, "ol")
    kinds = {"cover": "cover", "title-page": "titlepage", "text": "bodymatter", "toc": "toc"}
    for mark in guide:
        a = etree.SubElement(etree.SubElement(ol, "li"), "a", {EPUB_TYPE: kinds[mark["type"]], "href": mark["href"]})
        label(a, Word(mark["title"], mark["lang"]), language)
    return body


def label(el: etree._Element, said: Word, book_language: str) -> None:
    """Text the book adds; marked with its language when that is not the book's."""
    el.text = said.text
    if said.language != book_language.split("-")[0].lower():
        el.set("lang", said.language)
        el.set(XML_LANG, said.language)


def number_headings(section: etree._Element, prefix: str) -> None:
    """Every heading gets an id for the toc to point at, never one the article already uses."""
    taken = {el.get("id") for el in section.iter() if el.get("id")}
    for n, h in enumerate(headings(section), 1):
        if not h.get("id"):
            ident, k = f"{prefix}h-{n}", 1
            while ident in taken:
                k += 1
                ident = f"{prefix}h-{n}-{k}"
            h.set("id", ident)
            taken.add(ident)


def _heading_tree(section: etree._Element, file_name: str, counter) -> list:
    """Nested toc entries for the headings of one article (h2, h3… down to :data:`TOC_DEPTH`)."""
    root: list = []
    stack: list[tuple[int, list]] = [(1, root)]
    for h in headings(section):
        level = int(h.tag[1])
        if level > TOC_DEPTH:
            continue
        text = " ".join("".join(h.itertext()).split()) or word("section", section.get("lang") or "en").text
        while stack[-1][0] >= level:
            stack.pop()
        children: list = []
        link = epub.Link(f"{file_name}#{h.get('id')}", text, f"toc-{next(counter)}")
        stack[-1][1].append([link, children])
        stack.append((level, children))

    def finish(items: list) -> list:
        out = []
        for link, children in items:
            if children:
                out.append((epub.Section(link.title, href=link.href), finish(children)))
            else:
                out.append(link)
        return out

    return finish(root)
