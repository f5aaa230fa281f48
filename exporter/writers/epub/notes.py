"""Notes as EPUB 3 notes: pop-up footnotes for readers that have them, numbered links back for those that do not."""
from __future__ import annotations

import re

from lxml import etree

from ...tree import NOTE_ROLE, NOTEREF_ROLE
from .document import EPUB_TYPE


def mark_notes(section: etree._Element) -> None:
    """Tree notes → EPUB 3 notes: ``epub:type`` noteref/footnote beside the ARIA roles, and a numbered
    link back from each note to where it is referenced (readers without pop-ups follow links)."""
    refs: dict[str, etree._Element] = {}
    for a in section.iter("a"):
        if a.get("role") == NOTEREF_ROLE:
            a.set(EPUB_TYPE, "noteref")
            refs.setdefault(a.get("href", "")[1:], a)
    notes = [aside for aside in section.iter("aside") if aside.get("role") == NOTE_ROLE]
    for n, aside in enumerate(notes, 1):
        aside.set(EPUB_TYPE, "footnote")
        ref = refs.get(aside.get("id", ""))
        label_text = re.sub(r"^[\[(]|[\])]$", "", "".join(ref.itertext()).strip()) if ref is not None else ""
        label_text = label_text or str(n)
        first = aside[0] if len(aside) and aside[0].tag in ("p", "h2", "h3", "h4", "h5", "h6") else None
        if first is None:
            first = etree.Element("p")
            aside.insert(0, first)
        lead = first[0] if len(first) and not (first.text or "").strip() else None
        if lead is not None and lead.tag == "a" and ref is not None and lead.get("href") == "#" + (ref.get("id") or ""):
            lead.set("class", "note-label")  # the note already opens with its number, linked back: keep it
            continue
        if ref is not None and ref.get("id"):
            label = etree.Element("a", {"href": "#" + ref.get("id"), "class": "note-label"})
        else:
            label = etree.Element("span", {"class": "note-label"})
        label.text = label_text
        label.tail = " " + (first.text or "")
        first.text = None
        first.insert(0, label)
    if notes:
        notes[0].addprevious(etree.Element("hr", {"class": "notes-rule"}))
