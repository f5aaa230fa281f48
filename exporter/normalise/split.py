"""Tree surgery the normaliser's passes share: splitting, unwrapping, removing, walking text.

Splitting an inline container in two at a descendant:

``<p>a <em>b<br/><br/>c</em> d</p>`` split at the first ``br`` gives
``<p>a <em>b</em></p>`` and ``<p><em>c</em> d</p>``: every inline element open at
the split point is closed on the left and re-opened on the right.
"""
from __future__ import annotations

from lxml import etree


def _shallow_copy(el: etree._Element) -> etree._Element:
    copy = etree.Element(el.tag)
    for key, value in el.attrib.items():
        if key != "id":  # an id stays with the left part, where its target starts
            copy.set(key, value)
    return copy


def split_at(block: etree._Element, marker: etree._Element) -> etree._Element:
    """Cut ``block`` at ``marker`` (a descendant), remove ``marker`` and return the right part.

    ``block`` keeps what came before the marker; the returned element (same tag
    and attributes, without the id) holds what came after. The caller inserts it.
    """
    chain = [marker]
    while chain[-1] is not block:
        parent = chain[-1].getparent()
        if parent is None:
            raise ValueError("marker is not inside block")
        chain.append(parent)
    right_below: etree._Element | None = None
    for level in range(1, len(chain)):
        node, el = chain[level - 1], chain[level]
        right = _shallow_copy(el)
        if right_below is None:
            right.text = node.tail
        else:
            right.append(right_below)
            right_below.tail = node.tail
        node.tail = None
        for sibling in list(node.itersiblings()):
            right.append(sibling)
        right_below = right
    marker.getparent().remove(marker)
    assert right_below is not None
    return right_below


def has_content(el: etree._Element) -> bool:
    """True when ``el`` holds any non-blank text or an image."""
    if any(text.strip() for text in el.itertext()):
        return True
    return next(el.iter("img"), None) is not None


def remove_keep_tail(el: etree._Element) -> None:
    """Remove ``el`` and its content, keeping its tail text in place."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def unwrap(el: etree._Element) -> None:
    """Replace ``el`` by its content (text, children and tail stay where they were)."""
    parent = el.getparent()
    index = parent.index(el)
    prev = el.getprevious()
    if el.text:
        if prev is not None:
            prev.tail = (prev.tail or "") + el.text
        else:
            parent.text = (parent.text or "") + el.text
    children = list(el)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    last = children[-1] if children else el.getprevious()
    if el.tail:
        if last is not None:
            last.tail = (last.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def text_slots(block: etree._Element) -> list[tuple[etree._Element, str]]:
    """Every place text can sit inside ``block``, in reading order: ``(element, "text" | "tail")``."""
    slots: list[tuple[etree._Element, str]] = []

    def walk(el: etree._Element) -> None:
        slots.append((el, "text"))
        for child in el:
            walk(child)
            slots.append((child, "tail"))

    walk(block)
    return slots
