"""Structure repair: undo what real article markup does wrong, without losing a word of the article.

Two kinds of pass, run in the order :data:`exporter.normalise.passes.PASSES`
gives. Source repairs run on the parsed page (``state.page``) before
conversion, where class names and wrappers still tell what a box is:
``<noscript>`` fallbacks of lazy images, share/newsletter/related boxes, image
wrappers with their captions and credits, layout tables. Tree repairs run on
the clean tree (``state.tree``): bold paragraphs that are
headings and headings that are paragraphs, lists typed with ``<br>`` and
bullets, "Read more" lines, photo credits after figures, duplicated pull
quotes and repeated blocks.
"""
from __future__ import annotations

import bisect
import functools
import re

import lxml.html
from lxml import etree

from ..document import Report
from ..read import crowded_element
from ..tree import HEADINGS, INLINES, text_of
from .state import State
from .surgery import (append_text, last_child, move_inline_content, remove_keep_tail, split_at, tidy_inline_run,
                      unwrap)
from .text import collapse_space, is_blank

_WORD = re.compile(r"[^\W_]+")
#: ASCII bytes with every byte but a letter or digit made a space: in ASCII text, the words of :data:`_WORD` are
#: the runs of letters and digits, which bytes.translate and split find several times faster than the regex
_ASCII_WORD_BYTES = bytes(c if chr(c).isascii() and chr(c).isalnum() else 32 for c in range(256))


def _word_list(text: str) -> list[str]:
    """``_WORD.findall(text)``."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_WORD_BYTES).decode("ascii").split()
    return _WORD.findall(text)

# --- source repairs ------------------------------------------------------------------------------

#: Class or id words of boxes that are not the article: sharing, newsletters, related links, promotions.
_BOX = re.compile(r"(?:^|[\s_-])(?:share|sharing|social|newsletter|related|read-?more|more-?stories|recommended|"
                  r"promo|subscribe|subscription|signup|sign-up|outbrain|taboola|most-?popular|trending|"
                  r"also-?read)(?:$|[\s_-])", re.IGNORECASE)
#: Class words of pull quotes: the article's own words repeated large.
_PULL = re.compile(r"pull-?quote|quote-?pull|pull-?out|highlighted-?quote", re.IGNORECASE)
#: A box with more words than this is article, whatever its class says.
BOX_MAX_WORDS = 80
_FIGURE_HINT = re.compile(r"caption|credit|copyright|photo|image|picture|figure|media|img", re.IGNORECASE)
_CAPTION_HINT = re.compile(r"caption|credit|copyright", re.IGNORECASE)
_BLOCKY = ("p", "ul", "ol", "table", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "dl")


def _words(el: etree._Element) -> int:
    return len(_word_list(text_of(el)))


def _more_words_than(text: str, limit: int) -> bool:
    """``len(_WORD.findall(text)) > limit``, counting no further than ``limit`` + 1 words."""
    if text.isascii():
        return len(text.encode("ascii").translate(_ASCII_WORD_BYTES).split(None, limit)) > limit
    return _over_words(limit).match(text) is not None


@functools.lru_cache(maxsize=None)
def _over_words(limit: int) -> re.Pattern[str]:
    """Matches, from its start, a text of more than ``limit`` words as :data:`_WORD` finds them."""
    return re.compile(r"[\W_]*(?:[^\W_]+[\W_]+){%d}[^\W_]" % limit)


def _classes(el: etree._Element) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}".strip()


def use_noscript_images(state: State) -> None:
    """A ``<noscript>`` image is what a reader without scripts sees: it replaces the lazy copies beside it.

    Lazy-loading pages show a blurred thumbnail or an empty ``<img>`` and keep the
    real image in ``<noscript>``; we run no scripts, so the fallback is the image.
    """
    root, report = state.page, state.report
    for noscript in list(root.iter("noscript")):
        if noscript.getparent() is None:
            continue
        images = list(noscript.iter("img"))
        if not images and noscript.text and "<img" in noscript.text:
            if crowded_element(noscript.text) is not None:  # the parser would take quadratic time on it
                continue
            try:
                fragment = lxml.html.fragment_fromstring(noscript.text, create_parent="div")
            except (etree.ParserError, ValueError):
                continue
            images = list(fragment.iter("img"))
            noscript.text = None
            for child in list(fragment):
                noscript.append(child)
        if len(images) != 1:
            continue
        group = _image_group(noscript)
        for lazy in [img for img in group.iter("img") if img is not images[0]]:
            remove_keep_tail(lazy)
        noscript.tag = "span"  # unwrapped by the converter, its image kept
        report.note("used {n} <noscript> image{s} in place of lazy-loading copies")


def _image_group(noscript: etree._Element, levels: int = 4) -> etree._Element:
    """The widest ancestor (up to ``levels`` up) holding nothing but images and this fallback."""
    group = noscript.getparent()
    for _ in range(levels):
        parent = group.getparent()
        if parent is None or parent.tag in ("body", "article", "main", "figure") or _words_outside_images(parent):
            break
        group = parent
    return group


def _words_outside_images(el: etree._Element) -> bool:
    """True when ``el`` holds text of its own, outside ``<noscript>`` and ``<figcaption>``."""
    skipped = {d for s in el.iter("figcaption", "noscript") for d in s.iter()}
    for node in el.iter():
        if isinstance(node.tag, str) and node not in skipped and not is_blank(node.text):
            return True
        if node is not el and node.getparent() not in skipped and not is_blank(node.tail):
            return True
    return False


#: The class values, then the id values, of every element below the page's root, each in document order, found in C
#: (as plain strings, and as strings that know their element). Two paths: the union ``@class | @id`` libxml2 merges in
#: time quadratic in its size (40,000 elements: 3.7 s), and a predicate on the name of every attribute costs three
#: times the two paths on the corpus pages. ``descendant::``, not :data:`~exporter.tree.ID_VALUES`'
#: ``descendant-or-self::``: the page's root itself is not a candidate box (as before these paths)
_CLASS_VALUES = etree.XPath("descendant::*/@class", smart_strings=False)
_ID_VALUES = etree.XPath("descendant::*/@id", smart_strings=False)
_CLASS_NODES = etree.XPath("descendant::*/@class")
_ID_NODES = etree.XPath("descendant::*/@id")


def _class_and_id_values(root: etree._Element) -> list[str]:
    """Every class value below ``root``, then every id value."""
    return _CLASS_VALUES(root) + _ID_VALUES(root)


#: Lower-case pieces of which every match of :data:`_BOX` or :data:`_PULL` holds one, once the letters that the
#: case-blind regexes take for an ASCII letter and ``lower`` does not make one are made that letter
#: (:data:`_ASCII_LOOKALIKES`; the Kelvin sign lowers to k)
_BOX_STEMS = ("shar", "social", "newsletter", "related", "readmore", "read-more", "stories", "recommended", "promo",
              "subscri", "signup", "sign-up", "outbrain", "taboola", "popular", "trending", "alsoread", "also-read",
              "pull", "highlighted")
_ASCII_LOOKALIKES = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})


def drop_boxes(state: State) -> None:
    """Share, newsletter, "related" and promotion boxes go, when their class says so and they are small;
    so do pull quotes repeating the article (:func:`_box_quote_repeated`: within :data:`PULL_QUOTE_SEARCH_BUDGET`;
    past it the pull quotes left stay, not read, with a note)."""
    root, report = state.page, state.report
    quotes: _QuoteSearch | None = None  # the page's paragraphs, taken at the first pull quote worth a search
    removed_before = False  # an element was removed before they were taken
    removed: dict[etree._Element, bool] = {}  # the elements removed, and what :func:`_inside_removed` found
    read = 0  # what reading the pull quotes cost before the paragraphs were taken (then charged to their search)
    for el in _hinted_elements(root):  # no other element's class words can be a box's
        if el.getparent() is None:
            continue  # (an element inside a box removed before still has its parent: looked at, as it always was)
        classes = _classes(el)
        box = _BOX.search(classes)
        if not box and not _PULL.search(classes):  # most elements: no words counted (a walk of each subtree)
            continue
        if el.tag in ("body", "article", "main", "html"):
            continue
        # An element inside one removed is looked at and noted as it always was, but not removed again: its subtree
        # is off the page already, and walking it again (for the paragraphs in it, and by lxml moving it) at each
        # level cost boxes nested 200 deep around 320,000 <p></p> (2.2 MB) 9.9 s (whole-diff s14)
        gone = bool(removed) and _inside_removed(el, removed)
        if box and gone:  # its text is a part of the removed one's, of no more words (BOX_MAX_WORDS): not read
            report.note("dropped {n} share, newsletter or related box{es}")
            continue
        if not box and (read if quotes is None else quotes.searched) > PULL_QUOTE_SEARCH_BUDGET:
            report.note("left {n} pull quote{s} unchecked for repeating the text (too many)")
            continue  # past the budget a pull quote is not read (see drop_repeated_pull_quotes)
        own = text_of(el)
        if not box:  # a pull quote's reading is charged, a step and its characters
            if quotes is None:
                read += len(own) + 1
            else:
                quotes.searched += len(own) + 1
        if _more_words_than(own, BOX_MAX_WORDS):
            continue
        if box:
            if quotes is None:
                remove_keep_tail(el)
                removed_before = True
            else:
                quotes.remove(el, keep_tail=True)
            removed[el] = True
            report.note("dropped {n} share, newsletter or related box{es}")
            continue
        folded, words = _folded_words(own)
        if len(words) < 4:
            continue
        if quotes is None:
            quotes = _QuoteSearch(root, ("p",), empty_adds_space=False, counts_decide=not removed_before, searched=read)
        repeated = _box_quote_repeated(quotes, el, words, folded, gone)
        if repeated is None:
            report.note("left {n} pull quote{s} unchecked for repeating the text (too many)")
        elif repeated:
            if not gone:
                quotes.remove(el, keep_tail=True)  # a pull quote goes only when the article says the same words
                removed[el] = True
            report.note("dropped {n} pull quote{s} repeating the text")
    while removed:  # let go last to first: what is inside a removed element before it (see _inside_removed)
        removed.popitem()


def _inside_removed(el: etree._Element, removed: dict[etree._Element, bool]) -> bool:
    """True when an ancestor of ``el`` was removed (``removed`` maps each element removed to True), found from its
    ancestors up to the first one ``removed`` knows, which learns the answer for each passed (an ancestor found
    not inside a removed element stays so: drop-boxes removes only elements after it in document order, never
    one holding it): each element is passed once in the pass, not once a hinted element below it.

    ``removed`` is to be let go last to first, the elements inside a removed one before it, while it is held:
    lxml walks a removed subtree from its start for each reference into it let go after its top's (see
    :class:`_QuoteSearch`), and let go first to first, a removed box of 1,000 runs of 1,000 empty <p> each
    before a share box in a <div> took 10 s."""
    passed = []
    node = el.getparent()
    while node is not None:
        known = removed.get(node)
        if known is not None:
            break
        passed.append(node)
        node = node.getparent()
    else:
        known = False  # the page's root
    for node in passed:
        removed[node] = known
    return known


def _hinted_elements(root: etree._Element) -> list[etree._Element]:
    """The elements below ``root`` whose class or id :data:`_BOX` or :data:`_PULL` finds words in, in document
    order (as the regexes searched in each element's class and id joined by a space: no word of theirs holds a
    space). The values are searched all at once for :data:`_BOX_STEMS`, and only those holding one by the regexes."""
    values = _class_and_id_values(root)
    if not values:
        return []
    folded = "\n".join(values)
    if not folded.isascii():  # (translate reads every character; ASCII holds none it changes)
        folded = folded.translate(_ASCII_LOOKALIKES)
    folded = folded.lower()  # as long as the values joined: only U+0130 lowers to two characters
    stems = [stem for stem in _BOX_STEMS if stem in folded]
    if not stems:
        return []  # the usual page: no box, no pull quote
    starts, offset = [], 0  # where each value starts in the folded text
    for value in values:
        starts.append(offset)
        offset += len(value) + 1
    hits = set()
    for stem in stems:
        at = folded.find(stem)
        while at >= 0:
            hits.add(bisect.bisect_right(starts, at) - 1)
            at = folded.find(stem, at + 1)
    found = sorted(index for index in hits if _BOX.search(values[index]) or _PULL.search(values[index]))
    if not found:
        return []  # a stem in other words ("promotion")
    nodes = _CLASS_NODES(root) + _ID_NODES(root)  # as the values
    hinted = {nodes[index].getparent() for index in found}
    return [el for el in root.iterdescendants() if el in hinted]  # in document order (a page with boxes only)


def _box_quote_repeated(quotes: _QuoteSearch, el: etree._Element, words: list[str], folded: str,
                        gone: bool) -> bool | None:
    """drop-boxes' test of a pull quote ``el`` (its text casefolded ``folded``, its words ``words``; ``gone``:
    inside an element removed, where no paragraph searched is): True when its words stand, in order, in the page's
    ``<p>`` not inside it (:class:`_QuoteSearch`); None past the budget (not looked at).

    A paragraph holding the quote, and the quote itself if it is a ``<p>``, are searched too, and their words hold
    the quote's: such a quote always goes. Odd, but that is what the test always did (the later pass
    drop-repeated-pull-quotes leaves a quote's holders out); kept so. Counting decides only for a quote that no
    paragraph searched holds. (A page of 5,000 paragraphs each followed by a pull quote repeating it, 518 KB, took
    24 s when each quote read and joined the text of every paragraph of the page, and asked each whether it was
    inside the quote.)"""
    if not quotes.looked_at():
        return None
    if el not in quotes.position and not quotes.holders(el) and quotes.said_only_inside(words, folded):
        return False  # the usual pull quote: a word of it stands nowhere else
    return quotes.stands_in(" ".join(words), [], range(0) if gone else quotes.inside(el, self_too=False))


#: What a paragraph's node costs the pull-quote budget when the paragraph is read again: counting, joining and reading
#: its text walk it three times, ~10-30 ns a node each, where a character searched costs ~1 ns
REREAD_NODE_CHARGE = 16


#: How many nodes :meth:`_QuoteSearch._last_in` passes in Python, back from an element's last, for its last paragraph
_LAST_STEPS = 1_000
#: The last paragraph (of :class:`_QuoteSearch`'s tags) in an element, in document order, found in C
_LAST_PARAGRAPH = {("p",): etree.XPath("(descendant::p)[last()]"),
                   ("p", "li"): etree.XPath("(descendant::*[self::p or self::li])[last()]")}


class _QuoteSearch:
    """The words of a page's paragraphs (those of ``tags``), searched for a pull quote's words by both pull-quote
    passes (drop-boxes on the page, drop-repeated-pull-quotes on the clean tree), within
    :data:`PULL_QUOTE_SEARCH_BUDGET`; and the removals that change them.

    The words a quote is searched for in are those of every paragraph still on the page, each as it is then
    (:func:`_normal`), joined by spaces, but those at the positions the pass leaves out for that quote (a word of
    theirs may end the quote's first word and start its last). Each paragraph's words are found once (at the
    first quote searched for) and read again when an element inside it is removed; the paragraphs inside a removed
    element say no words from then on. Each paragraph's words are kept with the space that follows them, so that
    the search joins the list in C with nothing to skip (the paragraphs removed are blank, ""; not positions cut
    around at every search, which cost a Python step per paragraph removed, for each quote), and a paragraph of
    no words is a space (``empty_adds_space``, drop-repeated-pull-quotes: it parts the words either side of it) or
    nothing (drop-boxes: as :func:`_normal` of the texts joined by spaces found them). The joined words end with
    a space the old join did not have: a quote's words, which neither open nor end with one, stand in them
    exactly when they stood in the old join.

    Most quotes are decided by counting one of their words in the page's text (:meth:`said_only_inside`), taken
    when the paragraphs were: only while that text holds every paragraph's as it is (``counts_decide``: no
    element removed before it was taken, and none since from inside a paragraph still there).

    The references to the paragraphs inside a removed element are let go at once, while the pass still holds the
    element: lxml frees a removed subtree when the last reference into it goes, and each reference let go after
    the subtree's own walks the subtree from its start, past every node let go before it, to find out whether
    another is left (a pull quote holding 40,000 ``<p>.</p>``, dropped, took 8.4 s to let go at the pass's end;
    100,000, 55 s).

    What it does is charged to ``searched``, in characters and a step a paragraph, and past
    :data:`PULL_QUOTE_SEARCH_BUDGET` the quotes left are not looked at, nor read: each quote's text read, a step
    and its characters (by the pass, before it reads it); each quote looked at a count of the page's
    text (:meth:`looked_at`); reading the words, once, a step and the characters of each paragraph's text (nested
    items each read their nested items' again), stopped at the budget; each search a step a paragraph (the list is
    cut and joined whole, blank or not) and the characters of the words joined (not the page's text: a paragraph
    nested in another is in both); each removal the paragraphs holding the element read again (:meth:`remove`).
    Charged the page's text only, 1,600,000 empty items (``<li><br/></li>``, 21 MB) before 3,000 quotes took
    14.8 s here (510 searches, each joining the 1.6 M), items nested 250 deep around 400 KB of text 13.4 s (each
    search joined the text 250 times): now 2.8 s and 0.9 s."""

    def __init__(self, root: etree._Element, tags: tuple[str, ...], empty_adds_space: bool,
                 counts_decide: bool = True, searched: int = 0) -> None:
        self.tags = tags
        self.paragraphs: list[etree._Element | None] = list(root.iter(*tags))  # None: inside an element removed
        self.position = {p: n for n, p in enumerate(self.paragraphs)}  # the paragraphs still on the page
        self.empty = " " if empty_adds_space else ""  # what a paragraph of no words adds to the words joined
        self.words: list[str] | None = None  # each paragraph's words and a space (or "": see above), read once
        self.chars = 0  # the characters of the words joined
        self.article = text_of(root).casefold()  # the page's text as it is now
        self.counts_decide = counts_decide  # until an element removed changes a paragraph's words
        self.searched = searched  # what has been searched or read so far (characters, and a step a paragraph or
        # quote: the quotes' texts read before the paragraphs were taken are ``searched`` to start with)

    def looked_at(self) -> bool:
        """Charge a quote's look at the page's text: False once the budget is spent (the quote is not looked at)."""
        self.searched += len(self.article)
        return self.searched <= PULL_QUOTE_SEARCH_BUDGET

    def said_only_inside(self, words: list[str], folded: str) -> bool:
        """True when counting decides that the words ``words`` of a quote of text ``folded`` (casefolded) stand in
        no paragraph but those holding the quote (:func:`_said_only_inside`), while counting can decide."""
        return self.counts_decide and _said_only_inside(words, folded, self.article)

    def inside(self, el: etree._Element, self_too: bool = True) -> range:
        """The positions of the paragraphs in ``el`` (and ``el`` itself, with ``self_too``), ``el`` on the page: one
        range, from the first one's to the last one's, those between blank (removed) or in ``el`` too.

        Paragraphs are in document order, where an element's descendants stand together, and the pass only removes
        elements: a paragraph still on the page between two in ``el`` was in it when they were taken, and still is.
        So the first and the last are found, not every one: a position each in Python, for each search, cost pull
        quotes nested 200 deep around 480,000 <p></p> (3.3 MB) 28 s within the budget (review-s15). The last is
        found by :meth:`_last_in`."""
        position = self.position
        first = position.get(el) if self_too else None
        if first is None:
            first = next((position[p] for p in el.iterdescendants(*self.tags) if p in position), None)
            if first is None:
                return range(0)
        last = self._last_in(el)
        return range(first, position[last] + 1 if last is not None and last in position else first + 1)

    def _last_in(self, el: etree._Element) -> etree._Element | None:
        """The last paragraph in ``el`` (not ``el``), looked for from ``el``'s last node back, a step each node
        passed, charged; past :data:`_LAST_STEPS` found by :data:`_LAST_PARAGRAPH` in C and charged ``el``'s nodes
        (:data:`REREAD_NODE_CHARGE` each, counted in C): that walk takes ~40 ms for 320,000 <p></p>, a paragraph's
        step in a search ~1-5 ns, and nested 200 deep they took 7.4 s."""
        tags, steps, node = self.tags, 0, el
        child = last_child(el)
        while child is not None and steps <= _LAST_STEPS:  # down the last children, to ``el``'s last node
            node, child, steps = child, last_child(child), steps + 1
        while node is not el and steps <= _LAST_STEPS:
            if node.tag in tags:
                self.searched += steps
                return node
            steps += 1
            previous = node.getprevious()
            if previous is None:
                node = node.getparent()
                continue
            node = previous
            child = last_child(node)
            while child is not None and steps <= _LAST_STEPS:
                node, child, steps = child, last_child(child), steps + 1
        self.searched += steps
        if node is el:
            return None
        self.searched += REREAD_NODE_CHARGE * int(el.xpath("count(descendant::node())"))
        last = _LAST_PARAGRAPH[tags](el)
        return last[0] if last else None

    def holders(self, el: etree._Element) -> list[int]:
        """The positions of the paragraphs still on the page holding ``el``, innermost first."""
        position = self.position
        return [position[p] for p in el.iterancestors(*self.tags) if p in position]

    def stands_in(self, text: str, left_out: list[int], inside: range = range(0)) -> bool | None:
        """True when ``text`` stands in the words of the paragraphs but those at the positions ``left_out`` (a few:
        its holders') and ``inside`` (:meth:`inside` the quote), joined by spaces: the list cut around them with
        slices and joined in C, not a test of every paragraph. None when reading the words (at the first search)
        passes the budget."""
        words = self.words
        if words is None:
            words = self._read()
            if words is None:
                return None
        self.searched += len(words) + self.chars  # a step a paragraph (slices, join) and the characters joined
        cuts = sorted({(n, n + 1) for n in left_out})
        if inside:
            cuts.append((inside.start, inside.stop))  # (after the holders: they stand before what they hold)
            cuts.sort()
        kept: list[str] = []
        start = 0
        for cut, stop in cuts:
            kept += words[start:cut]
            start = max(start, stop)
        kept += words[start:]
        return text in "".join(kept)

    def _read(self) -> list[str] | None:
        """Each paragraph's words, with the space after them (:meth:`_words_of`), charged a step and the characters
        of its text each as read; None, and nothing kept, once that passes the budget."""
        searched, budget = self.searched, PULL_QUOTE_SEARCH_BUDGET
        words: list[str] = []
        for p in self.paragraphs:
            if p is None:
                words.append("")  # (removed before the words were read)
                continue
            entry, read = self._words_of(p)
            searched += read
            if searched > budget:
                self.searched = searched
                return None
            words.append(entry)
        self.searched = searched
        self.words = words
        self.chars = sum(map(len, words))
        return words

    def _words_of(self, p: etree._Element) -> tuple[str, int]:
        """The words of ``p`` (:func:`_normal`) and a space, a paragraph of no words :attr:`empty`; and what reading
        them cost (a step and the characters of its text: an item's holds its nested items', read again for each)."""
        own = text_of(p)
        normal = _normal(own)
        return (f"{normal} " if normal else self.empty), len(own) + 1

    def remove(self, el: etree._Element, keep_tail: bool) -> None:
        """Remove ``el`` (:func:`remove_keep_tail`, or with its tail): the paragraphs in it go with it, and those
        holding it say less (read again, charged; no more past the budget, when no quote is searched any more)."""
        paragraphs, position, words = self.paragraphs, self.position, self.words
        inside = self.inside(el)
        holders = self.holders(el)
        if keep_tail:
            remove_keep_tail(el)
        else:
            el.getparent().remove(el)
        for n in inside:  # let go while ``el`` is held (see above)
            if paragraphs[n] is None:
                continue  # (removed before)
            del position[paragraphs[n]]
            paragraphs[n] = None
            if words is not None:
                self.chars -= len(words[n])
                words[n] = ""
        if holders:
            self.counts_decide = False
            if words is not None and self.searched <= PULL_QUOTE_SEARCH_BUDGET:
                for n in holders:  # (read again: charged, as they may hold all the page)
                    holder = paragraphs[n]
                    self.chars -= len(words[n])
                    words[n], read = self._words_of(holder)
                    self.chars += len(words[n])
                    # and its nodes (:data:`REREAD_NODE_CHARGE` each), counted in C: reading it walks every one of
                    # them, and a paragraph of many empty elements holding the quotes is read again at each removal
                    # for almost no characters (whole-diff s14: a <p> of 1.6 M empty <span> before 800 pull quotes,
                    # 20 MB, took drop-boxes 75 s)
                    nodes = int(holder.xpath("count(descendant::node())"))
                    self.searched += read + REREAD_NODE_CHARGE * nodes


def _normal(text: str) -> str:
    return " ".join(_word_list(text.casefold()))


def wrap_figures(state: State) -> None:
    """An image wrapped in links and spans, with its caption and credit beside it, becomes one figure.

    A wrapper qualifies when it holds exactly one image, a few words, no
    paragraphs or other blocks, and says it is a picture (its class) or holds
    very few words.

    Each image's wrappers are read once, from the image up (:func:`_one_image_chains`): a wrapper holds what the
    element below it holds and its other children (no image among them), so each element of the chain and beside
    it is looked at once, not again by every wrapper above it, each walking its ancestors, descendants and text
    (depth x size a chain: 500 images each alone in 200 nested <div> took 2.96 s). A block below, more than 60
    words or words before the image rule out a wrapper and every one above it: the walk up stops there. Of the
    wrappers below, the outermost that qualifies becomes the figure, as when they were tried from the top down
    (those inside a figure are not tried)."""
    root, report = state.page, state.report
    # what holds no image is no picture: found from the images up, not by a walk of every wrapper's subtree
    # (making a figure moves its image inside the same wrapper, so no element gains one; what one image's chain
    # holds, another's does not: a figure made changes no other chain)
    images = list(root.iter("img"))
    in_figure: dict[etree._Element, bool] = {}  # for the elements above the chains, each looked up once
    tailed: dict[etree._Element, int] = {}  # for a wrapper's parent: how many of its children have words after
    for img, chain in _one_image_chains(root, images, _images_held(images)):
        if any(el.tag == "figure" for el in chain) or _in_figure(chain[-1].getparent(), in_figure):
            continue  # each wrapper is in a figure or holds one
        for wrapper, words, hinted in reversed(_wrappers_below_blocks(img, chain)):
            if words == 0 or (not hinted and words > 25):
                continue
            parent = wrapper.getparent()
            if parent is None:
                continue
            if wrapper.tag in ("span", "a"):
                if parent not in tailed:
                    tailed[parent] = sum(1 for s in parent if not is_blank(s.tail))
                if not is_blank(parent.text) or not is_blank(wrapper.tail) or tailed[parent]:
                    continue  # an inline image in running text stays where it is
            _make_figure(wrapper, img)
            report.note("made {n} figure{s} of images with the captions beside them")
            break  # (the wrappers inside it are inside a figure)


def _images_held(images: list[etree._Element]) -> dict[etree._Element, int]:
    """How many of ``images`` each of their ancestors holds: 1, or 2 for more."""
    images_held: dict[etree._Element, int] = {}
    for img in images:
        for ancestor in img.iterancestors():
            held = images_held.get(ancestor, 0)
            if held == 2:
                break  # and so do all of its ancestors, counted with it
            images_held[ancestor] = held + 1
    return images_held


#: The elements :func:`wrap_figures` makes figures of
_WRAPPERS = frozenset({"div", "span", "a", "p"})


def _one_image_chains(root: etree._Element, images: list[etree._Element], images_held: dict[etree._Element, int]
                      ) -> list[tuple[etree._Element, list[etree._Element]]]:
    """Each of ``images`` (all of root's, in document order) with the ancestors in ``root`` (itself included)
    holding it and no other image, from the image up to the outermost element of :data:`_WRAPPERS`, when it has
    one. Their wrappers, each chain from the top down, are ``[el for el in root.iter(*_WRAPPERS) if
    images_held.get(el) == 1]``: each lies above one image only, so the wrappers of an earlier image hold nothing
    of a later one's."""
    chains = []
    for img in images:
        if img is root:
            continue  # its ancestors are outside root
        chain = []
        wrapped = 0  # the length of the chain up to its outermost wrapper
        for ancestor in img.iterancestors():
            if images_held[ancestor] == 2:
                break  # and so do all of its ancestors
            chain.append(ancestor)
            if ancestor.tag in _WRAPPERS:
                wrapped = len(chain)
            if ancestor is root:
                break
        if wrapped:
            chains.append((img, chain[:wrapped]))
    return chains


def _in_figure(el: etree._Element | None, known: dict[etree._Element, bool]) -> bool:
    """True when ``el`` is a figure or inside one; ``known`` learns it for each element passed, so that a walk
    up stops at the first element another walk passed (each element is passed once)."""
    passed = []
    inside = False
    while el is not None:
        if el in known:
            inside = known[el]
            break
        passed.append(el)
        if el.tag == "figure":
            inside = True
            break
        el = el.getparent()
    for el in passed:
        known[el] = inside
    return inside


def _wrappers_below_blocks(img: etree._Element, chain: list[etree._Element]) -> list[tuple[etree._Element, int, bool]]:
    """The wrappers of ``chain`` (the elements holding ``img`` and no other image, from it up) below the first
    element holding a block other than a caption paragraph or a figure, more than 60 words or words before
    ``img`` (all of which only grow upwards), each with the words it holds and whether it or an element in it
    (not an image) says it is a picture: from ``img`` up.

    What each holds is what the element below holds and the rest of its children, so each child beside the chain
    is walked once: words are counted in each piece of text (:func:`_counted`) and added up (:func:`_joined`),
    as in ``len(_word_list(text_of(wrapper)))``; the text before ``img`` is the text and tails before it, also
    of comments (as ``wrapper.iter()`` reads it, up to ``img``)."""
    found = []
    descendants = list(img.iterdescendants())  # (none in HTML)
    if any(_is_block(d) for d in descendants):
        return found
    hinted = any(_hints_figure(d) for d in descendants)
    words = _counted(text_of(img))
    below = img
    for el in chain:
        if not is_blank(el.text):
            return found  # words before the image
        words_here = _counted(el.text)
        hinted = hinted or _hints_figure(below)
        if _is_block(below):
            return found
        before = True  # still before ``below``
        for child in el:
            if child is below:
                before = False
                words_here = _joined(words_here, words)
            else:
                for d in child.iter():
                    if _is_block(d) or before and (not is_blank(d.text) or not is_blank(d.tail)):
                        return found
                    hinted = hinted or _hints_figure(d)
                if isinstance(child.tag, str):  # (a comment's text is not the element's)
                    words_here = _joined(words_here, _counted(text_of(child)))
            words_here = _joined(words_here, _counted(child.tail))
        words = words_here
        count = 0 if words is None else words[0]
        if count > 60:
            return found
        if el.tag in _WRAPPERS:
            found.append((el, count, hinted or _hints_figure(el)))
        below = el
    return found


def _is_block(el: etree._Element) -> bool:
    """A block other than a caption paragraph, or a figure: a wrapper holding one is a section, not a picture."""
    return (el.tag in _BLOCKY and not _CAPTION_HINT.search(_classes(el))) or el.tag == "figure"


def _hints_figure(el: etree._Element) -> bool:
    """An element (not an image) whose class or id says it is a picture, its caption or credit."""
    return el.tag != "img" and _FIGURE_HINT.search(_classes(el)) is not None


#: A piece of text's words (:data:`_WORD`), and whether it starts and ends within one; None for no text
_Counted = tuple[int, bool, bool] | None


def _counted(text: str | None) -> _Counted:
    """The words of ``text`` (:func:`_word_list`), and whether its first and its last character are a word's."""
    if not text:
        return None
    return len(_word_list(text)), _WORD.match(text[0]) is not None, _WORD.match(text[-1]) is not None


def _joined(first: _Counted, then: _Counted) -> _Counted:
    """The words of two texts joined: one fewer when a word runs on across the join."""
    if first is None:
        return then
    if then is None:
        return first
    return first[0] + then[0] - (first[2] and then[1]), first[1], then[2]


def _make_figure(wrapper: etree._Element, img: etree._Element) -> None:
    """Rewrite ``wrapper`` in place as ``<figure><img/><figcaption>…the rest…</figcaption></figure>``."""
    remove_keep_tail(img)
    img.tail = None
    caption = etree.Element("figcaption")
    caption.text, wrapper.text = wrapper.text, None
    for child in list(wrapper):
        caption.append(child)
    wrapper.tag = "figure"
    for key in list(wrapper.attrib):
        if key not in ("id", "lang", "dir"):
            del wrapper.attrib[key]
    wrapper.append(img)
    wrapper.append(caption)


def unwrap_layout_tables(state: State) -> None:
    """Tables used for layout become plain containers, so their cells read as blocks; data tables stay."""
    root, report = state.page, state.report
    for table in list(root.iter("table")):
        if table.getparent() is None or not is_layout_table(table):
            continue
        own = [el for el in table.iter("tbody", "thead", "tfoot", "tr", "td", "th", "caption")
               if next(el.iterancestors("table"), None) is table]
        for el in [table, *own]:
            el.tag = "div"
        report.note("unwrapped {n} layout table{s}")


def is_layout_table(table: etree._Element) -> bool:
    """Layout, not data: says so (``role=presentation``), or has one column, or cells holding paragraphs."""
    if (table.get("role") or "").lower() in ("presentation", "none"):
        return True
    own_rows = [r for r in table.iter("tr") if next(r.iterancestors("table")) is table]
    if not own_rows:
        return False
    if next(table.iterdescendants("th"), None) is not None or next(table.iterchildren("caption", "thead"), None) \
            is not None:
        return False
    cells = [c for r in own_rows for c in r if c.tag in ("td", "th")]
    if all(sum(1 for c in r if c.tag in ("td", "th")) <= 1 for r in own_rows):
        return True
    return any(_more_words_than(text_of(c), 60) or next(c.iterdescendants("table"), None) is not None for c in cells)


# --- tree repairs --------------------------------------------------------------------------------

HEADING_MAX_WORDS = 12
_BYLINE = re.compile(r"\s*(?:by|von|par|por|di|door|av|af|updated|published)\b", re.IGNORECASE)
PARAGRAPH_MIN_WORDS = 30
_SENTENCE_END = re.compile(r"[.,;:!…\"'\u201d\u2019)]\s*$")


def bold_paragraph_headings(state: State) -> None:
    """A short line, all bold, alone between paragraphs, is a heading: one level below the heading before it."""
    root, report = state.tree, state.report
    level = 1
    for el in list(root):
        if el.tag in HEADINGS:
            level = int(el.tag[1])
            continue
        if el.tag != "p" or not _is_bold_line(el):
            continue
        nxt = el.getnext()
        if nxt is None or nxt.tag not in ("p", "ul", "ol", "figure", "blockquote", "table", "pre") or (
                nxt.tag == "p" and _is_bold_line(nxt)):
            continue
        if el.getprevious() is None or _BYLINE.match(text_of(el)):
            continue  # an opening bold line is a byline, a dateline or a kicker, not a section
        el.tag = f"h{min(level + 1, 6)}"
        unwrap(el[0])
        report.note("made headings of {n} bold line{s}")


def _is_bold_line(p: etree._Element) -> bool:
    if len(p) != 1 or p[0].tag != "strong" or not is_blank(p.text) or not is_blank(p[0].tail):
        return False
    if next(p[0].iterdescendants("br"), None) is not None or p.get("id") is not None:
        return False
    text = collapse_space(text_of(p)).strip()
    return 0 < len(_WORD.findall(text)) <= HEADING_MAX_WORDS and not _SENTENCE_END.search(text)


def paragraph_headings(state: State) -> None:
    """A "heading" that runs to sentences is a bold paragraph."""
    root, report = state.tree, state.report
    for el in list(root.iter(*HEADINGS)):
        text = collapse_space(text_of(el)).strip()
        if _more_words_than(text, PARAGRAPH_MIN_WORDS - 1) and re.search(r"[.!?…]\W*$", text):
            strong = etree.Element("strong")
            strong.text, el.text = el.text, None
            for child in list(el):
                strong.append(child)
            el.append(strong)
            el.tag = "p"
            report.note("made paragraphs of {n} sentence-length heading{s}")


#: Bullets; hyphens and asterisks count only on lines split by ``<br>`` (a paragraph starting with a dash
#: is dialogue in many languages).
_BULLET = re.compile(r"^\s*([\u2022\u00b7\u25aa\u25cf\u2023\u25e6\u2043\u2219*-])\s+")
#: The characters a strict list takes for a bullet
_BULLETS = frozenset("\u2022\u00b7\u25aa\u25cf\u2023\u25e6\u2043\u2219")
_STRICT_BULLET = re.compile(r"^\s*([%s])\s*" % "".join(sorted(_BULLETS)))
_NUMBER = re.compile(r"^\s*(\d{1,3})[.)]\s+")


def _line_marker(text: str, strict: bool = False) -> tuple[str, int | None] | None:
    """("ul", None) for a bulleted line, ("ol", n) for a numbered one, else None."""
    match = (_STRICT_BULLET if strict else _BULLET).match(text)
    if match:
        return ("ul", None)
    match = _NUMBER.match(text)
    if match:
        return ("ol", int(match.group(1)))
    return None


def _lines_of(p: etree._Element) -> list[etree._Element]:
    """``p`` cut at every ``<br>`` into one paragraph per line (``p`` itself stays the first).

    Cut from the last line break to the first: each cut then moves only its own line (cutting from the first
    moved all the lines after it again at every break, time growing with the square of the lines). The parts
    are those of cutting from the first: an element open across a break is closed on the left and re-opened on
    the right either way. A break inside a break goes with it, as :func:`split_at` removes its marker whole."""
    breaks = list(p.iter("br"))
    inside = {br for outer in breaks if len(outer) for br in outer.iterdescendants("br")}
    rights = [split_at(p, br) for br in reversed(breaks) if br not in inside]
    return [p, *reversed(rights)]


def _line_texts(p: etree._Element) -> list[str]:
    """``[text_of(line) for line in _lines_of(copy.deepcopy(p))]``, read without copying or cutting: the text of
    ``p`` cut at each ``<br>`` (whose own content goes with it)."""
    lines: list[str] = []
    current: list[str] = []
    walk = etree.iterwalk(p, events=("start", "end", "comment", "pi"))
    for event, el in walk:
        if event == "start":
            if el.tag == "br" and el is not p:
                lines.append("".join(current))
                current = []
                walk.skip_subtree()  # its "end" still comes, with the tail that opens the next line
            elif el.text:
                current.append(el.text)
        elif el is not p and el.tail:  # the end of an element, or a comment or processing instruction
            current.append(el.tail)
    lines.append("".join(current))
    return lines


def _strip_marker(el: etree._Element, strict: bool) -> None:
    """Remove the bullet or number at the start of ``el``'s text (wherever the first text is)."""
    bullet = _STRICT_BULLET if strict else _BULLET
    for node in el.iter():
        if node.text and node.text.strip():
            node.text = (bullet if bullet.match(node.text) else _NUMBER).sub("", node.text, count=1) or None
            return


def typed_lists(state: State) -> None:
    """Lines typed with bullets or numbers, split by ``<br>`` or as paragraphs of their own, become lists."""
    root, report = state.tree, state.report
    # the paragraphs holding a line break, in document order (no paragraph holds another)
    for p in list(dict.fromkeys(br.getparent() for br in root.iter("br"))):
        if p.tag != "p" or p.getparent() is None:
            continue
        marked = [_line_marker(collapse_space(line)) for line in _line_texts(p)]
        if sum(1 for m in marked if m) < 2 or not all(marked[1:]) or len({m[0] for m in marked if m}) > 1:
            continue
        parts = _lines_of(p)
        for part in parts[1:][::-1]:
            p.addnext(part)
        _make_list(parts[1:] if not marked[0] else parts, marked[-1][0], strict=False)
        for part in parts:
            tidy_inline_run(part)
        report.note("made {n} list{s} of lines typed with bullets or numbers")
    # only a parent of two paragraphs that may open with a marker can have a run of them; each parent's runs
    # change only its own children, so the others are left out
    may_open_lists: dict[etree._Element, list[etree._Element]] = {}
    for p in root.iter("p"):
        text = p.text
        if text:
            first = text.lstrip()[:1]
            if first and first not in _BULLETS and not first.isdecimal():
                continue  # neither _STRICT_BULLET nor _NUMBER matches: \s is what lstrip strips, \d isdecimal
        may_open_lists.setdefault(p.getparent(), []).append(p)
    for parent, may_open in may_open_lists.items():
        if len(may_open) >= 2 and parent is not None and parent.tag in _LIST_PARENTS:
            _group_marked_paragraphs(parent, report, set(may_open))


#: The elements whose paragraphs :func:`typed_lists` groups into lists
_LIST_PARENTS = frozenset({"article", "blockquote", "li", "td", "th", "aside"})


def _group_marked_paragraphs(parent: etree._Element, report: Report,
                             may_open: set[etree._Element] | None = None) -> None:
    """Consecutive paragraphs starting with a bullet, or numbered 1, 2, 3…, become one list.

    Only the paragraphs of ``may_open`` (None: every one) are read: typed-lists passes those whose own text opens
    with a bullet or a digit, or has no letter to tell; no list made of another parent's paragraphs changes the
    opening of one it leaves out (stripping a marker from a text opening with one leaves it opening with another
    or with none)."""
    run: list[etree._Element] = []
    previous: tuple[str, int | None] | None = None
    for el in [*parent, None]:
        marker = _line_marker(_start_of_text(el), strict=True) if el is not None and el.tag == "p" and (
            may_open is None or el in may_open) else None
        follows = marker and previous and marker[0] == previous[0] and (
            marker[0] == "ul" or marker[1] == (previous[1] or 0) + 1)
        if marker and (not run or follows):
            run.append(el)
            previous = marker
            continue
        if len(run) >= 2:
            _make_list(run, previous[0] if previous else "ul", strict=True)
            report.note("made {n} list{s} of paragraphs typed with bullets or numbers")
        run, previous = ([el], marker) if marker else ([], None)


def _start_of_text(el: etree._Element) -> str:
    """As much of ``el``'s text as :func:`_line_marker` reads: white space, then up to 3 digits, a stop and a
    space (5 characters); the element's own text when it holds that many, else all its text."""
    text = el.text
    return text if text and len(text.lstrip()) >= 5 else text_of(el)


def _make_list(paragraphs: list[etree._Element], kind: str, strict: bool) -> etree._Element:
    """Turn ``paragraphs`` (siblings, in order) into the items of one new list, their markers removed."""
    first_marker = _line_marker(text_of(paragraphs[0]), strict)
    lst = etree.Element(kind)
    if kind == "ol" and first_marker and first_marker[1] not in (None, 1):
        lst.set("start", str(first_marker[1]))
    paragraphs[0].addprevious(lst)
    for p in paragraphs:
        _strip_marker(p, strict)
        p.tag = "li"
        for key in list(p.attrib):
            if key not in ("id", "lang", "dir"):
                del p.attrib[key]
        lst.append(p)
    return lst


_LINK_BOX = re.compile(r"^\s*(?:read more|read next|related|related articles?|more on this story|also read|"
                       r"see also|recommended|you may also like|more from)\b\s*[:\-\u2013\u2014|]?", re.IGNORECASE)
_CALL = re.compile(r"^\s*(?:sign up (?:to|for) (?:our|the)\b.*newsletter|subscribe to (?:our|the)\b.*newsletter|"
                   r"share (?:this|on) (?:article|story|page|facebook|twitter|x|email)|follow us on)\b", re.IGNORECASE)


#: The letters a line :data:`_LINK_BOX` or :data:`_CALL` matches can open with (read, more, also, see, sign,
#: subscribe, share, you, follow; the long s is an s to a case-blind regex). ``\s`` is what str.strip() strips.
_LINK_LINE_OPENINGS = frozenset("rRmMaAsS\u017fyYfF")


def drop_link_lines(state: State) -> None:
    """A "Read more:" or "Related:" line made of links, or a newsletter/share call, is not the article."""
    root, report = state.tree, state.report
    for p in list(root.iter("p")):
        own = p.text
        if own and not own.isspace() and own.lstrip()[:1] not in _LINK_LINE_OPENINGS:
            continue  # most paragraphs: neither regex can match, decided by the first letter of their own text
        text = text_of(p)
        if text.lstrip()[:1] not in _LINK_LINE_OPENINGS:
            continue  # (the first letter of the whole text: the same when the own text has one)
        text = collapse_space(text).strip()
        prefix = _LINK_BOX.match(text)
        if not prefix and not _CALL.match(text):
            continue  # most paragraphs: no words counted
        words = len(_WORD.findall(text))
        if not text or words > 30:
            continue
        linked = sum(len(text_of(a)) for a in p.iter("a"))
        if prefix and linked >= 0.5 * len(text[prefix.end():].strip()) and linked > 0:
            p.getparent().remove(p)
            report.note("dropped {n} “read more” or “related” line{s}")
        elif _CALL.match(text) and words <= 20:
            p.getparent().remove(p)
            report.note("dropped {n} newsletter or share line{s}")


def drop_repeated_pull_quotes(state: State) -> None:
    """A quotation block repeating words the article already says (a pull quote) goes.

    The words elsewhere are those of every paragraph and item outside the quote, not holding it, and not in a
    quote already dropped, each paragraph's as they are then, joined by spaces: a quote repeats them when its
    words (:func:`_normal`) stand in them, the first word ending one of theirs and the last starting one
    (:class:`_QuoteSearch`, which drop-boxes' pull-quote test shares).

    Within :data:`PULL_QUOTE_SEARCH_BUDGET`, each quote's reading charged too: past it the quotes left stay, not
    read, with a note (a page of thousands of quotes took minutes; items nested 400 deep, each holding a quote,
    12 s reading their holders again)."""
    root, report = state.tree, state.report
    blocks = list(root.iter("blockquote"))
    if not blocks:
        return
    quotes: _QuoteSearch | None = None  # the paragraphs and items, taken at the first quote worth a look
    read = 0  # what reading the quotes cost before the paragraphs were taken (then charged to their search)
    for quote in blocks:
        if quote.getparent() is None:
            continue  # dropped
        if (read if quotes is None else quotes.searched) > PULL_QUOTE_SEARCH_BUDGET:
            # past the budget a quote is not read, and is noted whatever its words: quotes nested 250 deep around
            # 1.6 MB of words, each read and split into its words, took 12 s, all but 3 s past the budget
            report.note("left {n} quotation block{s} unchecked for repeating the text (too many)")
            continue
        own = text_of(quote)
        folded, words = _folded_words(own)  # (once: split three times, 1.6 MB took three times as long)
        if quotes is None:  # charged, a step and its characters
            read += len(own) + 1
        else:
            quotes.searched += len(own) + 1
        if not _worth_checking(words):
            continue
        if quotes is None:
            quotes = _QuoteSearch(root, ("p", "li"), empty_adds_space=True, searched=read)
        repeated = None
        if quotes.looked_at():
            if quotes.said_only_inside(words, folded):
                continue  # the usual quotation: a word of it stands nowhere else
            # its holders' words and its own are left out
            repeated = quotes.stands_in(" ".join(words), quotes.holders(quote), quotes.inside(quote))
        if repeated is None:  # (and for every quote after it: nothing is removed any more)
            report.note("left {n} quotation block{s} unchecked for repeating the text (too many)")
        elif repeated:
            quotes.remove(quote, keep_tail=False)
            report.note("dropped {n} pull quote{s} repeating the text")


#: What :func:`drop_repeated_pull_quotes`, and drop-boxes, may each search or read on one page, in characters and a
#: step a paragraph (:class:`_QuoteSearch`: a page spending it takes up to about 3 s in the pass, most of it steps;
#: the pages of the fingerprint set spend at most 45,000); past it the quotes left stay, with a note
PULL_QUOTE_SEARCH_BUDGET = 100_000_000


def _folded_words(own: str) -> tuple[str, list[str]]:
    """A quote's text ``own`` casefolded, and its words (:func:`_normal` is them joined by spaces)."""
    folded = own.casefold()
    return folded, _word_list(folded)


def _worth_checking(words: list[str]) -> bool:
    """True for a quotation's words (:func:`_folded_words`) that may be a pull quote: six words or more."""
    return len(words) >= 6


def _said_only_inside(words: list[str], own: str, article: str) -> bool:
    """True when the longest of the inner ``words`` (a quote's, :func:`_folded_words` of its text, ``own``
    casefolded) stands in ``article`` (the casefolded text of the article, the quote's included, or of it as it was
    before quotes were dropped) no more often than in ``own``: then no paragraph outside the quote holds it, and
    the words cannot stand in theirs (a word of the quote between two others is a whole word of theirs).
    Counting finds at least the occurrences of each part of the article in turn (str.count is greedy from the
    left, which finds the most that do not overlap). Only while every paragraph's text is a part of the article's
    as it came: a quote dropped from an item joins the item's words either side of it ("ab" and "cd": "abcd")."""
    word = max(words[1:-1], key=len)
    return article.count(word) <= own.count(word)


#: Only short blocks repeated in a row are scraping debris (a caption, a credit, a byline twice); a long
#: paragraph repeated is the author's (or a test page's) and stays.
REPEAT_MAX_WORDS = 30


#: A text of more than :data:`REPEAT_MAX_WORDS` words (as :data:`_WORD` counts them), matched from its start
_OVER_REPEAT_MAX_WORDS = re.compile(r"[\W_]*(?:[^\W_]+[\W_]+){%d}[^\W_]" % REPEAT_MAX_WORDS)
#: The same for an ASCII text, where [^\W_] is [0-9A-Za-z]: a character set the regex engine tests from a bitmap
#: (twice as fast as Unicode's word category), its runs taken possessively (nothing to backtrack into)
_OVER_REPEAT_MAX_WORDS_ASCII = re.compile(r"[^0-9A-Za-z]*+(?:[0-9A-Za-z]++[^0-9A-Za-z]++){%d}[0-9A-Za-z]"
                                          % REPEAT_MAX_WORDS)


#: Blocks whose children are inline: no block in them repeats
_HOLD_NO_BLOCKS = frozenset({"p", *HEADINGS, "pre", "figcaption", "caption"})
#: The blocks that, repeated in a row, are scraping debris
_REPEATABLE = frozenset({"p", *HEADINGS, "figure", "blockquote"})


def drop_repeated_blocks(state: State) -> None:
    """The same short block twice in a row (a caption or a byline repeated) is kept once."""
    root, report = state.tree, state.report
    # only parents of a block that can repeat have work: each found from such a block, in the order of its first
    # one. A parent's work changes only its own children, and an ancestor whose child holds a block found first
    # (a quotation holding paragraphs) is found at that child, before it: as the walk of every element, in order.
    for parent in dict.fromkeys(el.getparent() for el in root.iter(*_REPEATABLE)):
        if parent is None or parent.tag in INLINES or parent.tag in _HOLD_NO_BLOCKS:
            continue
        # the block before el, with how it opens; their keys are built only when el opens the same way
        previous: tuple[etree._Element, tuple[str, str] | None] | None = None
        for el in list(parent):
            opening = _opening(el)
            if opening is not None and previous is not None and previous[1] == opening:
                key = _block_key(el)
                if key is not None and key == _block_key(previous[0]):
                    parent.remove(el)
                    report.note("dropped {n} repeated block{s}")
                    continue
            previous = (el, opening) if opening is not None else None


#: How much of a block's own text :func:`_opening` reads first for its first word
_OPENING_CHARS = 40


def _opening(el: etree._Element) -> tuple[str, str | None] | None:
    """What two blocks with the same :func:`_block_key` share, cheaply: the tag and the key's first word (None:
    ``el`` has no key). Most paragraphs in a row open differently, and their keys are never built."""
    tag = el.tag
    if tag not in _REPEATABLE or el.get("id"):
        return None
    if tag == "figure":
        return ("figure", None)
    text = el.text
    if text:  # the first word of the whole text, when it ends within the start of the element's own (casefold
        folded = text[:_OPENING_CHARS].casefold()  # maps each character alone: the folded start starts the whole)
        first = _WORD.search(folded)
        if first and first.end() < len(folded):
            return (tag, first.group())
    first = _WORD.search(text_of(el).casefold())
    return (tag, first.group()) if first else None  # a key starts "tag word…", a key needs 3 words


def _block_key(el: etree._Element) -> str | None:
    if el.tag not in _REPEATABLE or el.get("id"):
        return None
    if el.tag == "figure":
        img = next(el.iterchildren("img"), None)
        return f"figure {img.get('src')} {_normal(text_of(el))}" if img is not None else None
    folded = text_of(el).casefold()
    if len(folded) > 2 * REPEAT_MAX_WORDS and _is_over_repeat_max_words(folded):
        return None  # a long block: its words are not joined into a key only to be found too many
    words = _word_list(folded)
    if not 3 <= len(words) <= REPEAT_MAX_WORDS:  # as len(text.split()): words hold no white space
        return None
    text = " ".join(words)  # _normal(text_of(el))
    images = " ".join(img.get("src", "") for img in el.iter("img"))  # the same words around other formulas
    return f"{el.tag} {text} {images}"


def _is_over_repeat_max_words(text: str) -> bool:
    """True when ``text`` has more than :data:`REPEAT_MAX_WORDS` words (a text of at most twice as many
    characters has not: each word but the last is followed by a character that is no word's)."""
    over = _OVER_REPEAT_MAX_WORDS_ASCII if text.isascii() else _OVER_REPEAT_MAX_WORDS
    return over.match(text) is not None


_CREDIT = re.compile(r"^\s*(?:photo(?:graph)?s?|image|picture|illustration|credit|source|foto|bild|"
                     r"crédit|crédits|fuente)\s*(?:credit)?\s*[:\u00a9]|^\s*\(?(?:\u00a9|copyright)", re.IGNORECASE)


def credits_into_captions(state: State) -> None:
    """A short "Photo: …" or "© …" line right after a figure is that figure's credit: it joins the caption."""
    root, report = state.tree, state.report
    for figure in list(root.iter("figure")):
        nxt = figure.getnext()
        if nxt is None or nxt.tag != "p":
            continue
        text = text_of(nxt)
        if not _CREDIT.match(text) or _more_words_than(text, 30):  # the opening first: most lines are no credit
            continue
        caption = next(figure.iterchildren("figcaption"), None)
        if caption is None:
            caption = etree.SubElement(figure, "figcaption")
        else:
            append_text(caption, " ")
        move_inline_content(nxt, caption)
        nxt.getparent().remove(nxt)
        report.note("moved {n} photo credit{s} into captions")
