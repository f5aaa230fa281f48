"""Tree surgery the normaliser's converter and passes share: splitting, unwrapping, removing,
moving content, tidying a run of inline text, lifting images into figures.

Every helper here works on an element and knows no pass order; passes and the converter import
them, never one another's private helpers.

Splitting an inline container in two at a descendant:

``<p>a <em>b<br/><br/>c</em> d</p>`` split at the first ``br`` gives
``<p>a <em>b</em></p>`` and ``<p><em>c</em> d</p>``: every inline element open at
the split point is closed on the left and re-opened on the right.
"""
from __future__ import annotations

from typing import Callable, Container, Iterator

from lxml import etree

from ..document import Report
from ..tree import BLOCKS, INLINES, remove_all_keep_tail, text_of
from .text import SPACES, clean_text, collapse_space, has_space_to_collapse, is_blank

#: Blocks of the converter's output: the tree's, and the ``h1`` it writes for a source ``h1`` until
#: :func:`~exporter.normalise.transforms.consecutive_headings` re-levels the headings (else an item
#: holding one is taken for inline content, and the heading lands inside a paragraph).
CONVERTED_BLOCKS = BLOCKS | {"h1"}


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
    text = el.text
    if text and not text.isspace():  # as text.strip(): the usual paragraph, decided by its first text
        return True
    if text_of(el).strip():  # as any(text.strip() for text in el.itertext())
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
    prev = el.getprevious()
    if el.text:
        if prev is not None:
            prev.tail = (prev.tail or "") + el.text
        else:
            parent.text = (parent.text or "") + el.text
    children = list(el)
    for child in children:
        el.addprevious(child)
    last = children[-1] if children else el.getprevious()
    if el.tail:
        if last is not None:
            last.tail = (last.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


#: The tag :func:`unwrap_all` marks the elements it strips with: no parser writes it (they lower-case names) and no
#: normaliser step makes it
_UNWRAPPING = "Exporter-Unwrapping"
#: How many elements ``etree.strip_tags`` may unwrap into one element with the texts it brings together left as text
#: nodes side by side, which lxml joins again at every later read of that text, one node at a time (time growing with
#: the square of their number: a paragraph of 200,000 unwrapped links took seconds a read). Past it, the converter
#: converts the element piece by piece (each text set once) and :func:`unwrap_all` joins its texts; below it, joining
#: costs more than the reads it saves.
UNJOINED_AT_MOST = 64


def unwrap_all(root: etree._Element, elements) -> None:
    """As :func:`unwrap` of each of ``elements`` (descendants of ``root``) in turn, in one call in C: marked,
    then stripped by ``etree.strip_tags`` (``unwrap`` finds each element's index: time growing with its
    siblings, so the square of a paragraph's links for all of them).

    strip_tags leaves the texts it brings together as text nodes side by side, which lxml joins one node at a
    time at every read of that text (a paragraph of thousands of unwrapped links: each read took seconds): the
    texts of an element that more than :data:`UNJOINED_AT_MOST` unwrapped ones joined are joined once, each slot
    one text node again."""
    marked = []
    for el in elements:
        el.tag = _UNWRAPPING
        marked.append(el)
        if el.text == "":  # an empty text node: unwrap drops it, strip_tags would move it
            el.text = None
        if el.tail == "":
            el.tail = None
    if not marked:
        return
    holders: dict[etree._Element, etree._Element] = {}  # each marked element: the element its content joins
    joined: dict[etree._Element, int] = {}  # each of those: how many marked elements join it
    for el in marked:
        chain = []
        holder = el.getparent()
        while holder is not None and holder.tag == _UNWRAPPING and holder not in holders:
            chain.append(holder)
            holder = holder.getparent()
        holder = holders.get(holder, holder)
        for link in chain:
            holders[link] = holder
        holders[el] = holder
        joined[holder] = joined.get(holder, 0) + 1
    etree.strip_tags(root, _UNWRAPPING)
    for holder, count in joined.items():
        if count > UNJOINED_AT_MOST and holder is not None:
            join_text_nodes(holder)


def join_text_nodes(el: etree._Element) -> None:
    """Make each text slot of ``el`` (its text, its children's tails) one text node where it holds text: read
    from serialisations as text, which take each node once (lxml's ``.text`` and ``.tail``, and XPath's text
    results, join side-by-side nodes one at a time: time growing with their square). A comment's or processing
    instruction's own serialisation holds its content, which ``el``'s leaves out (an entity's, as ``el``'s, its text)."""
    whole = _text(el, False)
    head = len(whole)  # what is left for el's text once the children's texts and tails are taken
    tails = []
    for child in el:
        own = _text(child, False)
        tail = _text(child, True)[len(own):]
        tails.append((child, tail))
        head -= len(tail) + (0 if child.tag is etree.Comment or child.tag is etree.ProcessingInstruction else len(own))
    if head:
        el.text = whole[:head]
    for child, tail in tails:
        if tail:
            child.tail = tail


def _text(el: etree._Element, with_tail: bool) -> str:
    return etree.tostring(el, method="text", encoding="unicode", with_tail=with_tail)


def text_slots(block: etree._Element) -> list[tuple[etree._Element, str]]:
    """Every place text can sit inside ``block``, in reading order: ``(element, "text" | "tail")``.

    :func:`_slots_from_start` is this walk written out as a generator (tests/test_speed_text.py compares them)."""
    slots: list[tuple[etree._Element, str]] = [(block, "text")]
    waiting: list[etree._Element] = []  # the elements open around the walk, whose tails come when they close
    for el in block.iterdescendants():  # in reading order, in C (a recursive walk in Python took twice as long)
        parent = el.getparent()
        while waiting and waiting[-1] is not parent:
            slots.append((waiting.pop(), "tail"))
        slots.append((el, "text"))
        waiting.append(el)
    while waiting:
        slots.append((waiting.pop(), "tail"))
    return slots


def append_text(out: etree._Element, text: str | None) -> None:
    """Append text at the end of ``out`` (after its last child, if any)."""
    if not text:
        return  # most texts and tails asked for are None
    text = clean_text(text)
    if not text:
        return
    try:
        last = out[-1]  # as last_child(out)
    except IndexError:
        out.text = (out.text or "") + text
    else:
        last.tail = (last.tail or "") + text


def last_child(el: etree._Element) -> etree._Element | None:
    """``el[-1]`` or None, in constant time (``len()`` of an lxml element walks all its children)."""
    try:
        return el[-1]
    except IndexError:
        return None


def move_inline_content(src: etree._Element, dest: etree._Element) -> None:
    """Move ``src``'s text and children to the end of ``dest`` (``src`` is left empty)."""
    append_text(dest, src.text)
    for child in list(src):
        dest.append(child)


def holds_blocks(el: etree._Element) -> bool:
    """Whether a child of ``el`` is a block (:data:`CONVERTED_BLOCKS`): a text block that holds none holds one run of
    inline content. (A loop: ``any()`` over a generator cost as much as tidying most blocks.)"""
    for child in el:
        if child.tag in CONVERTED_BLOCKS:
            return True
    return False


def ensure_block_mode(item: etree._Element) -> None:
    """Wrap an item's inline content in a paragraph so that blocks may follow it."""
    if holds_blocks(item):
        return
    if is_blank(item.text) and not len(item):
        return
    p = etree.Element("p")
    p.text, item.text = item.text, None
    for child in list(item):
        p.append(child)
    item.insert(0, p)


def lift_images(root: etree._Element, report: Report,
                stays_inline: Callable[[etree._Element], bool] | None = None) -> None:
    """Turn images in running text into figures of their own, splitting their paragraph around them.

    An image for which ``stays_inline`` says so (asked of every image before any moves) stays where it
    is; without it, every image is lifted.
    In headings and captions, where a figure cannot go, the image gives way to its alt text.
    """
    images = list(root.iter("img"))
    # every image is judged on the tree as it came: lifting one must not change its neighbours' verdicts
    inline = {img for img in images if stays_inline is not None and img.getparent() is not None
              and img.getparent().tag != "figure" and stays_inline(img)}
    # from the last image to the first: each split moves only what lies between its image and the cut after it
    # (from the first, every split moved the rest of the paragraph again: time growing with the square of its
    # images). The parts come out the same: p, figure, part, figure, part..., the id on the first part.
    # An image giving way to its alt text keeps the text before its tail, and is removed with those after it at the
    # next cut or at the end, each run of them merged once (removed one by one, from the last, each merged the text
    # after it into the tail before it again: a heading of many images took time growing with the square of its text)
    giving_way: list[etree._Element] = []
    for img in reversed(images):
        parent = img.getparent()
        if parent is None or parent.tag == "figure" or img in inline:
            continue
        container = parent
        while container.tag in INLINES:
            container = container.getparent()
        if container.tag in ("li", "td", "th"):
            ensure_block_mode(container)
            container = img.getparent()
            while container.tag in INLINES:
                container = container.getparent()
        if container.tag != "p":
            alt = img.get("alt") or ""
            img.tail = (f" {alt} " if alt else " ") + (img.tail or "")
            giving_way.append(img)
            continue
        if giving_way:  # the cut and the figure find the tree removing each in turn left (their text in place)
            remove_all_keep_tail(giving_way)
            giving_way.clear()
        right = split_at(container, img)
        figure = etree.Element("figure")
        figure.append(img)
        img.tail = None
        container.addnext(figure)
        figure.addnext(right)
        report.note("made {n} figure{s} of inline images")
    remove_all_keep_tail(giving_way)


def tidy_inline_run(block: etree._Element, holding: Container[etree._Element] | None = None) -> None:
    """One run of inline text: single spaces, none at the edges or around line breaks.

    ``holding``: the elements that hold a line break, an image, a comment or a processing instruction, as
    :func:`holders_of_marks` finds them for a whole tree at once (None: each looked for in ``block``, a walk of it
    with tag tests that costs as much as reading its text)."""
    if not len(block):  # text only (most paragraphs): the steps below come down to this
        value = block.text
        if value:
            tidy = collapse_space(value).strip(" ")
            if tidy != value:
                block.text = tidy or None
        return
    text = text_of(block)
    plain = next(block.iter(*_MARKS), None) is None if holding is None else block not in holding
    if _is_tidy(text) and (plain or next(block.iter("br"), None) is None):
        return  # every slot is tidy already: the steps of _tidy_slots would change nothing
    if plain:
        inner = text.strip(SPACES)
        if inner and not has_space_to_collapse(inner):  # white space to drop at the edges only (the usual case)
            _strip_edges(block, len(text) - len(text.lstrip(SPACES)), len(text) - len(text.rstrip(SPACES)))
            return
    _tidy_slots(block)


#: What changes :func:`_tidy_slots`'s steps beyond cutting a block's edge spaces (see :func:`_strip_edges`)
_MARKS = ("br", "img", etree.Comment, etree.ProcessingInstruction)


def holders_of_marks(root: etree._Element) -> set[etree._Element]:
    """The elements of ``root`` (itself too) that hold, at any depth, a line break, an image, a comment or a
    processing instruction: :func:`tidy_inline_run`'s ``holding``. Each walk up stops at an element already found:
    time linear in the tree."""
    holding: set[etree._Element] = set()
    for mark in root.iter(*_MARKS):
        parent = mark.getparent()
        while parent is not None and parent not in holding:
            holding.add(parent)
            parent = parent.getparent()
    return holding


def _strip_edges(block: etree._Element, lead: int, trail: int) -> None:
    """:func:`_tidy_slots` for a block whose text (its slots' texts joined) is tidy but for ``lead`` and ``trail``
    characters of white space at its edges, and which holds no line break, image, comment or processing
    instruction (each changes the steps): those characters go, slot by slot from each edge, nothing else
    changes; a slot left empty becomes None. (Setting only the few edge slots: the steps read and collapse
    every slot, several times the time. The slots are walked from each edge only as far as the edge's white
    space reaches: listing them all, :func:`text_slots`, cost more than the rest of tidying such a block.)"""
    if lead:
        for el, which in _slots_from_start(block):
            value = getattr(el, which)
            if value:
                setattr(el, which, value[lead:] or None)
                lead -= min(lead, len(value))
                if not lead:
                    break
    if trail:
        for el, which in _slots_from_end(block):
            value = getattr(el, which)
            if value:
                setattr(el, which, value[:len(value) - trail] if len(value) > trail else None)
                trail -= min(trail, len(value))
                if not trail:
                    break


def _slots_from_start(block: etree._Element) -> Iterator[tuple[etree._Element, str]]:
    """:func:`text_slots` of ``block`` in the same order, found as they are asked for (written out for
    :func:`_strip_edges`, which reads the first few; tests/test_speed_text.py compares them)."""
    yield block, "text"
    waiting: list[etree._Element] = []  # the elements open around the walk, whose tails come when they close
    for el in block.iterdescendants():
        parent = el.getparent()
        while waiting and waiting[-1] is not parent:
            yield waiting.pop(), "tail"
        yield el, "text"
        waiting.append(el)
    while waiting:
        yield waiting.pop(), "tail"


def _slots_from_end(block: etree._Element) -> Iterator[tuple[etree._Element, str]]:
    """:func:`text_slots` of ``block`` from the last to the first, found as they are asked for (for
    :func:`_strip_edges`, which reads the last few): an element's tail, then its children's slots from the last
    child back, then its text. Each element met is asked for its children once, and its proxy is held until the walk
    ends: lxml, freeing the proxy of an element, climbs to the nearest ancestor that has one, so letting each go on
    the way down a chain d deep cost d²/2 steps (review-s14: 20,000 deep, 1.37 s; held, 0.01 s)."""
    node = last_child(block)
    if node is None:
        yield block, "text"
        return
    held: list[etree._Element] = []  # (see above)
    while True:
        yield node, "tail"
        child = last_child(node)
        while child is not None:  # down the last children: each one's tail comes before its content
            held.append(node)
            node = child
            yield node, "tail"
            child = last_child(node)
        yield node, "text"  # a node with no children: its text, then what comes before it
        previous = node.getprevious()
        while previous is None:  # the first child: its parent's text comes next, then what comes before the parent
            node = node.getparent()
            yield node, "text"
            if node is block:
                return
            previous = node.getprevious()
        node = previous


def _tidy_slots(block: etree._Element) -> None:
    """:func:`tidy_inline_run`'s steps, slot by slot, for a block with children."""
    slots = text_slots(block)
    previous_space = True  # at the start of the block, leading space goes
    for el, which in slots:
        if which == "tail":
            if el.tag == "br":
                previous_space = True
            elif el.tag == "img":  # an image is a word: the space after it stays
                previous_space = False
        value = getattr(el, which)
        if not value:
            continue
        tidy = collapse_space(value)
        if previous_space:
            tidy = tidy.lstrip(" ")
        if tidy:
            previous_space = tidy.endswith(" ")
        if tidy != value:  # lxml copies every text set: set only what changed
            setattr(el, which, tidy or None)
    # trailing spaces: at the very end, and before a line break
    for el, which in reversed(slots):
        if which == "text" and el.tag == "img":  # the block ends with an image: the space before it stays
            break
        value = getattr(el, which)
        if value:
            if value.endswith(" "):
                setattr(el, which, value.rstrip(" ") or None)
            if value.strip(" "):
                break
    for br in block.iter("br"):
        prev = br.getprevious()
        if prev is not None:
            if prev.tail:
                prev.tail = prev.tail.rstrip(" ") or None
        else:
            parent = br.getparent()
            if parent.text:
                parent.text = parent.text.rstrip(" ") or None


def _is_tidy(text: str) -> bool:
    """True when a block without line breaks whose slots hold ``text`` needs no tidying: only single spaces
    between words, none at the edges. (Each slot's text is part of ``text``: a run or an edge space in a slot,
    or a slot starting with a space after one ending with one, shows in it.)"""
    return not (text.startswith(" ") or text.endswith(" ") or has_space_to_collapse(text))


def trim_edge_breaks(el: etree._Element) -> None:
    """Line breaks at the start or end of a block add nothing."""
    # lxml's len() counts the children one by one: asked at each break removed, it made a block of n breaks cost n²
    while (last := last_child(el)) is not None and last.tag == "br" and is_blank(last.tail):
        el.remove(last)
    trim_leading_breaks(el)


def trim_leading_breaks(el: etree._Element) -> None:
    """Line breaks at the start of a block (and the white space before them) add nothing."""
    while is_blank(el.text) and (br := next(iter(el), None)) is not None and br.tag == "br":  # no len(): as above
        el.text = br.tail
        el.remove(br)
