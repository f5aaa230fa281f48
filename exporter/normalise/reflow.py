"""Paragraphs recovered from run-on text, the way the kind of text would break them.

Pasted or scraped articles often arrive as one wall of inline markup. A
paragraph that runs long (more than :data:`MIN_WORDS` words, at least
:data:`MIN_SENTENCES` sentences), holds the bulk of the article (or is a wall
no writer would write) and has no structure of its own (no short lines) is
cut at sentence boundaries found by pysbd, a maintained rule-based segmenter
that knows abbreviations such as "Mr." and "U.S.". The text is news when
one sentence in ten attributes speech, else other prose; each genre has its
own model (:data:`GENRES`). Where to cut is chosen by dynamic programming over
the sentence boundaries: a paragraph-length prior (news in words, other prose
in sentences), minus the log-odds of the cues at each cut (a quotation
closing, an attribution such as "he said.", a colon, a dip in lexical
cohesion, two sentences about the same things, a sentence that continues the
one before, one that names again someone named before, a quotation after a
quotation…), never inside a quotation or parentheses. The weights are fitted by ``benchmarks/reflow.py
--fit`` on news, essays, fiction and documentation with their true paragraphs.
Paragraphs below the threshold are never touched. Deterministic.
"""
from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from lxml import etree

from ..tree import place_in_order, text_of
from .state import State
from .surgery import remove_keep_tail, split_at, text_slots, tidy_inline_run, trim_edge_breaks
from .text import FOLDS_INTO_ASCII

#: A paragraph is run-on text when it has more words than this…
MIN_WORDS = 150
#: …and at least this many sentences.
MIN_SENTENCES = 4
#: …and holds this share of the article's words (any share when paragraphs that long hold WALL_SHARE of
#: them: the text is made of walls), or runs longer than WALL_WORDS whatever the rest.
BULK_SHARE = 0.4
WALL_SHARE = 0.6
WALL_WORDS = 1000
#: Line breaks are structure (verse, addresses) unless the lines between them run this long on average.
MIN_LINE_WORDS = 40
#: Languages pysbd segments; others are segmented with the English rules.
SEGMENTER_LANGUAGES = frozenset({
    "en", "hi", "mr", "zh", "es", "am", "ar", "hy", "bg", "ur", "ru", "pl", "fa", "nl", "da", "fr", "my", "el",
    "it", "ja", "de", "kk", "sk",
})
#: Chinese, Japanese and Korean characters (kana, CJK ideographs, Hangul, compatibility ideographs): a class's range.
_CJK_RANGE = r"\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK_RANGE}]|[^\W_]+")
_CJK = re.compile(rf"[{_CJK_RANGE}]")
_NON_CJK_WORD = re.compile(r"[^\W_]+")
#: Chinese, Japanese and Korean characters are counted one by one: about this many make a word.
CJK_CHARS_PER_WORD = 2.5
OPENING_QUOTES = "\u201c\u00ab\u201e\u300c\u300e\u2039"
CLOSING_QUOTES = "\u201d\u00bb\u300d\u300f\u203a"


def _by_first_letter(words: Iterable[str]) -> str:
    """An alternation of ``words`` (a group) with each first letter written once: the same strings, but ``re``,
    which tries every alternative at every position, reads the first letter once, not once per word."""
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[0], []).append(re.escape(word[1:]))
    return "(?:" + "|".join(f"{first}(?:{'|'.join(rests)})" for first, rests in groups.items()) + ")"


#: Verbs of attribution that end a quoted paragraph ("…," he said.).
_SAID_WORDS = tuple((
    "said says say told added adds explained explains continued argued argues insisted wrote writes asked asks noted "
    "notes warned warns stated states claimed claims recalled recalls admitted admits conceded concedes concluded "
    "acknowledged acknowledges suggested suggests declared replied stressed according").split())
_SAID = _by_first_letter(_SAID_WORDS)
_ATTRIBUTION_END = re.compile(
    r"(?:[,\u201d\"]\s*(?:\w+\s+){0,5}" + _SAID + r"(?:\s+\S+){0,8}|\b" + _SAID + r"\.?)[.!?][\u201d\"]?\s*$",
    re.IGNORECASE)
#: Where _ATTRIBUTION_END matches, a verb of attribution starts (after a word boundary) within the text's last
#: nine runs of non-space: at most eight more follow it before the closing stop.
_SAID_START = re.compile(r"\b" + _SAID, re.IGNORECASE)
_SAID_IN_LOWER_CASE = re.compile(_SAID)
_QUOTE_END = re.compile(r"[.!?,][\u201d\"\u00bb]\s*$")
_CONTINUATION_START = re.compile(
    r"^(?:He|She|It|They|His|Her|Its|Their|This|That|These|Those|Such|Also|And|So|Then|Yet|Both|Each|Which|"
    r"Meanwhile,? he|Moreover|Furthermore|In addition)\b")
_TOPIC_START = re.compile(r"^(?:But|However|Meanwhile|Elsewhere|Still|Separately|Earlier|Later|Last|Next|In|On|At|"
                          r"After|Before|Since|When|While|Now|Today|Yesterday)\b")
#: A capitalised word: ``\b[A-Z][a-z]{2,}\b``, written from its capital (found fast), which must start a word.
_CAPITALISED = re.compile(r"[A-Z](?<!\w[A-Z])[a-z]{2,}\b")
_STOPWORDS = frozenset("""a an the and or but if of to in on at by for with from as is was were be been are it its
this that these those he she they his her their them we our you your i my me not no so than then there here which who
whom what when where why how also would could should will can may might has have had do does did said says told
into over after before about more most other some such only just very mr mrs ms dr one two new""".split())


@dataclass(frozen=True)
class Sentence:
    """One sentence of a paragraph's text: where it starts and ends, and what it says."""

    start: int
    end: int
    text: str
    words: int


def reflow(state: State) -> None:
    """Split every run-on paragraph of the tree into news-length paragraphs."""
    tree, metadata, report = state.tree, state.metadata, state.report
    paragraphs = list(tree.iter("p"))
    if not any(_may_run_on(p, text_of(p)) for p in paragraphs if _in_running_text(p)):
        return  # most articles: no paragraph is long enough, whatever the rest holds
    counts = {p: count_words(text_of(p)) for p in paragraphs}
    total = sum(counts.values())
    walls = sum(n for n in counts.values() if n > MIN_WORDS)
    bulk = BULK_SHARE * total if walls < WALL_SHARE * total else 0  # a text made of walls: every wall
    for p in [el for el, n in counts.items() if _is_run_on_candidate(el, n, bulk)]:
        text = text_of(p)
        if len(text) > MAX_CHARS:
            report.note("left {n} run-on paragraph{s} too long to reflow")
            continue
        sentences = segment(text, metadata.language)
        if len(sentences) < MIN_SENTENCES:
            continue
        cuts = choose_cuts(sentences)
        if not cuts:
            continue
        _split_paragraph(p, [sentences[i].start for i in cuts])
        report.note("reflowed {n} run-on paragraph{s}")
        report.note("made {n} paragraph{s} out of run-on text", len(cuts) + 1)


def _may_run_on(p: etree._Element, text: str) -> bool:
    """Whether ``p`` may be run-on text, whatever the article's other paragraphs hold.

    :func:`_is_run_on_candidate` with the share of the article left out: a
    paragraph of at most :data:`MIN_WORDS` characters has at most as many words, and one without Chinese,
    Japanese or Korean of fewer than twice as many at most half as many plus one (each word but the last is
    followed by a character of no word), so neither is counted. Nor is one whose words outside ASCII, counted
    at most twice each, leave it short: taking one character out of a text takes at most one word away, so the
    words of ``text`` are at most those of its ASCII characters alone plus one per other character, and
    counting Chinese, Japanese and Korean characters adds at most one word more for each (what costs is
    counting words in text with letters outside ASCII).
    """
    if len(text) <= MIN_WORDS:
        return False
    if len(text) < 2 * MIN_WORDS and (text.isascii() or not _CJK.search(text)):
        return False
    if not text.isascii():
        ascii_only = text.encode("ascii", "ignore")
        if _ascii_words(ascii_only) + 2 * (len(text) - len(ascii_only)) <= MIN_WORDS:
            return False
    return _is_run_on_candidate(p, count_words(text), 0)


def _is_run_on_candidate(p: etree._Element, words: int, bulk: float) -> bool:
    """Run-on text: long, the bulk of the article or very long, and without structure of its own.

    An author's long paragraph among others (a novel's, an essay's) is left as
    written; only a wall that holds much of the article, a wall in a text made
    of walls (split only by images, say), or one no writer would write is
    reflowed. Paragraphs in lists, tables and notes, and verse (short lines),
    are never touched.
    """
    if words <= MIN_WORDS or not _in_running_text(p):
        return False
    lines = 1 + sum(1 for _ in p.iter("br"))
    if words / lines < MIN_LINE_WORDS:
        return False
    return words >= bulk or words > WALL_WORDS


def _in_running_text(p: etree._Element) -> bool:
    """Whether ``p`` stands in the article's running text (or a quotation), not in a list, table or note: only
    there may a paragraph be run-on text (asked first: its text need not be read elsewhere)."""
    parent = p.getparent()
    return parent is not None and parent.tag in ("article", "blockquote")


def count_words(text: str) -> int:
    """Words of ``text``; in Chinese, Japanese and Korean, characters over :data:`CJK_CHARS_PER_WORD`."""
    if text.isascii():
        return _ascii_words(text.encode("ascii"))
    if not _NON_ASCII_LETTER.search(text):  # every other character parts words as "?" does
        return _ascii_words(text.encode("ascii", "replace"))
    if not _CJK.search(text):
        return len(_NON_CJK_WORD.findall(text))  # what _WORD finds where no character is CJK
    tokens = _WORD.findall(text)
    cjk = sum(1 for t in tokens if _CJK.match(t))
    return len(tokens) - cjk + round(cjk / CJK_CHARS_PER_WORD)


#: A character outside ASCII that is part of a word: a letter or digit, or Chinese, Japanese or Korean. What
#: ``[^\x00-\x7f\W]|[CJK]`` finds, searched from any character outside ASCII (found fast: the alternatives
#: tried at every character took most of the time of counting words in text with curly quotes).
_NON_ASCII_LETTER = re.compile(rf"[^\x00-\x7f](?<=\w|[{_CJK_RANGE}])")
#: ASCII letters and digits as "a", every other byte as a space.
_LETTERS_AS_A = bytes(ord("a") if chr(byte).isalnum() and byte < 128 else ord(" ") for byte in range(256))


def _ascii_words(data: bytes) -> int:
    """Runs of ASCII letters and digits in ``data`` (what ``[^\\W_]+`` finds in ASCII), counted in C."""
    marked = data.translate(_LETTERS_AS_A)
    return marked.count(b" a") + marked.startswith(b"a")


def _segmenter(language: str):
    """A segmenter of its own for each text (about 1 us to make): pysbd's keeps the text it segments on
    itself, so one shared by two threads reads the other's text."""
    from .sentences import Segmenter  # imports pysbd: only when a paragraph is long enough to need it

    return Segmenter(language=language, clean=False)


#: A reference mark ("[12]", "[citation needed]"): it belongs to the sentence before it, never starts one.
_REFERENCE_MARK = r"\[[^\]\n]{1,20}\]"
_REFERENCE = re.compile(_REFERENCE_MARK)
#: Sentence ends pysbd misses: a closing quotation mark or reference marks after the full stop, followed by
#: a capital or a new quotation; a full stop after a word, followed by a new quotation ("…," intimated I. "True");
#: a full stop after a numeral, followed by a capital (pysbd takes "index 0. There" for a list item "0.").
#: (Written from its first character, a mark, found fast; the alternatives look behind at it. The same ends as
#: ``(?:[.!?…][”»"]|[.!?:](?:REF)+|…|(?<=\w):|(?<=\d)[.!?])\s+(?=…)|(?:(?<=[a-z][.!?])|(?<=\bI[.!?]))\s+(?=…)``,
#: which tried its alternatives at every character; the last alternative starts at the stop, not at the space
#: after it, which took every space of the text for a possible start.)
_MISSED_END = re.compile(
    rf"[.!?\u2026:](?:(?:(?<=[.!?\u2026])[\u201d\u00bb\"]|(?<=[.!?:])(?:{_REFERENCE_MARK})+|(?<=\u2026)|(?<=\w:)"
    rf"|(?<=\d[.!?]))\s+(?=(?:{_REFERENCE_MARK}\s+)?[\u201c\u00ab\"]?[A-Z\u00c0-\u00de])"
    r"|(?:(?<=[a-z][.!?])|(?<=\bI[.!?]))\s\s*(?=[\u201c\u00ab\"][A-Z\u00c0-\u00de]))")
#: What ends a sentence: a full stop, question or exclamation mark, ellipsis, colon or semicolon, maybe followed
#: by closing quotation marks, brackets or reference marks. pysbd also starts sentences at numerals it takes
#: for list markers ("are 1) performing …, 2) selecting …"); such a start without an end before it is no start.
_ENDED = re.compile(rf"[.!?\u2026:;](?:[\u201d\u2019\u00bb\"')\]]|{_REFERENCE_MARK})*\s*$")
#: A sentence end nobody doubts: a lower-case word of three letters or more that is no common abbreviation,
#: a full stop, a capital. Taken as an end even where pysbd misses it (it loses its way in long dialogue with
#: dashes and unpaired quotation marks), and where long texts are cut into pieces for pysbd. See :func:`sure_ends`.
_SURE_STOP = re.compile(rf"[.!?](?<=[a-z]{{3}}[.!?])\s+(?=(?:{_REFERENCE_MARK}\s+)?[A-Z])")
#: Common abbreviations in lower case: a full stop after them is no sure end.
_LOWER_CASE_ABBREVIATIONS = frozenset(
    "etc approx incl viz vol vols esp ibid resp dept est misc nos figs cca".split())
_WORD_CHARACTER_OR_FULL_STOP = re.compile(r"[\w.]")
CHUNK_CHARS = 1500
#: Longer paragraphs are left as they are: segmenting them would take minutes.
MAX_CHARS = 2_000_000
#: Unmatched opening quotes protect at most this many characters (then they are taken as stray).
_MAX_UNCLOSED = 600


def segment(text: str, language: str = "en") -> list[Sentence]:
    """The sentences of ``text`` (offsets into it), by pysbd with the language's rules.

    Sentences that end inside parentheses or a quotation join the next one, so
    that no cut can fall there.
    """
    primary = language.split("-")[0].lower()
    segmenter = _segmenter(primary if primary in SEGMENTER_LANGUAGES else "en")
    protected = Protected(protected_ranges(text))
    sure = sure_ends(text)
    starts = set()
    for offset, chunk, forced in _chunks(text, protected, sure):
        cursor = 0
        for sentence in segmenter.segment(chunk):  # pysbd's own spans go wrong on repeated sentences
            sentence = sentence.strip()
            found = chunk.find(sentence, cursor) if sentence else -1
            if found >= 0:
                start = offset + found
                if not (forced and cursor == 0) and (start == 0 or _ENDED.search(text, max(0, start - 40), start)):
                    starts.add(start)
                cursor = found + len(sentence)
    starts.update(m.end() for m in _MISSED_END.finditer(text))
    starts.update(sure)
    first = min(starts, default=0)
    starts = sorted(s for s in starts if s == first or (s not in protected and not _glued_mark(text, s)))
    sentences: list[Sentence] = []
    for start, end in zip(starts, starts[1:] + [len(text)]):
        if sentences and not _WORD.search(text, start, end):  # a stray closing mark: it ends the sentence before
            start = sentences.pop().start
        sentence = text[start:end].strip()
        if sentence:
            sentences.append(Sentence(start, start + len(sentence), sentence, count_words(sentence)))
    return sentences


def sure_ends(text: str) -> list[int]:
    """Where the sure sentence ends of ``text`` end (after the white space), in order.

    The ends of ``(?<![\\w.])(?!(?:etc|approx|…)\\.)[a-z]{3,}[.!?]\\s+(?=(?:REF\\s+)?[A-Z])``, which tried its
    look-behind at every character: found from the stop (:data:`_SURE_STOP`, three lower-case letters before it),
    then the word is read back to its start, which must follow no word character or full stop. (Matches cannot
    overlap: each is a word, a stop and white space before a capital or "[".) Each walk back reads the letters
    just before one stop: linear in the text.
    """
    ends = []
    for match in _SURE_STOP.finditer(text):
        stop = match.start()
        start = stop - 3
        while start and "a" <= text[start - 1] <= "z":
            start -= 1
        if start and _WORD_CHARACTER_OR_FULL_STOP.match(text, start - 1):
            continue  # the word runs on before its lower-case letters ("Yes.", "x2abc.", "e.g.abc.")
        if text[stop] == "." and text[start:stop] in _LOWER_CASE_ABBREVIATIONS:
            continue
        ends.append(match.end())
    return ends


def _glued_mark(text: str, start: int) -> bool:
    """A reference mark glued to the sentence before ("….[12] Next"): it ends that sentence, starts none.

    A mark after a space ("… end. [M1 / MP] Certain …") opens the sentence after it.
    """
    return bool(_REFERENCE.match(text, start)) and not text[start - 1:start].isspace()


def _chunks(text: str, protected: "Protected", sure_ends: list[int],
            size: int = CHUNK_CHARS) -> list[tuple[int, str, bool]]:
    """``text`` as ``(offset, piece, forced)``: pieces of about ``size`` characters cut at plain sentence ends.

    pysbd loses its way in long texts with unbalanced quotation marks (whole
    pages come back as one sentence) and slows down more than linearly; short
    pieces keep both local. Where no plain sentence end comes near, a piece is
    cut at a space instead and the next one is ``forced``: it starts no sentence. ``sure_ends``:
    :func:`sure_ends` of ``text``.
    """
    pieces, start, forced = [], 0, False
    ends = iter(end for end in sure_ends if end not in protected)
    end = next(ends, None)
    while len(text) - start > size:
        while end is not None and end - start < size:
            end = next(ends, None)
        if end is not None and end - start <= 2 * size:
            cut, next_forced = end, False
        else:
            space = text.rfind(" ", start + size // 2, start + size)
            cut, next_forced = (space + 1 if space > 0 else start + size), True
        pieces.append((start, text[start:cut], forced))
        start, forced = cut, next_forced
    pieces.append((start, text[start:], forced))
    return pieces


class Protected:
    """Positions strictly inside any of some ranges, answered by bisection over the merged ranges."""

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(ranges):
            if merged and start < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [a for a, _ in merged]
        self.ends = [b for _, b in merged]

    def __contains__(self, position: int) -> bool:
        i = bisect.bisect_left(self.starts, position) - 1
        return i >= 0 and position < self.ends[i]


_QUOTES_AND_PARENTHESES = re.compile("[\"()" + OPENING_QUOTES + CLOSING_QUOTES + "]")


def protected_ranges(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` inside quotations or parentheses, where no paragraph may end.

    Quotation marks are matched as pairs (straight ones are opening or closing by
    what is next to them); an opening mark never closed protects until the next
    opening mark, as in a quotation running over several paragraphs, at most
    :data:`_MAX_UNCLOSED` characters.
    """
    return ranges_of_marks(text, ((mark.start(), mark.group()) for mark in _QUOTES_AND_PARENTHESES.finditer(text)))


def ranges_of_marks(text: str, marks: Iterable[tuple[int, str]]) -> list[tuple[int, int]]:
    """:func:`protected_ranges` from ``marks``, the ``(position, character)`` of ``text`` to read: its quotation
    marks and parentheses suffice (any other character changes nothing), every character gives the same."""
    ranges: list[tuple[int, int]] = []
    quotes: list[int] = []
    parens: list[int] = []
    for i, ch in marks:
        if ch == '"':
            before = text[i - 1] if i else " "
            ch = "\u201c" if before.isspace() or before in "([{\u2014\u2013-/" + OPENING_QUOTES else "\u201d"
        if ch in OPENING_QUOTES:
            if quotes and i - quotes[-1] <= _MAX_UNCLOSED and text[i - 1: i].isspace():
                ranges.append((quotes.pop(), i - 1))  # unclosed quotation continued by a new paragraph
            quotes.append(i)
        elif ch in CLOSING_QUOTES and quotes:
            ranges.append((quotes.pop(), i))
        elif ch == "(":
            parens.append(i)
        elif ch == ")" and parens:
            ranges.append((parens.pop(), i))
    ranges += [(start, min(len(text), start + _MAX_UNCLOSED)) for start in quotes]
    return ranges


def _stems(text: str) -> dict[str, int]:
    """Content words cut to five letters: a stemmer cheap enough for every sentence and good enough for cohesion.

    Where every letter is ASCII (most text), the text is lower-cased at once (what ``casefold`` does to ASCII
    words) and only the words of three characters or more are found (what ``_WORD`` finds longer than two).
    """
    if text.isascii() or not _NON_ASCII_LETTER.search(text):
        words = _LONG_ASCII_WORD.findall(text.lower())
    else:
        words = [w for w in (m.casefold() for m in _WORD.findall(text)) if len(w) > 2]
    stems: dict[str, int] = {}
    for word in words:
        if word not in _STOPWORDS:
            stem = word[:5]
            stems[stem] = stems.get(stem, 0) + 1
    return stems


#: Three ASCII letters or digits or more: in lower-cased text whose letters and digits are all ASCII, the words
#: :func:`_stems` counts. (``lower`` makes no word character of any other character: outside ASCII, of the
#: characters that are no word character only the circled letters "\u24b6"-"\u24cf" have a lower case, and it is
#: none either; tests/test_speed_reflow.py reads all of Unicode.)
_LONG_ASCII_WORD = re.compile(r"[a-z0-9]{3,}")


def _squares(counts: Mapping[str, int]) -> int:
    return sum(v * v for v in counts.values())


def _dot(a: dict[str, int], b: dict[str, int]) -> int:
    """The dot product of two word counts (the words they share found in C: most pairs share few)."""
    return sum(a[k] * b[k] for k in a.keys() & b.keys())


def _cosine(dot: int, a_squares: int, b_squares: int) -> float:
    """The cosine of two word counts from their dot product and sums of squares (integers: the same float
    whichever way they were found)."""
    norm = math.sqrt(a_squares * b_squares)
    return dot / norm if norm else 0.0


def cohesion(sentences: list[Sentence], window: int = 2) -> tuple[list[float], list[float]]:
    """Lexical cohesion at each boundary: its TextTiling depth, and the similarity of the two sentences around it.

    The depth is how far cohesion (over ``window`` sentences each side) dips
    there below the peaks around it: a deep dip is a change of topic. Two
    sentences about the same things rarely stand in two paragraphs. Index ``i``
    is the boundary before sentence ``i``.

    A window's counts are never added up: the dot product of two windows is the sum of their sentences' dot
    products, and a window's sum of squares its sentences' plus twice the dot product of each pair in it (the
    same integers, so the same floats), each pair's found once.
    """
    n = len(sentences)
    stems = [_stems(s.text) for s in sentences]
    squares = [_squares(c) for c in stems]
    # dots[d][j]: the dot product of sentences j and j + d, for every distance within two windows side by side, and
    # for neighbours (the similarities) whatever the window
    dots = [[]] + [[_dot(stems[j], stems[j + d]) for j in range(n - d)] for d in range(1, min(max(2 * window, 2), n))]
    windows: dict[tuple[int, int], int] = {}  # each window's sum of squares, found once

    def squares_of(start: int, end: int) -> int:
        found = windows.get((start, end))
        if found is None:
            found = sum(squares[start:end])
            for j in range(start, end - 1):
                for k in range(j + 1, end):
                    found += 2 * dots[k - j][j]
            windows[(start, end)] = found
        return found

    similarities = [0.0] + [_cosine(dots[1][i - 1], squares[i - 1], squares[i]) for i in range(1, n)]
    curve = [0.0]
    for i in range(1, n):
        start, end = max(0, i - window), min(n, i + window)
        shared = 0
        for j in range(start, i):
            for k in range(i, end):
                shared += dots[k - j][j]
        curve.append(_cosine(shared, squares_of(start, i), squares_of(i, end)))
    depths = [0.0]
    for i in range(1, len(curve)):  # climb to the peak on each side, never further than a few sentences
        left = right = curve[i]
        j = i
        while j > max(1, i - PEAK_REACH) and curve[j - 1] > left:
            left, j = curve[j - 1], j - 1
        j = i
        while j < min(len(curve) - 1, i + PEAK_REACH) and curve[j + 1] > right:
            right, j = curve[j + 1], j + 1
        depths.append(left + right - 2 * curve[i])
    return depths, similarities


#: Words that attribute speech: at least :data:`NEWS_SHARE` of a text's sentences hold one in news reports.
_SPEECH = re.compile(r"\b(?:said|says|told)\b")
NEWS_SHARE = 0.1


@dataclass(frozen=True)
class Genre:
    """How one kind of text breaks into paragraphs: the weights of the cues and the lengths of its paragraphs.

    ``weights`` are the log-odds that a paragraph ends at a sentence boundary
    (logistic regression over :func:`boundary_features`). Paragraph lengths,
    counted in ``unit`` ("words" or "sentences"), are log-normal: the mean
    ``mu`` and deviation ``sigma`` of their logarithm. ``length_weight`` is how
    much that prior weighs against the cues; a cut must beat ``threshold``.
    """

    weights: dict[str, float]
    mu: float
    sigma: float
    unit: str = "words"
    length_weight: float = 1.0
    threshold: float = 0.0

    def lengths(self, sentences: list[Sentence]) -> list[int]:
        """Each sentence's length in this genre's unit."""
        return [s.words if self.unit == "words" else 1 for s in sentences]


#: Fitted by ``python benchmarks/reflow.py --fit`` on the sources ``benchmarks/reflow_data.py`` lists
#: (``--cross-validate`` scores each article with a model fitted without it).
GENRES = {
    "news": Genre(
        weights={"bias": -0.93, "opens quotation": 0.92, "closes quotation": 1.71, "attribution": 0.08,
                 "continues": -1.02, "new topic word": -0.35, "cohesion dip": 0.84, "words before": 1.16,
                 "words after": 0.90, "question": 0.35, "colon": -2.78, "quoted speech": 0.08, "similarity": -0.80,
                 "same names": 0.07, "quotation after quotation": -2.61},
        mu=0.360, sigma=0.451, unit="sentences", length_weight=2.0, threshold=0.0),
    "other": Genre(
        weights={"bias": -0.81, "opens quotation": 1.15, "closes quotation": 1.18, "attribution": -0.77,
                 "continues": -0.81, "new topic word": 0.01, "cohesion dip": 1.89, "words before": 0.47,
                 "words after": 0.04, "question": -0.41, "colon": 2.83, "quoted speech": 0.52, "similarity": -1.53,
                 "same names": 0.10, "quotation after quotation": -0.80},
        mu=0.546, sigma=0.556, unit="sentences", length_weight=1.0, threshold=0.0),
}
#: Cohesion peaks are looked for this many sentences away at most; a paragraph holds at most
#: MAX_SENTENCES sentences and MAX_PARAGRAPH_WORDS words (both keep the work linear in the length of the text).
PEAK_REACH = 8
MAX_SENTENCES = 40
MAX_PARAGRAPH_WORDS = 500


def _speaks(text: str) -> bool:
    """Whether :data:`_SPEECH` finds a word in ``text``: looked for only where one of its words stands (``in``
    reads text far faster than a pattern opening with ``\\b``, tried at every character)."""
    return ("said" in text or "says" in text or "told" in text) and _SPEECH.search(text) is not None


def genre_of(sentences: list[Sentence]) -> str:
    """``"news"`` when at least one sentence in ten attributes speech ("said", "told"), else ``"other"``."""
    said = sum(1 for s in sentences if _speaks(s.text))
    return "news" if said >= NEWS_SHARE * len(sentences) else "other"


class _Cues(NamedTuple):
    """What the boundary features read of one sentence, found once (each sentence borders two boundaries).

    (A named tuple: made for every sentence, and a frozen dataclass's ``__init__`` took a third of the time.)
    """

    opens: bool
    closes: bool
    attribution: bool
    continues: bool
    new_topic: bool
    question: bool
    colon: bool
    words: int
    capitalised: frozenset[str]
    names: frozenset[str]

    @classmethod
    def of(cls, sentence: Sentence) -> "_Cues":
        text = sentence.text
        capitalised = _CAPITALISED.findall(text)
        return cls(opens=text[:1] in OPENING_QUOTES + '"', closes=bool(_QUOTE_END.search(text)),
                   attribution=_attributes(text), continues=bool(_CONTINUATION_START.match(text)),
                   new_topic=bool(_TOPIC_START.match(text)), question=text.endswith("?"), colon=text.endswith(":"),
                   words=sentence.words, capitalised=frozenset(capitalised),
                   names=frozenset(w for w in capitalised[:3] if w.casefold() not in _STOPWORDS))


def _attributes(text: str) -> bool:
    """Whether _ATTRIBUTION_END matches ``text``: searched only where a verb of attribution ends it.

    A match holds a verb of attribution in the text's last nine runs of non-space (at most eight follow it), and
    starts at most six runs before it (a comma, then five words): within the last fifteen runs, which hold at
    most fourteen runs of white space between them. The verb is looked for in lower case first (the same letters
    as ignoring case, but where one of :data:`FOLDS_INTO_ASCII` stands).
    """
    runs = text.rsplit(maxsplit=15)
    end = " ".join(runs[-9:])
    if not FOLDS_INTO_ASCII.search(end) and not _SAID_IN_LOWER_CASE.search(end.lower()):
        return False
    if not _SAID_START.search(end):
        return False
    return bool(_ATTRIBUTION_END.search(text, len(runs[0]) if len(runs) > 15 else 0))


def _same_names(before: _Cues, after: _Cues) -> bool:
    """``after`` opens (in its first three capitalised words) with a name ``before`` holds: the same people."""
    return bool(after.names) and not after.names.isdisjoint(before.capitalised)


def boundary_features(before: Sentence, after: Sentence, depth: float, similarity: float) -> dict[str, float]:
    """The cues at the boundary between ``before`` and ``after``, by the names the weights use."""
    return _features(_Cues.of(before), _Cues.of(after), depth, similarity)


#: The names of the boundary features, in the order :func:`_feature_values` gives them.
FEATURE_NAMES = ("bias", "opens quotation", "closes quotation", "attribution", "continues", "new topic word",
                 "cohesion dip", "words before", "words after", "question", "colon", "quoted speech", "similarity",
                 "same names", "quotation after quotation")


def _features(before: _Cues, after: _Cues, depth: float, similarity: float) -> dict[str, float]:
    return dict(zip(FEATURE_NAMES, _feature_values(before, after, depth, similarity)))


def _feature_values(before: _Cues, after: _Cues, depth: float, similarity: float) -> tuple[float, ...]:
    return (
        1.0,
        float(after.opens),
        float(before.closes),
        float(before.attribution),
        float(after.continues),
        float(after.new_topic),
        depth,
        min(before.words, 60) / 30,
        min(after.words, 60) / 30,
        float(before.question),
        float(before.colon),
        float(before.opens and before.attribution),
        similarity,
        float(_same_names(before, after)),
        float(before.opens and after.opens),
    )


def boundary_logits(sentences: list[Sentence], weights: dict[str, float]) -> list[float]:
    """The log-odds that a paragraph ends before each sentence (index 0, the start, is 0)."""
    depths, similarities = cohesion(sentences)
    cues = [_Cues.of(s) for s in sentences]
    row = [weights.get(name, 0.0) for name in FEATURE_NAMES]  # the same products, added in the same order
    return [0.0] + [sum(w * value for w, value in zip(row, _feature_values(cues[i - 1], cues[i], depths[i],
                                                                          similarities[i])))
                    for i in range(1, len(sentences))]


def choose_cuts(sentences: list[Sentence], genre: Genre | None = None) -> list[int]:
    """Indexes of the sentences that start a new paragraph (never the first), for the text's genre."""
    genre = genre or GENRES[genre_of(sentences)]
    return best_cuts(sentences, boundary_logits(sentences, genre.weights), genre)


def best_cuts(sentences: list[Sentence], logits: list[float], genre: Genre) -> list[int]:
    """Where to cut these sentences, given each boundary's log-odds, by dynamic programming.

    Minimises, over all ways to cut, each paragraph's distance from the genre's
    usual length (its negative log-prior, times the genre's length weight)
    minus the cues' log-odds above the genre's threshold at each cut.
    """
    n = len(sentences)
    prefix, words = [0], [0]
    for length, s in zip(genre.lengths(sentences), sentences):
        prefix.append(prefix[-1] + length)
        words.append(words[-1] + s.words)
    scale = genre.length_weight * 0.5 / genre.sigma ** 2
    threshold = genre.threshold
    best = [0.0] + [math.inf] * n  # best[j]: cost of sentences[:j] cut into paragraphs
    back = [0] * (n + 1)
    priors: dict[int, float] = {}  # each paragraph length's cost, found once (the same float every time)
    for j in range(1, n + 1):
        for i in range(j - 1, -1, -1):
            if (words[j] - words[i] > MAX_PARAGRAPH_WORDS or j - i > MAX_SENTENCES) and i < j - 1:
                break
            length = prefix[j] - prefix[i]
            prior = priors.get(length)
            if prior is None:
                prior = priors[length] = scale * (math.log(max(length, 1)) - genre.mu) ** 2
            cost = best[i] + prior
            if i:
                cost += threshold - logits[i]
            if cost < best[j] - 1e-12:
                best[j], back[j] = cost, i
    cuts = []
    j = n
    while j > 0:
        j = back[j]
        if j > 0:
            cuts.append(j)
    return sorted(cuts)


def _split_paragraph(p: etree._Element, offsets: list[int]) -> None:
    """Cut ``p`` at these character offsets of its text.

    Every marker goes in at once (one walk over the text), then the cuts are made from the last to the first:
    each moves only what lies between its marker and the next cut, so a paragraph of many cuts costs no more
    than its length. (A marker put in and cut at per offset re-read and re-set the rest of the text each
    time: a paragraph of a megabyte took seconds.)
    """
    parts = [split_at(p, marker) for marker in reversed(_insert_markers(p, sorted(offsets)))]
    for right in parts:
        p.addnext(right)
    for block in [p, *parts]:
        _drop_empty_inlines(block)
        trim_edge_breaks(block)
        tidy_inline_run(block)


def _drop_empty_inlines(block: etree._Element) -> None:
    """A cut at an element's edge leaves an empty copy of it on one side: it goes, its tail stays."""

    for el in reversed(list(block.iterdescendants())):
        if el.tag not in ("br", "img") and not len(el) and not el.text and el.get("id") is None:
            remove_keep_tail(el)


def _insert_markers(block: etree._Element, offsets: list[int]) -> list[etree._Element]:
    """Put an empty element at each of these character offsets (in order) of ``block``'s text; return them.

    An offset where one text ends and the next begins goes at the end of the first (or into an empty text
    that starts there). Each text holding offsets is sliced once into its pieces.
    """
    markers: list[etree._Element] = []
    position, i = 0, 0
    for el, which in text_slots(block):
        if i == len(offsets):
            break
        value = getattr(el, which) or ""
        end = position + len(value)
        cuts = []
        while i < len(offsets) and offsets[i] <= end and (value or offsets[i] == position):
            cuts.append(offsets[i] - position)
            i += 1
        if cuts:
            setattr(el, which, value[:cuts[0]] or None)
            made = []
            for cut, upto in zip(cuts, cuts[1:] + [len(value)]):
                marker = etree.Element("cut")
                marker.tail = value[cut:upto]
                made.append(marker)
            place_in_order(made, el, after=None if which == "text" else el)
            markers += made
        position = end
    if i < len(offsets):
        raise ValueError(f"offset {offsets[i]} is past the end of the block")
    return markers
