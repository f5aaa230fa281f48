"""The book as one HTML document for WeasyPrint: front matter, articles, and print-only markup.

What print needs beyond the shared HTML of :mod:`exporter.writers.html`:

- a ``lang`` on every element (WeasyPrint hyphenates only where it sees one);
- running-head text on each article (``data-*`` attributes the theme turns into
  named strings);
- each link's URL, once per article, in a ``span.link-url`` the theme floats to
  the foot of the page or shows inline;
- header rows of long tables marked as such so they repeat, wide tables classed
  so the theme can set them smaller;
- wider word spaces in runs of one-character words (linearised maths), which
  poppler would otherwise read as one letter-spaced word;
- no ``alt`` on an image the tree marks ``described="no"`` (its TeX describes
  nothing, so it must not become the figure's ``/Alt``), and no marker;
- for a collection: a title page, a contents list the theme fills with page
  numbers, and part title pages.
"""
from __future__ import annotations

import base64
import re
import unicodedata
from typing import Iterable

from lxml import etree

from ... import __version__
from ...document import Book, Metadata
from ...images import prepare
from ...resources import ResourcePolicy
from ...tree import direction_of, place_in_order
from ...plan import BookPlan, links_inside_book, plan_book
from ...words import byline, word
from ..html import article_section

LINK_MODES = ("footnotes", "inline", "none")

#: A table with more columns than this is set smaller ("wide"), and smaller again past WIDER and WIDEST.
WIDE, WIDER, WIDEST = 5, 9, 16


def build_html(book: Book, resources: ResourcePolicy, *, links: str = "footnotes", classes: Iterable[str] = (),
               image_px: int = 2400) -> str:
    """The whole book as one HTML document (serialised as HTML, which is what WeasyPrint parses)."""
    return serialise(build_document(book, resources, links=links, classes=classes, image_px=image_px))


def serialise(html: etree._Element) -> str:
    """``html`` as WeasyPrint reads it: HTML, not XML (``<a id="x"/>`` would stay open)."""
    return "<!DOCTYPE html>\n" + etree.tostring(html, encoding="unicode", method="html")


def undescribed_images(html: etree._Element) -> int:
    """Images shown without a text alternative (no ``alt``): their figures have no ``/Alt``."""
    return sum(1 for img in html.iter("img") if img.get("alt") is None)


def build_document(book: Book, resources: ResourcePolicy, *, links: str = "footnotes", classes: Iterable[str] = (),
                   image_px: int = 2400) -> etree._Element:
    """The whole book as one ``<html>`` element, images resolved and print markup added."""
    meta = book.metadata
    html = etree.Element("html", lang=meta.language, dir=meta.direction)
    root_classes = [f"links-{links}", "collection" if book.is_collection else "single", *classes]
    html.set("class", " ".join(root_classes))
    html.append(_head(meta))
    body = etree.SubElement(html, "body")
    plan = plan_book(book)
    if book.is_collection:
        body.append(title_page(meta))
        body.append(contents(plan))
    sections = []
    for planned in plan.articles:
        doc = planned.doc
        if planned.opens is not None:
            body.append(_part_page(planned.opens.title, planned.opens.anchor))
        policy = resources.for_root(doc.base)
        section = article_section(doc, lambda src, p=policy: _data_uri(p, src, image_px), id_prefix=planned.prefix)
        drop_undescribed_alts(section)
        if planned.part is not None:
            section.set("class", section.get("class", "") + " in-part")
        _running_heads(section, doc.metadata, meta, book.is_collection, "duplex" in root_classes)
        prepare_tables(section)
        number_lists(section)
        body.append(section)
        sections.append(section)
    if book.is_collection:
        links_inside_book(body, plan, lambda target, anchor: f"#{anchor}")
    for section in sections:
        label_bookmarks(section)
        show_link_urls(section, links)
        break_long_runs(section)
        no_hard_hyphen_characters(section)
        space_single_characters(section)
    propagate_lang(html)
    return html


#: Runs of more characters than this between spaces get a break opportunity (U+200B) every
#: :data:`RUN_PIECE` characters. WeasyPrint breaks a run too long for its line (``overflow-wrap``) at a
#: cost that grows with the run, for every line it fills: a "word" of 200,000 characters, or a ``pre`` of
#: long lines, outlasted the render limit. No word of any language is this long, and a zero-width break
#: shows nothing; pieces shorter than a line need no costly break.
LONGEST_RUN = 200
RUN_PIECE = 40
_LONG_RUN = re.compile("[^ \t\n\r\u200b]{%d,}" % (LONGEST_RUN + 1))


def break_long_runs(root: etree._Element) -> None:
    """A zero-width break every :data:`RUN_PIECE` characters of a run longer than :data:`LONGEST_RUN`."""
    def cut(match: re.Match) -> str:
        run = match.group(0)
        return "\u200b".join(run[i:i + RUN_PIECE] for i in range(0, len(run), RUN_PIECE))

    for el in root.iter():
        for name in ("text", "tail"):
            value = getattr(el, name)
            if value and len(value) > LONGEST_RUN:
                setattr(el, name, _LONG_RUN.sub(cut, value))


#: A run of at least this many one-character words with a symbol among them ("x ˙ = σ ( y − x )": maths
#: read out as text) is set with wider word spaces. poppler's ``pdftotext`` takes a line made only of
#: one-character words with even gaps for letter-spaced text and joins it into one word ("x˙=σ(y−x)"),
#: unless the gaps are at least 0.4 em (its ``maxWideCharSpacing``); a space is 0.22-0.29 em in the bundled
#: fonts, so 0.2 em more clears it. Prose keeps its spacing: "Il y a à manger", "i w z", "Plan A B C" have
#: runs of one-letter words but no symbol (Unicode Sm, Sk, So), and never fill a line alone.
SINGLE_CHARACTER_RUN = 3
SINGLE_CHARACTER_SPACING = "0.2em"
_SINGLE_CHARACTERS = re.compile(r"(?<!\S)\S(?: \S){%d,}(?!\S)" % (SINGLE_CHARACTER_RUN - 1))
_SPACING_KEPT = frozenset({"pre", "code"})
_SYMBOLS = frozenset({"Sm", "Sk"})  # maths and modifier symbols; not So (emoji, dingbats) of prose


def space_single_characters(root: etree._Element) -> int:
    """Runs of one-character words in a ``span`` with wider word spaces, so every extractor reads them apart.

    Only the print HTML changes (the EPUB and text editions keep the tree's text); the words and their
    single spaces stay as they are. Code keeps its spacing. Returns how many runs were wrapped.
    """
    wrapped = 0
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.tag in _SPACING_KEPT or any(
                a.tag in _SPACING_KEPT for a in el.iterancestors()):
            continue
        if el.text and _maths_runs(el.text):
            pieces = _spaced_pieces(el.text)
            el.text = pieces[0]
            place_in_order(pieces[1:], el)
            wrapped += len(pieces) - 1
        parent = el.getparent()
        if el.tail and parent is not None and parent.tag not in _SPACING_KEPT and _maths_runs(el.tail):
            pieces = _spaced_pieces(el.tail)
            el.tail = pieces[0]
            place_in_order(pieces[1:], parent, after=el)
            wrapped += len(pieces) - 1
    return wrapped


def _maths_runs(text: str) -> list[re.Match]:
    """The runs of one-character words in ``text`` that hold a symbol (maths), not prose's one-letter words."""
    return [m for m in _SINGLE_CHARACTERS.finditer(text)
            if any(unicodedata.category(c) in _SYMBOLS for c in m.group(0))]


def _spaced_pieces(text: str) -> list:
    """``text`` as [leading text, span, span, ...]: each run of one-character words a span, what follows its tail."""
    pieces: list = [""]
    last = 0
    for match in _maths_runs(text):
        if len(pieces) > 1:
            pieces[-1].tail = text[last:match.start()]
        else:
            pieces[0] = text[:match.start()]
        span = etree.Element("span", {"class": "single-characters",
                                      "style": f"word-spacing: {SINGLE_CHARACTER_SPACING}"})
        span.text = match.group(0)
        pieces.append(span)
        last = match.end()
    pieces[-1].tail = text[last:] or None
    return pieces


def drop_undescribed_alts(root: etree._Element) -> None:
    """An image the tree marks ``described="no"`` loses its alt and the marker: it is an image without a text
    alternative (:mod:`.structure` then gives its figure no ``/Alt``), as the EPUB writer counts it."""
    for img in root.iter("img"):
        if img.attrib.pop("described", None) == "no":
            img.attrib.pop("alt", None)


def _head(meta: Metadata) -> etree._Element:
    """``<head>``: what WeasyPrint turns into the PDF's document information and XMP metadata."""
    head = etree.Element("head")
    etree.SubElement(head, "meta", charset="utf-8")
    etree.SubElement(head, "title").text = meta.title
    for author in meta.authors:
        etree.SubElement(head, "meta", name="author", content=author)
    for name, value in (("description", meta.description), ("keywords", ", ".join(meta.subjects)),
                        ("generator", f"exporter {__version__}")):
        if value:
            etree.SubElement(head, "meta", name=name, content=value)
    return head


def title_page(meta: Metadata) -> etree._Element:
    """The title page of a collection: title, subtitle, authors, publisher and date."""
    page = etree.Element("section", {"class": "book-title-page", "id": "book-title"})
    etree.SubElement(page, "h1", {"class": "book-title"}).text = meta.title
    if meta.subtitle:
        etree.SubElement(page, "p", {"class": "book-subtitle"}).text = meta.subtitle
    if meta.authors:
        etree.SubElement(page, "p", {"class": "book-authors"}).text = byline(meta.authors, meta.language)
    facts = " · ".join(x for x in (meta.publisher, meta.date) if x)
    if facts:
        etree.SubElement(page, "p", {"class": "book-imprint"}).text = facts
    if meta.rights:
        etree.SubElement(page, "p", {"class": "book-rights"}).text = meta.rights
    return page


def contents(plan: BookPlan) -> etree._Element:
    """The contents list: one entry per part and article, each a link the theme gives a page number."""
    book = plan.book
    lang = book.metadata.language
    nav = etree.Element("nav", {"class": "contents", "id": "contents", "role": "doc-toc"})
    etree.SubElement(nav, "h1", {"class": "contents-title"}).text = word("contents", lang).text
    top = etree.SubElement(nav, "ol")
    target = top
    for planned in plan.articles:
        doc = planned.doc
        if planned.opens is not None:
            item = etree.SubElement(top, "li", {"class": "toc-part"})
            link = etree.SubElement(item, "a", href=f"#{planned.opens.anchor}")
            link.text = planned.opens.title
            target = etree.SubElement(item, "ol")
        elif planned.part is None:
            target = top
        item = etree.SubElement(target, "li", {"class": "toc-article"})
        if doc.metadata.language != lang:
            item.set("lang", doc.metadata.language)
            item.set("dir", doc.metadata.direction)
        link = etree.SubElement(item, "a", href=f"#{planned.anchor}")
        link.text = doc.metadata.title
        if doc.metadata.authors and doc.metadata.authors != book.metadata.authors:
            etree.SubElement(item, "span", {"class": "toc-byline"}).text = byline(doc.metadata.authors,
                                                                                  doc.metadata.language)
    return nav


def _part_page(title: str, anchor: str) -> etree._Element:
    """A part's title page; its ``anchor`` is the contents list's target."""
    page = etree.Element("section", {"class": "part-title-page", "id": anchor})
    etree.SubElement(page, "h1", {"class": "part-title"}).text = title
    return page


def _running_heads(section: etree._Element, meta: Metadata, book_meta: Metadata, collection: bool,
                   two_sided: bool) -> None:
    """Running-head texts, as ``data-*`` attributes of the title block the theme turns into named strings.

    Two-sided: the left page names the book (or, for one article, its author), the
    right page the article. One-sided: one head, "article title — author". They
    sit on the title block, not the section: WeasyPrint assigns a string again on
    every page a split box reaches, which would blank ``first-except`` heads.
    """
    author = byline(meta.authors, meta.language)
    if two_sided:
        verso = book_meta.title if collection else (author or meta.publisher or meta.title)
        recto = meta.title
    else:
        verso = recto = f"{meta.title} — {author}" if author else meta.title
    block = section.find("header")
    block.set("data-verso-head", verso)
    block.find("*").set("data-recto-head", recto)


def prepare_tables(root: etree._Element) -> None:
    """Header rows that repeat on every page of a long table; wide tables classed by column count.

    A table left with neither text nor images (a page-layout grid whose
    decorations could not be had) would print as a row of empty boxes: it goes.
    """
    for table in list(root.iter("table")):
        if not "".join(table.itertext()).strip() and table.find(".//img") is None:
            table.getparent().remove(table)
            continue
        if table.find("thead") is None:
            body = table.find("tbody")
            first = body.find("tr") if body is not None else None
            if first is not None and len(first) and all(cell.tag == "th" for cell in first) \
                    and len(body.findall("tr")) > 1:
                thead = etree.Element("thead")
                thead.append(first)
                table.insert(list(table).index(body), thead)
        columns = max((sum(int(c.get("colspan", "1") or 1) if str(c.get("colspan", "1")).isdigit() else 1
                           for c in row) for row in table.iter("tr")), default=0)
        if columns > WIDEST:
            table.set("class", "wide wider widest")
        elif columns > WIDER:
            table.set("class", "wide wider")
        elif columns > WIDE:
            table.set("class", "wide")


def no_hard_hyphen_characters(root: etree._Element) -> None:
    """U+2010 in the text becomes U+002D, the same hyphen to the eye and to search.

    The PDF's text layer reads the font's U+2010 glyph as a soft hyphen, because
    that glyph is what the layout adds at a line end (:mod:`.textlayer`); a U+2010
    of the article's own would read as soft too and join its two words.
    """
    for el in root.iter():
        for name in ("text", "tail"):
            value = getattr(el, name)
            if value and "\u2010" in value:
                setattr(el, name, value.replace("\u2010", "-"))


def label_bookmarks(root: etree._Element) -> None:
    """Each heading's outline entry is its own text, fixed before link footnotes add their calls to it."""
    for el in root.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        el.set("data-bookmark", " ".join("".join(el.itertext()).split()))


def number_lists(root: etree._Element) -> None:
    """Numbers of ordered lists as text at the start of each item, which the theme hangs in the margin.

    CSS list markers are drawn after the item's text, so a PDF's text reads
    "…last word1." and the word is lost to search and copy; a number that is
    text, floated into the margin, is drawn first and reads apart.
    """
    for ol in root.iter("ol"):
        start = ol.get("start", "1")
        number = int(start) if start.lstrip("-").isdigit() else 1
        rtl = next((a.get("dir") for a in ol.iterancestors() if a.get("dir")), ol.get("dir")) == "rtl"
        ol.set("class", (ol.get("class", "") + " numbered").strip())
        for li in ol.findall("li"):
            marker = etree.Element("span", {"class": "li-number rtl" if rtl else "li-number"})
            marker.text = f"{number}."
            marker.tail, li.text = li.text, None
            li.insert(0, marker)
            number += 1


def _comparable(url: str) -> str:
    """A URL as a reader would write it: no scheme, ``www.``, ``mailto:`` or trailing slash."""
    text = url.strip().casefold()
    for prefix in ("mailto:", "https://", "http://"):
        text = text.removeprefix(prefix)
    return text.removeprefix("www.").rstrip("/")


def show_link_urls(section: etree._Element, mode: str) -> int:
    """After each outside link, its URL in a ``span.link-url`` — once per URL in the article.

    Not for in-document links (``#…``), note references, or links whose text
    already is the URL. Returns how many URLs were added.
    """
    if mode == "none":
        return 0
    seen: set[str] = set()
    added = 0
    for link in list(section.iter("a")):
        href = (link.get("href") or "").strip()
        if not href or href.startswith("#") or link.get("role") == "doc-noteref":
            continue
        if _is_in(link, "header") or _is_in(link, "span", "link-url"):
            continue  # the title block's source line is the URL itself
        key = _comparable(href)
        if key in seen or _comparable("".join(link.itertext())) == key:
            continue
        seen.add(key)
        note = etree.Element("span", {"class": "link-url"})
        target = etree.SubElement(note, "a", href=href, dir="ltr")  # a URL reads left to right in any script
        target.text = href.removeprefix("mailto:")
        note.tail, link.tail = link.tail, None
        link.addnext(note)
        added += 1
    return added


def _is_in(el: etree._Element, tag: str, cls: str | None = None) -> bool:
    return any(a.tag == tag and (cls is None or cls in (a.get("class") or "").split()) for a in el.iterancestors())


def propagate_lang(root: etree._Element) -> None:
    """Give every element the ``lang`` it inherits, so hyphenation and fonts follow each passage's language.

    A passage whose own language is written the other way round from its
    surroundings (a Japanese paragraph in an Arabic article) and says nothing of
    its direction gets the ``dir`` of its language.
    """
    stack: list[tuple[etree._Element, str, str]] = [(root, root.get("lang", ""), root.get("dir", "ltr"))]
    while stack:  # iterative: deep trees must not exhaust the recursion limit
        el, lang, direction = stack.pop()
        own = el.get("lang")
        if own and own != lang and not el.get("dir") and direction_of(own) != direction:
            el.set("dir", direction_of(own))
        if not own and lang:
            el.set("lang", lang)
        own = own or lang
        direction = el.get("dir") or direction
        stack.extend((child, own, direction) for child in el if isinstance(child.tag, str))


def _data_uri(policy: ResourcePolicy, src: str, max_px: int) -> str | None:
    """An image read under the policy, prepared for print, as a ``data:`` URI (WeasyPrint fetches nothing)."""
    resource = policy.try_fetch(src)
    if resource is None:
        return None
    image = prepare(resource, max_px=max_px)
    if image is None:
        return None
    return f"data:{image.media_type};base64,{base64.b64encode(image.data).decode('ascii')}"


__all__: list[str] = ["build_html", "build_document", "serialise", "undescribed_images", "title_page", "contents",
                      "prepare_tables", "show_link_urls", "space_single_characters", "drop_undescribed_alts",
                      "propagate_lang", "LINK_MODES"]
