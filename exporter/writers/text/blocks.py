"""Blocks of the clean tree laid out as lines of at most ``width`` cells.

Every block renders to a list of lines that fit the width it is given;
containers (quotes, list items, notes, table cells) narrow the width and
prefix their children's lines, so nesting composes without any block knowing
where it sits.
"""
from __future__ import annotations

from copy import deepcopy

from lxml import etree

from ...tree import BLOCKS, HEADINGS, NOTE, NOTE_ROLE, text_of
from ...words import word
from .inline import Inline, file_name, language_of
from .wrap import cells, finish, wrap

QUOTE_INDENT = "    "
LIST_INDENT = "  "
#: bullets by nesting depth, ASCII so that both encodings look the same
BULLETS = ("*", "-", "+")
UNDERLINES = {"h2": "="}
SCENE_BREAK = "*   *   *"
DEFAULT_WIDTH = 72


def narrower(width: int | None, by: int) -> int | None:
    """The width left inside an indent (``None``, no wrapping, stays ``None``)."""
    return None if width is None else max(1, width - by)


def is_note(el: etree._Element) -> bool:
    return el.tag == NOTE and el.get("role") == NOTE_ROLE


def has_blocks(el: etree._Element) -> bool:
    return any(child.tag in BLOCKS for child in el)


def indent(lines: list[str], first: str, rest: str | None = None) -> list[str]:
    """Prefix lines (the first with ``first``), leaving blank lines blank."""
    rest = first if rest is None else rest
    return [(first if i == 0 else rest) + line if line else "" for i, line in enumerate(lines)]


class Layout:
    """Lays out the blocks of one article; inline content goes through its :class:`Inline`."""

    def __init__(self, inline: Inline) -> None:
        self.inline = inline
        self._depth = 0
        #: how many table cells we are inside (an image there is a datum, so it is named)
        self.cell_depth = 0

    def blocks(self, elements: list[etree._Element] | etree._Element, width: int | None,
               tight: bool = False) -> list[str]:
        """Blocks one after another: a blank line between them (none when ``tight``), two before ``h2``."""
        out: list[str] = []
        for el in elements:
            if not isinstance(el.tag, str) or is_note(el):
                continue
            lines = self.block(el, width)
            if not any(line.strip() for line in lines):
                continue
            if out and not tight:
                out.append("")
                if el.tag == "h2":
                    out.append("")
            out.extend(lines)
        return out

    def flow(self, el: etree._Element, width: int | None, tight: bool = True) -> list[str]:
        """A container of inline content or of blocks (``li``, ``td``, ``th``, a note)."""
        if has_blocks(el):
            return self.blocks(_paragraphs(el), width, tight=tight)
        text = self.inline.render(el)
        return wrap(text, width) if text.strip() else []

    def block(self, el: etree._Element, width: int | None) -> list[str]:
        tag = el.tag
        if tag == "p":
            return wrap(self.inline.render(el), width)
        if tag in HEADINGS:
            return self.heading(el, width)
        if tag in ("blockquote", NOTE):
            return indent(self.blocks(el, narrower(width, len(QUOTE_INDENT))), QUOTE_INDENT)
        if tag in ("ul", "ol"):
            return self.listing(el, width)
        if tag == "pre":
            return self.pre(el)
        if tag == "hr":
            room = width or DEFAULT_WIDTH
            return [" " * max(0, (room - len(SCENE_BREAK)) // 2) + SCENE_BREAK]
        if tag == "figure":
            return self.figure(el, width)
        if tag == "table":
            from .tables import layout_table  # tables lay out their cells with this class: a cycle at import time

            return layout_table(el, width, self)
        # not in the vocabulary: keep its words rather than lose them
        return wrap(self.inline.style.text(" ".join(text_of(el).split())), width)

    def heading(self, el: etree._Element, width: int | None) -> list[str]:
        lines = wrap(self.inline.render(el, emphasis=False), width)
        return lines + [UNDERLINES.get(el.tag, "-") * max(cells(line) for line in lines)]

    def pre(self, el: etree._Element) -> list[str]:
        """Verbatim: no wrapping, inner spacing kept; only blank edges and trailing blanks go.

        Tabs become the spaces they showed at the left margin, so the code still
        lines up once the block is indented (in a quote, a list, a table cell).
        """
        lines = [finish(line.expandtabs(8)) for line in self.inline.render(el, keep_space=True).split("\n")]
        while lines and not lines[0]:
            lines.pop(0)
        while lines and not lines[-1]:
            lines.pop()
        return lines

    def figure(self, el: etree._Element, width: int | None) -> list[str]:
        img = el.find("img")
        caption = el.find("figcaption")
        alt = " ".join((img.get("alt") or "").split()) if img is not None else ""
        said = " ".join(text_of(caption).split()) if caption is not None else ""
        if not alt and self.cell_depth and img is not None:
            alt = file_name(img.get("src", ""))
        image = self.inline.style.text(word("image", language_of(el)).text)
        label = f"[{image}]" if not alt or alt == said else f"[{image}: {self.inline.style.text(alt)}]"
        lines = wrap(label, width)
        if said:
            lines += wrap(self.inline.render(caption), width)
        return lines

    def listing(self, el: etree._Element, width: int | None) -> list[str]:
        """Bullets or numbers with hanging indents; nested lists go further in."""
        items = [li for li in el if li.tag == "li"]
        if el.tag == "ol":
            start = _int(el.get("start"), 1)
            markers = [f"{start + i}." for i in range(len(items))]
            size = max((cells(m) for m in markers), default=0)
            markers = [m.rjust(size) + " " for m in markers]
        else:
            markers = [BULLETS[self._depth % len(BULLETS)] + " "] * len(items)
        loose = any(sum(1 for c in li if c.tag in BLOCKS and c.tag not in ("ul", "ol")) > 1 for li in items)
        room = narrower(width, len(LIST_INDENT))
        out: list[str] = []
        self._depth += 1
        try:
            for li, marker in zip(items, markers):
                hang = " " * cells(marker)
                lines = self.flow(li, narrower(room, len(hang)), tight=not loose) or [""]
                if out and loose:
                    out.append("")
                out.extend(indent(lines, LIST_INDENT + marker, LIST_INDENT + hang) if lines[0]
                           else [finish(LIST_INDENT + marker)] + indent(lines[1:], LIST_INDENT + hang))
        finally:
            self._depth -= 1
        return out


def _paragraphs(el: etree._Element) -> list[etree._Element]:
    """The children of a block container, stray inline text between blocks gathered into paragraphs.

    The clean tree never mixes the two, but a writer must not drop words if it does.
    """
    out: list[etree._Element] = []
    loose: etree._Element | None = None

    def gather(text: str | None, child: etree._Element | None = None) -> None:
        nonlocal loose
        if (text is None or not text.strip()) and child is None:
            return
        if loose is None:
            loose = etree.Element("p")
            out.append(loose)
        if child is not None:
            loose.append(deepcopy(child))
            loose[-1].tail = None
        if text:
            if len(loose):
                loose[-1].tail = (loose[-1].tail or "") + text
            else:
                loose.text = (loose.text or "") + text

    gather(el.text)
    for child in el:
        if isinstance(child.tag, str) and child.tag in BLOCKS | {NOTE}:
            out.append(child)
            loose = None
        elif isinstance(child.tag, str):
            gather(None, child)
        gather(child.tail)
    return out


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
