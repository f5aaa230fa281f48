"""Tables every writer can lay out: a bound on the grid cells (rows × columns) an article's tables span.

Writers place a table's cells on a grid (the text edition records every covered
cell; WeasyPrint keeps an occupancy set per row and, with collapsed borders, a
border grid of rows × columns). Spans make that grid cheap to ask for: 14 KB of
``colspan=1000 rowspan=1000`` cells asks for tens of millions of grid cells, and so
does a ragged table (one row of 10,000 cells over 10,000 rows of one). So an
article's tables together may span at most :data:`MAX_GRID_CELLS` grid cells, or
:data:`GRID_CELLS_PER_CELL` per cell they really have when that is more (a big
dense table is fine). A table over what is left loses its spans; if it is still
over, it becomes its cells' content, one block after another. No text is lost.
"""
from __future__ import annotations

import re

from lxml import etree

from ..tree import BLOCKS, GLOBAL_ATTRIBUTES
from .state import State

#: Grid cells the tables of one article may span whatever their size.
MAX_GRID_CELLS = 1_000_000
#: Grid cells allowed per real cell beyond that (a table with spans covers more than it holds).
GRID_CELLS_PER_CELL = 4


def bound_table_grids(state: State) -> None:
    """Tables, in document order, share one budget of grid cells; what does not fit is simplified."""
    root, report = state.tree, state.report
    tables = list(root.iter("table"))
    cells = sum(1 for table in tables for row in _rows(table) for _ in row)
    budget = max(MAX_GRID_CELLS, GRID_CELLS_PER_CELL * cells)
    for table in tables:
        if table.getparent() is None:
            continue
        area = grid_area(table)
        if area > budget:
            for row in _rows(table):
                for cell in row:
                    cell.attrib.pop("colspan", None)
                    cell.attrib.pop("rowspan", None)
            area = grid_area(table)
            report.note("dropped the spans of {n} table{s} too large to lay out")
        if area > budget:
            _unwrap(table)
            report.note("unwrapped {n} table{s} too large to lay out")
            continue
        budget -= area


def grid_area(table: etree._Element) -> int:
    """An upper bound of rows × columns of ``table``'s grid, spans included, in time linear in its cells.

    A row's cells start right of the cells above that span into it, so the row reaches at most its own
    column spans plus theirs.
    """
    rows = _rows(table)
    carried = [0] * (len(rows) + 1)  # column spans reaching into each row from rows above (difference array)
    reach = 0
    running = 0
    for r, row in enumerate(rows):
        running += carried[r]
        own = 0
        for cell in row:
            colspan = _span(cell, "colspan")
            own += colspan
            last = min(len(rows), r + _span(cell, "rowspan"))
            if last > r + 1:
                carried[r + 1] += colspan
                carried[last] -= colspan
        reach = max(reach, own + running)
    return len(rows) * reach


def _rows(table: etree._Element) -> list[etree._Element]:
    """The table's own rows (not those of tables nested in its cells), in order."""
    return [tr for group in table if group.tag in ("thead", "tbody") for tr in group if tr.tag == "tr"]


#: A span a writer takes: up to nine digits (more is no table anyone lays out), and not zero
_SPAN = re.compile(r"[0-9]{1,9}")


def _span(cell: etree._Element, name: str) -> int:
    value = cell.get(name)
    if value is None:
        return 1  # the usual cell: no span written
    return int(value) if _SPAN.fullmatch(value) and int(value) > 0 else 1


def _unwrap(table: etree._Element) -> None:
    """Replace ``table`` by its caption and cells as blocks, in reading order (a cell of inline content
    becomes a paragraph; id, lang and dir go with it)."""
    blocks: list[etree._Element] = []
    caption = next(table.iterchildren("caption"), None)
    if caption is not None:
        caption.tag = "p"
        blocks.append(caption)
    for row in _rows(table):
        for cell in row:
            if len(cell) and cell[0].tag in BLOCKS:
                for child in cell:
                    child.tail = None
                blocks.extend(cell)
                if cell.get("id") and not cell[0].get("id"):
                    cell[0].set("id", cell.get("id"))
                continue
            if not (cell.text or "").strip() and not len(cell):
                continue
            p = etree.Element("p", {k: v for k, v in cell.attrib.items() if k in GLOBAL_ATTRIBUTES})
            p.text = cell.text
            p.extend(cell)
            blocks.append(p)
    if table.get("id") and blocks and not blocks[0].get("id"):
        blocks[0].set("id", table.get("id"))
    tail = table.tail
    for block in blocks:  # each in front of the table, in order: insert(k) would count to k each time
        table.addprevious(block)
    table.getparent().remove(table)
    if blocks:
        blocks[-1].tail = tail
