"""The parsed page before conversion: which part of it is the article, and how deep it may nest."""
from __future__ import annotations

from functools import lru_cache

from lxml import etree

from ..document import Report
from ..extract import main_content
from ..read import child_named
from ..tree import text_of
from .state import State
from .surgery import unwrap_all


def pick_content(root: etree._Element, extract: str = "auto", report: Report | None = None) -> etree._Element:
    """The part of a page that is the article.

    A whole web page (or any input, with ``extract="always"``) goes to main-content extraction
    (:mod:`exporter.extract`); otherwise, and when extraction finds nothing, it is the page's only
    ``<article>`` or ``<main>``, else the body.
    """
    extracted = main_content(root, extract, report if report is not None else Report())
    if extracted is not None:
        return extracted
    body = child_named(root, "body")
    if body is None:
        body = root
    for tag in ("article", "main"):
        found = list(body.iterdescendants(tag))  # as findall(".//tag"), without its path machinery
        if len(found) == 1 and len(text_of(found[0]).split()) >= 0.5 * len(text_of(body).split()):
            return found[0]
    return body


#: True when some element has more than ``$depth`` ancestors in the whole document: a necessary condition
#: for one nested deeper than that below the article's root (and that needs more than ``$depth`` elements).
#: Counting every element's ancestors costs depth x elements: :func:`_nested_deeper_than` asks it only of
#: depths a path cannot take
_NESTED_DEEPER_THAN = etree.XPath(
    "count(descendant::*) > $depth and boolean(descendant::*[count(ancestor::*) > $depth])")
#: The deepest ``--max-depth`` asked as a path of child steps: libxml2 evaluates a path recursively, one level a
#: step, and refuses 5,000 of them ("Recursion limit exceeded")
_PATH_DEPTH_LIMIT = 1000


@lru_cache(maxsize=8)
def _below(depth: int) -> etree.XPath:
    """True when an element lies ``depth`` levels below the context element: ``boolean(*/*/…/*)``, one child step a
    level, each over the elements of one level only (so the whole is one look at every element); asked only of
    trees with that many elements (an article of a few: the count answers, and the steps are not taken)."""
    return etree.XPath(f"count(descendant::*) >= {depth} and boolean(" + "/".join(["*"] * depth) + ")")


def _nested_deeper_than(root: etree._Element, depth: int) -> bool:
    """True when an element below ``root`` is nested more than ``depth`` levels below it (``root``'s children
    are at level 1); for very deep limits, a necessary condition of it (see :data:`_NESTED_DEEPER_THAN`)."""
    if depth < _PATH_DEPTH_LIMIT:
        return _below(depth + 1)(root)
    return bool(_NESTED_DEEPER_THAN(root, depth=depth))


def flatten_deep_nesting(state: State) -> None:
    """Unwrap elements nested deeper than ``--max-depth``: their text stays, their structure goes.

    Keeps the converter's recursion bounded whatever the input.
    """
    root, max_depth, report = state.page, state.settings.max_depth, state.report
    if not _nested_deeper_than(root, max_depth):
        return  # the usual page: no element is nested that deep, found in C
    flattened = 0
    stack: list[tuple[etree._Element, int]] = [(root, 0)]
    while stack:
        el, depth = stack.pop()
        for child in el:
            if not isinstance(child.tag, str):
                continue
            if depth + 1 < max_depth:
                stack.append((child, depth + 1))
            else:  # the last level kept: everything below it goes
                flattened += _flatten(child)
    if flattened:
        report.note("flattened {n} over-deep element{s}", flattened)


def _flatten(el: etree._Element) -> int:
    """Unwrap every element below ``el``, its text and theirs joined in reading order into its text, each text set
    once; how many were unwrapped.

    Unwrapped one by one (lxml.html's ``drop_tag``), each moved the text gathered so far again, and found its
    place among its siblings again: ``<p>`` + ``<b>w</b> x`` x 40,000 below ``--max-depth`` took 79 s.
    """
    if len(el) == 0:
        return 0
    if next(el.iter(etree.Comment, etree.ProcessingInstruction, etree.Entity), None) is not None:
        # not from the HTML parser (it drops comments and reads entities): those nodes stay in place, as drop_tag
        # of each element leaves them
        below = [child for child in el.iterdescendants() if isinstance(child.tag, str)]
        unwrap_all(el, below)
        return len(below)
    count = sum(1 for _ in el.iterdescendants())
    text = "".join(el.itertext())
    del el[:]
    if text != (el.text or ""):
        el.text = text
    return count

