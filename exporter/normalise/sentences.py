r"""pysbd's sentence segmenter, with its abbreviation search made cheap and its answers unchanged.

pysbd's ``AbbreviationReplacer.search_for_abbreviations_in_string`` looks, for
each of its few hundred abbreviations found in a line, for every occurrence at
the start of a word (an abbreviation such as "a" is at the start of every word
beginning with a), and then runs one substitution over the whole line per
occurrence, each compiled through ``re``'s cache. Most of ``segment`` goes there.

The same substitutions, each once, give the same text:

- pysbd asks the letter after "{abbr} " (braces included) whether the next
  word is capitalised; without a "{" in the line that finds nothing, and every
  occurrence goes to a substitution chosen by its own text (``am.strip()``)
  alone. With one (the braces found), the occurrences are taken one by one as
  pysbd takes them.
- Each substitution only turns a "." into "∯", and none of its lookarounds
  can match a "∯" unless the occurrence's text holds one: a substitution
  applied again, after itself and others of its kind, finds nothing more. So
  an occurrence whose text came before is skipped (one holding "∯" is applied
  again, as pysbd does).
- An abbreviation of ASCII letters and digits (most) is written literally in
  its substitution, which changes only a "." right after the same text at a
  word's start: only such occurrences count, found by one scan of the line.
  Not when the line holds a letter that ``re`` folds into ASCII and ``lower``
  does not ("ſ" is "s", "K" is "k") or that grows in lower case ("İ").

Languages whose replacer changes how occurrences are searched or replaced keep
pysbd's own. pysbd itself is configured per segmenter (a subclass of the
language's class and of its replacer), never patched.

The processor around it (for languages without a processor of their own) takes
three more shortcuts, each giving pysbd's text:

- The list-item rules scan the whole text with patterns no literal starts
  (``(?<=\s)[a-z](?=\.)``…); most texts hold no list item at all. A pattern
  that starts with the character every match needs (``[a-z]`` before ``.``)
  says so cheaply, and the rule, which would change nothing, is skipped.
- Punctuation between quotation marks, parentheses and brackets is replaced by
  one ``str.translate``: pysbd escapes ``( ) [ ] -``, replaces eight marks one
  substitution each, then unescapes, which gives back every escaped character.
- A rule whose pattern and replacement are plain text is ``str.replace``. ``tests/test_speed_reflow.py``
compares both on real and generated texts.
"""
from __future__ import annotations

import re
from functools import lru_cache

import pysbd
from pysbd.abbreviation_replacer import AbbreviationReplacer
from pysbd.between_punctuation import BetweenPunctuation
from pysbd.exclamation_words import ExclamationWords
from pysbd.lang.common import Common, Standard
from pysbd.lists_item_replacer import ListItemReplacer
from pysbd.processor import Processor
from pysbd.punctuation_replacer import replace_punctuation
from pysbd.utils import Rule, TextSpan

from .text import FOLDS_INTO_ASCII

#: The pysbd whose code the shortcuts were proved against (and tested with): any other keeps pysbd's own ways.
VERIFIED_PYSBD = "0.3.4"
#: The replacer's methods whose stock behaviour the shortcut relies on.
_RELIED_ON = ("search_for_abbreviations_in_string", "scan_for_replacements", "replace_period_of_abbr")


@lru_cache(maxsize=4096)
def _pattern(source: str, flags: int = 0) -> re.Pattern[str]:
    """``source`` compiled, kept for every line (``re``'s own cache holds too few for pysbd's lists)."""
    return re.compile(source, flags)


#: What a plain abbreviation is made of (lower-cased), and what must stand before one that does not start its line.
_LETTERS_AND_DIGITS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_SPACE = re.compile(r"\s")
_PLAIN = re.compile(r"[a-z0-9]+")


class _OnceEach:
    """``search_for_abbreviations_in_string`` applying each distinct occurrence's substitution once.

    An abbreviation made of ASCII letters and digits (most of them) substitutes
    only a full stop right after an occurrence of itself (as written there, at
    the start of a word): only those occurrences are looked for, in one scan of
    the line for words ending at a full stop. Two such occurrences written
    differently ("co." and "Co.") change different full stops and none changes
    what the other's lookarounds read, so their order does not matter.
    """

    #: The abbreviations made of ASCII letters and digits (set per language).
    plain: frozenset[str] = frozenset()
    #: Each abbreviation of the language's list, stripped, and whether it is plain (set per language).
    stripped: tuple[tuple[str, bool], ...] = ()
    #: Where in ``stripped`` each plain abbreviation first stands, and where the others stand (set per language).
    first_at: dict[str, int] = {}
    unplain_at: tuple[int, ...] = ()

    def search_for_abbreviations_in_string(self, text: str) -> str:
        lowered = text.lower()
        braces = "{" in text
        dotted = None if braces or FOLDS_INTO_ASCII.search(text) else self._dotted_words(text, lowered)
        done: set[str] = set()  # occurrences whose substitution has been applied
        entries = self.stripped
        if dotted is not None:  # a plain abbreviation that stands nowhere changes nothing: the rest, in their order
            entries = [entries[i] for i in sorted((*self.unplain_at, *(self.first_at[word] for word in dotted)))]
        for stripped, is_plain in entries:
            if dotted is not None and is_plain:
                for key in dotted.get(stripped, ()):
                    if key not in done:
                        done.add(key)
                        text = self.scan_for_replacements(text, key, 0, [])
                continue
            if stripped not in lowered:
                continue
            abbrev_match = _pattern(r"(?:^|\s|\r|\n){}".format(stripped), re.IGNORECASE).findall(text)
            if not abbrev_match:
                continue
            next_word_start = _pattern(r"(?<={" + str(re.escape(stripped)) + "} ).{1}")  # literal braces
            char_array = next_word_start.findall(text) if braces else []
            if char_array:
                for ind, match in enumerate(abbrev_match):
                    text = self.scan_for_replacements(text, match, ind, char_array)
                continue
            for match in abbrev_match:
                key = match.strip()
                if key in done:
                    continue
                if "∯" not in key:
                    done.add(key)
                text = self.scan_for_replacements(text, match, 0, [])
        return text

    def _dotted_words(self, text: str, lowered: str) -> dict[str, list[str]]:
        """Each plain abbreviation's distinct occurrences (as written) that a full stop follows.

        What ``(?:^|(?<=\\s))[a-z0-9]+(?=\\.)`` finds: read back from each full stop over its letters and digits,
        which must start the line or follow white space (a line holds far fewer full stops than spaces; each
        walk back reads the word just before one stop, so the line is read at most twice).
        """
        found: dict[str, list[str]] = {}
        stop = lowered.find(".")
        while stop >= 0:
            start = stop
            while start and lowered[start - 1] in _LETTERS_AND_DIGITS:
                start -= 1
            if start < stop and (not start or _SPACE.match(lowered, start - 1)):
                word = lowered[start:stop]
                if word in self.plain:
                    key = text[start:stop]
                    keys = found.setdefault(word, [])
                    if key not in keys:
                        keys.append(key)
            stop = lowered.find(".", stop + 1)
        return found


@lru_cache(maxsize=None)
def _with_cheap_search(language: type) -> type:
    """``language``'s class with the cheap abbreviation search, or itself when its replacer is its own."""
    replacer = getattr(language, "AbbreviationReplacer", AbbreviationReplacer)
    if pysbd.__version__ != VERIFIED_PYSBD or any(
            getattr(replacer, name) is not getattr(AbbreviationReplacer, name) for name in _RELIED_ON):
        return language
    plain = frozenset(a.strip() for a in language.Abbreviation.ABBREVIATIONS if _PLAIN.fullmatch(a.strip()))
    stripped = tuple((a.strip(), a.strip() in plain) for a in language.Abbreviation.ABBREVIATIONS)
    methods = {name: method for name, method in _CHEAP_REPLACER_METHODS.items()
               if getattr(replacer, name) is getattr(AbbreviationReplacer, name)}  # a language's own stays
    first_at: dict[str, int] = {}
    for i, (abbreviation, is_plain) in enumerate(stripped):
        if is_plain:
            first_at.setdefault(abbreviation, i)
    unplain_at = tuple(i for i, (_, is_plain) in enumerate(stripped) if not is_plain)
    cheap = type(replacer.__name__, (_OnceEach, replacer), {"__module__": __name__, "plain": plain, "stripped": stripped,
                                                     "first_at": first_at, "unplain_at": unplain_at, **methods})
    return type(language.__name__, (language,), {"AbbreviationReplacer": cheap, "__module__": __name__})


def _replace(self) -> str:
    """``AbbreviationReplacer.replace`` with its rules applied by :func:`_applied`."""
    self.text = _applied(self.text, self.lang.PossessiveAbbreviationRule, self.lang.KommanditgesellschaftRule,
                         *self.lang.SingleLetterAbbreviationRules.All)
    self.text = "".join(self.search_for_abbreviations_in_string(line) for line in self.text.splitlines(True))
    self.replace_multi_period_abbreviations()
    self.text = _applied(self.text, *self.lang.AmPmRules.All)
    self.text = self.replace_abbreviation_as_sentence_boundary()
    return self.text


@lru_cache(maxsize=None)
def _sentence_starter_hint(starters: tuple[str, ...]) -> re.Pattern[str]:
    """What every match of pysbd's abbreviation-as-sentence-boundary pattern holds: "∯", a space, a starter."""
    return re.compile("∯(?:" + "|".join(r"(?=\s{}\s)".format(word) for word in starters) + ")")


def _replace_abbreviation_as_sentence_boundary(self) -> str:
    """``AbbreviationReplacer.replace_abbreviation_as_sentence_boundary``, skipped where its hint finds nothing."""
    if "∯" not in self.text or not _sentence_starter_hint(tuple(self.SENTENCE_STARTERS)).search(self.text):
        return self.text
    return AbbreviationReplacer.replace_abbreviation_as_sentence_boundary(self)


#: A letter, a full stop, a letter (case ignored): what every match of ``MULTI_PERIOD_ABBREVIATION_REGEX`` holds.
_MULTI_PERIOD_HINT = re.compile(r"\.(?<=[a-z]\.)(?=[a-z])", re.IGNORECASE)


def _replace_multi_period_abbreviations(self) -> None:
    """``AbbreviationReplacer.replace_multi_period_abbreviations``, skipped where its hint finds nothing."""
    if self.lang.MULTI_PERIOD_ABBREVIATION_REGEX != r"\b[a-z](?:\.[a-z])+[.]" or _MULTI_PERIOD_HINT.search(
            self.text):
        AbbreviationReplacer.replace_multi_period_abbreviations(self)


#: The replacer's methods with shortcuts, each taken where the language's replacer has pysbd's own.
_CHEAP_REPLACER_METHODS = {
    "replace": _replace,
    "replace_abbreviation_as_sentence_boundary": _replace_abbreviation_as_sentence_boundary,
    "replace_multi_period_abbreviations": _replace_multi_period_abbreviations,
}


#: What pysbd's span search takes after a sentence: ``\s*``.
_SPACES = re.compile(r"\s*")


#: For each of pysbd's list-item patterns, one that finds something wherever it does: the characters every
#: match of it holds ("[a-z]" before "."…), found from the literal among them.
_LIST_HINTS = {
    ListItemReplacer.ALPHABETICAL_LIST_WITH_PERIODS: re.compile(r"\.(?:(?<=\s[a-z]\.)|(?<=^[a-z]\.))"),
    ListItemReplacer.ALPHABETICAL_LIST_WITH_PARENS: re.compile(r"\)(?<=[a-z]\))"),  # [a-z]+(?=\))
    # one or two digits after a non-digit (or the start), then ".\s" or ".)"
    ListItemReplacer.NUMBERED_LIST_REGEX_1: re.compile(
        r"\.(?=[\s)])(?:(?<=\D\d\.)|(?<=\D\d\d\.)|(?<=^\d\.)|(?<=^\d\d\.))"),
    ListItemReplacer.NUMBERED_LIST_PARENS_REGEX: re.compile(r"\)(?<=\d\))(?=\s)"),  # \d{1,2}(?=\)\s)
}


class _ListItems(ListItemReplacer):
    """pysbd's list-item rules, each skipped where its hint finds nothing (it would find no item either)."""

    def iterate_alphabet_array(self, regex, parens=False, roman_numeral=False):
        hint = _LIST_HINTS.get(regex)
        if hint is not None and hint.search(self.text) is None:
            return self.text  # no item found: pysbd's loop does nothing
        return super().iterate_alphabet_array(regex, parens=parens, roman_numeral=roman_numeral)

    def scan_lists(self, regex1, regex2, replacement, strip=False):
        hint = _LIST_HINTS.get(regex1)
        if hint is not None and hint.search(self.text) is None:
            return  # no item found: nothing to substitute
        super().scan_lists(regex1, regex2, replacement, strip=strip)


#: What pysbd's ``replace_punctuation`` makes of each character between quotation marks (the escaped
#: brackets and dash come back as they were).
_BETWEEN = {".": "∯", "。": "&ᓰ&", "．": "&ᓱ&", "！": "&ᓳ&", "!": "&ᓴ&", "?": "&ᓷ&", "？": "&ᓸ&"}
_BETWEEN_MARKS = str.maketrans({**_BETWEEN, "'": "&⎋&"})
_BETWEEN_SINGLE_QUOTES = str.maketrans(_BETWEEN)


def _punctuation_replaced(match: re.Match[str]) -> str:
    """``pysbd.punctuation_replacer.replace_punctuation(match)``."""
    return match.group().translate(_BETWEEN_MARKS)


def _punctuation_replaced_in_single_quotes(match: re.Match[str]) -> str:
    """``replace_punctuation(match, match_type="single")``: apostrophes stay."""
    return match.group().translate(_BETWEEN_SINGLE_QUOTES)


class _BetweenPunctuation(BetweenPunctuation):
    """pysbd's substitutions between quotation marks and brackets, each match replaced by one translation."""

    def sub_punctuation_between_parens(self, txt):
        return _pattern(self.BETWEEN_PARENS_REGEX_2).sub(_punctuation_replaced, txt)

    def sub_punctuation_between_square_brackets(self, txt):
        return _pattern(self.BETWEEN_SQUARE_BRACKETS_REGEX_2).sub(_punctuation_replaced, txt)

    def sub_punctuation_between_single_quotes(self, txt):
        if _pattern(_faster(self.WORD_WITH_LEADING_APOSTROPHE)).search(txt) and not _pattern(r"'\s").search(txt):
            return txt
        return _pattern(_faster(self.BETWEEN_SINGLE_QUOTES_REGEX)).sub(_punctuation_replaced_in_single_quotes, txt)

    def sub_punctuation_between_single_quote_slanted(self, txt):
        return _pattern(_faster(self.BETWEEN_SINGLE_QUOTE_SLANTED_REGEX)).sub(_punctuation_replaced, txt)

    def sub_punctuation_between_double_quotes(self, txt):
        return _pattern(self.BETWEEN_DOUBLE_QUOTES_REGEX_2).sub(_punctuation_replaced, txt)

    def sub_punctuation_between_quotes_arrow(self, txt):
        return _pattern(self.BETWEEN_QUOTE_ARROW_REGEX_2).sub(_punctuation_replaced, txt)

    def sub_punctuation_between_em_dashes(self, txt):
        return _pattern(self.BETWEEN_EM_DASHES_REGEX_2).sub(_punctuation_replaced, txt)

    def sub_punctuation_between_quotes_slanted(self, txt):
        return _pattern(self.BETWEEN_QUOTE_SLANTED_REGEX_2).sub(_punctuation_replaced, txt)


#: A pattern that is plain text: no character of the regex syntax unless escaped (``\(``), no escaped letter.
_PLAIN_PATTERN = re.compile(r"(?:[^\\.^$*+?{}\[\]|()]|\\[^A-Za-z0-9])+")


@lru_cache(maxsize=None)
def _literal(pattern: str, replacement: str) -> str | None:
    """The text ``pattern`` matches when it is plain text and ``replacement`` is too, else None."""
    if "\\" in replacement or not _PLAIN_PATTERN.fullmatch(pattern):
        return None
    return re.sub(r"\\(.)", r"\1", pattern)


#: A pattern opening with a look-behind at plain text, then plain text: both must stand in a text for the pattern
#: to match there (when it has no alternative: :func:`_needed` refuses any "|"; nor a quantified look-behind,
#: ``(?<=x)*``, which may match no time).
_LOOKBEHIND_AT_TEXT = re.compile(r"\(\?<=((?:[^\\.^$*+?{}\[\]|()]|\\[^A-Za-z0-9])+)\)(?![*+?{])"
                                 r"((?:[^\\.^$*+?{}\[\]|()]|\\[^A-Za-z0-9])(?![*+?{]))?(?!.*(?<!\\)\|)")
#: Patterns of pysbd's rules that open with a look-behind or a class (tried at every character), each with the
#: same pattern opening with the character every match holds there (found fast), looking behind from it: the
#: same spans. (The rules' replacements refer to no group.)
_FASTER = {
    r"(?<=^[A-Z])\.(?=\s)": r"\.(?<=^[A-Z]\.)(?=\s)",
    r"(?<=\s[A-Z])\.(?=,?\s)": r"\.(?<=\s[A-Z]\.)(?=,?\s)",
    r"(?<=\d)\.(?=\S)": r"\.(?<=\d\.)(?=\S)",
    r"(?<=\r\d)\.(?=(\s\S)|\))": r"\.(?<=\r\d\.)(?=(\s\S)|\))",
    r"(?<=^\d)\.(?=(\s\S)|\))": r"\.(?<=^\d\.)(?=(\s\S)|\))",
    r"(?<=^\d\d)\.(?=(\s\S)|\))": r"\.(?<=^\d\d\.)(?=(\s\S)|\))",
    r"(?<=[a-zA-z]°)\.(?=\s*\d+)": r"\.(?<=[a-zA-z]°\.)(?=\s*\d+)",
    r"(?<=\S)\.{3}(?=\.\s[A-Z])": r"\.(?<=\S\.)\.\.(?=\.\s[A-Z])",
    r"(?<=[a-z])(\.\s){3}\.($|\\n)": r"\.(?<=[a-z]\.)\s\.\s\.\s\.(?:$|\\n)",
    Standard.FileFormatRule.pattern: r"\.(?<=\s\.)" + Standard.FileFormatRule.pattern.removeprefix(r"(?<=\s)\."),
    BetweenPunctuation.BETWEEN_SINGLE_QUOTES_REGEX: r"'(?<=\s')(?:[^']|'[a-zA-Z])*'",
    BetweenPunctuation.BETWEEN_SINGLE_QUOTE_SLANTED_REGEX: r"‘(?<=\s‘)(?:[^’]|’[a-zA-Z])*’",
    BetweenPunctuation.WORD_WITH_LEADING_APOSTROPHE: r"'(?<=\s')(?:[^']|'[a-zA-Z])*'\S",
}
#: For pysbd's patterns that open with a class (tried at every character), one opening with a literal that finds
#: something wherever the pattern does: where it finds nothing, the rule would change nothing.
_HINTS = {
    r"(\s\.){3}\s": re.compile(r"\.(?<=\s\.)(?=\s\.\s\.\s)"),
    Standard.Abbreviation.WithMultiplePeriodsAndEmailRule.pattern: re.compile(
        r"\.(?<=[a-zA-Z0-9_]\.)(?=[a-zA-Z0-9_])"),
    Common.PARENS_BETWEEN_DOUBLE_QUOTES_REGEX: re.compile(r'\((?<=["\u201d]\s\()'),
}


def _faster(pattern: str) -> str:
    return _FASTER.get(pattern, pattern)


@lru_cache(maxsize=None)
def _needed(pattern: str) -> str | None:
    """Plain text that stands wherever ``pattern`` matches (its look-behind's and what follows it), or None."""
    found = _LOOKBEHIND_AT_TEXT.match(pattern)
    if not found or "|" in pattern:  # an alternative anywhere may need nothing (however it is escaped)
        return None
    return re.sub(r"\\(.)", r"\1", found.group(1) + (found.group(2) or ""))


def _applied(text: str, *rules: Rule) -> str:
    """``pysbd.utils.Text(text).apply(*rules)``: a rule of plain text is ``str.replace``; a rule that needs
    plain text absent from ``text`` is skipped."""
    for rule in rules:
        literal, needed, hint, compiled = _plan(rule.pattern, rule.replacement)
        if literal is not None:
            if literal in text:
                text = text.replace(literal, rule.replacement)
        elif (needed is None or needed in text) and (hint is None or hint.search(text)):
            text = compiled.sub(rule.replacement, text)
    return text


_Plan = tuple[str | None, str | None, re.Pattern[str] | None, re.Pattern[str] | None]


@lru_cache(maxsize=None)
def _plan(pattern: str, replacement: str) -> _Plan:
    """How :func:`_applied` applies a rule, found once per rule (pysbd's rules are applied to every line): its
    plain text (:func:`_literal`), else the text it needs (:func:`_needed`), its hint and its faster pattern."""
    literal = _literal(pattern, replacement)
    if literal is not None:
        return literal, None, None, None
    return None, _needed(pattern), _HINTS.get(pattern), _pattern(_faster(pattern))


@lru_cache(maxsize=None)
def _any_literal(rules: tuple[Rule, ...]) -> re.Pattern[str] | None:
    """For rules that are all plain text, a pattern finding any of their texts (where it finds none, no rule changes
    anything: each finds nothing, so none makes another's text); else None."""
    literals = [_literal(rule.pattern, rule.replacement) for rule in rules]
    if not literals or None in literals:
        return None
    return re.compile("|".join(re.escape(literal) for literal in literals))


#: What every match of pysbd's ``NUMBERED_REFERENCE_REGEX`` holds: "." or "∯", then "[" or a digit.
_REFERENCE_HINT = re.compile(r"\.(?=[\[\d])|∯(?=[\[\d])")


class _Processor(Processor):
    """pysbd's processor with the cheap list-item rules, punctuation between quotes and plain-text rules."""

    def process(self):
        if not self.text:
            return self.text
        self.text = self.text.replace("\n", "\r")
        self.text = _ListItems(self.text).add_line_break()
        self.replace_abbreviations()
        self.replace_numbers()
        self.replace_continuous_punctuation()
        self.replace_periods_before_numeric_references()
        self.text = _applied(self.text, self.lang.Abbreviation.WithMultiplePeriodsAndEmailRule,
                             self.lang.GeoLocationRule, self.lang.FileFormatRule)
        return self.split_into_segments()

    def check_for_parens_between_quotes(self):
        hint = _HINTS.get(self.lang.PARENS_BETWEEN_DOUBLE_QUOTES_REGEX)
        if hint is None or hint.search(self.text):
            super().check_for_parens_between_quotes()

    def split_into_segments(self):
        self.check_for_parens_between_quotes()
        sents = self.rm_none_flatten(self.text.split("\r"))
        sents = [_applied(s, self.lang.SingleNewLineRule, *self.lang.EllipsisRules.All) for s in sents]
        sents = self.rm_none_flatten([self.check_for_punctuation(s) for s in sents])
        postprocessed_sents = []
        symbols = self.lang.SubSymbolsRules.All
        hint = _any_literal(tuple(symbols))
        for sent in sents:
            if hint is None or hint.search(sent):  # else none of the rules changes anything
                sent = _applied(sent, *symbols)
            post_process_sent = self.post_process_segments(sent)
            if post_process_sent and isinstance(post_process_sent, str):
                postprocessed_sents.append(post_process_sent)
            elif isinstance(post_process_sent, list):
                postprocessed_sents.extend(post_process_sent)
        return [_applied(ns, self.lang.SubSingleQuoteRule) for ns in postprocessed_sents]

    def process_text(self, txt):
        """pysbd's ``process_text``, each rule applied by :func:`_applied`, each pattern compiled once."""
        if txt[-1] not in self.lang.Punctuations:
            txt += "ȸ"
        txt = _pattern(ExclamationWords.EXCLAMATION_REGEX).sub(replace_punctuation, txt)
        txt = self.between_punctuation(txt)
        if not _pattern(self.lang.DoublePunctuationRules.DoublePunctuation).match(txt):
            txt = _applied(txt, *self.lang.DoublePunctuationRules.All)
        txt = _applied(txt, self.lang.QuestionMarkInQuotationRule, *self.lang.ExclamationPointRules.All)
        txt = _pattern(ListItemReplacer.ROMAN_NUMERALS_IN_PARENTHESES).sub(r"&✂&\1&⌬&", txt)
        return self.sentence_boundary_punctuation(txt)

    def sentence_boundary_punctuation(self, txt):
        if hasattr(self.lang, "ReplaceColonBetweenNumbersRule"):
            txt = _applied(txt, self.lang.ReplaceColonBetweenNumbersRule)
        if hasattr(self.lang, "ReplaceNonSentenceBoundaryCommaRule"):
            txt = _applied(txt, self.lang.ReplaceNonSentenceBoundaryCommaRule)
        txt = _pattern(r"&ᓴ&$").sub("!", txt)
        return [m.group() for m in _pattern(self.lang.SENTENCE_BOUNDARY_REGEX).finditer(txt)]

    #: A segment of ASCII letters only, which pysbd's post-processing returns as it is
    _LETTERS_ONLY = re.compile(r"\A[a-zA-Z]*\Z")

    def post_process_segments(self, txt):
        """pysbd's ``post_process_segments`` (its rules by :func:`_applied`, its patterns compiled once)."""
        if len(txt) > 2 and self._LETTERS_ONLY.search(txt):
            return txt
        txt = _applied(txt, *self.lang.ReinsertEllipsisRules.All)
        if _pattern(self.lang.QUOTATION_AT_END_OF_SENTENCE_REGEX).search(txt):
            return _pattern(self.lang.SPLIT_SPACE_QUOTATION_AT_END_OF_SENTENCE_REGEX).split(txt)
        return txt.replace("\n", "").strip()

    def replace_numbers(self):
        self.text = _applied(self.text, *self.lang.Numbers.All)

    def replace_continuous_punctuation(self):
        text = self.text  # three ! or ? in a row, which hold two of them in a row
        if self.lang.CONTINUOUS_PUNCTUATION_REGEX != Common.CONTINUOUS_PUNCTUATION_REGEX or (
                "!!" in text or "??" in text or "!?" in text or "?!" in text):
            super().replace_continuous_punctuation()

    def replace_periods_before_numeric_references(self):
        if self.lang.NUMBERED_REFERENCE_REGEX != Common.NUMBERED_REFERENCE_REGEX or _REFERENCE_HINT.search(self.text):
            super().replace_periods_before_numeric_references()

    def between_punctuation_processor(self, txt):
        if hasattr(self.lang, "BetweenPunctuation"):
            return self.lang.BetweenPunctuation(txt)
        return _BetweenPunctuation(txt)


class Segmenter(pysbd.Segmenter):
    """pysbd's segmenter for ``language``, with the cheap abbreviation search where it is exact.

    Each sentence's place in the text is found by ``str.find`` where pysbd
    compiles a regular expression of the sentence itself (escaped, then
    ``\\s*``) for each sentence, to take the same first match that ends past
    the sentence before.
    """

    def __init__(self, language: str = "en", **options) -> None:
        super().__init__(language=language, **options)
        self.language_module = _with_cheap_search(self.language_module)

    def sentences_with_char_spans(self, sentences: list[str]) -> list[TextSpan]:
        if not all(sentences) or pysbd.__version__ != VERIFIED_PYSBD:  # an empty one matches white space anywhere
            return super().sentences_with_char_spans(sentences)
        text = self.original_text
        spans, prior_end = [], 0
        for sentence in sentences:
            found = text.find(sentence)
            while found >= 0:
                end = _SPACES.match(text, found + len(sentence)).end()
                if end > prior_end:
                    spans.append(TextSpan(text[found:end], found, end))
                    prior_end = end
                    break
                found = text.find(sentence, end)  # matches do not overlap: the next one starts past this one
        return spans

    def processor(self, text):
        if pysbd.__version__ != VERIFIED_PYSBD or hasattr(self.language_module, "Processor"):
            return super().processor(text)  # a language's own processor (German…) keeps its ways
        return _Processor(text, self.language_module, char_span=self.char_span)


def has_cheap_search(language: str) -> bool:
    """Whether :class:`Segmenter` takes the shortcut for ``language`` (else it is pysbd's own)."""
    return Segmenter(language).language_module is not pysbd.Segmenter(language).language_module
