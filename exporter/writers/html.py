"""HTML shared by the writers that lay out HTML (EPUB, PDF): title blocks, articles, images.

The clean tree already is HTML; this module adds what an edition needs around
it (a title block per article, ids made unique across a book, images swapped
for what the resource policy could read) and leaves format details to each
writer.
"""
from __future__ import annotations

import copy
from typing import Callable

from lxml import etree

from ..document import Document, Metadata
from ..tree import remove_all_keep_tail
from ..words import byline

#: Given an image ``src`` of the tree, the URL to use in the edition, or None when it cannot be had.
ImageResolver = Callable[[str], "str | None"]


def title_block(meta: Metadata, heading: str = "h1", id_prefix: str = "") -> etree._Element:
    """``<header class="title-block">``: title, subtitle, authors, date, site, source URL."""
    header = etree.Element("header", {"class": "title-block"})
    title = etree.SubElement(header, heading, {"class": "title"})
    if id_prefix:
        title.set("id", f"{id_prefix}title")
    title.text = meta.title
    if meta.subtitle:
        etree.SubElement(header, "p", {"class": "subtitle"}).text = meta.subtitle
    if meta.authors:
        etree.SubElement(header, "p", {"class": "byline"}).text = byline(meta.authors, meta.language)
    facts = [x for x in (meta.date, meta.publisher) if x]
    if facts:
        dateline = etree.SubElement(header, "p", {"class": "dateline"})
        if meta.date:
            time = etree.SubElement(dateline, "time", datetime=meta.date)
            time.text = meta.date
            if meta.publisher:
                time.tail = " · " + meta.publisher
        else:
            dateline.text = meta.publisher
    if meta.source_url:
        source = etree.SubElement(header, "p", {"class": "source"})
        link = etree.SubElement(source, "a", href=meta.source_url)
        link.text = meta.source_url
    return header


def prefix_ids(tree: etree._Element, prefix: str) -> None:
    """Make the ids of one article unique within a book: ``note-1`` → ``a2-note-1``, links follow."""
    if not prefix:
        return
    for el in tree.iter():
        if el.get("id"):
            el.set("id", prefix + el.get("id"))
        href = el.get("href")
        if el.tag == "a" and href and href.startswith("#"):
            el.set("href", "#" + prefix + href[1:])


def resolve_images(tree: etree._Element, resolve: ImageResolver) -> int:
    """Point images at what :data:`ImageResolver` gives; an image that cannot be had leaves its alt text.

    Returns how many images were kept.
    """
    kept = 0
    giving_way: list[etree._Element] = []  # inline images that cannot be had, in document order
    for img in list(tree.iter("img")):
        new = resolve(img.get("src", ""))
        for side in ("width", "height"):  # the tree's sizes served the normaliser; themes size images
            img.attrib.pop(side, None)
        if new is not None:
            img.set("src", new)
            if img.getparent().tag != "figure":  # within a sentence: the theme sets it in the line
                img.set("class", "inline")
            kept += 1
            continue
        figure = img.getparent()
        alt = (img.get("alt") or "").strip()
        if figure.tag != "figure":  # an image in running text gives way to its words, put before its tail
            img.tail = alt + (img.tail or "")
            giving_way.append(img)
            continue
        figure.remove(img)
        figure.set("class", "image-missing")
        if alt:
            note = etree.Element("p", {"class": "image-alt"})
            note.text = alt
            figure.insert(0, note)
        elif figure.find("figcaption") is None:
            figure.getparent().remove(figure)
    remove_all_keep_tail(giving_way, set_empty=True)  # each run at once: one at a time, each copied the text so far
    return kept


def article_section(doc: Document, resolve: ImageResolver, id_prefix: str = "",
                    heading: str = "h1") -> etree._Element:
    """One article as ``<section class="article">``: its title block, then its content."""
    body = copy.deepcopy(doc.tree)
    prefix_ids(body, id_prefix)
    resolve_images(body, resolve)
    section = etree.Element("section", {"class": "article"})
    if id_prefix:
        section.set("id", f"{id_prefix}article")
    for key in ("lang", "dir"):
        if body.get(key):
            section.set(key, body.get(key))
    section.append(title_block(doc.metadata, heading=heading, id_prefix=id_prefix))
    section.text = body.text
    for child in list(body):
        section.append(child)
    return section


def headings(tree: etree._Element) -> list[etree._Element]:
    """The section headings of a tree, in order (for tables of contents and outlines)."""
    return [el for el in tree.iter() if el.tag in ("h2", "h3", "h4", "h5", "h6")]
