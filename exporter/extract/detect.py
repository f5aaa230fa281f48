"""Whole page or article? Article markup (a CMS field, a reader view, a fragment) must pass untouched.

A whole page is a *document* (it has a ``<head>`` with a title, metadata, scripts or styles) that
also holds *page furniture* outside its ``<article>``, if it has one: navigation, a footer, sidebars,
forms, or boxes its class names call menus, comments, related stories, sharing buttons or banners. Article markup has neither the document around it nor, usually, the furniture; a bare
document holding nothing but its article is left whole as well, since there is nothing to remove.
"""
from __future__ import annotations

from lxml import etree

from .furniture import named_kind

#: Head elements that only a document has.
_HEAD_ELEMENTS = frozenset({"title", "meta", "link", "base"})
#: Head elements a parser also puts in the head it makes up for a fragment that starts with them.
_SCRIPTING = frozenset({"script", "style"})


def is_document(root: etree._Element) -> bool:
    """True when the markup is a whole HTML document, not a fragment the parser wrapped in one.

    A fragment starting with ``<script>`` or ``<style>`` gets them put in a head the parser makes up, so
    those count only in a document whose ``<html>`` tag was written out (it carries attributes).
    """
    head = root.find("head")
    if head is None:
        return False
    tags = {el.tag for el in head if isinstance(el.tag, str)}
    return bool(tags & _HEAD_ELEMENTS) or bool(tags & _SCRIPTING and root.attrib)


def has_furniture(root: etree._Element) -> bool:
    """True when the body holds page furniture outside any ``<article>``: navigation, headers and footers,
    forms, named boxes (an ``<aside>`` or a share box inside an article is the article's business)."""
    body = root.find("body")
    stack = [body if body is not None else root]
    while stack:
        el = stack.pop()
        for child in el:
            if not isinstance(child.tag, str) or child.tag == "article":
                continue
            if named_kind(child):
                return True
            stack.append(child)
    return False


def is_whole_page(root: etree._Element) -> bool:
    """True when ``root`` (a parsed page) is a whole web page whose article should be extracted."""
    return is_document(root) and has_furniture(root)
