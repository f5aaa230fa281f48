"""The PDF's structure tree, reworked so assistive technology reads the article as its HTML says.

WeasyPrint 70 tags a PDF page by page, from the boxes it laid out: what crosses a
page break becomes one element per page (a long table, several ``Table``s), table
headers have no ``/Scope``, notes are not ``Note``s (link-URL footnotes are read
at the foot of every page, in the middle of the article), a decorative image is a
``Figure``, an element in another language says nothing of it, and running heads
and page numbers are marked content of elements that are not in the tree.

:func:`capture` notes, while WeasyPrint writes, which box (and so which HTML
element) each structure element came from (see
:func:`exporter.writers._weasyprint.record_structure_boxes`);
:func:`restructure` then rebuilds the tree on the written file with pikepdf:

- the fragments of one element are one element again (merged in document order);
  a table's header row repeated on later pages becomes an artifact;
- ``TH`` get ``/Scope`` and an ``/ID``, every ``TD`` the ``/Headers`` of its column
  and row, over the whole table;
- link-URL footnotes are ``Note`` elements (with an ``/ID`` and their marker as
  ``Lbl``) placed after the paragraph that calls them, the call a ``Reference``;
  the article's own notes (``role="doc-footnote"``, printed at its end) are
  ``Note`` too, moved in the tree after the paragraph of their first call, their
  calls ``Reference``;
- a ``Figure`` keeps ``/Alt`` only from real alt text, takes in its ``figure``'s
  ``Caption``, and a decorative image (``alt=""``) is an artifact;
- an ordered list's numbers are each item's ``Lbl``;
- ``/Lang`` on every element whose language differs from its parent's;
- marked content left outside the tree (running heads, page numbers) becomes
  ``/Artifact`` of type Pagination, and the parent tree and ID tree are rebuilt.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

#: How a repeated or decorative piece of content is marked instead (content stream operators).
PAGINATION = b"/Artifact <</Type /Pagination>> BDC"
LAYOUT = b"/Artifact <</Type /Layout>> BDC"
_MARKED = re.compile(rb"/(\w+)\s*<</MCID (\d+)>>\s*BDC")

#: Structure types a note is placed inside (at their end) rather than after.
_NOTE_INSIDE = {"TD", "TH", "LBody", "LI", "Caption", "Note"}
_ROW_GROUPS = ("THead", "TBody", "TFoot")
#: Grouping structure types that mean nothing once empty (a table cell, even empty, keeps its place).
_EMPTY_GOES = {"NonStruct", "Div", "Span", "Part", "Sect", "Art", "P"}


@dataclass(frozen=True)
class Node:
    """What the PDF needs to know of the box a structure element was made from."""

    key: tuple          # equal for every fragment of one box: (element, pseudo-element tag, box class, anonymous)
    element: int        # the HTML element (an index), -1 for none
    tag: str            # WeasyPrint's element tag: "p", "span::footnote-call", ...
    attrs: dict
    block: bool
    anonymous: bool
    footnote_area: bool


def capture(recorded: dict) -> dict[int, Node]:
    """``{object number: Node}`` from WeasyPrint's ``{object number: box}`` (while the boxes are alive)."""
    from weasyprint.css import AnonymousStyle
    from weasyprint.formatting_structure import boxes

    elements: dict[int, int] = {}
    nodes: dict[int, Node] = {}
    for number, box in recorded.items():
        element = box.element
        index = -1 if element is None else elements.setdefault(id(element), len(elements))
        anonymous = isinstance(box.style, AnonymousStyle)
        attrs = {} if element is None else {k: v for k, v in element.attrib.items()
                                            if k in ("lang", "alt", "role", "class", "scope", "id", "href")}
        nodes[number] = Node(
            key=(index, box.element_tag, type(box).__name__, anonymous), element=index,
            tag=box.element_tag or "", attrs=attrs, anonymous=anonymous,
            block=isinstance(box, (boxes.BlockLevelBox, boxes.TableCellBox)),
            footnote_area=isinstance(box, boxes.FootnoteAreaBox))
    return nodes


@dataclass(eq=False)
class Elem:
    """A structure element being reworked: its pikepdf dictionary, its box, its kids."""

    obj: object
    node: Node | None
    s: str
    page: int | None
    kids: list = field(default_factory=list)   # Elem | ("mc", page, mcid) | ("objr", annotation)
    parent: "Elem | None" = None
    ident: str | None = None

    def elems(self):
        return [k for k in self.kids if isinstance(k, Elem)]

    def walk(self):
        stack = [self]
        while stack:
            e = stack.pop()
            yield e
            stack.extend(reversed(e.elems()))

    def contents(self):
        """Every piece of marked content below this element."""
        for e in self.walk():
            for k in e.kids:
                if isinstance(k, tuple) and k[0] == "mc":
                    yield k


class Restructure:
    """One rework of one file's structure tree (see the module's docstring)."""

    def __init__(self, pdf, nodes: dict[int, Node]) -> None:
        import pikepdf

        self.pikepdf = pikepdf
        self.pdf = pdf
        self.nodes = nodes
        self.pages = {p.objgen: i for i, p in enumerate(pdf.pages)}
        self.artifacts: dict[tuple[int, int], bytes] = {}
        self.notes = 0
        self.tables = 0
        self.ids: set[str] = set()  # the /ID values given, each once
        root = pdf.Root.StructTreeRoot
        kids = root.K if isinstance(root.K, pikepdf.Array) else [root.K]
        self.root = root
        self.documents = [self._load(k) for k in kids]

    # --- reading and writing the tree -----------------------------------------------------------
    def _load(self, obj) -> Elem:
        pikepdf = self.pikepdf
        page = self.pages.get(obj.Pg.objgen) if "/Pg" in obj else None
        elem = Elem(obj, self.nodes.get(obj.objgen[0]), str(obj.get("/S", "/NonStruct"))[1:], page)
        k = obj.get("/K")
        for kid in (k if isinstance(k, pikepdf.Array) else [] if k is None else [k]):
            if isinstance(kid, int):
                elem.kids.append(("mc", page, int(kid)))
            elif isinstance(kid, pikepdf.Dictionary):
                kind = kid.get("/Type")
                if kind == "/MCR":
                    elem.kids.append(("mc", self.pages.get(kid.Pg.objgen, page) if "/Pg" in kid else page,
                                      int(kid.MCID)))
                elif kind == "/OBJR":
                    elem.kids.append(("objr", kid))
                else:
                    child = self._load(kid)
                    child.parent = elem
                    elem.kids.append(child)
        return elem

    def _new(self, s: str, page: int | None) -> Elem:
        obj = self.pdf.make_indirect(self.pikepdf.Dictionary(Type=self.pikepdf.Name.StructElem,
                                                             S=self.pikepdf.Name("/" + s)))
        return Elem(obj, None, s, page)

    def _relink(self) -> None:
        for document in self.documents:
            for e in document.walk():
                for kid in e.elems():
                    kid.parent = e

    def _artifact(self, elem: Elem, kind: bytes) -> None:
        for _, page, mcid in elem.contents():
            self.artifacts[(page, mcid)] = kind

    def write(self) -> None:
        """Write the reworked tree, its parent tree, ID tree and the artifacts into the file."""
        pikepdf, pdf = self.pikepdf, self.pdf
        pages = list(pdf.pages)
        by_mcid: dict[int, dict[int, object]] = {}
        by_annotation: dict[int, object] = {}
        ids = []
        for document in self.documents:
            for e in document.walk():
                obj = e.obj
                obj.S = pikepdf.Name("/" + e.s)
                if e.page is None:
                    e.page = next((k[1] for k in e.kids if isinstance(k, tuple) and k[0] == "mc"), None)
                if e.page is not None:
                    obj.Pg = pages[e.page].obj
                if e.parent is not None:
                    obj.P = e.parent.obj
                if e.ident:
                    obj.ID = pikepdf.String(e.ident)
                    ids.append((e.ident, obj))
                kids = pikepdf.Array()
                for k in e.kids:
                    if isinstance(k, Elem):
                        kids.append(k.obj)
                    elif k[0] == "mc":
                        _, page, mcid = k
                        by_mcid.setdefault(page, {})[mcid] = obj
                        kids.append(mcid if page == e.page else pikepdf.Dictionary(
                            Type=pikepdf.Name.MCR, Pg=pages[page].obj, MCID=mcid))
                    else:
                        kids.append(k[1])
                        annotation = k[1].get("/Obj")
                        if annotation is not None and "/StructParent" in annotation:
                            by_annotation[int(annotation.StructParent)] = obj
                obj.K = kids
        self.root.K = pikepdf.Array([d.obj for d in self.documents])
        nums = pikepdf.Array()
        for i, page in enumerate(pages):
            key = int(page.obj.get("/StructParents", i))
            found = by_mcid.get(i, {})
            self._mark_artifacts(page, i, found)
            entries = [found.get(m) for m in range(max(found) + 1)] if found else []
            nums.extend([key, pikepdf.Array(entries)])
        for key in sorted(by_annotation):
            nums.extend([key, by_annotation[key]])
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        self.root.ParentTree = pdf.make_indirect(pikepdf.Dictionary(Nums=nums))
        self.root.ParentTreeNextKey = max(keys, default=-1) + 1
        if ids:
            names = pikepdf.Array()
            for ident, obj in sorted(ids, key=lambda x: x[0]):
                names.extend([pikepdf.String(ident), obj])
            self.root.IDTree = pikepdf.Dictionary(Names=names)
        elif "/IDTree" in self.root:
            del self.root.IDTree

    def _mark_artifacts(self, page, index: int, tagged: dict) -> None:
        """Marked content no element refers to becomes an artifact (given kind, else Pagination)."""
        contents = page.obj.get("/Contents")
        streams = list(contents) if isinstance(contents, self.pikepdf.Array) else [contents]
        for stream in streams:
            if stream is None:
                continue
            data = stream.read_bytes()

            def replace(match: re.Match) -> bytes:
                mcid = int(match.group(2))
                if mcid in tagged:
                    return match.group(0)
                return self.artifacts.get((index, mcid), PAGINATION)

            new = _MARKED.sub(replace, data)
            if new != data:
                stream.write(new)

    # --- the passes -------------------------------------------------------------------------------
    def run(self) -> None:
        for document in self.documents:
            self.merge(document)
        self._relink()
        self.place_notes()
        self._relink()
        for document in self.documents:
            for e in list(document.walk()):
                if e.s == "Table":
                    self.table(e)
        self.figures()
        self._relink()
        self.list_labels()
        for document in self.documents:
            self.prune(document)
        self._relink()
        lang = str(self.pdf.Root.get("/Lang", ""))
        for document in self.documents:
            self.languages(document, lang)
        if self.pdf.pdf_version < "2.0":  # WeasyPrint adds PDF 2.0 namespaces to 1.7 files
            if "/Namespaces" in self.root:
                del self.root.Namespaces
            for document in self.documents:
                if "/NS" in document.obj:
                    del document.obj.NS
        self.write()

    def merge(self, elem: Elem) -> None:
        """One element per box again: a fragment joins the earlier fragment of the same box among its siblings.

        Anonymous boxes join only the fragment just before them (two anonymous blocks of one element,
        with a child element between, are two passages). A table's header or footer group met again is
        the repeat the layout draws on every page: an artifact.
        """
        kept: list = []
        first: dict[tuple, Elem] = {}
        for kid in elem.kids:
            if isinstance(kid, Elem) and kid.node is not None:
                earlier = first.get(kid.node.key)
                if earlier is not None and (not kid.node.anonymous or (kept and kept[-1] is earlier)):
                    if kid.s in ("THead", "TFoot"):
                        self._artifact(kid, PAGINATION)
                        continue
                    earlier.kids.extend(kid.kids)
                    continue
                first[kid.node.key] = kid
            kept.append(kid)
        elem.kids = kept
        for kid in elem.elems():
            self.merge(kid)

    def place_notes(self) -> None:
        """Notes as ``Note`` after the paragraph calling them (footnotes and the article's own), calls ``Reference``."""
        calls: dict[int, Elem] = {}
        areas: list[Elem] = []
        notes: dict[str, Elem] = {}                 # the article's notes by their HTML id
        references: list[tuple[str, Elem]] = []     # (href, Reference) of their calls, in reading order
        for document in self.documents:
            for e in list(document.walk()):
                node = e.node
                if node is None:
                    continue
                if node.footnote_area:
                    areas.append(e)
                elif node.tag.endswith("::footnote-call"):
                    calls[node.element] = e
                    e.s = "Reference"
                elif node.attrs.get("role") == "doc-footnote" and not node.tag.count("::"):
                    if e.parent is not None and e.parent.node is not None and e.parent.node.element == node.element:
                        continue  # an anonymous box inside the note
                    e.s = "Note"
                    e.ident = self._note_id(node.attrs.get("id"))  # its calls' link destination: the same name
                    notes.setdefault(node.attrs.get("id", ""), e)
                elif node.attrs.get("role") == "doc-noteref" and e.s == "Link" and e.parent is not None:
                    if e.parent.s != "Reference":
                        reference = self._new("Reference", e.page)
                        siblings = e.parent.kids
                        siblings[siblings.index(e)] = reference
                        reference.kids.append(e)
                        reference.parent, e.parent = e.parent, reference
                    references.append((node.attrs.get("href", ""), e.parent))
        for area in areas:
            parent = area.parent
            if parent is None:
                continue
            at = parent.kids.index(area)
            leftovers = []
            for note in area.elems():
                call = calls.get(note.node.element) if note.node is not None else None
                anchor = self._block_of(call) if call is not None else None
                if anchor is None:
                    leftovers.append(note)
                    continue
                note.s = "Note"
                note.ident = self._note_id()
                for kid in note.elems():
                    if kid.node is not None and kid.node.tag.endswith("::footnote-marker"):
                        kid.s = "Lbl"
                self._place_after(anchor, note)
                if note.parent is parent and parent.kids.index(note) <= at:
                    at += 1
            parent.kids[at:at + 1] = leftovers + [k for k in area.kids if not isinstance(k, Elem)]
        self._follow_references(notes, references)

    def _follow_references(self, notes: dict[str, Elem], references: list[tuple[str, Elem]]) -> None:
        """Each of the article's notes leaves the end of the article for a place after the paragraph of its first
        call (PDF/UA-1 7.9: read where it is referred to); its content and marked content go with it."""
        moved: set[int] = set()
        for href, reference in references:
            note = notes.get(href[1:]) if href.startswith("#") else None
            if note is None or id(note) in moved or note.parent is None:
                continue
            anchor = self._block_of(reference)
            if anchor is None or note in self._lineage(anchor):
                continue  # a note calling itself stays where it is
            note.parent.kids.remove(note)
            self._place_after(anchor, note)
            moved.add(id(note))

    @staticmethod
    def _lineage(elem: Elem):
        """``elem`` and its ancestors."""
        while elem is not None:
            yield elem
            elem = elem.parent

    def _place_after(self, anchor: Elem, note: Elem) -> None:
        """Put ``note`` after ``anchor`` (after notes already there), or at the end of it when it is a cell,
        list item, caption or note."""
        if anchor.s in _NOTE_INSIDE:
            body = next((k for k in anchor.elems() if k.s == "LBody"), anchor) if anchor.s == "LI" else anchor
            body.kids.append(note)
            note.parent = body
        else:
            host = anchor.parent
            host.kids.insert(host.kids.index(anchor) + 1 + self._notes_after(host, anchor), note)
            note.parent = host

    @staticmethod
    def _notes_after(host: Elem, anchor: Elem) -> int:
        """How many notes already follow ``anchor`` (a second note goes after the first)."""
        i, count = host.kids.index(anchor) + 1, 0
        while i + count < len(host.kids) and isinstance(host.kids[i + count], Elem) \
                and host.kids[i + count].s == "Note":
            count += 1
        return count

    def _note_id(self, wanted: str | None = None) -> str:
        """A note's ``/ID``: its HTML id (the name its calls link to) when it has one, else ``note-N``."""
        if wanted and wanted not in self.ids:
            self.ids.add(wanted)
            return wanted
        self.notes += 1
        while f"note-{self.notes}" in self.ids:
            self.notes += 1
        return self._claim(f"note-{self.notes}")

    def _claim(self, ident: str) -> str:
        """``ident``, made unique among the ``/ID`` values given so far."""
        unique, n = ident, 1
        while unique in self.ids:
            n += 1
            unique = f"{ident}-{n}"
        self.ids.add(unique)
        return unique

    @staticmethod
    def _block_of(elem: Elem) -> Elem | None:
        """The nearest block-level ancestor of ``elem`` (the paragraph, cell or list item holding it)."""
        e = elem.parent
        while e is not None and not (e.node is not None and e.node.block and not e.node.footnote_area):
            e = e.parent
        return e if e is not None and e.parent is not None else None

    def table(self, table: Elem) -> None:
        """``/Scope`` and ``/ID`` on every header cell, ``/Headers`` on every data cell, over the whole table."""
        pikepdf = self.pikepdf
        rows: list[tuple[str, Elem]] = []
        for kid in table.elems():
            if kid.s in _ROW_GROUPS:
                rows += [(kid.s, tr) for tr in kid.elems() if tr.s == "TR"]
            elif kid.s == "TR":
                rows.append(("TBody", kid))
        taken: set[tuple[int, int]] = set()
        cells: list[tuple[Elem, int, int, int, int]] = []
        for r, (group, tr) in enumerate(rows):
            c = 0
            for cell in tr.elems():
                if cell.s not in ("TH", "TD"):
                    continue
                while (r, c) in taken:
                    c += 1
                attrs = self._table_attributes(cell)
                rs, cs = int(attrs.get("/RowSpan", 1)), int(attrs.get("/ColSpan", 1))
                taken.update((r + i, c + j) for i in range(rs) for j in range(cs))
                cells.append((cell, r, c, rs, cs))
                c += cs
        self.tables += 1
        number = self.tables
        headers = []
        for cell, r, c, rs, cs in cells:
            if cell.s != "TH":
                continue
            scope = self._scope(cell, rows[r][0], any(k.s == "TD" for k in rows[r][1].elems()))
            self._table_attributes(cell)["/Scope"] = pikepdf.Name("/" + scope)
            cell.ident = self._claim(f"table{number}-r{r}c{c}")
            headers.append((cell.ident, scope, r, c, rs, cs))
        for cell, r, c, rs, cs in cells:
            attrs = self._table_attributes(cell)
            found = [ident for ident, scope, hr, hc, hrs, hcs in headers if ident != cell.ident and (
                (scope == "Column" and hr < r and hc < c + cs and c < hc + hcs) or
                (scope == "Row" and hr < r + rs and r < hr + hrs and hc < c))]
            if found:
                attrs["/Headers"] = pikepdf.Array([pikepdf.String(i) for i in found])
            elif "/Headers" in attrs:
                del attrs["/Headers"]

    def _table_attributes(self, cell: Elem):
        """The cell's ``/O /Table`` attribute dictionary (made if missing)."""
        pikepdf = self.pikepdf
        a = cell.obj.get("/A")
        candidates = list(a) if isinstance(a, pikepdf.Array) else [a] if a is not None else []
        for d in candidates:
            if isinstance(d, pikepdf.Dictionary) and d.get("/O") == "/Table":
                return d
        d = pikepdf.Dictionary(O=pikepdf.Name.Table)
        cell.obj.A = pikepdf.Array(candidates + [d]) if candidates else d
        return d

    @staticmethod
    def _scope(cell: Elem, group: str, row_has_data: bool) -> str:
        given = (cell.node.attrs.get("scope", "") if cell.node is not None else "").lower()
        if given in ("row", "rowgroup"):
            return "Row"
        if given in ("col", "colgroup"):
            return "Column"
        return "Row" if group != "THead" and row_has_data else "Column"

    def figures(self) -> None:
        """``/Alt`` only from real alt text; decorative images are artifacts; a figure holds its caption."""
        pikepdf = self.pikepdf
        for document in self.documents:
            for e in list(document.walk()):
                if e.s != "Figure" or e.node is None or not e.node.tag.startswith("img"):
                    continue
                alt = e.node.attrs.get("alt")
                if alt is not None and not alt.strip():
                    self._artifact(e, LAYOUT)
                    e.parent.kids.remove(e)
                    continue
                if alt is None and "/Alt" in e.obj:
                    del e.obj.Alt
                elif alt is not None:
                    e.obj.Alt = pikepdf.String(alt.strip())
                outer = e.parent  # the figure, through the anonymous block holding its inline image
                while outer is not None and outer.node is not None and outer.node.tag == "figure" \
                        and outer.node.anonymous:
                    outer = outer.parent
                if outer is not None and outer.node is not None and outer.node.tag == "figure" \
                        and sum(1 for k in outer.walk() if k.s == "Figure") == 1:
                    outer.s = "Figure"
                    for key in ("/Alt", "/A"):
                        if key in e.obj:
                            outer.obj[key] = e.obj[key]
                    at = e.parent.kids.index(e)
                    e.parent.kids[at:at + 1] = e.kids
        for document in self.documents:
            for e in document.walk():
                if e.s == "Caption" and (e.parent is None or e.parent.s not in ("Figure", "Table", "L")):
                    e.s = "P"  # the caption of an image that went (decorative) or of several images

    def prune(self, elem: Elem) -> None:
        """Grouping elements left with nothing in them (a decorative image's figure) go."""
        for kid in elem.elems():
            self.prune(kid)
        elem.kids = [k for k in elem.kids if not (isinstance(k, Elem) and not k.kids and k.s in _EMPTY_GOES)]

    def list_labels(self) -> None:
        """An ordered list's number (the writer's ``span.li-number``) is the item's ``Lbl``, before its ``LBody``."""
        for document in self.documents:
            for e in list(document.walk()):
                if e.node is None or "li-number" not in e.node.attrs.get("class", "").split() or e.s == "Lbl":
                    continue
                e.s = "Lbl"
                body = e.parent
                while body is not None and body.s not in ("LBody", "LI"):
                    body = body.parent
                if body is not None and body.s == "LBody" and body.parent is not None and body.parent.s == "LI":
                    e.parent.kids.remove(e)
                    item = body.parent
                    item.kids.insert(item.kids.index(body), e)

    def languages(self, elem: Elem, inherited: str) -> None:
        """``/Lang`` where an element's language differs from the one it is in."""
        stack = [(elem, inherited)]
        while stack:
            e, lang = stack.pop()
            own = e.node.attrs.get("lang") if e.node is not None else None
            if own and own.lower() != lang.lower():
                e.obj.Lang = self.pikepdf.String(own)
                lang = own
            stack.extend((k, lang) for k in e.elems())


def restructure(pdf, nodes: dict[int, Node]) -> None:
    """Rework ``pdf``'s structure tree in place (see the module's docstring)."""
    Restructure(pdf, nodes).run()
