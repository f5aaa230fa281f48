"""Structure passes over the clean tree after conversion, each one job.

Each takes the :class:`~exporter.normalise.state.State`, changes ``state.tree``
in place and notes what it did in ``state.report``. The order they run in is
:data:`exporter.normalise.passes.PASSES`.
"""
from __future__ import annotations

import re
from urllib.parse import unquote

from lxml import etree

from ..tree import HEADINGS, INLINES
from .images import InlineImages
from .state import State
from .surgery import CONVERTED_BLOCKS as BLOCKS
from .surgery import (has_content, lift_images, remove_keep_tail, split_at, tidy_inline_run, trim_edge_breaks,
                      trim_leading_breaks, unwrap)
from .text import is_blank

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]*$")
#: Elements whose inline content is laid out as one run of text.
TEXT_BLOCKS = frozenset({"p", *HEADINGS, "h1", "figcaption", "caption", "li", "td", "th"})


def split_double_breaks(state: State) -> None:
    """``<br><br>`` runs inside a paragraph are paragraph breaks: split there."""
    root, report = state.tree, state.report
    for p in list(root.iter("p")):
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
    for br in p.iter("br"):
        nxt = br.getnext()
        if is_blank(br.tail) and nxt is not None and nxt.tag == "br":
            return br
    return None


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
    for el in root.iter():
        tag = el.tag
        if tag == "pre" or tag in INLINES:
            continue
        if tag in TEXT_BLOCKS:
            if not len(el) or not _holds_blocks(el):
                if not has_pre or next(el.iterancestors("pre"), None) is None:
                    tidy_inline_run(el)
                continue
            inline_kept = ()  # an item or cell holding blocks: no white space between anything
        else:
            inline_kept = INLINES  # a container: white space between blocks goes, around inline content stays
        if el.text is not None and is_blank(el.text):
            el.text = None
        for child in el:
            if child.tail is not None and child.tag not in inline_kept and is_blank(child.tail):
                child.tail = None


def _holds_blocks(el: etree._Element) -> bool:
    return any(child.tag in BLOCKS for child in el)


#: Blocks that hold one run of inline content (and may end with line breaks that add nothing)
_LINE_BLOCKS = frozenset({"p", *HEADINGS, "h1", "figcaption", "caption"})


#: The elements :func:`remove_empty` looks at
_MAY_BE_EMPTY = INLINES | _LINE_BLOCKS | {"li", "ul", "ol", "blockquote", "thead", "tbody", "aside", "tr", "figure",
                                          "table"}


def remove_empty(state: State) -> None:
    """Remove what holds nothing: empty inline elements, blocks, lists, rows and tables."""
    root, report = state.tree, state.report
    for el in reversed(list(root.iter(*_MAY_BE_EMPTY))):  # other elements are never removed here
        if el is root or el.getparent() is None:
            continue
        tag = el.tag
        if tag in INLINES and tag != "br":
            if not len(el) and not el.text:
                remove_keep_tail(el)
        elif tag in _LINE_BLOCKS:
            trim_edge_breaks(el)
            if not has_content(el):
                remove_keep_tail(el)
                report.note("removed {n} empty block{s}")
        elif tag in ("li",):
            if not has_content(el) and not len(el):
                el.getparent().remove(el)
        elif tag in ("ul", "ol", "blockquote", "thead", "tbody", "aside"):
            if not len(el):
                el.getparent().remove(el)
        elif tag == "tr":
            if not len(el):
                el.getparent().remove(el)
        elif tag == "figure":
            if next(el.iterchildren("img"), None) is None:  # as el.find("img"), without ElementPath
                _replace_by_caption(el, "figcaption")
        elif tag == "table":
            if next(el.iterchildren("tbody"), None) is None:
                head = next(el.iterchildren("thead"), None)
                if head is not None:
                    head.tag = "tbody"
                else:
                    _replace_by_caption(el, "caption")
    for li in root.iter("li", "td", "th"):
        if is_blank(li.text) and not len(li):
            li.text = None


def _replace_by_caption(el: etree._Element, caption_tag: str) -> None:
    """Remove an empty figure or table; its caption's words stay, as a paragraph."""
    caption = next(el.iterchildren(caption_tag), None)
    if caption is not None:
        caption.tag = "p"
        el.addprevious(caption)
    el.getparent().remove(el)


def make_flow_uniform(state: State) -> None:
    """Items and cells hold inline content or blocks, not a mix: wrap the inline runs."""
    root = state.tree
    for el in root.iter("li", "td", "th"):
        if not _holds_blocks(el):
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
    for el in root.iter():
        old = el.get("id")
        if old is None:
            continue
        new = old if _ID.match(old) else "id-" + re.sub(r"[^A-Za-z0-9_.\-]+", "-", old).strip("-")
        if new == "id-":
            new = "id"
        base, n = new, 2
        while new in seen:
            new, n = f"{base}-{n}", n + 1
        seen.add(new)
        renamed.setdefault(old, new)
        if new != old:
            el.set("id", new)
            report.note("renamed {n} duplicate or malformed id{s}")
    for a in list(root.iter("a")):
        href = a.get("href", "")
        if not href.startswith("#"):
            continue
        target = renamed.get(href[1:]) or renamed.get(unquote(href[1:]))
        if target:
            a.set("href", "#" + target)
        else:
            unwrap(a)
            report.note("unlinked {n} link{s} to missing anchors")
