"""Tables as aligned columns fitted to the width, or as one "header: value" block per row when too wide.

Spanning cells take the width of the columns they cover (colspan) or sit in
the first row they cover (rowspan); in the row blocks a rowspan cell is
repeated in every row it covers, so each block reads on its own. Columns whose
body cells are all numbers are right-aligned.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import wcwidth
from lxml import etree

from ...tree import text_of
from .blocks import has_blocks, indent, narrower
from .wrap import cells, finish, units, wrap

if TYPE_CHECKING:
    from .blocks import Layout

GAP = " | "
MAX_SPAN = 1000
#: Grid cells one table may record. The normaliser keeps an article's tables far below this
#: (:mod:`exporter.normalise.tables`); past it, further cells span one row and one column.
MAX_GRID_CELLS = 4_000_000
_NUMBER = re.compile(r"^[-+\u2212(]?[$€£¥]?\d[\d,.\s\u00a0]*%?\)?$")


@dataclass(eq=False)
class Cell:
    el: etree._Element
    row: int
    col: int
    rowspan: int
    colspan: int
    plain: str

    @property
    def empty(self) -> bool:
        return not self.plain and self.el.find(".//img") is None


class Grid:
    """The table's cells placed on a grid of rows and columns, spans resolved."""

    def __init__(self, table: etree._Element) -> None:
        rows: list[etree._Element] = []
        head = 0
        for child in table:
            if child.tag in ("thead", "tbody", "tfoot"):
                section = [tr for tr in child if tr.tag == "tr"]
                rows += section
                if child.tag == "thead" and len(rows) == len(section):
                    head = len(section)
            elif child.tag == "tr":
                rows.append(child)
        self.nrows = len(rows)
        self.at: dict[tuple[int, int], Cell] = {}
        self.cells: list[Cell] = []
        for r, tr in enumerate(rows):
            c = 0
            for td in tr:
                if td.tag not in ("td", "th"):
                    continue
                while (r, c) in self.at:
                    c += 1
                colspan = min(max(_int(td.get("colspan"), 1), 1), MAX_SPAN)
                rowspan = _int(td.get("rowspan"), 1)
                rowspan = self.nrows - r if rowspan <= 0 else min(rowspan, self.nrows - r)
                if len(self.at) + rowspan * colspan > MAX_GRID_CELLS:
                    rowspan = colspan = 1
                cell = Cell(td, r, c, rowspan, colspan, " ".join(text_of(td).split()))
                self.cells.append(cell)
                for rr in range(r, r + rowspan):
                    for cc in range(c, c + colspan):
                        self.at[(rr, cc)] = cell
                c += colspan
        self.ncols = max((c + 1 for _, c in self.at), default=0)
        self.head = head or self._header_rows(rows)

    def _header_rows(self, rows: list[etree._Element]) -> int:
        """Leading rows of ``th`` only; or a first row over an empty corner cell (a matrix)."""
        count = 0
        for tr in rows:
            kinds = {td.tag for td in tr if td.tag in ("td", "th")}
            if kinds != {"th"}:
                break
            count += 1
        if count or self.nrows < 2 or self.ncols < 2:
            return count
        first = [self.at.get((0, c)) for c in range(self.ncols)]
        if first[0] is not None and first[0].empty and all(
                cell is not None and cell.plain and not has_blocks(cell.el) for cell in first[1:]):
            return 1
        return 0

    def row(self, r: int) -> list[Cell]:
        """The distinct cells covering row ``r``, left to right."""
        out: list[Cell] = []
        for c in range(self.ncols):
            cell = self.at.get((r, c))
            if cell is not None and (not out or out[-1] is not cell):
                out.append(cell)
        return out


def layout_table(table: etree._Element, width: int | None, layout: "Layout") -> list[str]:
    """The table as lines no wider than ``width`` when that can be done, else row blocks."""
    grid = Grid(table)
    caption = table.find("caption")
    lines = wrap(layout.inline.render(caption), width) if caption is not None and text_of(caption).strip() else []
    if not grid.cells:
        return lines
    layout.cell_depth += 1
    try:
        aligned = None if _for_layout(grid) else _aligned(grid, width, layout)
        body = aligned if aligned is not None else _row_blocks(grid, width, layout)
    finally:
        layout.cell_depth -= 1
    return lines + body


def _for_layout(grid: Grid) -> bool:
    """One row of prose side by side, no header: a page layout, read one cell after the other."""
    return grid.nrows == 1 and not grid.head and grid.ncols > 1 and any(has_blocks(c.el) for c in grid.cells)


def _content(layout: "Layout", cell: Cell, width: int | None) -> list[str]:
    """A cell's lines; its paragraphs keep the blank line between them."""
    return layout.flow(cell.el, width, tight=False)


def _span(widths: list[int], start: int, count: int) -> int:
    """Cells taken by ``count`` columns from ``start``; empty columns (width 0) take none, gaps included."""
    kept = [w for w in widths[start:start + count] if w]
    return sum(kept) + len(GAP) * (len(kept) - 1) if kept else 0


def _widen(widths: list[int], cell: Cell, need: int) -> None:
    """Share what a spanning cell lacks among the columns it covers."""
    short = need - _span(widths, cell.col, cell.colspan)
    for i in range(cell.colspan):
        if short <= 0:
            break
        share = -(-short // (cell.colspan - i))
        widths[cell.col + i] += share
        short -= share


def _aligned(grid: Grid, width: int | None, layout: "Layout") -> list[str] | None:
    n = grid.ncols
    least, comfy, most, body = [0] * n, [0] * n, [0] * n, [0] * n
    # rows that should not wrap if room allows: all but the header (or the first row, which labels most tables)
    first_body = max(grid.head, 1) if grid.nrows > 2 else grid.head
    for cell in sorted(grid.cells, key=lambda cl: cl.colspan):
        lo = max((cells(x) for x in _content(layout, cell, 1)), default=0)
        hi = max((cells(x) for x in _content(layout, cell, None)), default=0)
        whole = lo if has_blocks(cell.el) else max(
            (cells("".join(chunk)) for word in layout.inline.render(cell.el).split() for chunk in units(word)),
            default=0)  # a CJK run begun in Latin (DeepMind开发) kept whole
        tiers = ((least, lo), (comfy, max(lo, whole)), (most, hi))
        for sizes, size in tiers + (((body, hi),) if cell.row >= first_body else ()):
            if cell.colspan == 1:
                sizes[cell.col] = max(sizes[cell.col], size)
            else:
                _widen(sizes, cell, size)
    comfy = [max(a, b) for a, b in zip(least, comfy)]
    most = [max(a, b) for a, b in zip(comfy, most)]
    body = [max(a, b) for a, b in zip(comfy, body)]
    if width is None or _span(most, 0, n) <= width:
        widths = most
    elif _span(body, 0, n) <= width:
        widths = _fit(body, most, width)  # body rows on one line each; the header wraps
    elif _span(comfy, 0, n) <= width:
        widths = _fit(comfy, body, width)
    elif _span(least, 0, n) <= width:
        widths = _fit(least, comfy, width)
    else:
        return None
    if not any(widths):
        return []  # cells without a word or an image: nothing to show
    numeric = [_is_numeric(grid, c) for c in range(n)]
    rows = [_row_lines(grid, r, widths, numeric, layout) for r in range(grid.nrows)]
    rule = "-+-".join("-" * w for w in widths if w)
    ruled = any(len(lines) > 1 for lines in rows[first_body:])
    # a rule under the header, and under a first row that needs several lines (it reads as a header)
    head = grid.head or (first_body if len(rows[0]) > 1 else 0)
    out: list[str] = []
    for r, lines in enumerate(rows):
        if r and (r == head or (ruled and r > head)):
            out.append(rule)
        out.extend(lines)
    return out


def _fit(least: list[int], most: list[int], width: int) -> list[int]:
    """Minimum widths plus the spare room, shared in proportion to what each column would like more."""
    spare = width - _span(least, 0, len(least))
    wants = [b - a for a, b in zip(least, most)]
    total = sum(wants) or 1
    widths = [a + spare * w // total for a, w in zip(least, wants)]
    left = width - _span(widths, 0, len(widths))
    for i in sorted(range(len(widths)), key=lambda i: wants[i] - (widths[i] - least[i]), reverse=True):
        if left <= 0:
            break
        if widths[i] < most[i]:
            widths[i] += 1
            left -= 1
    return widths


def _is_numeric(grid: Grid, col: int) -> bool:
    body = [grid.at.get((r, col)) for r in range(grid.head, grid.nrows)]
    values = [cell.plain for cell in body if cell is not None and cell.colspan == 1 and cell.plain]
    return bool(values) and all(_NUMBER.match(v) for v in values)


def _row_lines(grid: Grid, r: int, widths: list[int], numeric: list[bool], layout: "Layout") -> list[str]:
    segments: list[tuple[list[str], int, bool]] = []
    c = 0
    while c < grid.ncols:
        cell = grid.at.get((r, c))
        if cell is None:
            if widths[c]:
                segments.append(([], widths[c], False))
            c += 1
            continue
        span = _span(widths, c, cell.colspan - (c - cell.col))
        right = cell.colspan == 1 and numeric[c]
        if span:
            segments.append((_content(layout, cell, span) if cell.row == r and c == cell.col else [], span, right))
        c = cell.col + cell.colspan
    height = max((len(lines) for lines, _, _ in segments), default=0) or 1
    out = []
    for i in range(height):
        parts = []
        for lines, span, right in segments:
            text = lines[i] if i < len(lines) else ""
            parts.append(wcwidth.rjust(text, span) if right else wcwidth.ljust(text, span))
        out.append(finish(GAP.join(parts)))
    return out


def _row_blocks(grid: Grid, width: int | None, layout: "Layout") -> list[str]:
    """One block per body row: each value under its column's header (``header: value``)."""
    labels = []
    for c in range(grid.ncols):
        found: list[str] = []
        for r in range(grid.head):
            cell = grid.at.get((r, c))
            if cell is not None and cell.plain:
                said = layout.inline.style.text(cell.plain) if has_blocks(cell.el) else layout.inline.render(cell.el)
                said = re.sub(r"[ \n]+", " ", said).strip()  # one line, with a link's [n] so its URL is listed
                if said not in found:
                    found.append(said)
        labels.append(" / ".join(found))
    body = range(grid.head, grid.nrows) if grid.head < grid.nrows else range(grid.nrows)
    out: list[str] = []
    for r in body:
        entries = [cell for cell in grid.row(r) if not cell.empty]
        if not entries:
            continue
        block: list[str] = []
        first = entries[0]
        if first.col == 0 and len(entries) > 1 and (first.el.tag == "th" or not (
                _label(labels, first) or has_blocks(first.el) or len(_content(layout, first, width)) > 1)):
            block += _content(layout, first, width)  # the row's own header names the block
            entries = entries[1:]
        lead = "  " if block else ""
        room = narrower(width, len(lead))
        previous: list[str] = []
        for cell in entries:
            label = _label(labels, cell)
            if not label:
                lines = _content(layout, cell, room)
            elif has_blocks(cell.el):
                lines = _content(layout, cell, narrower(room, 2))
                if len(lines) == 1 and (room is None or cells(f"{label}: {lines[0]}") <= room):
                    lines = [f"{label}: {lines[0]}"]
                else:
                    lines = [f"{label}:"] + indent(lines, "  ")
            else:
                lines = wrap(f"{label}: {layout.inline.render(cell.el)}", room, "", "  ")
            if previous and (len(previous) > 1 or len(lines) > 1) and "" in previous + lines:
                block.append("")  # cells of several paragraphs stay apart
            block += indent(lines, lead)
            previous = lines
        if out:
            out.append("")
        out += block
    return out


def _label(labels: list[str], cell: Cell) -> str:
    """The headers of the columns a cell covers, each once."""
    return " / ".join(dict.fromkeys(x for x in labels[cell.col:cell.col + cell.colspan] if x))


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
