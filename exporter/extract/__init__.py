"""Whole web pages → the article alone: navigation, comments, related stories and footers left behind.

A saved page or a fetched URL holds far more than its article. :func:`main_content` decides whether
the input is a whole page (:mod:`.detect`), asks readability-lxml which parts of the page are the
article (:mod:`.choose`), then takes those parts from *our* parsed tree, so the repairs that follow
see the original markup: images the library drops (lazy-loaded ones, ``<noscript>`` fallbacks),
headings, tables, captions and code inside the chosen region come back unless they are page
furniture by our own judgement (:mod:`.furniture`). The report says what went and how much.

Nothing here imports readability-lxml until a whole page is met.
"""
from __future__ import annotations

from lxml import etree

from ..document import Report
from .detect import is_whole_page


def main_content(root: etree._Element, mode: str, report: Report) -> etree._Element | None:
    """The article of the page ``root`` as a new container element, or None to keep the page as it is.

    ``mode`` is the ``extract`` option (:data:`exporter.options.READ_OPTIONS`): ``auto``
    (whole pages only, never article markup or fragments), ``always`` or ``never``.
    """
    if mode == "never" or (mode == "auto" and not is_whole_page(root)):
        return None
    from .assemble import extract

    return extract(root, report)


__all__ = ["main_content", "is_whole_page"]
