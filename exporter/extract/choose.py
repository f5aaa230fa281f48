"""Which parts of the page are the article: readability-lxml's judgement, mapped back to our tree.

readability-lxml (Apache-2.0) scores paragraphs and their containers, picks the best container and
the siblings that belong with it, and cleans inside them. It works on its own copy and returns
markup; to know which of *our* elements it kept, every element of the copy carries its position in
our tree in an attribute, which survives into the returned markup.
"""
from __future__ import annotations

import copy
import logging

import lxml.html
from lxml import etree

#: The attribute that carries an element's position in our tree through readability-lxml.
MARK = "data-exporter-node"


class Choice:
    """readability-lxml's verdict on one page: the elements it kept, and the tops of the kept regions."""

    def __init__(self, nodes: list[etree._Element], kept: set[int]) -> None:
        self.nodes = nodes
        self.kept = kept
        self._index = {id(el): i for i, el in enumerate(nodes)}

    def index(self, el: etree._Element) -> int | None:
        return self._index.get(id(el))

    def was_kept(self, el: etree._Element) -> bool:
        return self.index(el) in self.kept

    def regions(self) -> list[etree._Element]:
        """The kept elements whose parent was not kept, in document order."""
        return [self.nodes[i] for i in sorted(self.kept)
                if (parent := self.nodes[i].getparent()) is None or not self.was_kept(parent)]


def choose(root: etree._Element) -> Choice | None:
    """readability-lxml's choice of the article in ``root``, or None when it found none."""
    from readability import Document
    from readability.readability import Unparseable

    nodes = [el for el in root.iter() if isinstance(el.tag, str)]
    marked = copy.deepcopy(root)
    for i, el in enumerate(e for e in marked.iter() if isinstance(e.tag, str)):
        el.set(MARK, str(i))
    quiet = logging.getLogger("readability.readability")
    level, quiet.disabled = quiet.disabled, True  # it logs a traceback of every page it cannot read
    try:
        summary = Document(marked).summary(html_partial=True)
    except (Unparseable, ValueError, etree.LxmlError, RecursionError):
        return None
    finally:
        quiet.disabled = level
    if not summary or not summary.strip():
        return None
    try:
        found = lxml.html.fragment_fromstring(summary, create_parent="div")
    except (etree.ParserError, ValueError):
        return None
    kept = set()
    for el in found.iter():
        value = el.get(MARK) if isinstance(el.tag, str) else None
        if value and value.isdigit() and int(value) < len(nodes):
            kept.add(int(value))
    return Choice(nodes, kept) if kept else None
