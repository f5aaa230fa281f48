"""Footnotes and endnotes: found in the converted tree and made tree notes.

Web articles mark notes many ways: ``<sup><a href="#fn1">1</a></sup>`` with an
``<ol class="footnotes">``, ``<aside>``/``role="doc-endnotes"`` blocks, Wikipedia's
``<sup id="cite_ref-1"><a href="#cite_note-1">[1]</a></sup>`` with an
``<ol class="references">``. Classes and roles are gone after conversion, but the
shape that matters survives: a short marker link (``1``, ``[2]``, ``*``, ``†``)
pointing at a list item or paragraph that comes later. Each such target becomes
``<aside role="doc-footnote" id>`` after the blocks (in order of first reference),
each marker becomes ``<a role="doc-noteref">`` with an id of its own (writers link
back to it), and the note's own bare back-links (``↩``, ``^``) go, since every
writer draws its own. Words are never dropped: only links whose text has no
letters or digits are removed. A note in a container (``<aside id>``) keeps all its
paragraphs: :func:`group_source_notes` runs before conversion for that.
"""
from __future__ import annotations

import re
from urllib.parse import unquote

from lxml import etree

from ..tree import ID_VALUES, INLINES, NOTE, NOTE_ROLE, NOTEREF_ROLE, text_of
from .state import State
from .surgery import remove_keep_tail

#: Marker text of a note reference: 1, [12], (3), *, **, †, ‡, §, a, [iv], note 4.
MARKER = re.compile(r"^[\[(]?\s*(?:note\s*)?(\d{1,4}|[*†‡§¶]{1,3}|[a-z]|[ivxlc]{1,6})\s*[\])]?$", re.IGNORECASE)
#: A letter or roman marker is a note only inside ``sup`` (plain "a" is too common a link text).
NUMERIC = re.compile(r"[\[(]?\s*(?:note\s*)?(\d{1,4}|[*†‡§¶]{1,3})\s*[\])]?$", re.IGNORECASE)
_WORD = re.compile(r"\w")
#: Longer than this, a container is article text, not a note.
MAX_NOTE_CHARS = 5000


def _has_fragment_link(root: etree._Element) -> bool:
    """True when a link points at a fragment (``href="#x"``): what every note reference is. (As the XPath
    ``boolean(descendant-or-self::a[starts-with(@href, '#') and string-length(@href) > 1])``, in a fifth of
    its time: an XPath evaluation costs some 10 us before it reads a node.)"""
    for a in root.iter("a"):
        href = a.get("href")
        if href and href[0] == "#" and len(href) > 1:
            return True
    return False


#: The containers :func:`group_source_notes` makes notes of
_CONTAINERS = ("aside", "div", "section")


def group_source_notes(state: State) -> None:
    """Before conversion: a note held in a container (``<aside id>``, ``<div id>``, ``<section id>``) that a
    marker link points at becomes ``<ol><li id>…</li></ol>``, the one shape whose grouping survives the
    converter (which unwraps those containers), so a note of several paragraphs stays one note."""
    content, report = state.page, state.report
    if not _has_fragment_link(content):
        return  # no "#…" link: no marker points at a note
    # the ids containers carry: a link to any other id is passed over without reading every id of the page (a
    # walk in C of some 600 instructions an element; this walk reads only the containers). Grouping makes no
    # container, so a link grouped below has always one of these ids
    container_ids = {ident for el in content.iter(*_CONTAINERS) if (ident := el.get("id"))}
    if not container_ids:
        return
    ids: dict[str, etree._Element] | None = None  # the last element of each id, read at the first link to one
    # whether each container is a section, asked once: thousands of markers pointing at one long container each
    # read all its text (5,000 at 200 KB: 44 s). Grouping wraps a container, which changes no other's answer
    sections: dict[etree._Element, bool] = {}
    grouped = 0
    for a in list(content.iter("a")):
        href = a.get("href") or ""
        if not href.startswith("#") or href[1:] not in container_ids:
            continue
        if ids is None:
            ids = {ident: ident.getparent() for ident in ID_VALUES(content) if ident}
        target = ids.get(href[1:])
        if target is None or target.tag not in _CONTAINERS or not _is_marker(a):
            continue
        if target is content or target.getparent() is None or any(anc is target for anc in a.iterancestors()):
            continue
        if target not in sections:
            sections[target] = _looks_like_a_section(target)
        if sections[target]:
            continue
        holder = target.makeelement("ol", {})
        target.addprevious(holder)
        holder.tail, target.tail = target.tail, None
        holder.append(target)
        target.tag = "li"
        grouped += 1
        ids.pop(href[1:])
    report.note("grouped notes held in containers", grouped)


def _looks_like_a_section(el: etree._Element) -> bool:
    """A container with headings, or longer than any note, is a part of the article (a "1" in a contents
    list may point at it), never a note."""
    if any(isinstance(d.tag, str) and d.tag in ("h1", "h2", "h3", "h4", "h5", "h6") for d in el.iter()):
        return True
    return len(text_of(el)) > MAX_NOTE_CHARS


def detect_notes(state: State) -> None:
    """Turn marker links and the list items or paragraphs they point at into tree notes."""
    root, report = state.tree, state.report
    links = [(a, href) for a in root.iter("a") if (href := a.get("href")) and href[0] == "#" and len(href) > 1]
    if not links:
        return  # no "#…" link (the usual article): no reference, and nothing to walk
    ids: dict[str, etree._Element] = {}
    for ident in ID_VALUES(root):  # the first element of each id
        if ident and ident not in ids:
            ids[ident] = ident.getparent()
    found = []  # (link, the element its id names, the note it points into), marker links only
    for a, href in links:
        named = ids.get(href[1:])
        if named is None:
            named = ids.get(unquote(href[1:]))
        target = _holder(named)
        if target is not None and _is_marker(a):
            found.append((a, named, target))
    if not found:
        return
    # a link points at a note that comes after it: where the element named starts, unless the link is inside
    # the note (then the note starts first): document positions of only those elements and links, in one walk
    wanted = {el for pair in found for el in pair[:2]}
    order = {el: n for n, el in enumerate(root.iter()) if el in wanted}
    refs_by_target: dict[etree._Element, list[etree._Element]] = {}
    in_note: dict[etree._Element, bool] = {}  # each target asked once (a tag-filtered walk costs ~7,000 instructions)
    for a, named, target in found:
        if order[named] <= order[a]:
            continue
        if target not in in_note:
            in_note[target] = next(target.iterancestors(NOTE), None) is not None
        if in_note[target] or any(anc is target for anc in a.iterancestors()):
            continue
        refs_by_target.setdefault(target, []).append(a)
    if not refs_by_target:
        return
    ref_ids = _give_ref_ids(refs_by_target, ids)
    targets = sorted(refs_by_target, key=lambda t: min(order[r] for r in refs_by_target[t]))
    notes = [_make_note(t, ref_ids) for t in targets]
    for note in notes:
        root.append(note)
    _tidy_containers(root)
    report.note("notes made from footnotes and endnotes", len(notes))


def _holder(el: etree._Element | None) -> etree._Element | None:
    """The list item or paragraph ``el`` is (or is in, inside inline elements only), or None."""
    while el is not None and el.tag in INLINES:
        el = el.getparent()
    if el is None or el.tag not in ("li", "p"):
        return None
    return el


def _is_marker(a: etree._Element) -> bool:
    text = " ".join(text_of(a).split())
    if not text or not MARKER.match(text):
        return False
    if NUMERIC.match(text):  # (most markers: a number, asked before the tree)
        return True
    parent = a.getparent()
    return parent is not None and parent.tag == "sup" or any(c.tag == "sup" for c in a)


def _give_ref_ids(refs_by_target: dict, ids: dict[str, etree._Element]) -> set[str]:
    """Every marker gets an id (a ``sup``'s id moves onto its link); returns the ids that mean "a reference"."""
    taken = set(ids)
    ref_ids: set[str] = set()
    n = 0
    for refs in refs_by_target.values():
        for a in refs:
            a.set("role", NOTEREF_ROLE)
            parent = a.getparent()
            ident = a.get("id")
            if not ident and parent is not None and parent.tag == "sup" and parent.get("id") \
                    and len(parent) == 1 and not (parent.text or "").strip():
                ident = parent.attrib.pop("id")
                a.set("id", ident)
            if not ident:
                n += 1
                while f"noteref-{n}" in taken:
                    n += 1
                ident = f"noteref-{n}"
                a.set("id", ident)
                taken.add(ident)
            ref_ids.add(ident)
            while parent is not None and parent.tag in INLINES:  # the inline elements around it: their ids too
                outer = parent.get("id")
                if outer:
                    ref_ids.add(outer)
                parent = parent.getparent()
    return ref_ids


def _make_note(target: etree._Element, ref_ids: set[str]) -> etree._Element:
    """A detached ``aside`` holding the target's content."""
    get = target.get
    attributes = {"role": NOTE_ROLE}
    for key in ("id", "lang", "dir"):
        value = get(key)
        if value:
            attributes[key] = value
    note = target.makeelement(NOTE, attributes)  # in the tree's document: nothing moved between two
    _drop_backlinks(target, ref_ids)
    if target.tag == "li":
        blocks = list(target)
        if all(child.tag in INLINES for child in blocks):
            p = target.makeelement("p")
            p.text = target.text
            p.extend(blocks)
            blocks = [p]
        _detach(target)
    else:
        target.attrib.pop("id", None)
        _detach(target)
        blocks = [target]
    note.extend(blocks)
    first = note[0] if len(note) else None
    if first is None:
        etree.SubElement(note, "p")
    elif first.text:
        first.text = first.text.lstrip()
    return note


def _drop_backlinks(el: etree._Element, ref_ids: set[str]) -> None:
    """Remove links back to a reference that carry no words (``↩``, ``^``); keep lettered ones (``a``, ``b``)."""
    for a in list(el.iter("a")):
        href = a.get("href")
        if href and href[0] == "#" and href[1:] in ref_ids and not _WORD.search(text_of(a)):
            holder = a.getparent()
            remove_keep_tail(a)
            while holder is not None and holder.tag in INLINES and next(iter(holder), None) is None \
                    and not (holder.text or "").strip() and not holder.get("id"):
                parent = holder.getparent()
                remove_keep_tail(holder)
                holder = parent


def _detach(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is not None:
        parent.remove(el)
    el.tail = None


def _tidy_containers(root: etree._Element) -> None:
    """Lists and quotations emptied of their notes go."""
    for lst in [el for el in root.iter("ol", "ul", "blockquote") if not len(el)]:
        parent = lst.getparent()
        if parent is not None:
            if lst.get("id"):
                _keep_anchor(root, lst)
            parent.remove(lst)


def _keep_anchor(root: etree._Element, lst: etree._Element) -> None:
    """Links to a removed list's id go to the first note instead (never to nothing)."""
    first = next(root.iterchildren(NOTE), None)
    ident = lst.get("id")
    for a in root.iter("a"):
        if a.get("href") == f"#{ident}" and first is not None:
            if not first.get("id"):
                first.set("id", ident)
            else:
                a.set("href", "#" + first.get("id"))
