"""Structure passes over the clean tree after conversion, each one job.

Each takes the :class:`~exporter.normalise.state.State`, changes ``state.tree``
in place and notes what it did in ``state.report``. The order they run in is
:data:`exporter.normalise.passes.PASSES`.
"""
from __future__ import annotations

import re
from urllib.parse import unquote

from lxml import etree

from ..tree import HEADINGS, ID_VALUES, INLINES, remove_all_keep_tail
from .images import InlineImages
from .state import State
from .surgery import CONVERTED_BLOCKS as BLOCKS
from .surgery import (has_content, holders_of_marks, holds_blocks, lift_images, remove_keep_tail, split_at,
                      tidy_inline_run, trim_edge_breaks, trim_leading_breaks, unwrap_all)
from .text import is_blank

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]*$")
_NOT_ID = re.compile(r"[^A-Za-z0-9_.\-]+")
#: Elements whose inline content is laid out as one run of text.
TEXT_BLOCKS = frozenset({"p", *HEADINGS, "h1", "figcaption", "caption", "li", "td", "th"})


def split_double_breaks(state: State) -> None:
    """``<br><br>`` runs inside a paragraph are paragraph breaks: split there."""
    root, report = state.tree, state.report
    # the paragraphs holding a double break, in document order (no paragraph holds another)
    holders = dict.fromkeys(next(br.iterancestors("p"), None) for br in root.iter("br") if _starts_double_break(br))
    holders.pop(None, None)
    if any(next(p.iterancestors("p"), None) is not None or next(p.iterdescendants("p"), None) is not None
           for p in holders):  # paragraphs in paragraphs (no parser nests them): every one cut as it comes
        for p in list(root.iter("p")):
            _split_one_by_one(p, report)
        return
    for p in holders:
        breaks = list(p.iter("br"))
        if any(len(br) for br in breaks):  # a break holding elements (no parser makes one): cut as it comes
            _split_one_by_one(p, report)
            continue
        parts, stopped = _split_at_double_breaks(p, breaks)
        for right in parts[::-1]:
            p.addnext(right)
            report.note("split {n} paragraph{s} at double line breaks")
        if stopped:
            report.note("left {n} paragraph{s} unsplit past a double line break nested too deep")


def _starts_double_break(br: etree._Element) -> bool:
    nxt = br.getnext()
    return is_blank(br.tail) and nxt is not None and nxt.tag == "br"


#: Copies of elements that cutting a paragraph at its double breaks may make, per line break in it. A cut at a break
#: inside k inline elements copies them and the paragraph into the part after it (k + 1: on real pages 1 to 4), so a
#: paragraph of many breaks inside hundreds of nested elements grew hundreds of times over (wd-s15: 200 nested <em>
#: around 16,000 "w<br><br>", 0.15 MB, took 16.5 s and 981 MB); past the bound, the breaks left stay line breaks.
SPLIT_COPIES_PER_BREAK = 8


def _split_at_double_breaks(p: etree._Element, breaks: list[etree._Element]) -> tuple[list[etree._Element], bool]:
    """The parts after ``p``'s double breaks, cut off ``p`` (the breaks of each removed), in order, and whether
    cutting stopped at :data:`SPLIT_COPIES_PER_BREAK`'s bound before the last.

    As cutting at the first double break, dropping the breaks that open the rest, and cutting the rest again,
    in time linear in the paragraph: the breaks where that cuts are found first (the rest holds the elements
    after the cut as they were, less the dropped breaks, which open it only when the cut break is a child of
    ``p``), then ``p`` is cut from the last to the first, each cut moving only its own part (as _lines_of)."""
    cuts, dropped = [], set()
    copies_left, stopped = SPLIT_COPIES_PER_BREAK * len(breaks), False
    for br in breaks:
        if br in dropped or not _starts_double_break(br):
            continue
        copies_left -= _levels_up_to(br, p, copies_left)  # what split_at copies at br
        if copies_left < 0:
            stopped = True
            break
        cuts.append(br)
        if br.getparent() is p:  # the rest opens with br's tail, then its next siblings: trim_leading_breaks
            text, nxt = br.tail, br.getnext()
            while nxt is not None and nxt.tag == "br" and is_blank(text):
                dropped.add(nxt)
                text, nxt = nxt.tail, nxt.getnext()
    parts = []
    for br in reversed(cuts):
        right = split_at(p, br)
        trim_leading_breaks(right)
        parts.append(right)
    return parts[::-1], stopped


def _levels_up_to(el: etree._Element, block: etree._Element, most: int) -> int:
    """How many elements from ``el``'s parent up to ``block`` (split_at copies each), counted up to ``most`` + 1."""
    levels, parent = 1, el.getparent()
    while parent is not block and levels <= most:
        levels, parent = levels + 1, parent.getparent()
    return levels


def _split_one_by_one(p: etree._Element, report) -> None:
    """Cut ``p`` at its first double break, then the rest, and so on."""
    current = p
    while True:
        first = _first_double_break(current)
        if first is None:
            break
        right = split_at(current, first)
        trim_leading_breaks(right)  # the rest of the double break; trailing ones may split again
        current.addnext(right)
        report.note("split {n} paragraph{s} at double line breaks")
        current = right


def _first_double_break(p: etree._Element) -> etree._Element | None:
    return next((br for br in p.iter("br") if _starts_double_break(br)), None)


def lift_inline_images(state: State) -> None:
    """An image standing alone becomes a figure of its own, its paragraph split around it; one within a
    sentence, or small beside words, stays inline (:class:`~exporter.normalise.images.InlineImages`)."""
    lift_images(state.tree, state.report, InlineImages())
    kept = sum(1 for img in state.tree.iter("img") if img.getparent().tag != "figure")
    state.report.note("kept {n} image{s} inline, within the text", kept)


#: Unicode's private-use areas: code points a page gives meaning to with its own icon font, which no edition has
PRIVATE_USE = re.compile("[\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]")


def drop_private_use(state: State) -> None:
    """Drop private-use characters from text and alt text: icons drawn by the page's own font, boxes anywhere else."""
    root = state.tree
    if not _may_hold_private_use(etree.tostring(root, encoding="utf-8", method="text")) and not any(
            PRIVATE_USE.search(img.get("alt", "")) for img in root.iter("img")):
        return  # the usual case, decided by one serialisation and a few byte searches in C
    dropped = 0
    for el in root.iter():
        for slot in ("text", "tail"):
            value = getattr(el, slot)
            if value:
                cleaned, count = PRIVATE_USE.subn("", value)
                if count:
                    setattr(el, slot, cleaned or None)
                    dropped += count
        if el.tag == "img" and el.get("alt"):
            cleaned, count = PRIVATE_USE.subn("", el.get("alt"))
            if count:
                el.set("alt", cleaned.strip())
                dropped += count
    state.report.note("dropped {n} private-use character{s} (icons of the page's own font)", dropped)


def _may_hold_private_use(text: bytes) -> bool:
    """False when the UTF-8 ``text`` holds no character of :data:`PRIVATE_USE`: each is encoded from a lead byte
    EE or EF (U+E000-U+F8FF) or F3 or F4 (planes 15 and 16), which byte searches find far faster than the
    regex scans characters; where one stands (EF also leads U+F900-U+FFFF), the regex decides."""
    if b"\xee" not in text and b"\xef" not in text and b"\xf3" not in text and b"\xf4" not in text:
        return False
    return PRIVATE_USE.search(text.decode("utf-8")) is not None


def normalise_whitespace(state: State) -> None:
    """Collapse white space in text blocks; drop white space between blocks; leave ``pre`` alone."""
    root = state.tree
    has_pre = next(root.iter("pre"), None) is not None
    holding = holders_of_marks(root)  # for every block at once: each block's own walk for them cost as much
    for el in root.iter():
        tag = el.tag
        if tag == "pre" or tag in INLINES:
            continue
        if tag in TEXT_BLOCKS:
            if not len(el) or not holds_blocks(el):  # one run of inline text (most blocks have no child: no call)
                if not has_pre or next(el.iterancestors("pre"), None) is None:
                    tidy_inline_run(el, holding)
                continue
            inline_kept = ()  # an item or cell holding blocks: no white space between anything
        else:
            inline_kept = INLINES  # a container: white space between blocks goes, around inline content stays
        if el.text is not None and is_blank(el.text):
            el.text = None
        for child in el:
            if child.tail is not None and child.tag not in inline_kept and is_blank(child.tail):
                child.tail = None


#: Blocks that hold one run of inline content (and may end with line breaks that add nothing)
_LINE_BLOCKS = frozenset({"p", *HEADINGS, "h1", "figcaption", "caption"})


def remove_empty(state: State) -> None:
    """Remove what holds nothing: empty inline elements, blocks, lists, rows and tables.

    Each element of :data:`_EMPTIABLE_INLINES` and :data:`_SETTLE_BLOCK` is settled after everything inside it
    (in reverse document order), so a list emptied of its items goes too: first the inline elements, then the
    blocks by the step their tag asks for (:data:`_SETTLE_BLOCK`). Settling an inline element changes only its
    parent, and a block's content is settled before it; an inline element holding a block (the converter makes
    none) is settled again once that block is removed.

    A tree it has settled holds nothing more to remove: :func:`~exporter.normalise.passes.run` skips its second row
    while nothing has changed since the first."""
    root, report = state.tree, state.report
    remove_all_keep_tail(_empty_inlines(root))  # each run of them at once, each text set once
    settle = _SETTLE_BLOCK
    with_breaks = {br.getparent() for br in root.iter("br")}  # the blocks trim_edge_breaks may trim
    for el in reversed(list(root.iter(*_SETTLE_BLOCK))):
        tag = el.tag
        if tag in _LINE_BLOCKS:
            if el in with_breaks:
                trim_edge_breaks(el)
            text = el.text
            if text and not text.isspace():
                continue  # most blocks: words of their own, kept (as _settle_line_block decides, without two calls)
        parent = settle[tag](el, report)
        while parent is not None and parent.tag in _EMPTIABLE_INLINES and not len(parent) and not parent.text:
            el, parent = parent, parent.getparent()
            remove_keep_tail(el)
    for cell in root.iter("li", "td", "th"):
        if not len(cell) and is_blank(cell.text):
            cell.text = None


#: The inline elements :func:`remove_empty` removes when they hold nothing
_EMPTIABLE_INLINES = INLINES - {"br"}


def _empty_inlines(root: etree._Element) -> list[etree._Element]:
    """The inline elements that removing each empty one in turn, from the last to the first, removes, outermost
    only, in document order: those with no text whose children (if any) are all removed and leave no tail behind
    (a tail left would become their text)."""
    gone: dict[etree._Element, None] = {}  # (in reverse document order)
    for el in reversed(list(root.iter(*_EMPTIABLE_INLINES))):  # no tag read: each element costs a third less
        if len(el):  # (its last child kept, the usual case: kept, nothing more read)
            if el[-1] not in gone or el.text or not all(child in gone and not child.tail for child in el):
                continue
            for child in el:  # removed with it
                del gone[child]
        elif el.text:
            continue
        gone[el] = None
    return list(gone)[::-1]


def _settle_line_block(el: etree._Element, report) -> etree._Element | None:
    """Remove ``el`` when nothing is left in it (the caller has trimmed its edge breaks); returns its parent
    when it was removed, else None."""
    if _opens_with_words(el) or has_content(el):
        return None
    parent = el.getparent()
    if parent is not None:
        remove_keep_tail(el)
        report.note("removed {n} empty block{s}")
    return parent


def _opens_with_words(el: etree._Element) -> bool:
    """True when the text of ``el``, or of its first child, is not blank: then :func:`has_content` is true, found
    without serialising the block's whole text (the usual block, whose first words are in a link or emphasis)."""
    text = el.text
    if text and not text.isspace():
        return True
    if not len(el):
        return False
    first = el[0]
    text = first.text
    return bool(text) and not text.isspace() and isinstance(first.tag, str)  # a comment's text is none of el's


def _settle_item(el: etree._Element, report) -> etree._Element | None:
    if not len(el) and not has_content(el):
        return _remove(el)
    return None


def _settle_container(el: etree._Element, report) -> etree._Element | None:
    return None if len(el) else _remove(el)


def _remove(el: etree._Element) -> etree._Element | None:
    parent = el.getparent()
    if parent is not None:
        parent.remove(el)
    return parent


def _settle_figure(el: etree._Element, report) -> etree._Element | None:
    if next(el.iterchildren("img"), None) is None:  # as el.find("img"), without ElementPath
        return _replace_by_caption(el, "figcaption")
    return None


def _settle_table(el: etree._Element, report) -> etree._Element | None:
    if next(el.iterchildren("tbody"), None) is None:
        head = next(el.iterchildren("thead"), None)
        if head is None:
            return _replace_by_caption(el, "caption")
        head.tag = "tbody"
    return None


#: What :func:`remove_empty` does to each block it looks at, by tag: each returns the parent of what it removed
#: (None: nothing removed). An element out of the tree stays as it is.
_SETTLE_BLOCK = {**dict.fromkeys(_LINE_BLOCKS, _settle_line_block), "li": _settle_item,
                 **dict.fromkeys(("ul", "ol", "blockquote", "thead", "tbody", "aside", "tr"), _settle_container),
                 "figure": _settle_figure, "table": _settle_table}


def _replace_by_caption(el: etree._Element, caption_tag: str) -> etree._Element | None:
    """Remove an empty figure or table; its caption's words stay, as a paragraph. Returns its parent (None: out of
    the tree, left as it is)."""
    parent = el.getparent()
    if parent is None:
        return None
    caption = next(el.iterchildren(caption_tag), None)
    if caption is not None:
        caption.tag = "p"
        el.addprevious(caption)
    parent.remove(el)
    return parent


def make_flow_uniform(state: State) -> None:
    """Items and cells hold inline content or blocks, not a mix: wrap the inline runs."""
    root = state.tree
    for el in root.iter("li", "td", "th"):
        if not holds_blocks(el):
            continue
        if not is_blank(el.text) or any(child.tag not in BLOCKS or not is_blank(child.tail) for child in el):
            _wrap_inline_runs(el)


def _wrap_inline_runs(el: etree._Element) -> None:
    children = list(el)
    text, el.text = el.text, None
    for child in children:
        el.remove(child)
    para: etree._Element | None = None

    def add(node_or_text) -> None:
        nonlocal para
        if isinstance(node_or_text, str):
            if is_blank(node_or_text) and para is None:
                return
            if para is None:
                para = etree.SubElement(el, "p")
            if len(para):
                para[-1].tail = (para[-1].tail or "") + node_or_text
            else:
                para.text = (para.text or "") + node_or_text
        else:
            para_target = para if para is not None else etree.SubElement(el, "p")
            para = para_target
            para.append(node_or_text)

    if text:
        add(text)
    for child in children:
        tail, child.tail = child.tail, None
        if child.tag in BLOCKS:
            para = None
            el.append(child)
        else:
            add(child)
        if tail:
            add(tail)


def consecutive_headings(state: State) -> None:
    """Heading levels start at ``h2`` and never skip (``h1, h4`` → ``h2, h3``)."""
    root, report = state.tree, state.report
    stack: list[tuple[int, int]] = []  # (level in the source, level given)
    for h in list(root.iter("h1", "h2", "h3", "h4", "h5", "h6")):
        level = int(h.tag[1])
        while stack and stack[-1][0] >= level:
            stack.pop()
        new = min(stack[-1][1] + 1, 6) if stack else 2
        stack.append((level, new))
        if h.tag != f"h{new}":
            report.note("re-levelled {n} heading{s}")
            h.tag = f"h{new}"


def unique_ids(state: State) -> None:
    """Ids are well-formed and unique; links follow renamed ids; links to missing ids are unlinked."""
    root, report = state.tree, state.report
    renamed: dict[str, str] = {}
    seen: set[str] = set()
    numbers: dict[str, int] = {}  # the number to try first for the next copy of each id: every one below is taken
    for old in ID_VALUES(root):  # every id, in document order (the elements without one are not visited)
        new = old if _ID.match(old) else "id-" + _NOT_ID.sub("-", old).strip("-")
        if new == "id-":
            new = "id"
        if new in seen:  # copies of one id get -2, -3, ...: the first number free
            base, n = new, numbers.get(new, 2)
            new = f"{base}-{n}"
            while new in seen:
                n += 1
                new = f"{base}-{n}"
            numbers[base] = n + 1
        seen.add(new)
        renamed.setdefault(old, new)
        if new != old:
            old.getparent().set("id", new)
            report.note("renamed {n} duplicate or malformed id{s}")
    unlinked = []
    for a in root.iter("a"):
        href = a.get("href")
        if not href or href[0] != "#":
            continue
        target = renamed.get(href[1:]) or renamed.get(unquote(href[1:]))
        if target:
            if target != href[1:]:  # (setting the same value changes nothing)
                a.set("href", "#" + target)
        else:
            unlinked.append(a)
            report.note("unlinked {n} link{s} to missing anchors")
    unwrap_all(root, unlinked)  # after the walk, in one call
