"""Convert any parsed HTML into the clean vocabulary (see :mod:`exporter.tree`).

An allowlist converter: it builds a new tree rather than cleaning the old one,
so nothing it does not know can slip through. Elements are mapped to the
vocabulary, unwrapped (text kept) or dropped with their content when they are
not content (scripts, styles, forms, navigation, hidden elements). Loose inline
runs are wrapped into paragraphs as they are met. Images are emitted inline
and lifted into figures by a later pass, which is where splitting happens.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from itertools import islice
from typing import Any, Callable

from lxml import etree

from ..document import Report
from .state import State
from . import surgery
from .surgery import UNJOINED_AT_MOST, last_child
from .text import clean_dir, clean_lang, clean_text, has_controls, is_blank
from .urls import best_from_srcset, clean_href, clean_src, page_base, resolve_image_sources

#: Dropped together with everything inside: not article content.
DROP = frozenset({
    "script", "style", "template", "noscript", "head", "title", "meta", "link", "base", "iframe", "frame",
    "frameset", "noframes", "object", "embed", "applet", "param", "form", "input", "button", "select",
    "option", "optgroup", "textarea", "datalist", "output", "progress", "meter", "nav", "svg", "canvas",
    "map", "area", "audio", "video", "source", "track", "dialog", "menuitem", "colgroup", "col", "rp",
    "annotation", "annotation-xml", "portal", "slot",
})
#: Containers that only delimit blocks: unwrapped, but their edges are paragraph breaks.
TRANSPARENT = frozenset({
    "html", "body", "div", "section", "article", "main", "header", "footer", "aside", "address", "center",
    "details", "summary", "hgroup", "fieldset", "legend", "search", "figcaption", "caption", "thead", "tbody",
    "tfoot", "tr", "td", "th", "dd", "math",
})
HEADING_SOURCE = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
LIST_SOURCE = frozenset({"ul", "ol", "menu", "dir"})
PRE_SOURCE = frozenset({"pre", "listing", "xmp", "plaintext"})
#: Source elements that start a block of their own.
BLOCK_SOURCE = frozenset({
    "p", "blockquote", "li", "dl", "dt", "figure", "table", "hr", *HEADING_SOURCE, *LIST_SOURCE, *PRE_SOURCE,
    *TRANSPARENT,
})
#: Inline source elements mapped to a vocabulary element.
INLINE_MAP = {
    "strong": "strong", "b": "strong",
    "em": "em", "i": "em", "cite": "em", "dfn": "em", "var": "em",
    "code": "code", "kbd": "code", "samp": "code", "tt": "code",
    "sub": "sub", "sup": "sup",
    "abbr": "abbr", "acronym": "abbr",
}
PRE_INLINE = frozenset({"em", "strong", "code", "a", "span"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_PLACEHOLDER_SRC = re.compile(r"^data:image/(gif|png);base64,.{0,200}$|blank\.gif|spacer\.gif|pixel\.gif|1x1",
                              re.IGNORECASE)
_LAZY_ATTRS = ("data-src", "data-lazy-src", "data-original", "data-url", "data-hi-res-src", "data-full-src")
_LIST_START = re.compile(r"-?\d{1,9}")
_SPAN = re.compile(r"[0-9]{1,9}")  # not isdigit(): '²' is a digit
_IMAGE_SIZE = re.compile(r"\s*(\d{1,5})(?:\.\d+)?\s*(?:px)?\s*")
DROP_KIND, BLOCK_KIND, INLINE_KIND = "drop", "block", "inline"
#: How many elements :meth:`Converter._mark_block_holders` walks in Python
_WALK_AT_MOST = 150
#: The style attributes, and the hidden ones, of the descendants of an element (two paths: their union,
#: sorted in document order, costs several times both)
_STYLES, _HIDDEN = etree.XPath("descendant::*/@style"), etree.XPath("descendant::*/@hidden")
#: lxml's own attribute setter: lxml.html's elements wrap it in a Python method (twice the cost)
_set = etree._Element.set


def _copy_common(src: etree._Element, out: etree._Element) -> None:
    """Carry ``src``'s id, language and direction to ``out``, those the vocabulary accepts.

    (Ids are made valid and unique later, by :func:`~exporter.normalise.transforms.unique_ids`.)
    """
    for key, value in _common_attributes(src):
        out.set(key, value)


def _common_attributes(src: etree._Element, keys: list[str] | None = None) -> list[tuple[str, str]]:
    """The id, language and direction :func:`_copy_common` carries, in its order (``keys``: ``src.keys()``, when
    the caller has them)."""
    if keys is None:
        keys = src.keys()
    if not keys:
        return []
    attributes = []
    for key, clean in (("id", str.strip), ("lang", clean_lang), ("dir", clean_dir)):
        value = clean(src.get(key) or "") if key in keys else None
        if value:
            attributes.append((key, value))
    return attributes


def _carried_attributes(src: etree._Element, keys: list[str]) -> list[tuple[str, str]]:
    """The language, direction and id :meth:`Converter._carry_attributes` gives the one block made of ``src``
    (a paragraph or heading), in its order (``keys``: ``src.keys()``)."""
    if not keys or ("id" not in keys and "lang" not in keys and "xml:lang" not in keys and "dir" not in keys):
        return []
    attributes = []
    lang, direction = clean_lang(src.get("lang") or src.get("xml:lang")), clean_dir(src.get("dir"))
    if lang:
        attributes.append(("lang", lang))
    if direction:
        attributes.append(("dir", direction))
    ident = src.get("id")
    if ident:
        attributes.append(("id", ident))
    return attributes


def is_hidden(el: etree._Element) -> bool:
    if el.get("hidden") is not None:
        return True
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


class _Loose:
    """Stray inline content gathered into a holder (``<p>``, ``<li>``) made on first need.

    :meth:`Converter.blocks`, the hot loop, reads and writes ``_holder`` itself instead of calling :meth:`close` and
    :meth:`is_open` (a call less per child): change what they mean there too."""

    def __init__(self, parent: etree._Element, tag: str, converter: "Converter") -> None:
        self.parent, self.tag, self._holder, self._converter = parent, tag, None, converter
        self._empty = True  # the holder has no children (see Converter.inline_children)

    def holder(self) -> etree._Element:
        if self._holder is None:
            self._holder = etree.SubElement(self.parent, self.tag)
            self._empty = True
        return self._holder

    def add_text(self, text: str | None) -> None:
        if self._holder is None and is_blank(text):
            return
        holder = self.holder()
        if self._empty:
            self._converter._append_own(holder, text)
        else:
            self._converter._append(holder, text)

    def add_inline(self, converter: "Converter", el: etree._Element) -> None:
        """Convert ``el`` (inline content) into the holder (the caller has read its tail)."""
        holder = self.holder()
        converter.inline(el, holder, self._empty, movable=True)
        if self._empty:  # counts only what this element added, once
            self._empty = len(holder) == 0

    def close(self) -> None:
        """The next stray content starts a new holder."""
        self._holder = None

    def is_open(self) -> bool:
        """Whether stray content goes to a holder made already (else blank text is skipped)."""
        return self._holder is not None


def convert_page(state: State) -> None:
    """The page becomes the clean tree: known elements mapped, everything else unwrapped or dropped."""
    page_url = state.source.url  # a fetched page: its own address is the base, as in a browser
    base_url = (page_base(page_url, state.found.get("base_href")) if page_url
                else state.settings.source_url or state.found.get("source_url"))
    state.tree = Converter(state.report, base_url=base_url).convert(state.page)
    if page_url:
        resolve_image_sources(state.tree, base_url)


def _flushing(function: Callable[..., None]) -> Callable[..., None]:
    """A converter method calling ``function`` (one that reads or rewrites the clean tree's texts) once the
    pending text is written (see :meth:`Converter._flush`)."""
    @functools.wraps(function)
    def call(converter: "Converter", *args: Any) -> None:
        converter._flush()
        function(*args)

    return call


class Converter:
    """One conversion of one source tree. Not reusable: it keeps per-tree state."""

    def __init__(self, report: Report, base_url: str | None = None) -> None:
        self.report = report
        self.base_url = base_url
        self._has_blocks: set[etree._Element] = set()
        self._page_forms: set[etree._Element] = set()
        #: the elements :func:`is_hidden` finds hidden, among all those marked (see _mark_block_holders)
        self._hidden: set[etree._Element] = set()
        #: The text appended to one place of the clean tree and not yet written there (see :meth:`_flush`):
        #: the element, whether the place is its tail (else its text), the pieces in order.
        self._pending_node: etree._Element | None = None
        self._pending_tail = False
        self._pending: list[str] = []
        #: runs of blocks given a language or direction (see _carry_language): the first block -> the last, the
        #: element holding them, and whether every one of them has a language, and a direction
        self._carried: dict[etree._Element, tuple[etree._Element, etree._Element, bool, bool]] = {}
        self._take_page_as_clean(False)

    def _take_page_as_clean(self, clean: bool) -> None:
        """Whether clean_text changes no text and no tail on the page (see leaves_every_part_clean), and so how
        text read from the page is appended: as it is, or cleaned (the three always change together)."""
        self._clean_page = clean
        self._append, self._append_own = (self._append_as_is, self._append_own_as_is) if clean else (
            self._append_text, self._append_own_text)

    # --- text written to the clean tree -----------------------------------------------------------
    # Text is appended piece by piece (a text, a tail, a quotation mark), each piece cleaned on its own, into
    # one place of the clean tree: an element's text, or its last child's tail. Setting an lxml text copies
    # the whole of it: written piece by piece, a paragraph of many inline elements that cannot be moved as they
    # are (<q>, <font> around text to compose, spans with ids) took time growing with the square of its length
    # (88 KB of <q>: 3.4 s; review-s10 B9). The pieces of one place wait in a list and are written once, joined,
    # when text goes to another place or before anything reads or rewrites the clean tree's texts: the surgery
    # functions that do are called through _flushing, _move_inline_content flushes when what it reads (src's
    # text) waits, only _flush sets a text (tests/test_speed_convert.py checks both), and convert() flushes at the end.

    def _append_text(self, out: etree._Element, text: str | None) -> None:
        """:func:`~exporter.normalise.surgery.append_text`: ``text`` cleaned, at the end of ``out`` (after its
        last child, if any)."""
        if text:  # the converter asks for every text and tail: most are None
            self._append_as_is(out, clean_text(text))

    def _append_as_is(self, out: etree._Element, text: str | None) -> None:
        """:meth:`_append_text` of a text clean_text leaves as it is (see Converter.convert)."""
        if text:
            try:
                node, tail = out[-1], True
            except IndexError:
                node, tail = out, False
            if node is not self._pending_node or tail is not self._pending_tail:
                self._flush()
                self._pending_node, self._pending_tail = node, tail
            self._pending.append(text)

    def _append_own_text(self, out: etree._Element, text: str | None) -> None:
        """:meth:`_append_text` into an element known to have no children (it would look for a last child
        first: an IndexError raised and caught, a microsecond a text)."""
        if text:
            self._append_own_as_is(out, clean_text(text))

    def _append_own_as_is(self, out: etree._Element, text: str | None) -> None:
        """:meth:`_append_own_text` of a text clean_text leaves as it is."""
        if text:
            if out is not self._pending_node or self._pending_tail:
                self._flush()
                self._pending_node, self._pending_tail = out, False
            self._pending.append(text)

    def _flush(self) -> None:
        """Write the pending text where it goes, joined (after what the place holds already)."""
        pending = self._pending
        if pending:
            text = pending[0] if len(pending) == 1 else "".join(pending)
            pending.clear()
            node = self._pending_node
            if self._pending_tail:
                node.tail = (node.tail or "") + text
            else:
                node.text = (node.text or "") + text

    # the surgery functions that read or rewrite the clean tree's texts, called with the pending text written
    _ensure_block_mode = _flushing(surgery.ensure_block_mode)
    _lift_images = _flushing(surgery.lift_images)

    def _move_inline_content(self, src: etree._Element, dest: etree._Element) -> None:
        """:func:`~exporter.normalise.surgery.move_inline_content` through the pending text: ``src``'s text,
        cleaned, joins what ``dest`` ends with, and its children follow (a figure's credit lines, each joined
        to its caption: written at once, the caption's text was set again for each line, time growing with the
        square of their number). Of the places read or moved here, only ``src``'s own text may be waiting: written
        first (its children's tails move with them; text waiting anywhere else is written when _append_text moves
        on from it, or later)."""
        if self._pending_node is src:
            self._flush()
        self._append_text(dest, src.text)
        dest.extend(list(src))

    def _take_out_of_page(self, el: etree._Element) -> None:
        """Remove ``el`` from the page, its tail joined to the text before it: the one place the converter joins
        two of the page's texts into one it reads later. convert() found each text of the page clean, or not;
        two clean ones may join into one that is not (``x\u0316`` and ``\u0334y``: marks out of order): then
        the page is no longer taken as clean, and what follows is checked and cleaned as before."""
        parent, before, tail = el.getparent(), el.getprevious(), el.tail
        if parent is None:
            return
        joined_to = (before.tail if before is not None else parent.text) if tail else None
        surgery.remove_keep_tail(el)
        if joined_to and self._clean_page and not leaves_every_part_clean(joined_to + tail):
            self._take_page_as_clean(False)

    # --- entry point ------------------------------------------------------------------------------
    def convert(self, root: etree._Element) -> etree._Element:
        self._page_forms = page_forms(root)  # before marking: a page form's content is marked as the page's
        self._mark_block_holders(root, whole_page=True)
        # one look at the page's whole text, in C, rather than one per element moved as it is
        if leaves_every_part_clean_utf8(etree.tostring(root, method="text", encoding="utf-8")):
            self._take_page_as_clean(True)
        article = etree.Element("article")
        self.blocks(root, article)
        self._flush()
        self._pending_node = None
        del self._append, self._append_own  # bound methods: a cycle that would keep the page alive until collected
        return article

    def _mark_block_holders(self, root: etree._Element, whole_page: bool = False) -> None:
        """Remember every source element that has a block-level descendant (one pass, O(n)), and every
        hidden one (:meth:`kind` then asks the set, not the element's attributes). ``whole_page``: ``root`` is
        the page: when it has more than :data:`_WALK_AT_MOST` elements, lxml's C iterators with tag filters
        find the dropped elements and the blocks, and two XPaths the few elements with a style or hidden
        attribute (building an iterator's matcher of some fifty names costs ~15 us: more than walking a small
        page in Python, as a figure or a list item always is). Both ways find the same elements."""
        marked, hidden = self._has_blocks, self._hidden
        # what is dropped (hidden, scripts…) never splits its paragraph: Wikipedia hides a formula's
        # MathML beside its image, inside the sentence.
        blocks = [root] if root.tag in BLOCK_SOURCE else []
        forms = self._page_forms  # dropped by their tag, but kept (see kind)
        # more than _WALK_AT_MOST elements: the one after them is found by lxml's iterator, in C (the page's
        # elements keep their proxies, see KEPT_PROXIES: a fifth of what an XPath count costs, and bounded)
        if whole_page and next(islice(root.iterdescendants(), _WALK_AT_MOST, None), None) is not None:
            dropped = [el for el in root.iterdescendants(*DROP) if el not in forms]
            blocks += root.iterdescendants(*BLOCK_SOURCE)
            for el in {attribute.getparent() for attribute in (*_STYLES(root), *_HIDDEN(root))}:
                if is_hidden(el):
                    hidden.add(el)
                    dropped.append(el)
        else:
            dropped = []
            for el in root.iterdescendants(etree.Element):
                tag = el.tag
                if tag in DROP and el not in forms:
                    dropped.append(el)
                elif tag in BLOCK_SOURCE:
                    blocks.append(el)
                keys = el.keys()  # one call: most elements have no attributes, or neither of these two
                if keys and ("style" in keys or "hidden" in keys) and is_hidden(el):
                    hidden.add(el)
                    dropped.append(el)
        inside_dropped = set(dropped)
        for el in dropped:
            if len(el):  # most hold only text (scripts, styles) or nothing: no iterator made for them (~1 us each)
                inside_dropped.update(el.iterdescendants())
        for el in blocks:
            if el in inside_dropped or (el.tag == "math" and el.get("display") != "block"):  # not _starts_block
                continue
            ancestor = el.getparent()
            while ancestor is not None and ancestor not in marked:  # above a marked one, all are marked
                marked.add(ancestor)
                ancestor = ancestor.getparent()

    def kind(self, el: etree._Element) -> str:
        """Whether ``el`` is dropped, starts or holds a block, or is inline (only for marked elements).

        :meth:`blocks` writes this test out for each child (a call less per child): change it there too
        (tests/test_speed_convert.py checks the two agree on the real pages)."""
        tag = el.tag
        if not isinstance(tag, str) or (tag in DROP and el not in self._page_forms) or el in self._hidden:
            return DROP_KIND
        if tag in BLOCK_SOURCE and (tag != "math" or el.get("display") == "block"):  # _starts_block(el)
            return BLOCK_KIND
        return BLOCK_KIND if el in self._has_blocks else INLINE_KIND

    # --- block context ----------------------------------------------------------------------------
    def blocks(self, src: etree._Element, out: etree._Element, alone: bool = False) -> None:
        """Convert the children of ``src`` into blocks appended to ``out``; with ``alone``, ``src`` itself, as the one
        child of a holder (see :meth:`_blocks_of_one`).

        Loose inline content between blocks is gathered into paragraphs.
        """
        para = _Loose(out, "p", self)
        text = None if alone else src.text
        if text:  # add_text(None) does nothing
            para.add_text(text)
        forms, hidden, has_blocks = self._page_forms, self._hidden, self._has_blocks
        # lxml's iterator has found the next child already: moving this one is safe
        for child in (src,) if alone else src:
            tag = child.tag
            tail = child.tail  # read first: a block moved as it is leaves its tail behind
            # self.kind(child), written out (one call less for every child, and the tag read once)
            if not isinstance(tag, str) or (tag in DROP and child not in forms) or child in hidden:  # DROP_KIND
                if isinstance(tag, str):
                    self.report.note(f"dropped {{n}} <{tag}> element{{s}}")
            elif (tag in BLOCK_SOURCE and (tag != "math" or child.get("display") == "block")
                  or child in has_blocks):  # BLOCK_KIND
                para._holder = None  # para.close(), written out
                if tag not in _MOVABLE_BLOCKS or child in has_blocks:
                    self.block(child, out)
                else:
                    keys = child.keys()  # most paragraphs have none: nothing to carry
                    if not self._move_as_is(child, out, _carried_attributes(child, keys) if keys else [], keys=keys):
                        self.block(child, out)
            else:
                para.add_inline(self, child)
            # white space between blocks: add_text skips it (para._holder: para.is_open(), written out)
            if tail and (para._holder is not None or not is_blank(tail)):
                para.add_text(tail)

    def _move_as_is(self, el: etree._Element, out: etree._Element,
                    attributes: list[tuple[str, str]] | None = None, unwrap: bool = False,
                    content: bool = False, keys: list[str] | None = None) -> bool:
        """Move ``el`` (a paragraph, heading, list item or inline element the vocabulary has) into ``out`` as
        it is, with its content, and say so; False, having changed nothing, when the converter would change
        anything in it otherwise than by renaming (``b`` → ``strong``), unwrapping (``span``), cleaning a
        link's address or an attribute, or dropping attributes it ignores. ``attributes``: what the block
        carries (as the converter gives them); an inline element's own are found here. ``unwrap``: ``el``
        is an element the converter unwraps (``span``, ``font``, inline MathML): its content goes into
        ``out`` (its text joined to what ``out`` ends with, as given), ``el`` stays behind. The caller has read
        ``el``'s tail: it stays behind. ``content`` (with ``unwrap``): ``el``'s own attributes are the caller's
        (a cell's, a caption's): only its content is asked about. ``keys``: ``el.keys()``, when the caller has them.

        The usual paragraph: its text stays in lxml, never read into Python, cleaned and written back (setting
        an element's text costs ~5 ns a character). The source page is not read again after conversion.
        """
        hidden = self._hidden
        written: list[tuple[etree._Element, list[tuple[str, str]]]] = []  # every element whose attributes change
        renamed, unwrapped = [], []
        if keys is None and not content:
            keys = el.keys()
        if unwrap:
            if not content and keys and ("id" in keys or "lang" in keys or "dir" in keys):
                return False  # its id goes to the block, its language makes it a span
            attributes = []
        elif attributes is None:  # an inline element: the only kind of el that may be renamed (a block the caller
            tag = el.tag         # gives attributes for is a paragraph, heading or list item; what is unwrapped, not)
            attributes = self._inline_attributes(el, tag, keys)
            if attributes is None:
                return False
            if tag in _RENAMED_TAGS:
                renamed.append(el)
        if not unwrap and (attributes or keys):
            written.append((el, attributes))
        action_of = _DESCENDANT_ACTIONS.get
        has_children = len(el) != 0  # an iterator costs ~1 us to make: half the elements moved have no children
        for node in el.iterdescendants() if has_children else ():
            tag = node.tag
            action = action_of(tag, _UNWRAP)
            if action is _REFUSE or node in hidden:
                return False
            if action is _UNWRAP:
                if not isinstance(tag, str) or tag == "math" and node.get("display") == "block":
                    return False  # a comment or the like; maths displayed as a block of its own
                keys = node.keys()
                if keys and ("id" in keys or "lang" in keys or "dir" in keys):
                    return False  # its id goes to the block, its language makes it a span
                unwrapped.append(node)  # its other attributes go with it
                if len(unwrapped) > UNJOINED_AT_MOST:
                    return False  # converted piece by piece instead: each text set once (see UNJOINED_AT_MOST)
            elif action is _IMAGE:
                image_attributes = _image_attributes(node)
                if image_attributes is None or node.text is not None or len(node):
                    return False  # dropped and reported, or written empty
                written.append((node, image_attributes))
            else:  # a link, a line break or a mapped inline element
                keys = node.keys()
                if keys:
                    node_attributes = self._inline_attributes(node, tag, keys)
                    if node_attributes is None:
                        return False
                    if not _has_only(node, keys, node_attributes):
                        written.append((node, node_attributes))
                elif action is _LINK:
                    return False  # a link without an address is unwrapped
                if action is _BREAK:
                    if node.text is not None or len(node):
                        return False  # a <br> is written empty
                elif action is _RENAMED:
                    renamed.append(node)
        if not self._clean_page:  # else no text of the page needs cleaning
            if has_children:
                text = etree.tostring(el, method="text", encoding="unicode", with_tail=False)
            else:
                text = el.text or ""  # what the serialiser gives, without it
            if not (text.isascii() and text.isprintable()) and clean_text(text) != text:  # clean_text's test first
                return False  # a control character, or text to compose
            if has_children and not text.isascii():  # clean_text composes each text (NFC) on its own: the whole
                for node in el.iter():                # may be, a part not (the one text of a childless el is it)
                    for piece in (node.text, node.tail if node is not el else None):
                        if piece and not unicodedata.is_normalized("NFC", piece):
                            return False
        for node, node_attributes in written:
            node.attrib.clear()
            for key, value in node_attributes:
                _set(node, key, value)
        for node in renamed:
            node.tag = INLINE_MAP[node.tag]
        if unwrapped:  # every descendant of these names is unwrapped (renamed ones took the vocabulary's names)
            etree.strip_tags(el, *{node.tag for node in unwrapped})  # text joined as append_text joins it
        if unwrap:
            self._append_as_is(out, el.text)  # joined as given: each part was clean, and append_text cleans each on its own
            out.extend(list(el))  # the children, each with its tail
            return True
        el.tail = None
        out.append(el)
        return True

    def _inline_attributes(self, el: etree._Element, tag: str,
                           keys: list[str] | None = None) -> list[tuple[str, str]] | None:
        """The attributes :meth:`inline` gives the vocabulary element it makes of ``el`` (a link, a ``br`` or a
        mapped element), in its order; None for a link it unlinks. ``keys``: ``el.keys()``, when the caller has
        them (each attribute asked of lxml costs a look-up: only those present are read)."""
        if tag == "br":
            return []
        if keys is None:
            keys = el.keys()
        get = el.get
        if tag == "a":
            href = clean_href(get("href"), self.base_url) if "href" in keys else None
            if href is None:
                return None
            attributes = [("href", href)]
            if len(keys) > 1:  # most links carry only their address
                ident = (get("id") if "id" in keys else None) or (get("name") if "name" in keys else None)
                if ident:
                    attributes.append(("id", ident))
                lang = clean_lang(get("lang")) if "lang" in keys else None
                if lang:
                    attributes.append(("lang", lang))
            return attributes
        attributes = []
        if not keys:
            return attributes
        ident = get("id") if "id" in keys else None
        lang = clean_lang(get("lang")) if "lang" in keys else None
        direction = clean_dir(get("dir")) if "dir" in keys else None
        if ident:
            attributes.append(("id", ident))
        if lang:
            attributes.append(("lang", lang))
        if direction:
            attributes.append(("dir", direction))
        if "title" in keys and INLINE_MAP.get(tag) == "abbr" and get("title"):  # the source's tag: acronym too
            attributes.append(("title", clean_text(get("title"))))
        return attributes

    def block(self, el: etree._Element, out: etree._Element) -> None:
        tag = el.tag
        keys = el.keys()  # most blocks carry nothing, and then none of this is read
        # whether there is anything to carry: the one test of it (_carry_attributes is called only when there is)
        carries = keys and ("id" in keys or "lang" in keys or "xml:lang" in keys or "dir" in keys
                            or (tag == "a" and "name" in keys))
        start = last_child(out) if carries else None  # not len(out): linear, and quadratic over a long article
        if tag in HEADING_SOURCE:
            heading = etree.SubElement(out, tag)  # levels are made consecutive by a later pass
            self.inline_children(el, heading, empty=True)
        elif tag == "p" and el not in self._has_blocks:
            self.inline_children(el, etree.SubElement(out, "p"), empty=True)
        elif tag == "blockquote":
            self.blocks(el, etree.SubElement(out, "blockquote"))
        elif tag in LIST_SOURCE:
            self.list(el, out)
        elif tag == "li":
            self.list_item(el, etree.SubElement(out, "ul"))
        elif tag == "dl":
            self.definition_list(el, out)
        elif tag == "dt":
            strong = etree.SubElement(etree.SubElement(out, "p"), "strong")
            self.inline_content(el, strong)
        elif tag == "figure":
            self.figure(el, out)
        elif tag == "table":
            self.table(el, out)
        elif tag in PRE_SOURCE:
            self.pre_children(el, etree.SubElement(out, "pre"), empty=True)
        elif tag == "hr":
            etree.SubElement(out, "hr")
        else:  # transparent containers, and inline elements that hold blocks
            self.blocks(el, out)
        if carries:
            self._carry_attributes(el, out, start)

    def _carry_attributes(self, src: etree._Element, out: etree._Element, start: etree._Element | None) -> None:
        """Give the blocks made from ``src`` (those after ``start``) its id, language and direction (called by
        :meth:`block` only when ``src`` has one of them, or a link's name: block asks, once)."""
        first = start.getnext() if start is not None and start.getparent() is out else next(iter(out), None)
        if first is None:
            if src.get("id"):
                self.keep_id(src, out)
            return
        lang, direction = clean_lang(src.get("lang") or src.get("xml:lang")), clean_dir(src.get("dir"))
        if lang or direction:
            self._carry_language(first, out, lang, direction)
        ident = _names_anchor(src)
        if ident and not first.get("id"):
            _set(first, "id", ident)

    def _carry_language(self, first: etree._Element, out: etree._Element, lang: str | None,
                        direction: str | None) -> None:
        """Give ``lang`` and ``direction`` to every block of ``out`` from ``first`` on that has none. A run of
        blocks an inner element gave its language (or direction) to, all of which have one, is stepped over
        (:attr:`_carried`): each of 200 nested ``<div lang dir>`` around 100,000 paragraphs read them all
        again (0.8 MB: 10.9 s, 0.9 s without the nesting). A run is stepped over only while its first and last
        blocks are still children of ``out``, where it was made: the blocks of a figure, lifted and joined in
        their holder and then moved out of it, are read one by one again."""
        carried = self._carried
        block: etree._Element | None = first
        last, every_lang, every_dir = first, True, True
        while block is not None:
            run = carried.get(block)
            if (run is not None and run[1] is out and run[0].getparent() is out
                    and (run[2] or not lang) and (run[3] or not direction)):
                last, every_lang, every_dir = run[0], every_lang and run[2], every_dir and run[3]
            else:
                if not block.get("lang"):
                    if lang:
                        _set(block, "lang", lang)
                    else:
                        every_lang = False
                if not block.get("dir"):
                    if direction:
                        _set(block, "dir", direction)
                    else:
                        every_dir = False
                last = block
            block = last.getnext()
        carried[first] = (last, out, every_lang, every_dir)

    def keep_id(self, src: etree._Element, out: etree._Element) -> None:
        """An unwrapped element's id moves to ``out`` so that links to it still land."""
        ident = _names_anchor(src)
        if ident and out.get("id") is None and out.tag != "article":
            out.set("id", ident)

    def list(self, el: etree._Element, out: etree._Element) -> None:
        lst = etree.SubElement(out, "ol" if el.tag == "ol" else "ul")
        start = (el.get("start") or "").strip()
        if lst.tag == "ol" and _LIST_START.fullmatch(start) and int(start) != 1:
            lst.set("start", str(int(start)))
        loose = _Loose(lst, "li", self)  # an item gathering stray inline content
        loose.add_text(el.text)
        for child in el:
            kind = self.kind(child)
            tail = child.tail  # read first: an inline element moved as it is leaves its tail behind
            if kind == DROP_KIND:
                pass
            elif child.tag == "li":
                loose.close()
                keys = child.keys()
                if child in self._has_blocks or not self._move_as_is(child, lst, _common_attributes(child, keys),
                                                                     keys=keys):
                    self.list_item(child, lst)
            elif child.tag in LIST_SOURCE and last_child(lst) is not None:  # not len(lst): linear in the items
                loose.close()  # a list nested directly in a list belongs to the item before it
                holder = lst[-1]
                self._ensure_block_mode(holder)
                self.list(child, holder)
            elif kind == BLOCK_KIND:
                loose.close()
                self._blocks_of_one(child, etree.SubElement(lst, "li"))
            else:
                loose.add_inline(self, child)
            loose.add_text(tail)

    def _blocks_of_one(self, el: etree._Element, out: etree._Element) -> None:
        """:meth:`blocks` of ``el`` alone, as if it were the one child of a holder, without its tail (the caller
        has read it; it is cleared): a definition, or a block straight inside a list. ``el`` is converted where
        it stands: its descendants carry the page's marks already. A copy, with every element of it marked
        again, cost each level of nested definitions or lists its whole content (100 stacks of 200 nested
        ``<dl><dd>``, 0.6 MB: 5.5 s and 0.9 GB; four times as many: 30 s and 3.4 GB, every copy kept by the
        marks); moving it into a holder, lxml's walk of the whole subtree moved (120 nested ``<dl><dd>`` around
        1.28 M paragraphs: 40 s)."""
        el.tail = None
        self.blocks(el, out, alone=True)

    def list_item(self, el: etree._Element, lst: etree._Element) -> None:
        item = etree.SubElement(lst, "li")
        _copy_common(el, item)
        self.flow(el, item)

    def inline_content(self, el: etree._Element, out: etree._Element) -> None:
        """``inline_children(el, out, empty=True)``, for a new cell, caption or term ``out`` (no content yet) whose
        attributes the caller gives: ``el``'s content moved as it is when it can be, in one go."""
        if not self._move_as_is(el, out, unwrap=True, content=True):
            self.inline_children(el, out, empty=True)

    def flow(self, el: etree._Element, out: etree._Element) -> None:
        """Content of a new item or cell: inline content, or blocks when the source has blocks."""
        if el in self._has_blocks:
            self.blocks(el, out)
        else:
            self.inline_children(el, out, empty=True)

    def definition_list(self, el: etree._Element, out: etree._Element) -> None:
        loose = [el.text] + [child.tail for child in el]  # text straight inside <dl> is the article's too
        for child, text in zip([None, *el], loose):
            if child is not None:
                self._definition(child, out)
            if not is_blank(text):
                self._append_text(etree.SubElement(out, "p"), text)

    def _definition(self, child: etree._Element, out: etree._Element) -> None:
        if self.kind(child) != DROP_KIND:
            if child.tag == "dt":
                strong = etree.SubElement(etree.SubElement(out, "p"), "strong")
                self.inline_content(child, strong)
            else:
                self._blocks_of_one(child, out)

    def figure(self, el: etree._Element, out: etree._Element) -> None:
        """A figure: its images become figures, its caption goes to the last of them."""
        caption = next((c for c in el.iter("figcaption") if self.kind(c) != DROP_KIND), None)
        holder = etree.Element("div")
        if caption is not None:
            self._take_out_of_page(caption)  # converted on its own, below
        # not marked again: marking never unmarks, and the page's marks (or a copy's) hold every element a
        # figure has (a page form's content too)
        self.blocks(el, holder)
        self._lift_images(holder, self.report)
        figures = [f for f in holder.iter("figure")]
        if caption is not None:
            if figures:
                target = figures[-1]
                figcaption = etree.SubElement(target, "figcaption")
                self.inline_content(caption, figcaption)
                # Text that sat beside the image (credits, stray captions) joins the caption.
                for block in list(holder):
                    if block.tag == "p" and block is not target and len(figures) == 1:
                        self._append_text(figcaption, " ")
                        self._move_inline_content(block, figcaption)
                        holder.remove(block)
            else:
                self.inline_content(caption, etree.SubElement(holder, "p"))
        for block in list(holder):
            out.append(block)

    def table(self, el: etree._Element, out: etree._Element) -> None:
        table = etree.SubElement(out, "table")
        _copy_common(el, table)
        head_rows: list[etree._Element] = []
        body_rows: list[etree._Element] = []
        foot_rows: list[etree._Element] = []
        after: list[etree._Element] = []
        loose: list[str | None] = [el.text] + [c.tail for c in el]  # text where no cell is: kept after it
        caption_src = None
        for child in el:
            kind = self.kind(child)
            if kind == DROP_KIND:
                continue
            if child.tag == "caption" and caption_src is None:
                caption_src = child
            elif child.tag in ("thead", "tfoot", "tbody"):
                rows = [r for r in child if r.tag == "tr"]
                {"thead": head_rows, "tfoot": foot_rows, "tbody": body_rows}[child.tag].extend(rows)
                after += [r for r in child if r.tag != "tr" and self.kind(r) != DROP_KIND]
                loose += [child.text] + [r.tail for r in child] + [r.text for r in rows]
            elif child.tag == "tr":
                body_rows.append(child)
                loose.append(child.text)
            else:
                after.append(child)
        if caption_src is not None:
            self.inline_content(caption_src, etree.SubElement(table, "caption"))
        rows_out = [self.row(r) for r in head_rows]
        body_out = [self.row(r) for r in body_rows + foot_rows]
        rows_out = [r for r in rows_out if len(r)]
        body_out = [r for r in body_out if len(r)]
        if not rows_out and len(body_out) > 1 and all(c.tag == "th" for c in body_out[0]):
            rows_out = [body_out.pop(0)]
        if not body_out:
            body_out, rows_out = rows_out, []
        if rows_out:
            thead = etree.SubElement(table, "thead")
            thead.extend(rows_out)
        if body_out:
            etree.SubElement(table, "tbody").extend(body_out)
        else:  # a table without rows: keep its caption's words as a paragraph
            caption = table.find("caption")
            out.remove(table)
            if caption is not None:
                caption.tag = "p"
                out.append(caption)
        for stray in after:
            self.block(stray, out) if self.kind(stray) == BLOCK_KIND else self.inline(stray, etree.SubElement(out, "p"))
        # text directly inside <table>, its sections or rows (invalid, but seen) is kept after it
        for text in loose:
            if not is_blank(text):
                self._append_text(etree.SubElement(out, "p"), text)

    def row(self, tr: etree._Element) -> etree._Element:
        row = etree.Element("tr")
        for cell in tr:
            if self.kind(cell) == DROP_KIND:
                if not is_blank(cell.tail):  # text after a dropped element still belongs to the row
                    self._append(_last_cell(row), cell.tail)
                continue
            if cell.tag in ("td", "th"):
                out = etree.SubElement(row, cell.tag)
                if cell.keys():  # most cells have no attribute: none to read
                    for key in ("colspan", "rowspan"):
                        value = (cell.get(key) or "").strip()
                        if _SPAN.fullmatch(value) and 1 < int(value) <= 1000:
                            out.set(key, str(int(value)))
                    _copy_common(cell, out)
                if cell in self._has_blocks:
                    self.blocks(cell, out)
                else:
                    self.inline_content(cell, out)
            else:  # stray content in a row joins the last cell
                out = _last_cell(row)
                if self.kind(cell) == BLOCK_KIND:
                    self._ensure_block_mode(out)
                    self.block(cell, out)
                else:
                    self.inline(cell, out)
            tail = cell.tail
            if tail and not is_blank(tail):
                self._append(out, tail)
        return row

    # --- inline context ---------------------------------------------------------------------------
    def inline_children(self, src: etree._Element, out: etree._Element, empty: bool = False) -> None:
        """Convert the content of ``src`` as inline content at the end of ``out``.

        ``empty``: the caller knows ``out`` has no children (yet), so text goes to ``out.text`` without
        looking for a last child (append_text's search raises and catches an IndexError then: ~1 us a text).
        """
        text = src.text
        append, append_own = self._append, self._append_own
        if text:  # append_text(out, None) does nothing: most texts and tails are None
            if empty:
                append_own(out, text)
            else:
                append(out, text)
        kind, inline = self.kind, self.inline
        for child in src:  # lxml's iterator has found the next child already: moving this one is safe
            tail = child.tail  # read first: an element moved as it is leaves its tail behind
            if kind(child) != DROP_KIND:
                inline(child, out, empty, movable=True)
                if empty:  # counts only what this child added, once: linear over the whole conversion
                    empty = len(out) == 0
            if tail:
                if empty:
                    append_own(out, tail)
                else:
                    append(out, tail)

    def inline(self, el: etree._Element, out: etree._Element, empty: bool = False, movable: bool = False) -> None:
        """Convert one element met inside inline content (block elements are flattened); ``empty`` as in
        :meth:`inline_children`; ``movable``: the caller has read ``el``'s tail, so that ``el`` may be moved
        into ``out`` as it is (see :meth:`_move_as_is`)."""
        tag = el.tag  # every caller has asked self.kind(el) already: it is not dropped
        if movable:
            if tag in INLINE_MAP or tag == "a":
                if self._move_as_is(el, out):
                    return
            elif (tag not in _NOT_UNWRAPPED and not (tag == "math" and el.get("display") == "block")
                  and self._move_as_is(el, out, unwrap=True)):
                return
        if tag == "a":
            self.link(el, out, empty)
            return
        if tag == "br":
            etree.SubElement(out, "br")
            return
        if tag == "img":
            self.image(el, out)
            return
        if tag == "picture":
            img = next((i for i in el.iter("img")), None)
            if img is not None:
                self.image(img, out, picture=el)
            return
        if tag == "wbr":
            return
        if tag == "q":
            self._append_text(out, "\u201c")
            self.inline_children(el, out)  # not empty: it holds the quotation mark
            self._append_text(out, "\u201d")
            return
        mapped = INLINE_MAP.get(tag)
        keys = el.keys()  # one call: most inline elements carry no attribute, or none read here
        if keys:
            lang = clean_lang(el.get("lang")) if "lang" in keys else None
            direction = clean_dir(el.get("dir")) if "dir" in keys else None
        else:
            lang = direction = None
        starts_block = tag in BLOCK_SOURCE and (tag != "math" or el.get("display") == "block")  # _starts_block
        if mapped is None and (lang or direction) and not starts_block:
            mapped = "span"
        if mapped is None:
            if keys and _names_anchor(el):
                self.keep_id(el, _block_of(out))
            separate = starts_block and tag not in ("td", "th")
            if separate:
                self._append_text(out, " ")
            self.inline_children(el, out, empty)
            if separate or tag in ("td", "th"):
                self._append_text(out, " ")
            return
        new = etree.SubElement(out, mapped)
        if keys:
            for key, value in self._inline_attributes(el, tag, keys):  # the same as an element moved as it is
                new.set(key, value)
        self.inline_children(el, new, empty=True)

    def link(self, el: etree._Element, out: etree._Element, empty: bool = False) -> None:
        attributes = self._inline_attributes(el, "a")
        if attributes is None:
            if el.get("href"):
                self.report.note("unlinked {n} unsafe or relative link{s}")
            if _names_anchor(el):
                self.keep_id(el, _block_of(out))
            self.inline_children(el, out, empty)
            return
        a = etree.SubElement(out, "a")
        for key, value in attributes:  # the same as a link moved as it is
            a.set(key, value)
        self.inline_children(el, a, empty=True)

    def image(self, el: etree._Element, out: etree._Element, picture: etree._Element | None = None) -> None:
        """An ``img``, from the real source of the image; one without a usable source gives way to its alt
        text and a tracking pixel goes, each reported (:func:`_image_attributes` is what a kept one carries)."""
        keys = el.keys()
        src = image_source(el, picture, keys)
        if src is None:
            self.report.note("dropped {n} image{s} without a usable source")
            self._append_text(out, el.get("alt"))
            return
        if _is_tracking_pixel(el, keys):
            self.report.note("dropped {n} tracking pixel{s}")
            return
        img = etree.SubElement(out, "img")
        for key, value in _kept_image_attributes(el, src, keys):
            _set(img, key, value)

    def pre_children(self, src: etree._Element, out: etree._Element, empty: bool = False) -> None:
        """Preformatted text: white space kept, ``br`` as a newline, only a few inline elements (``empty``
        as in :meth:`inline_children`)."""
        add = self._append_own if empty else self._append
        if src.text:
            add(out, src.text)
        for child in src:
            if self.kind(child) == DROP_KIND:
                pass
            elif child.tag == "br":
                add(out, "\n")
            else:
                mapped = INLINE_MAP.get(child.tag, child.tag)
                href = clean_href(child.get("href"), self.base_url) if child.tag == "a" else None
                if href:
                    target = etree.SubElement(out, "a", href=href)
                elif mapped in PRE_INLINE and mapped != "a" and mapped != "span":
                    target = etree.SubElement(out, mapped)
                else:
                    target = out
                self.pre_children(child, target, target is not out or empty)
                if empty:
                    empty = len(out) == 0
                    add = self._append_own if empty else self._append
            if child.tail:
                add(out, child.tail)


#: What marks a form as holding the page rather than being a form: article structure inside it.
_PAGE_STRUCTURE = ("article", "main", "h1", "h2", "h3", "p", "blockquote", "ul", "ol", "table", "figure")


def page_forms(root: etree._Element) -> set[etree._Element]:
    """The ``<form>`` elements that wrap the page rather than ask for input: their content is the article's.

    ASP.NET (WebForms) pages put the whole ``<body>`` inside one ``<form>``; dropping forms with their
    content lost the article. A form counts as a page wrapper when it holds article structure (an
    ``<article>``, ``<main>``, headings, paragraphs, lists, tables) and at least half of the words of
    ``root``: a newsletter box, a search field or a comment form beside an article stays dropped.
    """
    forms = [el for el in root.iter("form")]
    if not forms:
        return set()
    total = len(" ".join(root.itertext()).split())
    wrappers = set()
    for form in forms:
        if next(form.iter(*_PAGE_STRUCTURE), None) is None:
            continue
        if 2 * len(" ".join(form.itertext()).split()) >= total:
            wrappers.add(form)
    return wrappers


def _image_attributes(el: etree._Element) -> list[tuple[str, str]] | None:
    """The attributes :meth:`Converter.image` gives the ``img`` it makes of ``el`` (outside ``picture``), in its
    order; None when it makes none (no usable source, a tracking pixel)."""
    keys = el.keys()
    src = image_source(el, None, keys)
    if src is None or _is_tracking_pixel(el, keys):
        return None
    return _kept_image_attributes(el, src, keys)


def _is_tracking_pixel(el: etree._Element, keys: list[str]) -> bool:
    """An image of one pixel by one (``keys``: ``el.keys()``)."""
    return "width" in keys and "height" in keys and el.get("width") == "1" and el.get("height") == "1"


def _kept_image_attributes(el: etree._Element, src: str, keys: list[str]) -> list[tuple[str, str]]:
    """What the ``img`` made of ``el`` carries: its source, alt text, size and id, in this order (``keys``:
    ``el.keys()``: an attribute is read only when present)."""
    attributes = [("src", src)]
    if "alt" in keys:  # absent stays absent (no text alternative); blank is decorative
        attributes.append(("alt", " ".join(clean_text(el.get("alt")).split())))
    for side in ("width", "height"):
        size = image_size(el.get(side)) if side in keys else None
        if size:
            attributes.append((side, str(size)))
    if "id" in keys:
        ident = el.get("id")
        if ident:
            attributes.append(("id", ident))
    return attributes


def image_source(el: etree._Element, picture: etree._Element | None = None,
                 keys: list[str] | None = None) -> str | None:
    """The real URL of an image, looking past lazy-loading placeholders.

    The first usable of: a lazy-loading attribute (in the order of :data:`_LAZY_ATTRS`), ``src`` unless it
    is a placeholder, the widest of ``data-srcset`` or ``srcset``, the widest of each ``picture`` source,
    then ``src`` even if a placeholder. Each is looked at only when those before it gave nothing, and the
    placeholder test only when a ``srcset`` or ``picture`` could stand before the placeholder ``src``
    (tests/test_speed_convert.py holds the rule written out, candidates listed first).
    """
    if keys is None:
        keys = el.keys()  # one call: most images carry only src, alt and a size
    for name in _LAZY_ATTRS:
        if name in keys:
            cleaned = clean_src(el.get(name))
            if cleaned:
                return cleaned
    src = el.get("src") if "src" in keys else None
    cleaned_src = clean_src(src)
    has_srcset = "data-srcset" in keys or "srcset" in keys
    if cleaned_src and (not has_srcset and picture is None or not _PLACEHOLDER_SRC.search(src)):
        return cleaned_src
    if has_srcset:
        cleaned = clean_src(best_from_srcset(el.get("data-srcset")) or best_from_srcset(el.get("srcset")))
        if cleaned:
            return cleaned
    if picture is not None:
        for source in picture.iter("source"):
            cleaned = clean_src(best_from_srcset(source.get("srcset") or source.get("data-srcset")))
            if cleaned:
                return cleaned
    return cleaned_src


#: Blocks :meth:`Converter.blocks` may move as they are (their tag is the clean tree's)
_MOVABLE_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6"})
#: Elements inside a block that the converter changes otherwise than by renaming or unwrapping: blocks, what it
#: drops, images, word-break opportunities, quotations (it adds quotation marks). MathML is unwrapped, unless
#: displayed as a block (see Converter._move_as_is)
_CHANGED_INLINE = (BLOCK_SOURCE - {"math"}) | DROP | {"picture", "wbr", "q"}
#: Inline elements the converter does not unwrap: those it changes, images, line breaks
_NOT_UNWRAPPED = _CHANGED_INLINE | {"img", "br"}
#: What :meth:`Converter._move_as_is` does with a descendant of what it moves, by tag (anything else is unwrapped)
_REFUSE, _UNWRAP, _IMAGE, _LINK, _BREAK, _MAPPED, _RENAMED = "refuse", "unwrap", "image", "link", "break", "mapped", "renamed"
_DESCENDANT_ACTIONS = {  # the refusals last: a tag that is also mapped, should one ever be, is still refused
    "img": _IMAGE, "a": _LINK, "br": _BREAK,
    **{tag: _RENAMED if mapped != tag else _MAPPED for tag, mapped in INLINE_MAP.items()},
    **{tag: _REFUSE for tag in _CHANGED_INLINE},
}
#: Source tags the clean tree names otherwise (``b`` → ``strong``)
_RENAMED_TAGS = frozenset(tag for tag, mapped in INLINE_MAP.items() if mapped != tag)


#: The ASCII characters clean_text removes
_ASCII_CONTROLS = bytes(code for code in range(128) if has_controls(chr(code)))


def leaves_every_part_clean(text: str) -> bool:
    """Whether :func:`~exporter.normalise.text.clean_text` leaves every part of ``text`` as it is: True means it
    does (False, that it may not). No control character, and ASCII or passing Unicode's NFC quick check, which
    every part of a passing text passes too (each character is composed and in order): ``normalize`` gives the
    very same string back only then. Asked of a page's text, it answers for each text and tail on the page."""
    if text.isascii():  # bytes.translate: several times faster than the pattern's scan
        return len(text.encode("ascii").translate(None, _ASCII_CONTROLS)) == len(text)
    return not has_controls(text) and unicodedata.normalize("NFC", text) is text


def _has_only(el: etree._Element, keys: list[str], attributes: list[tuple[str, str]]) -> bool:
    """Whether ``el`` (of attribute names ``keys``) has exactly the one attribute of ``attributes`` (a link with only
    its address, clean already): writing them would change nothing (anything else is written)."""
    if len(attributes) != 1 or len(keys) != 1:
        return False
    name, value = attributes[0]
    return keys[0] == name and el.get(name) == value



#: What the characters clean_text removes above 127 are in UTF-8: C1 controls (U+0080-U+009F), lone surrogates
#: (which lxml never writes), and U+FEFF, U+FFFE, U+FFFF (found with ``in``: a search in C)
_C1_IN_UTF8, _SURROGATE_IN_UTF8 = re.compile(b"\xc2[\x80-\x9f]"), re.compile(b"\xed[\xa0-\xbf]")
_REMOVED_IN_UTF8 = (b"\xef\xbb\xbf", b"\xef\xbf\xbe", b"\xef\xbf\xbf")
#: The lead bytes, in valid UTF-8, of the characters from U+0300 on but U+2000-U+2FFF's (0xE2, looked at after
#: them): any other character (below U+0300: Latin, IPA, spacing marks) is one NFC keeps as it is and composes
#: with nothing before it, as are U+2002-U+207F (punctuation, super- and subscripts), and a text of such characters
#: alone passes the NFC quick check (tests/test_speed_convert.py asks every code point). The CJK and Greek ones
#: first: a page that holds one is most often one of those.
_LEADS_FROM_U0300 = bytes([0xE3, 0xCE, 0xCF, 0xCC, 0xCD, *range(0xD0, 0xE0), 0xE0, 0xE1, *range(0xE4, 0xF0),
                           *range(0xF0, 0xF5)])


def leaves_every_part_clean_utf8(data: bytes) -> bool:
    """:func:`leaves_every_part_clean` of ``data`` (valid UTF-8, as lxml serialises a page's text), asked of the
    bytes where it can be. Each byte value looked for is found with memchr (``in`` with an int, ~0.15 instructions a
    byte: the 29 ASCII controls cost a third of deleting them with ``bytes.translate``), and most pages' text is
    known to pass the NFC quick check without it (see :data:`_LEADS_FROM_U0300`): the check itself, with the
    decoding it needs, costs ~25 instructions a byte."""
    for byte in _ASCII_CONTROLS:  # ints: a bytes operand would raise and clear a TypeError first (~600 instructions)
        if byte in data:
            return False
    if data.isascii():
        return True
    if (0xC2 in data and _C1_IN_UTF8.search(data)) or (0xED in data and _SURROGATE_IN_UTF8.search(data)):
        return False
    if 0xEF in data and any(removed in data for removed in _REMOVED_IN_UTF8):  # a search for a 3-byte string
        return False  # costs thirty times the search for its first byte, which few pages hold
    if _below_u0300_or_punctuation(data):
        return True
    text = data.decode("utf-8")
    return unicodedata.normalize("NFC", text) is text


def _below_u0300_or_punctuation(data: bytes) -> bool:
    """Whether each character of ``data`` (valid UTF-8) is below U+0300 or one of U+2002-U+207F: True means that
    NFC leaves it, and so all of ``data``, as it is (False, that it may not). The U+2xxx characters are looked at one
    by one, while there are at most eight and one in 64 bytes (the corpus pages hold one in 115 to 20,000): past that the NFC
    quick check is the cheaper (False; natively it costs ~1.4 ns a byte, a look here ~150 ns)."""
    for lead in _LEADS_FROM_U0300:
        if lead in data:
            return False
    budget = 8 + (len(data) >> 6)
    at = data.find(0xE2)
    while at >= 0:
        second = data[at + 1]
        if second != 0x81 and (second != 0x80 or data[at + 2] < 0x82) or budget == 0:  # U+2000-U+2001, U+2080-...
            return False
        budget -= 1
        at = data.find(0xE2, at + 3)
    return True


def _last_cell(row: etree._Element) -> etree._Element:
    """The last cell of ``row``, made when it has none: where stray content in a row goes (found in constant
    time: ``len(row)`` counts the cells, and a row of thousands of cells each followed by stray content took
    time growing with the square of their number)."""
    cell = last_child(row)
    return etree.SubElement(row, "td") if cell is None else cell


def _starts_block(el: etree._Element) -> bool:
    """A source element that starts a block of its own (MathML only when displayed as one: inline
    maths is part of its sentence)."""
    return el.tag in BLOCK_SOURCE and not (el.tag == "math" and el.get("display") != "block")


def _names_anchor(el: etree._Element) -> str | None:
    """The id a link may point at: ``id``, or a link's ``name``."""
    return el.get("id") or (el.get("name") if el.tag == "a" else None)


def _block_of(el: etree._Element) -> etree._Element:
    """The nearest element that is not inline (where an unwrapped id can live)."""
    from ..tree import INLINES

    while el.tag in INLINES and el.getparent() is not None:
        el = el.getparent()
    return el


def image_size(value: str | None) -> int | None:
    """A width or height attribute in CSS pixels (``16``, ``16px``, ``16.5``), or None when it gives none."""
    if value is None:
        return None
    if 0 < len(value) <= 5 and value.isascii() and value.isdigit():  # "16": what the pattern's group would hold
        return int(value) or None
    match = _IMAGE_SIZE.fullmatch(value)
    return int(match.group(1)) or None if match else None
