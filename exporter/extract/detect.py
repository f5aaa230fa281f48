"""Whole page or article? Article markup (a CMS field, a reader view, a fragment) must pass untouched.

A whole page is a *document* (it has a ``<head>`` with a title, metadata, scripts or styles, or an
``<html>`` element with attributes) that also holds *page furniture*: navigation, a header or footer,
sidebars, forms, or boxes its class names call menus, comments, related stories, sharing buttons or
banners. Article markup has neither the document around it nor, usually, the furniture; a bare
document holding nothing but its article is left whole as well, since there is nothing to remove.
"""
from __future__ import annotations

from lxml import etree

from .furniture import named_kind

#: Head elements that only a document has.
_HEAD_ELEMENTS = ("title", "meta", "link", "script", "style", "base")


def is_document(root: etree._Element) -> bool:
    """True when the markup is a whole HTML document, not a fragment the parser wrapped in one."""
    head = root.find("head")
    if head is not None and any(isinstance(el.tag, str) and el.tag in _HEAD_ELEMENTS for el in head):
        return True
    return root.tag == "html" and bool(root.attrib)


def has_furniture(root: etree._Element) -> bool:
    """True when the body holds page furniture: navigation, headers and footers, forms, named boxes."""
    body = root.find("body")
    for el in (body if body is not None else root).iter():
        if isinstance(el.tag, str) and named_kind(el):
            return True
    return False


def is_whole_page(root: etree._Element) -> bool:
    """True when ``root`` (a parsed page) is a whole web page whose article should be extracted."""
    return is_document(root) and has_furniture(root)
