"""A tagged PDF's structure tree as the tests judge it: walked with pikepdf, checked against its content."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

_MARKED = re.compile(rb"/(\w+)\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")


@dataclass
class Tree:
    """What the structure tree of one PDF holds."""

    types: Counter = field(default_factory=Counter)
    th_without_scope: int = 0
    td_headers: int = 0                 # data cells associating at least one header
    alts: list[str | None] = field(default_factory=list)    # each Figure's /Alt (None: absent)
    note_ids: list[str] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)           # every element-level /Lang
    ids_in_tree: set[str] = field(default_factory=set)       # the IDTree's keys
    #: Notes not read after their call: the nearest element before them (other notes skipped) holds no
    #: Reference, and they are not inside the cell, item or note that holds it
    notes_away_from_calls: int = 0
    problems: list[str] = field(default_factory=list)        # broken links between tree, content and parent tree


def read_tree(path: Path) -> Tree:
    import pikepdf

    tree = Tree()
    with pikepdf.open(path) as pdf:
        root = pdf.Root.StructTreeRoot
        pages = {p.objgen: i for i, p in enumerate(pdf.pages)}
        in_tree: dict[tuple[int, int], tuple[int, int]] = {}   # (page, mcid) -> element
        elements: set[tuple[int, int]] = set()
        ids: dict[str, int] = {}
        stack = [(k, root) for k in (root.K if isinstance(root.K, pikepdf.Array) else [root.K])]
        while stack:
            e, parent = stack.pop()
            if isinstance(e, int):
                continue
            s = str(e.get("/S", ""))[1:]
            elements.add(e.objgen)
            if e.get("/P") is None or e.P.objgen != parent.objgen:
                tree.problems.append(f"{s} {e.objgen}: /P is not its parent")
            tree.types[s] += 1
            attrs = e.get("/A")
            attrs = list(attrs) if isinstance(attrs, pikepdf.Array) else [attrs] if attrs is not None else []
            if s == "TH" and not any("/Scope" in a for a in attrs if isinstance(a, pikepdf.Dictionary)):
                tree.th_without_scope += 1
            if s == "TD" and any(len(a.get("/Headers", [])) for a in attrs if isinstance(a, pikepdf.Dictionary)):
                tree.td_headers += 1
            if s == "Figure":
                tree.alts.append(str(e.Alt) if "/Alt" in e else None)
            if s == "Note":
                tree.note_ids.append(str(e.get("/ID", "")))
            if "/ID" in e:
                ids[str(e.ID)] = ids.get(str(e.ID), 0) + 1
            if "/Lang" in e:
                tree.langs.append(str(e.Lang))
            page = pages.get(e.Pg.objgen) if "/Pg" in e else None
            k = e.get("/K")
            for kid in (k if isinstance(k, pikepdf.Array) else [] if k is None else [k]):
                if isinstance(kid, int):
                    in_tree[(page, int(kid))] = e.objgen
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                    in_tree[(pages.get(kid.Pg.objgen, page) if "/Pg" in kid else page, int(kid.MCID))] = e.objgen
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") != "/OBJR":
                    stack.append((kid, e))
        tree.notes_away_from_calls = _notes_away_from_calls(root)
        tree.problems += [f"ID {i!r} used {n} times" for i, n in ids.items() if n > 1]
        names = root.get("/IDTree", {}).get("/Names", [])
        tree.ids_in_tree = {str(names[i]) for i in range(0, len(names), 2)}
        nums = root.ParentTree.Nums
        parent_tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        for i, page in enumerate(pdf.pages):
            contents = page.obj.get("/Contents")
            data = b"".join(s.read_bytes() for s in (contents if isinstance(contents, pikepdf.Array) else [contents]))
            mapped = parent_tree.get(int(page.obj.get("/StructParents", -1)))
            for tag, mcid in _MARKED.findall(data):
                mcid = int(mcid)
                if (i, mcid) not in in_tree:
                    tree.problems.append(f"page {i + 1}: marked content {mcid} ({tag.decode()}) is in no element")
                elif mapped is None or mcid >= len(mapped) or mapped[mcid].objgen != in_tree[(i, mcid)]:
                    tree.problems.append(f"page {i + 1}: the parent tree does not map marked content {mcid}")
        for key, value in parent_tree.items():
            if isinstance(value, pikepdf.Dictionary) and value.objgen not in elements:
                tree.problems.append(f"parent tree entry {key} is not in the tree")
    return tree


#: a note may be placed at the end of these, after its call (a P: a figure caption the rework made a P, as
#: for the caption of several images on the wikipedia page)
_HOLDERS = {"TD", "TH", "LBody", "LI", "Caption", "Note", "P"}


def _notes_away_from_calls(root) -> int:
    """How many Note elements are not read after their own call.

    A note read after its call follows (other notes skipped) an element holding a Reference, or ends the
    cell, item, caption, note or paragraph holding one. A note whose /ID is the destination of a link (the
    article's own notes: their calls link to them) must follow a Reference whose link goes to that /ID.
    """
    import pikepdf

    def members(e) -> list:
        k = e.get("/K")
        return list(k) if isinstance(k, pikepdf.Array) else [] if k is None else [k]

    def kids(e) -> list:
        return [x for x in members(e) if isinstance(x, pikepdf.Dictionary) and x.get("/Type") not in ("/MCR", "/OBJR")]

    def kind(e) -> str:
        return str(e.get("/S", ""))[1:]

    def targets(e) -> set[str]:
        """The link destinations of the OBJR annotations at and below ``e``."""
        found, stack = set(), [e]
        while stack:
            x = stack.pop()
            for m in members(x):
                if isinstance(m, pikepdf.Dictionary) and m.get("/Type") == "/OBJR" and "/Dest" in m.Obj:
                    found.add(str(m.Obj.Dest))
            stack.extend(kids(x))
        return found

    def calls(e, note_id: str | None) -> bool:
        """``e`` holds a Reference (one linking to ``note_id`` when given)."""
        stack = [e]
        while stack:
            x = stack.pop()
            if kind(x) == "Reference" and (note_id is None or note_id in targets(x)):
                return True
            stack.extend(kids(x))
        return False

    linked = targets(root)
    away = 0
    stack = kids(root)
    while stack:
        parent = stack.pop()
        children = kids(parent)
        stack.extend(children)
        for i, child in enumerate(children):
            if kind(child) != "Note":
                continue
            note_id = str(child.get("/ID", ""))
            wanted = note_id if note_id in linked else None
            before = [c for c in children[:i] if kind(c) != "Note"]
            inside = kind(parent) in _HOLDERS and any(calls(c, wanted) for c in before)
            if not inside and not (before and calls(before[-1], wanted)):
                away += 1
    return away
