"""The clean document tree: a small vocabulary of HTML element names.

This is the only contract between reading and writing. The normaliser produces
it from any markup; writers consume it and never see raw input. The RelaxNG
schema ``exporter/schema/tree.rng`` is the formal definition; this module is the
prose one and the Python view of it.

Root
    ``<article lang="…" dir="ltr|rtl">`` holding blocks, then notes.
Blocks
    ``p``; ``h2``…``h6`` (the article title is the implicit ``h1`` and lives in the
    metadata; the first heading is ``h2`` and no heading is more than one level
    deeper than the one before); ``blockquote`` (blocks); ``ul``/``ol`` (``start``)
    of ``li``; ``figure`` = one ``img`` + optional ``figcaption`` (an image that stands alone);
    ``table`` = optional ``caption``, optional ``thead``, ``tbody``+, of ``tr`` of
    ``th``/``td`` (``colspan``, ``rowspan``); ``pre`` (text, whitespace kept); ``hr``.
    ``li``, ``th`` and ``td`` hold either inline content or blocks, never a mix.
Notes
    ``<aside role="doc-footnote" id="…">`` (blocks) after the other blocks,
    referenced from the text by ``<a role="doc-noteref" href="#id">``.
Inline
    ``em``, ``strong``, ``a`` (``href``: http, https, mailto or ``#id`` of this
    tree), ``code``, ``sub``, ``sup``, ``br``, ``abbr`` (``title``), ``span``
    only to carry ``lang``/``dir``, and ``img`` for an image within a sentence.
Images
    ``img`` (``src``; optional ``alt``, ``width``, ``height``): ``alt`` absent means
    no usable text alternative (none in the source, or junk the normaliser removed:
    a file name, a URL, markup, a repeat of the caption); ``alt=""`` means
    decorative, as the source said; any other ``alt`` is a description.
    ``width``/``height`` are the source's size in CSS pixels, when it gave one.
Everywhere
    ``id`` (unique, ``[A-Za-z][A-Za-z0-9_.-]*``), ``lang``, ``dir``. Text is
    Unicode NFC without control characters; whitespace is collapsed outside
    ``pre``.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Iterable

from lxml import etree

HEADINGS = ("h2", "h3", "h4", "h5", "h6")
#: Block elements, in the order the schema lists them.
BLOCKS = frozenset({"p", *HEADINGS, "blockquote", "ul", "ol", "figure", "table", "pre", "hr"})
#: Inline elements (``img`` is not inline: images are figures).
INLINES = frozenset({"em", "strong", "a", "code", "sub", "sup", "br", "abbr", "span"})
#: Elements that hold inline content only.
INLINE_CONTAINERS = frozenset({"p", *HEADINGS, "figcaption", "caption", "pre"})
#: Elements that hold inline content or blocks (not both).
FLOW_CONTAINERS = frozenset({"li", "td", "th"})
#: Elements that hold blocks only.
BLOCK_CONTAINERS = frozenset({"article", "blockquote", "aside"})
NOTE = "aside"
NOTE_ROLE = "doc-footnote"
NOTEREF_ROLE = "doc-noteref"

#: Attributes each element may carry besides id, lang and dir.
ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "role"}),
    "img": frozenset({"src", "alt", "width", "height"}),
    "ol": frozenset({"start"}),
    "td": frozenset({"colspan", "rowspan"}),
    "th": frozenset({"colspan", "rowspan"}),
    "abbr": frozenset({"title"}),
    "aside": frozenset({"role"}),
}
GLOBAL_ATTRIBUTES = frozenset({"id", "lang", "dir"})

RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv", "ckb", "iw", "ji"})
#: Every id value of a tree, the root's too, in document order, found in C (each knows its element: getparent)
ID_VALUES = etree.XPath("descendant-or-self::*/@id")


@lru_cache(maxsize=1)
def schema() -> etree.RelaxNG:
    """The RelaxNG schema shipped in the package."""
    with resources.files("exporter").joinpath("schema/tree.rng").open("rb") as fh:
        return etree.RelaxNG(etree.parse(fh))


def validation_errors(tree: etree._Element) -> list[str]:
    """Schema violations of ``tree`` (empty when valid), plus the uniqueness of ids."""
    rng = schema()
    errors = [] if rng.validate(tree) else [f"line {e.line}: {e.message}" for e in rng.error_log]
    seen: set[str] = set()
    for ident in map(str, ID_VALUES(tree)):
        if ident in seen:
            errors.append(f"duplicate id {ident!r}")
        seen.add(ident)
    for a in tree.iter("a"):
        href = a.get("href", "")
        if href.startswith("#") and href[1:] not in seen:
            errors.append(f"link to missing id {href!r}")
    return errors


def direction_of(language: str) -> str:
    """``rtl`` for right-to-left languages, else ``ltr``."""
    primary = language.split("-")[0].lower()
    if primary in RTL_LANGUAGES or "-arab" in language.lower() or "-hebr" in language.lower():
        return "rtl"
    return "ltr"


def text_of(el: etree._Element) -> str:
    """All text of an element, as a reader would see it (no markup): ``"".join(el.itertext())``, serialised
    in C (lxml's itertext costs ~3 us an element even for one text; this ~0.4 us). One difference: an unresolved
    entity node (only XML parsed with ``resolve_entities=False`` makes one; HTML input never does) gives no text
    here, and ``&name;`` in itertext. An element with no child nodes but text (a third of the calls: links, emphasis,
    short paragraphs) is answered by its ``text`` (~0.3 us): the same text, as lxml joins its text nodes alike."""
    if not len(el):  # no element, comment, processing instruction or entity below it
        return el.text or ""
    return etree.tostring(el, method="text", encoding="unicode", with_tail=False)


def place_in_order(children: Iterable[etree._Element], parent: etree._Element,
                   after: etree._Element | None = None) -> None:
    """Put ``children``, in order, first in ``parent`` (after its text) or, with ``after``, right after ``after``
    and its tail, each after the one before: lxml's ``insert(i)`` counts its way to index i, so placing n elements
    each at its index cost n² (a text of 80,000 sentences or symbol runs: about a minute)."""
    previous = after
    for child in children:
        if previous is None:
            parent.insert(0, child)
        else:
            previous.addnext(child)
        previous = child


def remove_all_keep_tail(elements: Iterable[etree._Element], set_empty: bool = False) -> None:
    """Remove each of ``elements`` with its content, its tail text kept where it stood: the tree removing each in
    turn leaves (the tail joined to the text before it, in any order), in time linear in their number. To leave a
    text in an element's place, put it before its tail first.

    Each run of removed siblings has its tails joined to the text before the run once, one text node (removed in
    turn, each moved the tails after it once more: time growing with the square of the run; and
    ``etree.strip_tags`` leaves the texts it joins as text nodes side by side, which lxml joins again, one at a
    time, at every read of that text). The normaliser and the writers share it. An element out of a tree (no
    parent) is left as it is; one inside another removed goes with it. ``set_empty``: the text before each run is set
    even when the run leaves no words (None becomes "": lxml writes ``<p></p>``, not ``<p/>``)."""
    gone = dict.fromkeys(elements)  # (in the order given, each once)
    for el in gone:
        parent = el.getparent()
        if parent is None:
            continue  # out of the tree, or removed with the run before it
        before = el.getprevious()
        if before is not None and before in gone:
            continue  # inside a run: removed with its first element
        tails = []
        while el is not None and el in gone:
            following = el.getnext()
            if el.tail:
                tails.append(el.tail)
            parent.remove(el)  # its tail goes with it
            el = following
        if tails or set_empty:
            if before is None:
                parent.text = (parent.text or "") + "".join(tails)
            else:
                before.tail = (before.tail or "") + "".join(tails)
