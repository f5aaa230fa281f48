"""Typography per language: quotation marks, apostrophes, dashes, ellipses and no-break spaces.

Each block's inline text is read as one string, so a quotation mark is curled
with what stands beside it even across element boundaries (``"<i>The
National</i>"``); every change is written back into the text slot the
character came from, so markup is never moved. Text in ``code`` and ``pre``,
URLs and attribute values are left alone, and so are marks already curled.
The rules only ever turn straight marks and plain spaces into typographic
ones, so running them twice changes nothing.

The marks of each language follow the Unicode CLDR delimiters and the
languages' own typographic conventions (French spaces before ``; : ! ?``).
"""
from __future__ import annotations

import bisect
import dataclasses
import functools
import itertools
import re
from dataclasses import dataclass
from typing import Iterable, Iterator

from lxml import etree

from ..tree import HEADINGS, text_of
from .state import State
from .surgery import CONVERTED_BLOCKS, holds_blocks, text_slots

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space
SPACES = " \u00a0\u202f\u2009\u2007"
#: What the report says, by kind of change.
MESSAGES = {
    "quotes": "curled {n} quotation mark{s}",
    "apostrophes": "curled {n} apostrophe{s}",
    "primes": "set {n} prime{s} after numbers",
    "dashes": "set {n} dash{es}",
    "ranges": "set {n} number range{s} with en dashes",
    "ellipses": "set {n} ellipsis mark{s}",
    "no-break spaces": "added {n} no-break space{s}",
}
#: Elements whose inline content is typeset; ``pre`` and ``code`` never are.
TEXT_BLOCKS = frozenset({"p", *HEADINGS, "figcaption", "caption", "li", "td", "th"})
SKIP = frozenset({"code", "pre"})
#: What an inline image reads as in its block's text: an object in the sentence, like a word (U+FFFC OBJECT
#: REPLACEMENT CHARACTER), so that "a -- <img> b" has its dash and '"<img>"' its quotes as "a -- word b" would. No
#: rule changes it (each turns only straight marks and plain spaces), and it stands in no slot: writing back skips it.
OBJECT = "\ufffc"
#: The elements read as :data:`OBJECT` (an image is empty: its place in the text is its own "text" slot's)
OBJECTS = frozenset({"img"})
#: The slot (see :func:`_object_slots`) where an image's OBJECT stands, before the image's own text slot
OBJECT_SLOT = "object"
OPENERS = "([{<\u2014\u2013-/\u201c\u2018\u00ab\u2039\u201e\u201a\u300c\u300e"


@dataclass(frozen=True)
class Style:
    """How one language quotes and dashes."""

    double: tuple[str, str]
    single: tuple[str, str]
    #: the dash between clauses: "\u2014" (em) or "\u2013" (en, always spaced)
    dash: str = "\u2014"
    #: space inside guillemets and before ; : ! ? (French)
    french_spacing: bool = False
    #: honorifics followed by a no-break space
    honorifics: tuple[str, ...] = ()
    apostrophe: str = "\u2019"
    #: an apostrophe opening a word elides its start ('90s, 'tis) rather than opening a quotation (English)
    elisions: bool = False


_EN_TITLES = ("Mr", "Mrs", "Ms", "Mx", "Dr", "Prof", "Sir", "Dame", "St", "Rev", "Fr", "Gen", "Col", "Capt",
              "Lt", "Sgt", "Hon", "Rep", "Sen", "Gov", "Pres")
STYLES: dict[str, Style] = {
    "en": Style(("\u201c", "\u201d"), ("\u2018", "\u2019"), "\u2014", honorifics=_EN_TITLES, elisions=True),
    "fr": Style(("\u00ab", "\u00bb"), ("\u201c", "\u201d"), "\u2013", french_spacing=True,
                honorifics=("M", "MM", "Mme", "Mmes", "Mlle", "Mlles", "Dr", "Pr", "Me", "Mgr", "St", "Ste")),
    "de": Style(("\u201e", "\u201c"), ("\u201a", "\u2018"), "\u2013",
                honorifics=("Hr", "Hrn", "Fr", "Dr", "Prof", "St")),
    "es": Style(("\u00ab", "\u00bb"), ("\u201c", "\u201d"), "\u2014",
                honorifics=("Sr", "Sra", "Srta", "Dr", "Dra", "D", "Dña", "Prof")),
    "it": Style(("\u00ab", "\u00bb"), ("\u201c", "\u201d"), "\u2013",
                honorifics=("Sig", "Sigg", "Dott", "Dr", "Prof", "Avv", "Ing", "On")),
    "pt": Style(("\u201c", "\u201d"), ("\u2018", "\u2019"), "\u2014", honorifics=("Sr", "Sra", "Dr", "Dra", "Prof")),
    "nl": Style(("\u201c", "\u201d"), ("\u2018", "\u2019"), "\u2013", honorifics=("Dhr", "Mevr", "Dr", "Prof")),
    "ru": Style(("\u00ab", "\u00bb"), ("\u201e", "\u201c"), "\u2014"),
    "uk": Style(("\u00ab", "\u00bb"), ("\u201e", "\u201c"), "\u2014"),
    "pl": Style(("\u201e", "\u201d"), ("\u00ab", "\u00bb"), "\u2013"),
    "cs": Style(("\u201e", "\u201c"), ("\u201a", "\u2018"), "\u2013"),
    "sv": Style(("\u201d", "\u201d"), ("\u2019", "\u2019"), "\u2013"),
    "da": Style(("\u201d", "\u201d"), ("\u2019", "\u2019"), "\u2013"),
    "nb": Style(("\u00ab", "\u00bb"), ("\u2018", "\u2019"), "\u2013"),
    "fi": Style(("\u201d", "\u201d"), ("\u2019", "\u2019"), "\u2013"),
    "ja": Style(("\u300c", "\u300d"), ("\u300e", "\u300f"), "\u2014"),
    "zh": Style(("\u201c", "\u201d"), ("\u2018", "\u2019"), "\u2014"),
    "ko": Style(("\u201c", "\u201d"), ("\u2018", "\u2019"), "\u2014"),
    "ar": Style(("\u00ab", "\u00bb"), ("\u2039", "\u203a"), "\u2013"),
    "fa": Style(("\u00ab", "\u00bb"), ("\u2039", "\u203a"), "\u2013"),
    "he": Style(("\u201d", "\u201d"), ("\u2019", "\u2019"), "\u2013"),
}
STYLES["no"] = STYLES["nn"] = STYLES["nb"]


def style_for(language: str) -> Style:
    """The style of a BCP 47 language (``fr-CA`` → French); English for languages not listed."""
    return STYLES.get(language.split("-")[0].lower(), STYLES["en"])


#: The endings that make a word a domain or a file name for :data:`_URL` (and for its hints, :data:`_URL_HINTS`)
_URL_ENDINGS = "com|org|net|io|js|py"
_URL = re.compile(r"\b(?:https?://|www\.)[^\s\"<>]*[^\s\"<>.,;:!?)'\u201d]"
                  r"|\b[\w.+-]+@[\w-]+\.[\w.-]*\w|\b\w+\.(?:" + _URL_ENDINGS + r")\b")
_ELISIONS = re.compile(r"(?:tis|twas|em|cause|til|n|round|bout|nuff)\b", re.IGNORECASE)
#: What an apostrophe after an inline image opens (an image's, 'd, 'll): any other word after one opens a quotation
_CLITICS = re.compile(r"(?:s|d|ll|re|ve|t|m)(?![^\W\d_])", re.IGNORECASE)
_ELLIPSIS = re.compile(r"(?<!\.)(?:\.\.\.|\. \. \.)(?!\.)")
_EM_DASH_RUN = re.compile(r"(?<!-)---(?!-)")
_FRENCH_MARK = re.compile("[;:!?\u00ab\u00bb]")
_DOUBLE_HYPHEN = re.compile(r"(?<!-)( ?)--( ?)(?!-)")
#: (?<=[…]) - (?=[…]), the look-behind after the literal " - " that the regex engine scans for (an image, OBJECT,
#: is a word on either side)
_SPACED_HYPHEN = re.compile(r" - (?<=[\w,.;:!?\"'\u201d\u2019\u00bb)\]\ufffc] - )"
                            r"(?=[\w\"'\u201c\u2018\u00ab(\[\ufffc])")
_RANGE = re.compile(r"(?<![\w.,/\-\u2013])(\d{1,4})-(\d{1,4})(?![\w\-/]|[.,]\d)")
_INITIAL = re.compile(r"(?<![\w.])([A-Z]\.) (?=[A-Z])")
_UNITS = ("km", "kg", "mg", "cm", "mm", "ml", "m", "g", "kph", "mph", "km/h", "m/s", "min", "ms", "°C", "°F", "°",
          "%", "‰", "kB", "MB", "GB", "TB", "Hz", "kHz", "MHz", "GHz", "W", "kW", "MW", "GW", "kWh", "V", "mAh",
          "ft", "lb", "lbs", "oz", "€", "£", "¥", "ha", "t", "bn", "m²", "km²")
#: Cheap necessary conditions, searched before the costlier rules: where a hint finds nothing, its rule cannot match.
#: Each starts with a literal character (a look-behind checks what precedes it), which the regex engine scans for
#: ten times faster than a character class: ``-(?<=\d-)\d`` finds exactly where ``\d-\d`` does.
_INITIAL_HINT = re.compile(r"\. (?<=[A-Z]\. )[A-Z]")  # [A-Z]\. [A-Z]
_RANGE_HINT = re.compile(r"-(?<=\d-)\d")  # \d-\d
#: Where the dash and ellipsis rules' matches start (or, for " - ", one character on): each opens with one literal
#: character, which the regex engine scans for several times faster than str.find scans for two or three.
#: The four dash rules share one scan: a hyphen before a hyphen ("--", and "---" where two follow), between spaces
#: (" - ") or between digits (\d-\d, as :data:`_RANGE_HINT`); :func:`_dash_hints` sorts the hits by rule.
_DASH_AFTER = ("(?=--)", "(?=-)", "(?<= -)(?= )", r"(?<=\d-)(?=\d)")  # each rule's hyphen: what stands around it
_DASH_HINT = re.compile("-(?:" + "|".join(_DASH_AFTER[1:]) + ")")  # (a "---" hint is a "--" hint)
_DASH_RULE_HINTS = tuple(re.compile("-" + around) for around in _DASH_AFTER)  # each rule's alone
_ELLIPSIS_HINT = re.compile(r"\.(?= ?\.)")  # ".." or ". ."
#: Where :data:`_URL` can match (see :func:`_has_url_hint`): "@", "://", "www." and the TLDs, literals first
_URL_HINTS = ("@", re.compile(":(?=//)"), re.compile(r"\.(?:(?<=www\.)|" + _URL_ENDINGS + ")"))
_UNIT = re.compile(r" (?<=\d )(?=(?:" + "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
                   + r")(?![\w/²]))")  # (?<=\d) (?=unit)


#: The class of each Latin-1 character, for :attr:`Typesetter.view`: "0" a decimal digit or "?" (which the characters
#: beyond Latin-1 encode as: any of them may be a digit, a letter or neither), "A" a word character of
#: [A-Z\u00c0-\u00de], "a" any other word character, "X" the one other character of that range (×); the rest stand
#: for themselves. Built from the rules' own classes (\w, \d), so that a class holds no character its rule's
#: would not; a pattern on the view finds every place its rule's pattern matches, and more (tried, and dropped).
_CLASSES = bytes(
    ord("0") if chr(b) == "?" or re.match(r"\d", chr(b)) else
    (ord("A") if "A" <= chr(b) <= "Z" or "\u00c0" <= chr(b) <= "\u00de" else ord("a")) if re.match(r"\w", chr(b))
    else ord("X") if "\u00c0" <= chr(b) <= "\u00de" else b
    for b in range(256))


class Typesetter:
    """The typography of one block's text: the changes, kept by the position of the input character each replaces.

    Most characters stay as they are: a change replaces one character by a string (several characters, or
    none), and the output is the input with its changes (:meth:`typeset`), built without a string per character.
    """

    def __init__(self, text: str, editable: list[bool] | None, style: Style, may_hold_urls: bool = True,
                 boundary: str | None = None) -> None:
        """``editable`` None: every character may change (else one flag per character; URLs never change).
        ``may_hold_urls`` False: the caller knows no URL hint stands in ``text`` (none in the article).
        ``boundary``: ``text`` is the texts of several blocks joined by this character (:data:`BOUNDARY`),
        which no block holds: each block is typeset as if alone (see :func:`typeset_blocks`)."""
        self.text = text
        self.changes: dict[int, str] = {}
        self._order: list[int] = []  # the positions of the changes, sorted (for typeset)
        # one byte a character (1: may change): a joined article's text makes no list of a million flags
        self.editable = None if editable is None else bytearray(editable)
        self.style = style
        self.boundary = boundary
        self.counts: dict[str, int] = {}
        if may_hold_urls:
            for match in _url_matches(text):
                if self.editable is None:
                    self.editable = bytearray(b"\x01") * len(text)
                self.editable[match.start():match.end()] = bytes(match.end() - match.start())

    @functools.cached_property
    def view(self) -> bytes:
        """The text as one byte a character, its class (see :data:`_CLASSES`): a rule whose matches open with a
        class, which the regex engine tries at every character (~50 instructions each), finds the places where it
        may match here, as literals, in C, and tries its own pattern only there."""
        return self.text.encode("latin-1", "replace").translate(_CLASSES)

    def _note(self, kind: str, n: int = 1) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + n

    def _free(self, start: int, end: int) -> bool:
        return self.editable is None or all(self.editable[start:end])

    def _out(self, i: int) -> str:
        """What character ``i`` has become so far."""
        return self.changes.get(i, self.text[i])

    def run(self) -> str:
        """Every rule, in order; the typeset text."""
        self.apply()
        return self.typeset()

    def apply(self) -> None:
        """Every rule, in order (:meth:`typeset` gives what they made)."""
        self.quotes()
        self.dashes()
        self.ellipses()
        self.no_break_spaces()
        if self.style.french_spacing:
            self.french_spaces()

    def typeset(self, start: int = 0, end: int | None = None) -> str:
        """The typeset text of the input characters from ``start`` to ``end``."""
        text, changes = self.text, self.changes
        end = len(text) if end is None else end
        if not changes:
            return text[start:end]
        if len(self._order) != len(changes):  # changes are only ever added
            self._order = sorted(changes)
        order = self._order
        pieces, position = [], start
        for k in range(bisect.bisect_left(order, start), bisect.bisect_left(order, end)):
            i = order[k]
            pieces.append(text[position:i])
            pieces.append(changes[i])
            position = i + 1
        pieces.append(text[position:end])
        return "".join(pieces)

    # --- quotation marks and apostrophes ---------------------------------------------------------
    def quotes(self) -> None:
        text, style, changes, editable = self.text, self.style, self.changes, self.editable
        double_open, double_close = style.double
        single_open, single_close = style.single
        apostrophe, elisions, french = style.apostrophe, style.elisions, style.french_spacing
        boundary = self.boundary
        last = len(text) - 1
        open_double = open_single = 0
        previous = 0  # the last mark read: a boundary since then starts a block, where no quotation is open
        quotes = apostrophes = primes = 0
        i = text.find("'")
        j = text.find('"')
        while i >= 0 or j >= 0:  # the straight marks, in order
            if j < 0 or 0 <= i < j:
                k, ch = i, "'"
                i = text.find("'", i + 1)
            else:
                k, ch = j, '"'
                j = text.find('"', j + 1)
            if editable is not None and not editable[k]:
                continue
            before = text[k - 1] if k else " "
            after = text[k + 1] if k < last else " "
            if boundary is not None:  # a block's edge reads as the text's edge
                if (open_double or open_single) and text.find(boundary, previous, k) >= 0:
                    open_double = open_single = 0
                previous = k
                if before == boundary:
                    before = " "
                if after == boundary:
                    after = " "
            starts = before in SPACES or before in OPENERS or before in "\"'" \
                or before == OBJECT and not (open_double if ch == '"' else open_single)  # an image before a mark
            # opens a quotation as a word's edge would, when none is open: He wrote <img>"Best day ever"
            if ch == '"':
                if before.isdigit() and not open_double and not after.isalpha():
                    changes[k] = "\u2033"  # inches: 12″
                    primes += 1
                    continue
                if (starts and after not in SPACES) or (starts and not open_double):
                    changes[k] = double_open
                    open_double += 1
                    if french:
                        self._space_after(k)
                else:
                    changes[k] = double_close
                    open_double = max(0, open_double - 1)
                    if french:
                        self._space_before(k)
                quotes += 1
            elif (before.isalnum() or before == OBJECT and _CLITICS.match(text, k + 1)) and after.isalpha():
                changes[k] = apostrophe  # don't, l'homme, rock'n'roll, an image's ('s)
                apostrophes += 1
            elif starts and (after.isdigit() or _ELISIONS.match(text, k + 1)) and elisions:
                changes[k] = apostrophe  # '90s, 'tis
                apostrophes += 1
            elif starts and after not in SPACES:
                changes[k] = single_open
                open_single += 1
                quotes += 1
            elif open_single and not starts:
                changes[k] = single_close
                open_single -= 1
                quotes += 1
            elif before.isdigit():
                changes[k] = "\u2032"  # feet, minutes: 5′
                primes += 1
            else:
                changes[k] = apostrophe  # the players' union
                apostrophes += 1
        for kind, n in (("quotes", quotes), ("apostrophes", apostrophes), ("primes", primes)):
            if n:
                self._note(kind, n)

    def _space_after(self, i: int) -> None:
        """French: a narrow no-break space inside an opening guillemet."""
        if i + 1 < len(self.text) and self.text[i + 1] == " " and (self.editable is None or self.editable[i + 1]):
            self.changes[i + 1] = NNBSP
        elif i + 1 < len(self.text) and self.text[i + 1] not in SPACES and self.text[i + 1] != self.boundary:
            self.changes[i] = self._out(i) + NNBSP

    def _space_before(self, i: int) -> None:
        if i and self.text[i - 1] == " " and (self.editable is None or self.editable[i - 1]):
            self.changes[i - 1] = NNBSP
        elif i and self.text[i - 1] not in SPACES and self.text[i - 1] != self.boundary:
            self.changes[i] = NNBSP + self._out(i)

    # --- dashes ----------------------------------------------------------------------------------
    def dashes(self) -> None:
        text, dash = self.text, self.style.dash
        if "-" not in text:
            return  # every rule below starts from a hyphen
        triples, doubles, lone, ranges = _dash_hints(text)
        for match in _found_near(_EM_DASH_RUN, text, triples, 0):
            if self._free(match.start(), match.end()):
                self._replace(match.start(), match.end(), "\u2014")
                self._note("dashes")
        for match in _found_near(_DOUBLE_HYPHEN, text, doubles, 1):
            start, end = match.start(), match.end()
            if not self._free(start, end) or start == 0 or end >= len(text) or match.group(1) != match.group(2):
                continue  # "--flag" is not a dash
            before, after = text[start - 1], text[end]
            if before in SPACES or after in SPACES or before == self.boundary or after == self.boundary:
                continue  # spaced, or at a block's edge
            spaced = bool(match.group(1)) or dash == "\u2013"
            self._replace(start, end, f" {dash} " if spaced else dash)
            self._note("dashes")
        for match in _found_near(_SPACED_HYPHEN, text, lone, 1):
            if self._free(match.start(), match.end()):
                self.changes[match.start() + 1] = dash
                self._note("dashes")
        for match in _found_near(_RANGE, text, ranges, 4):
            first, second = match.group(1), match.group(2)
            plausible = (len(second) == len(first) and int(second) > int(first)) or (
                len(first) == 4 and len(second) == 2 and int(second) > int(first[2:]))
            if plausible and self._free(match.start(), match.end()):
                self.changes[match.start(2) - 1] = "\u2013"
                self._note("ranges")

    def _replace(self, start: int, end: int, value: str) -> None:
        self.changes[start] = value
        for i in range(start + 1, end):
            self.changes[i] = ""

    # --- ellipses and spaces -----------------------------------------------------------------------
    def ellipses(self) -> None:
        for match in _found_around(_ELLIPSIS, self.text, _ELLIPSIS_HINT, 0):
            if self._free(match.start(), match.end()):
                self._replace(match.start(), match.end(), "\u2026")
                self._note("ellipses")

    def no_break_spaces(self) -> None:
        text, titles = self.text, self.style.honorifics
        if " " not in text:
            return  # every rule below sets a space
        view = None if not text.isascii() and _beyond_latin1(text) else self.view
        if view is not None:
            # the honorifics and the initials, tried at the places one scan of the view finds for both; each rule
            # where its last match ended or later, as its finditer would (the order of the spaces set changes nothing)
            honorific = _honorifics_pattern(titles) if titles else None
            after_honorific = after_initial = 0
            places = _short_words_in_view(titles).finditer(view)
            for place in itertools.islice(places, _view_budget(text)):
                start = place.start()
                if honorific is not None and start >= after_honorific:
                    match = honorific.match(text, start)
                    if match:
                        self._nbsp(match.end() - 1)
                        after_honorific = match.end()
                if start >= after_initial:
                    match = _INITIAL.match(text, start)
                    if match:
                        self._nbsp(match.end() - 1)
                        after_initial = match.end()
            rest = next(places, None)
            if rest is not None:  # past the budget: each rule's own scan, from the first place not tried
                start = rest.start()
                if honorific is not None:
                    for match in _found_near(honorific, text, _hints(text, _honorifics_hint(titles), start), 0,
                                             max(start, after_honorific)):
                        self._nbsp(match.end() - 1)
                for match in _found_near(_INITIAL, text, _hints(text, _INITIAL_HINT, start), 1,
                                         max(start, after_initial)):
                    self._nbsp(match.end() - 1)
        else:  # each rule's own scan of the text, as before the view
            if titles:
                for match in _found_around(_honorifics_pattern(titles), text, _honorifics_hint(titles), 0):
                    self._nbsp(match.end() - 1)
            for match in _found_around(_INITIAL, text, _INITIAL_HINT, 1):
                self._nbsp(match.end() - 1)
        if view is None:
            for match in _UNIT.finditer(text):
                self._nbsp(match.start())
            return
        # a space after a digit (or "?": any character beyond Latin-1), up to the budget; then the rule's own scan
        units, end = _places(view, b"0 ", 1), 0
        for match in _found_near(_UNIT, text, itertools.islice(units, _view_budget(text)), 0):
            self._nbsp(match.start())
            end = match.end()
        rest = next(units, None)
        if rest is not None:
            for match in _UNIT.finditer(text, max(rest, end)):
                self._nbsp(match.start())

    def _nbsp(self, i: int) -> None:
        if (self.editable is None or self.editable[i]) and self._out(i) == " ":
            self.changes[i] = NBSP
            self._note("no-break spaces")

    def french_spaces(self) -> None:
        """A no-break space before ``:`` and a narrow one before ``; ! ?`` (and inside existing guillemets)."""
        text, editable = self.text, self.editable
        for mark in _FRENCH_MARK.finditer(text):
            i, ch = mark.start(), mark.group()
            if (editable is not None and not editable[i]) or i == 0:
                continue
            before = text[i - 1]
            if before == self.boundary:
                continue  # a block's first character, as i == 0
            at_end = i + 1 >= len(text) or text[i + 1] == self.boundary
            after = " " if at_end else text[i + 1]
            if ch == "\u00ab":
                if after == " " and not at_end and (editable is None or editable[i + 1]):  # not past the end
                    self.changes[i + 1] = NNBSP
                    self._note("no-break spaces")
                continue
            if ch == ":" and not (after in SPACES or after in "\u00bb\u201d"):
                continue  # 14:30, https:
            if ch in "!?" and before in "!?":
                continue  # ?! keeps one space only
            space = NBSP if ch == ":" else NNBSP
            if before == " " and (editable is None or editable[i - 1]) and self._out(i - 1) == " ":
                self.changes[i - 1] = space
                self._note("no-break spaces")
            elif before not in SPACES and self._out(i) == ch and (
                    before.isalnum() or before in ")]\u00bb\u201d" or before == OBJECT):
                self.changes[i] = space + ch
                self._note("no-break spaces")


def _found_around(pattern: re.Pattern[str], text: str, hint: str | re.Pattern[str],
                  before: int) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern whose every match has ``hint`` (a substring, or a pattern that
    opens with a literal character) found at one of its first ``before`` + 1 characters: it is tried only there
    (a pattern opening with a look-behind or a class is tried at every character by the regex engine, ~20-50 ns
    each; a literal is scanned for in ~1 ns)."""
    return _found_near(pattern, text, _hints(text, hint), before)


def _hints(text: str, hint: str | re.Pattern[str], start: int = 0) -> Iterator[int]:
    """Every place ``hint`` is found in ``text`` from ``start``, in order (a pattern's matches may overlap)."""
    found = _next_hint(text, hint, start)
    while found >= 0:
        yield found
        found = _next_hint(text, hint, found + 1)


def _found_near(pattern: re.Pattern[str], text: str, hints: Iterable[int], before: int,
                start: int = 0) -> Iterator[re.Match[str]]:
    """:func:`_found_around` given the places of the hint (ascending): ``pattern`` is tried from ``before``
    characters ahead of each, never before the end of the last match (as finditer's matches never overlap) nor
    before ``start`` (``pattern.finditer(text, start)`` where no match of it ends past ``start``)."""
    end = start  # where the last match ended: the next one starts there or later, as finditer's do
    for found in hints:
        for start in range(max(found - before, end), found + 1):
            match = pattern.match(text, start)
            if match:
                yield match
                end = match.end()
                break


def _dash_hints(text: str) -> tuple[Iterable[int], Iterable[int], Iterable[int], Iterable[int]]:
    """Where the hints of the four dash rules stand, in one scan of ``text`` (a regex search each scanned the whole
    text four times): "---" (a hyphen before two), "--", " - " and digit-hyphen-digit (each: its first hyphen).
    A hyphen before another is never between spaces or digits; one after a space is never after a digit.

    Listed, unless the text holds more than :data:`DASH_HINTS_LISTED_AT_MOST` hyphens: then each rule searches for
    its own as they are read (the lists of a paragraph of millions of hyphens took ~45 bytes a hyphen)."""
    if text.count("-") > DASH_HINTS_LISTED_AT_MOST:
        return tuple(_hints(text, hint) for hint in _DASH_RULE_HINTS)  # type: ignore[return-value]
    triple: list[int] = []
    double: list[int] = []
    spaced: list[int] = []
    ranges: list[int] = []
    for hit in _DASH_HINT.finditer(text):  # each hit is its one hyphen: the next search starts after it
        i = hit.start()
        if text.startswith("-", i + 1):
            double.append(i)
            if text.startswith("-", i + 2):
                triple.append(i)
        elif text[i - 1] == " ":
            spaced.append(i)
        else:
            ranges.append(i)
    return triple, double, spaced, ranges


#: More hyphens than this in one text, and each dash rule searches for its hints as they are read, none listed
DASH_HINTS_LISTED_AT_MOST = 10_000


def _url_matches(text: str) -> Iterator[re.Match[str]]:
    """``_URL.finditer(text)``, tried only in the words holding a hint: every match holds one (see
    :func:`_has_url_hint`) and no white space, so the words between spaces or line breaks around the hints hold
    every match (the pattern scans ~40 ns a character; the hints, literals first, ~1 ns)."""
    words = set()
    for hint in _URL_HINTS:
        end = 0  # where the last word holding this hint ended: each stretch of text is searched once a hint
        found = _next_hint(text, hint, 0)
        while found >= 0:
            space = text.rfind(" ", end, found)  # the word's edges: the nearer of a space and a line break
            start = max(space, text.rfind("\n", max(space, end), found)) + 1
            space = text.find(" ", found)
            newline = text.find("\n", found, len(text) if space < 0 else space)
            end = newline if newline >= 0 else len(text) if space < 0 else space
            words.add((start, end))
            found = _next_hint(text, hint, end)
    for start, end in sorted(words):
        yield from _URL.finditer(text, start, end)


def _next_hint(text: str, hint: str | re.Pattern[str], start: int) -> int:
    """Where ``hint`` is next found in ``text`` from ``start`` (-1: nowhere); a pattern's matches may overlap."""
    if isinstance(hint, str):
        return text.find(hint, start)
    match = hint.search(text, start)
    return match.start() if match else -1


@functools.lru_cache(maxsize=None)
def _honorifics_pattern(titles: tuple[str, ...]) -> re.Pattern[str]:
    """Honorifics followed by a capitalised name, longest first (compiled once per style)."""
    alternatives = "|".join(sorted(titles, key=len, reverse=True))
    return re.compile(r"(?<![\w.])(?:" + alternatives + r")\.? (?=[A-Z\u00c0-\u00de])")


@functools.lru_cache(maxsize=None)
def _honorifics_hint(titles: tuple[str, ...]) -> re.Pattern[str]:
    """:func:`_honorifics_pattern` without its look-behind: a literal prefix the regex engine scans for fast."""
    return re.compile("(?:" + "|".join(sorted(titles, key=len, reverse=True)) + r")\.? [A-Z\u00c0-\u00de]")


@functools.lru_cache(maxsize=None)
def _short_words_in_view(titles: tuple[str, ...]) -> re.Pattern[bytes]:
    """Where an honorific of ``titles`` (:func:`_honorifics_pattern`) or an initial (:data:`_INITIAL`) may start,
    in :attr:`Typesetter.view`: a word of as many classes as a title at most, opening with one a title or an initial
    opens with ("A"), after no letter of Latin-1 nor dot (classes "a", "A", "."), before an optional dot, a space and
    an upper-case letter ("A" or "X"). A digit or a character beyond Latin-1 before the word (both "0" in the view)
    is let through, though a word character to the rules' look-behinds: a superset, tried and dropped. Each place is
    the start of the word, which the pattern consumes alone (so none is missed); the length is possessive (a longer
    word is not tried shorter) and checked before the look-behind: most upper-case letters open longer words."""
    shapes = [title.encode("latin-1", "replace").translate(_CLASSES) for title in titles] + [b"A"]  # "A" an initial
    first = sorted({shape[0] for shape in shapes})
    rest = sorted({byte for shape in shapes for byte in shape[1:]})
    opening = re.escape(chr(first[0])) if len(first) == 1 else "[" + "".join(re.escape(chr(b)) for b in first) + "]"
    word = "[" + "".join(re.escape(chr(b)) for b in rest) + "]{0,%d}+" % (max(map(len, shapes)) - 1) if rest else ""
    return re.compile(f"{opening}(?={word}\\.? [AX])(?<![aA.]{opening})".encode("latin-1"))


def _view_budget(text: str) -> int:
    """How many places of the class view a no-break-space rule tries in Python before it hands over to its own scan
    from the first place not tried: on contrived Latin text nearly every word is a place (``"A " * n``, title-case
    prose, ``"1 " * n``: 2-3x slower than the rule's own scan, in C); on prose, far fewer than this. Counted as they
    are taken (itertools.islice), not up front: counting the places in C first cost 2.6 M instructions a corpus
    round (closing note 14)."""
    return 8 + (len(text) >> 5)


#: The view is not made for a text in good part beyond Latin-1 (Cyrillic, Greek, CJK…): each run of such characters
#: costs the encoding ~50 ns, and in the view they are possible digits and no capitals: the units would be tried at
#: every space after a word, one by one in Python (review-s14: a Russian text 27x slower, a 15 KB Russian article
#: +60 %), and there is nothing to find faster. Judged from samples of the text (the typography pass joins an
#: article's blocks into one text: an English byline before a Russian article), which only choose the way.
_LATIN1_SAMPLES = 8
_LATIN1_SAMPLE_SIZE = 64


def _beyond_latin1(text: str) -> bool:
    """Whether more than an eighth of the characters of one of :data:`_LATIN1_SAMPLES` samples spread over ``text``
    (:data:`_LATIN1_SAMPLE_SIZE` characters each) lie beyond Latin-1."""
    step = max(len(text) // _LATIN1_SAMPLES, _LATIN1_SAMPLE_SIZE)
    for start in range(0, len(text), step):
        sample = text[start:start + _LATIN1_SAMPLE_SIZE]
        if len(sample) - len(sample.encode("latin-1", "ignore")) > len(sample) >> 3:
            return True
    return False


def _places(view: bytes, needle: bytes, offset: int) -> Iterator[int]:
    """Every place where ``needle`` starts in ``view``, plus ``offset``, ascending (bytes.find, in C): :func:`_hints`
    for the class view's bytes (whose :func:`_next_hint` takes a str or a str pattern)."""
    found = view.find(needle)
    while found >= 0:
        yield found + offset
        found = view.find(needle, found + 1)


def _has_url_hint(text: str) -> bool:
    """True where one of :data:`_URL_HINTS` stands (``@``, ``://``, ``www.``, a domain's ending): the URL regex can
    only match there."""
    return any(_next_hint(text, hint, 0) >= 0 for hint in _URL_HINTS)


def may_change(text: str, style: Style) -> bool:
    """False when no rule of :class:`Typesetter` can change ``text``: each rule needs one of these marks."""
    return bool(
        '"' in text or "'" in text  # quotes, apostrophes, primes
        or "--" in text or " - " in text or _RANGE_HINT.search(text)  # dashes, ranges
        or ".." in text or ". ." in text  # ellipses
        or _INITIAL_HINT.search(text) or _UNIT.search(text)  # no-break spaces (the unit rule: its own regex)
        or (style.french_spacing and _FRENCH_MARK.search(text))
        or (style.honorifics and _honorifics_hint(style.honorifics).search(text)))  # the costliest search last


def typeset_text(text: str, language: str) -> str:
    """``text`` with the typography of ``language`` (for metadata such as titles)."""
    return Typesetter(text, None, style_for(language)).run()


def typeset_texts(texts: list[str], language: str) -> list[str]:
    """:func:`typeset_text` of each text, with every rule run once over them all (see :func:`typeset_blocks`)."""
    joined = BOUNDARY.join(texts)
    if joined.count(BOUNDARY) != len(texts) - 1:  # a text holds the boundary
        return [typeset_text(text, language) for text in texts]
    return Typesetter(joined, None, style_for(language), True, BOUNDARY).run().split(BOUNDARY)


def typography(state: State) -> None:
    """Typeset every text block of the tree and the descriptive metadata."""
    tree, metadata, report = state.tree, state.metadata, state.report
    totals: dict[str, int] = {}
    # comments, processing instructions, entities, code, pre and images: few, found in one walk, each tag read once
    # (~400 instructions a read: the corpus has ten images for each code or pre)
    code: list[etree._Element] = []  # code and pre
    images: list[etree._Element] = []
    alone = has_pre = False
    for node in tree.iter(etree.Comment, etree.ProcessingInstruction, etree.Entity, *SKIP, *OBJECTS):
        tag = node.tag
        if tag in OBJECTS:
            images.append(node)
        elif isinstance(tag, str):
            code.append(node)
            has_pre = has_pre or tag == "pre"
        else:
            alone = True
    # not those holding blocks: their paragraphs are typeset (len() first: most blocks have no child, and asking
    # holds_blocks walks the children in Python, ~3,000 instructions a block)
    blocks = [block for block in tree.iter(*TEXT_BLOCKS)
              if not (len(block) and holds_blocks(block))
              and not (has_pre and next(block.iterancestors("pre"), None) is not None)]
    by_language = {metadata.language: blocks}
    if _HAS_LANG(tree):  # the blocks by language, each in document order
        by_language = {}
        for block in blocks:
            by_language.setdefault(_language_of(block, metadata.language), []).append(block)
    # a comment, processing instruction or entity in a block shifts its slots from its text (see typeset_block):
    # an article holding one (alone, above) has its blocks typeset one by one, as they always were
    with_code: set[etree._Element] = set()  # the blocks holding code or pre (typeset alone: the code is not)
    for node in code:
        with_code.update(node.iterancestors(*TEXT_BLOCKS))
    with_objects = _image_blocks(images)
    for language, blocks in by_language.items():
        if alone:
            _add(totals, _typeset_one_by_one(blocks, style_for(language), text_of(tree)))
        else:
            _add(totals, typeset_blocks(blocks, style_for(language), with_code, with_objects))
    fields = [field for field in ("title", "subtitle", "description") if getattr(metadata, field)]
    for field, value in zip(fields, typeset_texts([getattr(metadata, field) for field in fields], metadata.language)):
        setattr(metadata, field, value)
    for kind, message in MESSAGES.items():
        report.note(message, totals.get(kind, 0))


def _image_blocks(images: list[etree._Element]) -> set[etree._Element]:
    """The text blocks the ``images`` stand in (their text is read with :data:`OBJECT`): each image's nearest
    ancestor, unless another block (a figure, a list, a table) comes first, whose text block, holding a block, is not
    typeset. A getparent() a level, ~0.3 us an image, and one for an image in a figure (the corpus's most):
    iterancestors(*TEXT_BLOCKS) makes its matcher of ten names at each call, ~4 us."""
    blocks = set()
    for image in images:
        el = image.getparent()
        while el is not None:
            tag = el.tag
            if tag in TEXT_BLOCKS:
                blocks.add(el)
                break
            if tag in CONVERTED_BLOCKS:
                break
            el = el.getparent()
    return blocks


def _typeset_one_by_one(blocks: list[etree._Element], style: Style, whole: str) -> dict[str, int]:
    """:func:`typeset_block` for each block, given ``whole``, a text every block's text is part of (what no
    rule finds there, it finds in no block)."""
    totals: dict[str, int] = {}
    style, urls = _style_within(style, whole), _has_url_hint(whole)
    for block in blocks:
        _add(totals, typeset_block(block, style, urls))
    return totals


def _add(totals: dict[str, int], counts: dict[str, int]) -> None:
    for kind, count in counts.items():
        totals[kind] = totals.get(kind, 0) + count


#: Whether any element of the tree says its language (else every block is in the article's)
_HAS_LANG = etree.XPath("boolean(descendant-or-self::*/@lang)")


def _style_within(style: Style, whole: str) -> Style:
    """``style`` for the blocks of an article whose whole text is ``whole``: without honorifics when none
    stands in it (every block then skips the honorifics' search, the costliest hint)."""
    if style.honorifics and not _honorifics_hint(style.honorifics).search(whole):
        return dataclasses.replace(style, honorifics=())
    return style


def _language_of(el: etree._Element, default: str) -> str:
    lang = el.get("lang")
    if lang:
        return lang
    for node in el.iterancestors():
        lang = node.get("lang")
        if lang:
            return lang
    return default


def typeset_block(block: etree._Element, style: Style, may_hold_urls: bool = True) -> dict[str, int]:
    """Typeset one block's inline text in place; returns what was changed, counted by kind.

    ``may_hold_urls`` False: the caller knows no URL stands in the block (none in its article)."""
    joined = text_of(block) if len(block) else block.text or ""  # the slots' text below, in the same order
    if not may_change(joined, style):
        return {}  # most blocks: decided by a few substring searches, before any per-character list
    # (reading images as OBJECT, below, adds no mark nor space a rule turns: a block none can change stays so)
    object_slots = _object_slots(block) if len(block) and next(block.iterdescendants(*OBJECTS), None) is not None \
        else None
    if object_slots is not None:
        joined = _slots_text(object_slots)
    if not len(block):  # text only (most blocks): one slot, every character editable
        setter = Typesetter(joined, None, style, may_hold_urls)
        typeset = setter.run()
        if setter.counts and typeset != joined:
            block.text = typeset or None
        return setter.counts
    if next(block.iterdescendants(*SKIP), None) is None:  # no code in the block: every character may change
        setter = Typesetter(joined, None, style, may_hold_urls)
        setter.apply()
        if not setter.counts:
            return {}
        slots = text_slots(block) if object_slots is None else object_slots  # only where something changed
    else:
        slots, editable = [], []
        skipping: set[etree._Element] = set()  # code and pre in the block, and all inside them
        for el, which in text_slots(block) if object_slots is None else object_slots:
            if which == OBJECT_SLOT:
                slots.append((el, which))
                editable.append(False)
                continue
            skipped = el.tag in SKIP or el.getparent() in skipping if which == "text" else el.getparent() in skipping
            if which == "text" and skipped:
                skipping.add(el)
            slots.append((el, which))
            editable += [not skipped] * len(getattr(el, which) or "")
        setter = Typesetter(joined, editable, style, may_hold_urls)
        setter.apply()
        if not setter.counts:
            return {}
    # a comment or processing instruction in the block has a slot whose text the block's text leaves out: every
    # slot after it is written back from the shifted positions, as it always was
    aligned = next(block.iter(etree.Comment, etree.ProcessingInstruction, etree.Entity), None) is None
    changed = sorted(setter.changes)
    if changed or not aligned:
        _write_slots(slots, setter, changed, 0, aligned)
    return setter.counts


def _object_slots(block: etree._Element) -> list[tuple[etree._Element, str]]:
    """:func:`~.surgery.text_slots` of a block holding images, with an ``(image, OBJECT_SLOT)`` slot before each
    image's own text slot: where its OBJECT stands in the block's text (:func:`_slots_text`)."""
    slots: list[tuple[etree._Element, str]] = []
    for el, which in text_slots(block):
        if which == "text" and el.tag in OBJECTS:
            slots.append((el, OBJECT_SLOT))
        slots.append((el, which))
    return slots


def _slots_text(slots: list[tuple[etree._Element, str]]) -> str:
    """The block's text as :func:`~exporter.tree.text_of` reads it from its slots (without the own text of a comment,
    processing instruction or entity), with OBJECT in each object slot."""
    return "".join(OBJECT if which == OBJECT_SLOT else getattr(el, which) or ""
                   if which == "tail" or isinstance(el.tag, str) else "" for el, which in slots)


#: What joins the texts of an article's blocks for :func:`typeset_blocks`: white space, where every rule's pattern
#: stops as at the end of a text (the URL pattern's classes exclude white space; no other pattern matches it),
#: and which the rules' own code reads as a block's edge. No block holds it once white space is normalised.
BOUNDARY = "\n"


def typeset_blocks(blocks: list[etree._Element], style: Style, with_code: set[etree._Element] | None = None,
                   with_objects: set[etree._Element] | None = None) -> dict[str, int]:
    """Typeset ``blocks`` in place as :func:`typeset_block` typesets each, with every rule run once over their
    joined text rather than once per block (most blocks change nothing, and a rule's cost was per call);
    returns what was changed, counted by kind. ``with_code``: the blocks holding ``code`` or ``pre``, which are
    typeset alone; ``with_objects``: those holding an image (None: any block may, for either)."""
    totals: dict[str, int] = {}
    if with_code is None:
        with_code = {block for block in blocks if next(block.iterdescendants(*SKIP), None) is not None}
    if with_objects is None:
        with_objects = {block for block in blocks if next(block.iterdescendants(*OBJECTS), None) is not None}
    if with_code:
        for block in blocks:
            if block in with_code:
                _add(totals, typeset_block(block, style))
        blocks = [block for block in blocks if block not in with_code]
    if not blocks:
        return totals
    texts = [text_of(block) if len(block) else block.text or "" for block in blocks]
    object_slots: dict[int, list[tuple[etree._Element, str]]] = {}  # by index, the slots of the blocks holding images
    if with_objects:
        for index, block in enumerate(blocks):
            # (where no rule can change the text without its images, none can with them: OBJECT matches no hint)
            if block in with_objects and texts[index] and may_change(texts[index], style):  # (not images alone)
                object_slots[index] = _object_slots(block)
                texts[index] = _slots_text(object_slots[index])
    starts = [0, *itertools.accumulate(len(text) + 1 for text in texts)]
    text = BOUNDARY.join(texts)
    if text.count(BOUNDARY) != len(texts) - 1:  # a block holds the boundary: typeset each alone
        _add(totals, _typeset_one_by_one(blocks, style, text))
        return totals
    setter = Typesetter(text, None, style, True, BOUNDARY)
    setter.apply()
    if not setter.counts:
        return totals
    _add(totals, setter.counts)
    typeset = setter.typeset().split(BOUNDARY)  # one text a block: no rule changes or writes a boundary
    changed = setter._order  # the input positions of the changes, in order (typeset sorted them)
    k = 0
    while k < len(changed):  # each block holding a change, in order
        index = bisect.bisect_right(starts, changed[k]) - 1
        block, start = blocks[index], starts[index]
        k_next = bisect.bisect_left(changed, start + len(texts[index]), k)  # the first change past the block
        if len(block):
            _write_slots(object_slots.get(index) or text_slots(block), setter, changed[k:k_next], start)
        elif typeset[index] != texts[index]:
            block.text = typeset[index] or None
        k = k_next
    return totals


def _write_slots(slots: list[tuple[etree._Element, str]], setter: Typesetter, changed: list[int],
                 position: int = 0, aligned: bool = True) -> None:
    """Write the typeset text back into the slots of a block whose text starts at ``position`` of the setter's;
    ``changed``: the input positions of the block's changes, in order. Only slots holding a change are written,
    unless the slots are not ``aligned`` with the block's text (a comment's slot shifts those after it from the
    block's text): then every slot is, from the shifted positions, as it always was."""
    last = changed[-1] if aligned else None
    for el, which in slots:
        if last is not None and position > last:
            break  # no change from here on
        if which == OBJECT_SLOT:
            position += 1  # an image's OBJECT, which no rule changes
            continue
        value = getattr(el, which) or ""
        if value:
            end = position + len(value)
            if last is None or changed[bisect.bisect_left(changed, position)] < end:  # a change in this slot
                typeset = setter.typeset(position, end)
                if typeset != value:  # lxml copies every text set: set only what changed
                    setattr(el, which, typeset or None)
            position = end
