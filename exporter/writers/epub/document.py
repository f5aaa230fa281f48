"""XHTML content documents: every page of the book (cover, title page, parts, articles, nav) written in full."""
from __future__ import annotations

import copy
from dataclasses import dataclass

from ebooklib import epub
from lxml import etree

from ...plan import PlannedArticle

XHTML_NS = "http://www.w3.org/1999/xhtml"
OPS_NS = "http://www.idpf.org/2007/ops"
EPUB_TYPE = f"{{{OPS_NS}}}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CSS_FILE = "styles/book.css"


@dataclass
class Chapter:
    """An article as written into the book: what the nav, the NCX and the metadata need to know of it."""

    planned: PlannedArticle  #: its place in the book
    title: str  #: as shown (XML-safe)
    file_name: str
    section: etree._Element


class Page(epub.EpubItem):
    """A content document we write in full (ebooklib would re-parse it and drop attributes)."""

    def __init__(self, uid: str, file_name: str, content: bytes, properties: list[str] | None = None) -> None:
        super().__init__(uid=uid, file_name=file_name, media_type="application/xhtml+xml", content=content)
        self.properties = properties or []


def xhtml_document(body: etree._Element, title: str, language: str, direction: str, css: str) -> bytes:
    """A complete XHTML content document: ``lang``, ``xml:lang`` and ``dir`` on the root and the body, and
    everything the page shows inside its one ``main`` landmark (screen readers jump to it; axe's
    landmark-one-main and region rules ask for it)."""
    html = etree.Element(f"{{{XHTML_NS}}}html", nsmap={None: XHTML_NS, "epub": OPS_NS})
    html.set("lang", language)
    html.set(XML_LANG, language)
    html.set("dir", direction)
    head = etree.SubElement(html, f"{{{XHTML_NS}}}head")
    etree.SubElement(head, f"{{{XHTML_NS}}}meta", charset="utf-8")
    etree.SubElement(head, f"{{{XHTML_NS}}}title").text = title or "Untitled"
    etree.SubElement(head, f"{{{XHTML_NS}}}link", rel="stylesheet", type="text/css", href=css)
    xbody = etree.SubElement(html, f"{{{XHTML_NS}}}body", dir=direction)
    head.text = xbody.text = "\n"  # line breaks: the head's title never runs into the first words of the text
    for el in (*head, head):
        el.tail = "\n"
    if body.tag == "div" and not body.attrib:
        children = list(copy.deepcopy(body))
    else:
        children = [copy.deepcopy(body)]
    xmain = etree.SubElement(xbody, f"{{{XHTML_NS}}}main")
    xmain.text = xmain.tail = "\n"
    for child in children:
        xmain.append(_to_xhtml(child))
    return etree.tostring(html, xml_declaration=True, encoding="utf-8", doctype="<!DOCTYPE html>")


#: Elements after which a line break is written, so that text tools (search, word counts, text-to-speech
#: engines reading the raw text) never see two blocks' words run together.
_LINE_AFTER = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "figure", "figcaption", "table",
                         "caption", "tr", "td", "th", "thead", "tbody", "blockquote", "ul", "ol", "pre", "hr",
                         "section", "header", "aside", "nav", "div", "img"})


def _to_xhtml(el: etree._Element) -> etree._Element:
    """Move a tree of plain HTML names into the XHTML namespace, with a newline after each block."""
    for node in el.iter():
        if not isinstance(node.tag, str) or node.tag.startswith("{"):
            continue
        outside_pre = next(node.iterancestors("pre"), None) is None
        if node.tag in _LINE_AFTER and not (node.tail or "").strip() and outside_pre:
            node.tail = "\n"
        elif node.tag == "br" and outside_pre and not (node.tail or " ")[:1].isspace():
            node.tail = "\n" + node.tail  # a line break is white space to text tools too
        node.tag = f"{{{XHTML_NS}}}{node.tag}"
    return el


def with_ops(section: etree._Element) -> etree._Element:
    """``section`` under an element declaring the ``epub`` prefix (so ``epub:type`` serialises so)."""
    holder = etree.Element("div", nsmap={"epub": OPS_NS})
    holder.append(section)
    return holder
