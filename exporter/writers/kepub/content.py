"""One XHTML content document made Kobo's way (kepubify's ``TransformContent``, its mandatory steps):

- Kobo's style tweak at the end of ``head`` (kepubify's reduced form of the one in Kobo's own books:
  no forced font sizes, link colours or margins on everything);
- the body's content wrapped in ``div#book-columns > div#book-inner``, the target of Kobo's pagination;
- the sentence spans of :mod:`.spans`.

kepubify's optional clean-ups (Adobe Adept tags, MS Word tags, dropping U+FFFD) are for EPUBs from
elsewhere; ours has none of those, and its text must reach the KEPUB unchanged.
"""
from __future__ import annotations

from typing import Sequence

from lxml import etree

from .spans import KOBO_ID, XHTML_NS, add_kobo_spans

STYLE_CLASS = "kobostylehacks"
STYLE = "div#book-inner { margin-top: 0; margin-bottom: 0;}"
#: ``--kobo-hyphenation``: kepubify's ``--hyphenate`` / ``--no-hyphenate`` style sheets ("auto" adds none, as
#: kepubify by default, so the book's and the reader's settings decide). Kobo's renderer is WebKit: hence the
#: prefixed properties; headings and table cells are never hyphenated.
HYPHENATION = {
    "auto": None,
    "on": ("kobo-hyphenation", "* { -webkit-hyphens: auto; hyphens: auto; -webkit-hyphenate-limit-before: 3; "
           "-webkit-hyphenate-limit-after: 3; -webkit-hyphenate-limit-lines: 2; } "
           "h1, h2, h3, h4, h5, h6, td, th { -webkit-hyphens: none !important; hyphens: none !important; }"),
    "off": ("kobo-no-hyphenation", "* { -webkit-hyphens: none !important; hyphens: none !important; }"),
}
WRAPPERS = ("book-columns", "book-inner")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False)


def kobo_document(data: bytes, styles: Sequence[tuple[str, str]] = ()) -> bytes:
    """The content document ``data`` (XHTML as the EPUB writer wrote it) with Kobo's style, divisions and spans;
    ``styles``: more ``(class, css)`` style elements to add after Kobo's."""
    tree = etree.ElementTree(etree.fromstring(data, _PARSER))
    root = tree.getroot()
    head, body = root.find(f"{{{XHTML_NS}}}head"), root.find(f"{{{XHTML_NS}}}body")
    _free_kobo_ids(root)
    for name, css in ((STYLE_CLASS, STYLE), *styles):
        style = etree.SubElement(head, f"{{{XHTML_NS}}}style", {"type": "text/css", "class": name})
        style.text, style.tail = css, "\n"
    _wrap_body(body)
    add_kobo_spans(body)
    return etree.tostring(tree, xml_declaration=True, encoding="utf-8", doctype=tree.docinfo.doctype or None)


def _wrap_body(body: etree._Element) -> None:
    """Move everything in ``body`` into ``div#book-columns > div#book-inner``."""
    columns = etree.Element(f"{{{XHTML_NS}}}div", id=WRAPPERS[0])
    inner = etree.SubElement(columns, f"{{{XHTML_NS}}}div", id=WRAPPERS[1])
    inner.text, body.text = body.text, None
    inner.extend(list(body))
    body.append(columns)


def _free_kobo_ids(root: etree._Element) -> None:
    """Rename the document's own ids that Kobo's divisions or spans will use (an article may say
    ``id="book-inner"``), and the links to them, so that every id stays unique."""
    taken = {el.get("id") for el in root.iter() if el.get("id")}
    renamed: dict[str, str] = {}
    for el in root.iter():
        old = el.get("id")
        if old and (old in WRAPPERS or KOBO_ID.fullmatch(old)):
            new = f"{old}-own"
            while new in taken:
                new += "-"
            taken.add(new)
            renamed[old] = new
            el.set("id", new)
    if renamed:
        for el in root.iter():
            href = el.get("href")
            if href and href.startswith("#") and href[1:] in renamed:
                el.set("href", "#" + renamed[href[1:]])
