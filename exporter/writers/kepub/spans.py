"""Kobo's sentence spans: every run of text in a content document's body cut into ``span.koboSpan`` segments.

The rules are kepubify's (``transformContentKoboSpans`` and ``splitSentences``), which match Kobo's own
KEPUBs:

- the text is walked in document order; each text run (an element's text or the text after a child
  element) is split after every sentence and each sentence wrapped in
  ``<span class="koboSpan" id="kobo.P.S">``; spans never cross an element boundary, so text inside ``em``,
  ``a`` or another ``span`` gets its own spans inside that element;
- ``P`` counts "paragraphs": it goes up at the first span after entering a ``p``, ``ol``, ``ul``, ``table``
  or heading (all items of a list share one), and at each image; ``S`` counts the segments within it from 1;
- a sentence ends after ``.``, ``!`` or ``?`` (repeated, each optionally followed by one quote mark or
  ellipsis) followed by ASCII white space; the white space stays with the sentence it ends, so the spans
  hold the text exactly, nothing added or lost;
- a run of white space alone is left as it is, except directly inside a ``p`` (Kobo wraps it there);
- an ``img`` is wrapped in its own span and opens a paragraph;
- ``script``, ``style``, ``pre``, ``audio``, ``video``, SVG and MathML keep their text as it is.
"""
from __future__ import annotations

import re

from lxml import etree

from ...tree import place_in_order

XHTML_NS = "http://www.w3.org/1999/xhtml"
SPAN = f"{{{XHTML_NS}}}span"
CLASS = "koboSpan"
#: kobo span ids, and the ids of the wrapper divisions (:mod:`.content`): a document's own ids must not take them
KOBO_ID = re.compile(r"kobo\.\d+\.\d+")

#: elements whose text Kobo leaves alone
_VERBATIM = frozenset({"script", "style", "pre", "audio", "video"})
#: elements that open a new paragraph number (when text is found inside)
_PARAGRAPHS = frozenset({"p", "ol", "ul", "table", "h1", "h2", "h3", "h4", "h5", "h6"})
#: end of a sentence: terminal punctuation (a quote or ellipsis may follow each), then ASCII white space
_SENTENCE_END = re.compile(r"[.!?](?:[.!?]|(?<=[.!?])['\"”’“…])*[ \t\n\f\r]+")


def split_sentences(text: str) -> list[str]:
    """``text`` cut after each sentence; the pieces joined are ``text`` again."""
    pieces, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if match.end() < len(text):  # white space at the very end stays with the last sentence
            pieces.append(text[start:match.end()])
            start = match.end()
    pieces.append(text[start:])
    return pieces


def _local(el: etree._Element) -> str | None:
    """The element's name if it is an XHTML element, else None (SVG, MathML, comments…)."""
    if not isinstance(el.tag, str) or not el.tag.startswith(f"{{{XHTML_NS}}}"):
        return None
    return el.tag[len(XHTML_NS) + 2:]


def _reading_order(body: etree._Element) -> list[tuple[str, etree._Element]]:
    """What the span pass meets, in document order: ``("para", el)`` on entering a paragraph-like element,
    ``("img", el)``, ``("text", el)`` for ``el.text``, ``("tail", el)`` for ``el.tail``.

    Iterative, so a deeply nested document cannot exhaust the interpreter's stack.
    """
    found: list[tuple[str, etree._Element]] = []
    stack: list[tuple[bool, etree._Element]] = [(False, body)]
    while stack:
        is_tail, el = stack.pop()
        if is_tail:
            if el.tail:
                found.append(("tail", el))
            continue
        if el is not body:
            stack.append((True, el))  # popped after the element's own content
        name = _local(el)
        if name is None or name in _VERBATIM or name in ("svg", "math"):
            continue
        if name == "img":
            found.append(("img", el))
            continue
        if name in _PARAGRAPHS:
            found.append(("para", el))
        if el.text:
            found.append(("text", el))
        stack.extend((False, child) for child in reversed(el))
    return found


def _span(paragraph: int, segment: int) -> etree._Element:
    return etree.Element(SPAN, {"class": CLASS, "id": f"kobo.{paragraph}.{segment}"})


def add_kobo_spans(body: etree._Element) -> int:
    """Wrap every text run and image under ``body`` in numbered Kobo spans; return how many were added."""
    paragraph = segment = added = 0
    new_paragraph = False
    image_spans: dict[etree._Element, etree._Element] = {}
    for kind, el in _reading_order(body):
        if kind == "para":
            new_paragraph = True
            continue
        if kind == "img":
            paragraph, segment, new_paragraph = paragraph + 1, 1, False
            holder = _span(paragraph, segment)
            holder.tail, el.tail = el.tail, None
            el.addprevious(holder)
            holder.append(el)
            image_spans[el] = holder
            added += 1
            continue
        owner = image_spans.get(el, el)  # an image's following text now follows its span
        parent = el if kind == "text" else owner.getparent()
        text = el.text if kind == "text" else owner.tail
        if text.isspace() and _local(parent) != "p":
            continue
        spans = []
        for sentence in split_sentences(text):
            if new_paragraph:
                paragraph, segment, new_paragraph = paragraph + 1, 0, False
            segment += 1
            span = _span(paragraph, segment)
            span.text = sentence
            spans.append(span)
        added += len(spans)
        if kind == "text":
            el.text = None
            place_in_order(spans, el)
        else:
            owner.tail = None
            place_in_order(spans, owner.getparent(), after=owner)
    return added
