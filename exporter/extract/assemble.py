"""The article of a whole page, assembled from our own tree on readability-lxml's choice.

The regions readability-lxml kept are moved, in page order, into one container. Inside them, what
the library cleaned away is removed too, except what an edition needs and the library is known to
lose: images (lazy-loaded ones and ``<noscript>`` fallbacks too), figures and captions, headings,
tables and preformatted code come back, unless our own judgement (:mod:`.furniture`) says the box
holding them is page furniture. What went is counted by kind in the report.
"""
from __future__ import annotations

from collections import Counter

from lxml import etree

from ..document import Report
from .choose import Choice, choose
from .furniture import OTHER, VISIBLE_TEXT, WORD, link_density, named_kind, words

#: Elements readability-lxml removes for reasons of its own (scripts, line breaks it folds into
#: paragraphs, ``<noscript>``): their fate is the converter's, not the library's.
#: Parts of tables and lists too: the library judges a cell or an item by its class alone
#: (``header_cell`` is "header"), and a table or list missing parts is broken.
_NOT_JUDGED = frozenset({"br", "wbr", "noscript", "script", "style", "template", "link", "meta", "source",
                         "track", "param", "td", "th", "tr", "tbody", "thead", "tfoot", "caption", "col",
                         "colgroup", "li", "dt", "dd"})
#: What an edition needs that readability-lxml drops (quotations too: it takes an embedded post for a
#: "tweet" box): such an element, or a box holding one, comes back.
_STRUCTURE = ("img", "figure", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "table", "pre", "math", "blockquote",
              "noscript", "ul", "ol", "dl")
_PIXEL = ("0", "1", "0px", "1px")
#: The mark of an element to remove, set while the words removed are counted on the intact page.
_DROP = "data-exporter-drop"


def extract(root: etree._Element, report: Report) -> etree._Element | None:
    """A new ``<div>`` holding the article of the page ``root`` (moved out of it), or None if none was found."""
    body = root.find("body")
    if body is None:
        body = root
    too_much = _beyond_the_library(body)
    if too_much:
        report.note(*too_much)
        return None
    choice = choose(root)
    if choice is None:
        report.note("whole page: found no article in it, kept it all")
        return None
    regions = [el for el in choice.regions() if el is not root and el is not body]
    if not regions:
        return None  # the library kept the whole body: nothing to remove
    chosen = regions = _whole_containers(regions, body)
    added: list[etree._Element] = []
    while True:  # sections beside the chosen ones, then sections beside the container they complete, …
        regions, more = _with_siblings(regions)
        if not more:
            break
        added += more
        regions = _whole_containers(regions, body)
    kept: set[int] = set()
    restored = sum(_prune(region, choice, kept) for region in chosen)
    for part in added:
        _keep_all_but_furniture(part, kept)
    for region in regions:  # containers made whole: what lies between their chosen parts
        _keep_all_but_furniture(region, kept)
    removed = _removed_words(body, kept)
    kept_words = words(body) - sum(removed.values())
    if kept_words <= 0 and not any(_holds_structure(region) for region in regions):
        _unmark(body)
        report.note("whole page: found no article in it, kept it all")
        return None
    container = root.makeelement("div", {})
    for region in regions:
        parent = region.getparent()
        region.tail = None  # text after a region is outside it
        if parent is not None:
            parent.remove(region)
        container.append(region)
    for el in list(container.iter()):
        if isinstance(el.tag, str) and el.get(_DROP) is not None:
            el.drop_tree()
    report.note("whole page: kept the article, {n} word{s}", kept_words)
    if added:
        report.note("whole page: kept {n} more part{s} of the article beside those the extractor chose", len(added))
    for kind, count in sorted(removed.items()):
        report.note(f"whole page: removed {{n}} word{{s}} of {kind}", count)
    if restored:
        report.note("whole page: kept {n} box{es} of images, headings, lists, tables or code the extractor dropped",
                    restored)
    return container


#: What readability-lxml is given at most: it serialises every ``<div>``'s children to look for blocks, so
#: its time grows with elements times nesting depth (real pages: a few thousand elements, depth under 50).
MAX_ELEMENTS = 200_000
MAX_DEPTH = 128


def _beyond_the_library(body: etree._Element) -> tuple[str, int] | None:
    """A report line (and its count) when the page is too large or too deep for readability-lxml, else None."""
    count = 0
    stack = [(body, 0)]
    while stack:
        el, depth = stack.pop()
        count += 1
        if count > MAX_ELEMENTS:
            return "whole page: kept whole, over {n} elements (too many for the extractor)", MAX_ELEMENTS
        if depth > MAX_DEPTH:
            return "whole page: kept whole, nested over {n} levels deep (too deep for the extractor)", MAX_DEPTH
        stack.extend((child, depth + 1) for child in el if isinstance(child.tag, str))
    return None


def _holds_structure(el: etree._Element) -> bool:
    """True when ``el`` is or holds an image (not a tracking pixel), a heading, a list, a table or code."""
    for found in el.iter(*_STRUCTURE):
        if found.tag == "img" and (found.get("width") in _PIXEL or found.get("height") in _PIXEL):
            continue
        if found.tag == "noscript" and found.find(".//img") is None and "<img" not in (found.text or ""):
            continue
        return True
    return False


def _unmark(root: etree._Element) -> None:
    for el in root.iter():
        if isinstance(el.tag, str) and el.get(_DROP) is not None:
            del el.attrib[_DROP]


def _prune(region: etree._Element, choice: Choice, kept: set[int]) -> int:
    """Mark for removal what readability-lxml dropped inside ``region``, but for structure it loses.

    Marks rather than removes, so that the words removed can be counted on the intact page. Returns
    how many boxes came back.
    """
    restored = 0  # (ids of elements are stable here: ``choice.nodes`` holds every element of the page)
    stack = [region]
    while stack:
        el = stack.pop()
        kept.add(id(el))
        for child in el:
            if not isinstance(child.tag, str):
                continue
            if choice.was_kept(child) or child.tag in _NOT_JUDGED:
                stack.append(child)
            elif not named_kind(child) and _holds_structure(child):
                restored += 1
                _keep_all_but_furniture(child, kept)
            else:
                child.set(_DROP, "")
    return restored


#: Siblings outside the chosen ones join them when they are sections like them…
_SECTIONS = ("section", "article")
#: … or blocks of running text right after them (the library scores paragraphs, not lists or code).
_BLOCKS = frozenset({"p", "ul", "ol", "dl", "pre", "blockquote", "table", "figure", "h2", "h3", "h4", "h5", "h6"})


def _with_siblings(regions: list[etree._Element]) -> tuple[list[etree._Element], list[etree._Element]]:
    """``regions`` with the sibling parts of the same text the library left out, and those parts alone.

    readability-lxml adds a sibling of its best container by the sibling's own score; a section holding
    its paragraphs one level down scores nothing, so a reference page or a manual kept one section of
    many, and a list after the last paragraph is not a paragraph. A sibling between two chosen parts, a
    ``<section>``/``<article>`` (or an element of the same class) beside chosen ones like it, or a block
    of running text right after the last, is the same text, unless it is furniture or mostly links.
    """
    chosen = {id(region) for region in regions}
    added: list[etree._Element] = []
    for parent in _unique(region.getparent() for region in regions if region.getparent() is not None):
        children = [c for c in parent if isinstance(c.tag, str)]
        picked = [i for i, c in enumerate(children) if id(c) in chosen]
        if not picked:
            continue
        kinds = {(c.tag, c.get("class")) for c in children if id(c) in chosen}
        trailing = True  # the blocks right after the last chosen part, up to the first that is not one
        for i, child in enumerate(children):
            if id(child) in chosen or child.tag in _NOT_JUDGED:
                continue
            between = picked[0] < i < picked[-1]
            alike = (child.tag, child.get("class")) in kinds and (child.tag in _SECTIONS or child.get("class"))
            trailing = trailing and i > picked[-1] and child.tag in _BLOCKS
            if not (between or alike or trailing) or named_kind(child) or link_density(child) > 0.5:
                continue
            if words(child) or _holds_structure(child):
                added.append(child)
    if not added:
        return regions, []
    order = {id(el): i for i, el in enumerate(regions[0].getroottree().getroot().iter())}
    return sorted([*regions, *added], key=lambda el: order[id(el)]), added


def _whole_containers(regions: list[etree._Element], body: etree._Element) -> list[etree._Element]:
    """``regions`` where every part of a container with words or structure is chosen: the container instead.

    The library lists the children of its best container one by one; the container itself is the
    unit whose siblings may be more of the same text (:func:`_with_siblings`).
    """
    while True:
        chosen = {id(region) for region in regions}
        for parent in _unique(region.getparent() for region in regions):
            if parent is None or parent is body or parent.getparent() is None:
                continue
            parts = [c for c in parent if isinstance(c.tag, str) and c.tag not in _NOT_JUDGED
                     and (words(c) or _holds_structure(c))]
            if parts and all(id(c) in chosen for c in parts):
                inside = {id(c) for c in parent.iter()}
                first = next(i for i, r in enumerate(regions) if id(r) in inside)
                regions = [r for r in regions if id(r) not in inside]
                regions.insert(first, parent)
                break
        else:
            return regions


def _unique(elements) -> list[etree._Element]:
    seen: set[int] = set()
    return [el for el in elements if not (id(el) in seen or seen.add(id(el)))]


def _keep_all_but_furniture(box: etree._Element, kept: set[int]) -> None:
    """Keep ``box`` and everything in it that our judgement does not call furniture.

    Parts already judged (kept, or marked for removal) keep their verdict.
    """
    stack = [box]
    while stack:
        el = stack.pop()
        if id(el) in kept or el.get(_DROP) is not None:
            continue
        kept.add(id(el))
        for child in el:
            if not isinstance(child.tag, str) or id(child) in kept:
                continue
            if child.tag not in _NOT_JUDGED and named_kind(child):
                child.set(_DROP, "")
            else:
                stack.append(child)


def _removed_words(body: etree._Element, kept: set[int]) -> Counter[str]:
    """Words of the page outside what is kept, by the furniture kind of their nearest named box."""
    removed: Counter[str] = Counter()
    kinds: dict[int, str] = {}
    for text in VISIBLE_TEXT(body):
        owner = text.getparent()
        holder = owner.getparent() if text.is_tail else owner
        if holder is None:
            continue
        if id(holder) in kept and holder.get(_DROP) is None and not (text.is_tail and owner.get(_DROP) is None
                                                                        and id(owner) not in kept):
            continue
        count = len(WORD.findall(text))
        if not count:
            continue
        removed[_kind_of(holder, kinds)] += count
    return removed


def _kind_of(el: etree._Element, kinds: dict[int, str]) -> str:
    """The furniture kind of ``el``'s nearest named box (itself or an ancestor), remembered per element."""
    chain = []
    kind = None
    while el is not None and (kind := kinds.get(id(el))) is None:
        chain.append(el)
        kind = named_kind(el)
        if kind:
            break
        el = el.getparent()
    kind = kind or OTHER
    for link in chain:
        kinds[id(link)] = kind
    return kind
