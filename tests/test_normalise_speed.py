"""The normaliser's shortcuts decide exactly as the slow definitions they stand in for.

Each speed-up of the normaliser skips work when a cheap check says it would change nothing (a hint regex
before a costly one, a substring search before a substitution, a prefix before the whole text). Each test
here draws texts from the characters that matter to the rule (white space of every kind, controls, digits,
quotes, markers) and compares the shortcut with the definition it replaces, so that a later edit of either
cannot make them drift apart unseen. Speed itself is measured in ``benchmarks/normalise_throughput.py``.
"""
from __future__ import annotations

import re
import unicodedata

import lxml.html
from hypothesis import given, settings
from hypothesis import strategies as st

from exporter.normalise import metadata, repair, typography
from exporter.normalise.text import _CONTROLS, _SPACE_RUN, clean_text, collapse_space, is_blank

EXAMPLES = 300

#: Characters the white-space, control and typography rules look at, and a few that they must leave alone.
_MARKS = " \t\n\r\f\v\u00a0\u2028\u2029\u3000\x00\x1f\x7f\x85\ufeff'\"-.:;!?«»…123 Mr. Dr Fr J. K. km % http:// www. @ .com é ß"


def joined(pieces: list[str], max_size: int) -> st.SearchStrategy[str]:
    """Texts made of ``pieces`` (characters or longer strings), up to ``max_size`` of them."""
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


texts = joined(list(_MARKS) + ["a", "B", "word", "  ", "--", "---", ". . .", "1-2", "Mr ", "J. K. ", "5 km", "3 %",
                                "http://x.org/a", "«", " : "], 60)


@settings(max_examples=EXAMPLES, deadline=None)
@given(texts)
def test_collapse_space_is_the_substitution(text: str) -> None:
    assert collapse_space(text) == _SPACE_RUN.sub(" ", text)


@settings(max_examples=EXAMPLES, deadline=None)
@given(texts)
def test_is_blank_is_the_substitution(text: str) -> None:
    assert is_blank(text) == (not text or not _SPACE_RUN.sub("", text))


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.one_of(texts, st.text(max_size=30)))
def test_clean_text_is_the_substitution(text: str) -> None:
    removed = _CONTROLS.sub("", text)
    assert clean_text(text) == (unicodedata.normalize("NFC", removed) if not removed.isascii() else removed)


@settings(max_examples=EXAMPLES, deadline=None)
@given(texts, st.sampled_from(sorted(typography.STYLES)))
def test_typesetter_changes_nothing_where_may_change_says_so(text: str, language: str) -> None:
    style = typography.style_for(language)
    setter = typography.Typesetter(text, [True] * len(text), style)
    out = "".join(setter.run())
    if not typography.may_change(text, style):
        assert out == text and not setter.counts


@settings(max_examples=EXAMPLES, deadline=None)
@given(joined(["a", "é", "_", "x_y", " ", "—", "42", "ß", "\n", ".", "-"], 80))
def test_word_limit_regex_counts_as_the_word_pattern(text: str) -> None:
    over = repair._OVER_REPEAT_MAX_WORDS.match(text) is not None
    assert over == (len(repair._WORD.findall(text)) > repair.REPEAT_MAX_WORDS)


@settings(max_examples=EXAMPLES, deadline=None)
@given(joined([" ", "\u00a0", "\t", "1", "12", "123", "1234", ".", ")", "•", "-", "*", "a", "x"], 12),
       joined([" ", "1", ".", "a", "•"], 6))
def test_start_of_text_reads_the_marker_the_whole_text_gives(own: str, child: str) -> None:
    p = lxml.html.fragment_fromstring("<p><b></b></p>")
    p.text, p[0].text = own or None, child or None
    whole = "".join(p.itertext())
    for strict in (True, False):
        assert repair._line_marker(repair._start_of_text(p), strict) == repair._line_marker(whole, strict)


_OLD_BYLINE = ("//*[@rel='author' or @itemprop='author' or contains(concat(' ', normalize-space(@class), ' '), ' byline ')"
               " or contains(concat(' ', normalize-space(@class), ' '), ' author ')"
               " or contains(concat(' ', normalize-space(@class), ' '), ' byline__name ')]")


@settings(max_examples=EXAMPLES // 3, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["class", "rel", "itemprop", "id"]),
                          joined(["author", "byline", "byline__name", "x", " ", "\t", "\n", "\u00a0", "-", "s"], 8)),
                max_size=8))
def test_byline_candidates_are_the_class_token_xpath(attributes: list[tuple[str, str]]) -> None:
    spans = "".join(f'<span {name}="{value}">{n}</span>' for n, (name, value) in enumerate(attributes))
    root = lxml.html.document_fromstring(f"<html><body><div>{spans}</div></body></html>")
    found = list(filter(metadata._names_author, metadata._BYLINE_CANDIDATES(root)))
    assert found == root.xpath(_OLD_BYLINE)


def test_the_strategies_reach_both_sides_of_every_shortcut() -> None:
    """The rules above are not compared only on texts where the shortcut and the rule both say 'nothing'."""
    assert collapse_space("a \n b") != "a \n b" and collapse_space("a b") == "a b"
    assert is_blank(" \u2028") and not is_blank("\u00a0")
    assert typography.may_change("Mr Smith's", typography.STYLES["en"])
    assert not typography.may_change("a plain line", typography.STYLES["en"])
    assert repair._OVER_REPEAT_MAX_WORDS.match(" ".join(["w"] * 31))
    assert not repair._OVER_REPEAT_MAX_WORDS.match(" ".join(["w"] * 30))
    assert re.fullmatch(r"\s*", "\u3000")  # \s is Unicode white space, as str.strip() is
