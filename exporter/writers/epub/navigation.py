"""Finding one's way: heading ids, the table of contents (nav and NCX), landmarks, links inside the book."""
from __future__ import annotations

import os
from urllib.parse import urlsplit

from ebooklib import epub
from lxml import etree

from ...document import Book
from ..html import headings, url_key
from .document import EPUB_TYPE, OPS_NS, XML_LANG, Chapter

#: Headings deeper than this stay out of the table of contents (it is for finding one's way, not an index).
TOC_DEPTH = 3

#: Words the book itself adds (contents, landmarks), in the book's language where we know them;
#: elsewhere English, marked ``lang="en"`` so that a screen reader voices them right.
LABELS: dict[str, tuple[str, str, str, str]] = {  # contents, cover, title page, start
    "en": ("Contents", "Cover", "Title page", "Start"),
    "fr": ("Table des matières", "Couverture", "Page de titre", "Début"),
    "de": ("Inhalt", "Umschlag", "Titelseite", "Anfang"),
    "es": ("Índice", "Portada", "Portadilla", "Inicio"),
    "it": ("Indice", "Copertina", "Frontespizio", "Inizio"),
    "pt": ("Sumário", "Capa", "Folha de rosto", "Início"),
    "nl": ("Inhoud", "Omslag", "Titelpagina", "Begin"),
    "ru": ("Содержание", "Обложка", "Титульный лист", "Начало"),
    "ar": ("المحتويات", "الغلاف", "صفحة العنوان", "البداية"),
    "he": ("תוכן העניינים", "כריכה", "עמוד השער", "התחלה"),
    "fa": ("فهرست مطالب", "جلد", "صفحه عنوان", "آغاز"),
    "zh": ("目录", "封面", "书名页", "正文"),
    "ja": ("目次", "表紙", "扉", "本文"),
}


def labels(language: str) -> tuple[dict[str, str], str]:
    """The book's own words for ``language``, and the language they are in."""
    primary = language.split("-")[0].lower()
    found = primary if primary in LABELS else "en"
    return dict(zip(("contents", "cover", "titlepage", "start"), LABELS[found])), found


def toc(book: Book, chapters: list[Chapter]) -> list:
    """ebooklib toc entries: each article (with its headings), grouped under its part where it has one."""
    counter = iter(range(1, 100_000))
    entries = []
    by_part: dict[int, list] = {}
    parts_of = {id(doc): n for n, part in enumerate(book.parts, 1) for doc in part.articles}
    for art in chapters:
        subs = _heading_tree(art.section, art.file_name, counter)
        title = art.title if book.is_collection else book.metadata.title
        entry = (epub.Section(title, href=art.file_name), subs) if subs else \
            epub.Link(art.file_name, title, f"toc-{next(counter)}")
        part = parts_of.get(id(art.doc))
        if part is None:
            entries.append(entry)
        else:
            if part not in by_part:
                by_part[part] = []
                entries.append((epub.Section(book.parts[part - 1].title, href=f"text/part-{part}.xhtml"),
                                by_part[part]))
            by_part[part].append(entry)
    return entries


def nav_body(items: list, guide: list[dict], words: dict[str, str], words_lang: str, language: str) -> etree._Element:
    """The nav document body: the toc ``items`` (mirroring the NCX) and the landmarks of ``guide``."""
    body = etree.Element("div", nsmap={"epub": OPS_NS})
    nav = etree.SubElement(body, "nav", {EPUB_TYPE: "toc", "id": "toc", "role": "doc-toc"})
    label(etree.SubElement(nav, "h1"), words["contents"], words_lang, language)

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
    label(etree.SubElement(landmarks, "h2"), "Landmarks", "en", language)
    ol = etree.SubElement(landmarks, "ol")
    kinds = {"cover": "cover", "title-page": "titlepage", "text": "bodymatter", "toc": "toc"}
    for mark in guide:
        a = etree.SubElement(etree.SubElement(ol, "li"), "a", {EPUB_TYPE: kinds[mark["type"]], "href": mark["href"]})
        label(a, mark["title"], words_lang, language)
    return body


def label(el: etree._Element, text: str, text_language: str, book_language: str) -> None:
    """Text the book adds; marked with its language when that is not the book's."""
    el.text = text
    if text_language != book_language.split("-")[0].lower():
        el.set("lang", text_language)
        el.set(XML_LANG, text_language)


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
        text = " ".join("".join(h.itertext()).split()) or "Section"
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


def links_inside_book(section: etree._Element, by_url: dict[str, tuple[str, str]], here: str) -> None:
    """Links to another article of the book go to its chapter, not to the web."""
    ids = {el.get("id") for el in section.iter() if el.get("id")}
    for a in section.iter("a"):
        href = a.get("href", "")
        if not href.startswith(("http://", "https://")):
            continue
        target = by_url.get(url_key(href))
        if target is None or any(anc.get("class") == "title-block" for anc in a.iterancestors()):
            continue  # the title block's source line cites the web page itself: it stays a web link
        file_name, prefix = target
        fragment = urlsplit(href).fragment
        rel = os.path.basename(file_name)
        if file_name == here:
            anchor = prefix + fragment
            a.set("href", f"#{anchor}" if fragment and anchor in ids else f"#{prefix}article")
        else:
            a.set("href", f"{rel}#{prefix}{fragment}" if fragment else f"{rel}#{prefix}article")
