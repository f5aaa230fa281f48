"""Reflow and sentence splitting: each shortcut (over pysbd's rules included) decides as the slow definition it replaces.

See tests/speed_helpers.py for the strategies; speed itself is measured in ``benchmarks/normalise_throughput.py``.
"""
from __future__ import annotations

import re

import lxml.html
from helpers import corpus_pages, seed_articles
from hypothesis import example, given, settings
from hypothesis import strategies as st
from speed_helpers import EXAMPLES, _real_markups, _states_before, joined


def _stock_language(code: str) -> type:
    from pysbd.languages import Language

    return Language.get_language_code(code)


def _cheap_languages() -> list[str]:
    from exporter.normalise.reflow import SEGMENTER_LANGUAGES
    from exporter.normalise.sentences import has_cheap_search

    return sorted(code for code in SEGMENTER_LANGUAGES if has_cheap_search(code))


def _abbreviation_words(abbreviations: list[str]) -> list[str]:
    """These abbreviations as written, capitalised, shouted, in braces before a word (pysbd's next-word lookup
    looks for "{abbr} "), with letters that match ASCII ones only when case is ignored ("\u017f" is "s"), and
    other words, numbers, times and pysbd's own placeholder."""
    variants = [form for a in abbreviations for form in (a, a.capitalize(), a.upper())]
    braced = [f"{{{a}}} {after}" for a in abbreviations for after in ("X", "x")]
    folded = [a.replace("s", "\u017f").replace("k", "\u212a").replace("i", "\u0131") for a in abbreviations
              if set(a) & set("ski")] + [a.upper().replace("I", "\u0130") for a in abbreviations if "i" in a]
    return variants + braced + folded + ["a", "I", "I'm", "X", "Word", "word", "12", "3", "(1)", "(", "e.g",
                                         "e\u222fg", "a.m", "p.m", "U.S", "\u201cSo", "\u201d", '"', "{", "}"]


def _abbreviation_lines(code: str) -> st.SearchStrategy[str]:
    """Lines of a few of the language's abbreviations and other words, each maybe followed by what pysbd's
    substitutions look at after a full stop."""
    known = sorted({a.strip() for a in _stock_language(code).Abbreviation.ABBREVIATIONS})
    words = st.lists(st.sampled_from(known), min_size=1, max_size=3).map(_abbreviation_words)
    return words.flatmap(lambda pieces: st.lists(st.tuples(
        st.sampled_from(pieces), st.sampled_from([".", ".", "", ":", ":12", ",", "..", "-", "?", ".\u222f"]),
        st.sampled_from([" ", " ", "  ", "", "\u00a0", "\r", "\n", "\u2028", " ("])), max_size=25)).map(
            lambda words: "".join("".join(w) for w in words))


_cheap_cases = st.sampled_from(["en", "fr", "es", "it", "nl", "da", "pl", "kk"]).flatmap(
    lambda code: st.tuples(st.just(code), _abbreviation_lines(code)))


@settings(max_examples=EXAMPLES, deadline=None)
@given(_cheap_cases)
@example(("en", "Adj. x adj. x ADJ. x"))  # each way of writing it has its own substitution
@example(("en", "adj.. {adj} X. "))  # pysbd's next-word lookup finds "X": that occurrence is left alone
@example(("en", "cre\u017f. cres. "))  # "\u017f" is "s" when case is ignored: "cre\u017f" is found too
@example(("en", "\u0130 adj. x"))  # "\u0130" is two characters in lower case
def test_cheap_abbreviation_search_replaces_as_pysbd(case: tuple[str, str]) -> None:
    """Each distinct occurrence's substitution once, plain abbreviations found at the words' starts: same text."""
    from exporter.normalise.sentences import _with_cheap_search

    code, line = case
    stock = _stock_language(code)
    cheap = _with_cheap_search(stock)
    assert cheap is not stock
    expected = stock.AbbreviationReplacer(line, stock).search_for_abbreviations_in_string(line)
    assert cheap.AbbreviationReplacer(line, cheap).search_for_abbreviations_in_string(line) == expected


def _real_paragraphs() -> list[str]:
    texts = []
    for page in [*(p / "expected.html" for p in corpus_pages()), *seed_articles()]:
        root = lxml.html.fromstring(page.read_bytes())
        texts += [t for t in ("".join(p.itertext()) for p in root.iter("p", "li", "blockquote", "td")) if len(t) > 80]
    return texts


def test_cheap_segmenter_segments_real_text_as_pysbd() -> None:
    """Every paragraph of the corpus pages and the seed, in English; every twentieth in each other language routed."""
    import pysbd

    from exporter.normalise.sentences import Segmenter

    texts = _real_paragraphs()
    assert len(texts) > 300
    for code in _cheap_languages():
        stock, cheap = pysbd.Segmenter(language=code, clean=False), Segmenter(language=code, clean=False)
        for text in texts if code == "en" else texts[::20]:
            assert cheap.segment(text) == stock.segment(text), (code, text[:80])


def test_cheap_search_is_taken_only_where_pysbd_replaces_the_stock_way() -> None:
    """Languages whose replacer searches or replaces in its own way (German, Russian…) keep pysbd's own."""
    from exporter.normalise.sentences import has_cheap_search

    assert {"en", "fr", "es", "it", "nl"} <= set(_cheap_languages())
    assert not any(has_cheap_search(code) for code in ("de", "ru", "bg", "sk", "ar", "fa"))


@settings(max_examples=EXAMPLES, deadline=None)
@given(joined(["a", "word", "Z9", "é", "ß", "\u0301", "\u00bd", "\u2160", "_", "x_y", " ", "-", "42", "\u4e2d",
               "\u6587", "\u30fb", "\u3042", "\uac00", ".", "\u00a0", "\u2019", "\u201c", "\u2014", "\x7f"], 40))
def test_count_words_shortcuts_count_as_the_whole_rule(text: str) -> None:
    """reflow.count_words' shortcuts (ASCII bytes; other characters that part words; no Chinese, Japanese or
    Korean) count as the whole rule."""
    from exporter.normalise.reflow import _CJK, _WORD, CJK_CHARS_PER_WORD, count_words

    tokens = _WORD.findall(text)
    cjk = sum(1 for t in tokens if _CJK.match(t))
    assert count_words(text) == len(tokens) - cjk + round(cjk / CJK_CHARS_PER_WORD)


def test_reflow_leaves_early_only_articles_with_no_possible_run_on_paragraph() -> None:
    """The early exit of reflow (no paragraph long enough) never skips a paragraph the full rule would take."""
    from exporter.normalise.reflow import _is_run_on_candidate, _may_run_on, count_words
    from exporter.tree import text_of

    root = lxml.html.fromstring("<article><p>" + "word " * 200 + "</p><p>" + "x" * 140 + "</p><p>"
                                + "a-b " * 60 + "</p></article>")
    for p in root.iter("p"):
        text = text_of(p)
        for bulk in (0, 100, 10_000):
            if _is_run_on_candidate(p, count_words(text), bulk):
                assert _may_run_on(p, text)
    assert [_may_run_on(p, text_of(p)) for p in root.iter("p")] == [True, False, False]


@settings(max_examples=EXAMPLES, deadline=None)
@given(joined(['"', "(", ")", "[", "\u2014", "-", "/", " ", "\n", "word", "x" * 300, "\u201c", "\u201d", "\u00ab",
               "\u00bb", "\u201e", "\u300c", "\u300d", "\u2039", "\u203a", "."], 30))
def test_protected_ranges_reading_only_the_marks_is_the_character_loop(text: str) -> None:
    """protected_ranges reads only quotation marks and parentheses; reading every character (as it did) gives the
    same ranges."""
    from exporter.normalise.reflow import protected_ranges, ranges_of_marks

    assert protected_ranges(text) == ranges_of_marks(text, enumerate(text))


#: reflow's attribution pattern and capitalised words before their words were grouped by first letter (frozen).
_OLD_SAID = (r"(?:said|says|say|told|added|adds|explained|explains|continued|argued|argues|insisted|wrote|writes|"
             r"asked|asks|noted|notes|warned|warns|stated|states|claimed|claims|recalled|recalls|admitted|admits|"
             r"conceded|concedes|concluded|acknowledged|acknowledges|suggested|suggests|declared|replied|stressed|"
             r"according)")
_OLD_ATTRIBUTION_END = re.compile(
    r"(?:[,\u201d\"]\s*(?:\w+\s+){0,5}" + _OLD_SAID + r"(?:\s+\S+){0,8}|\b" + _OLD_SAID
    + r"\.?)[.!?][\u201d\"]?\s*$", re.IGNORECASE)
_OLD_CAPITALISED = re.compile(r"\b[A-Z][a-z]{2,}\b")


def _old_stems(text: str):
    """reflow._stems before the ASCII shortcut (a Counter)."""
    from collections import Counter

    from exporter.normalise import reflow

    return Counter(w[:5] for w in (m.casefold() for m in reflow._WORD.findall(text))
                   if w not in reflow._STOPWORDS and len(w) > 2)


def _old_cohesion(sentences, window=2):
    """reflow.cohesion adding up the counts of each window (frozen)."""
    import math
    from collections import Counter

    from exporter.normalise import reflow

    stems = [_old_stems(s.text) for s in sentences]

    def cosine(a, b):
        norm = math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))
        return sum(n * b[k] for k, n in a.items() if k in b) / norm if norm else 0.0

    similarities = [0.0] + [cosine(stems[i - 1], stems[i]) for i in range(1, len(sentences))]
    curve = [0.0]
    for i in range(1, len(sentences)):
        left = sum((stems[j] for j in range(max(0, i - window), i)), Counter())
        right = sum((stems[j] for j in range(i, min(len(sentences), i + window))), Counter())
        curve.append(cosine(left, right))
    depths = [0.0]
    for i in range(1, len(curve)):
        left = right = curve[i]
        j = i
        while j > max(1, i - reflow.PEAK_REACH) and curve[j - 1] > left:
            left, j = curve[j - 1], j - 1
        j = i
        while j < min(len(curve) - 1, i + reflow.PEAK_REACH) and curve[j + 1] > right:
            right, j = curve[j + 1], j + 1
        depths.append(left + right - 2 * curve[i])
    return depths, similarities


def test_boundary_logits_from_cues_read_once_are_the_per_boundary_features() -> None:
    """boundary_logits reads each sentence's cues once, and cohesion finds windows' products from their sentences':
    the same floats as the features found afresh at each boundary, on the seed and the corpus pages' long
    paragraphs."""
    from exporter.normalise import reflow

    def old_features(before, after, depth, similarity):
        names = [w for w in _OLD_CAPITALISED.findall(after.text)[:3] if w.casefold() not in reflow._STOPWORDS]
        opening = reflow.OPENING_QUOTES + '"'
        attribution = bool(_OLD_ATTRIBUTION_END.search(before.text))
        return {"bias": 1.0, "opens quotation": float(after.text[:1] in opening),
                "closes quotation": float(bool(reflow._QUOTE_END.search(before.text))),
                "attribution": float(attribution),
                "continues": float(bool(reflow._CONTINUATION_START.match(after.text))),
                "new topic word": float(bool(reflow._TOPIC_START.match(after.text))), "cohesion dip": depth,
                "words before": min(before.words, 60) / 30, "words after": min(after.words, 60) / 30,
                "question": float(before.text.endswith("?")), "colon": float(before.text.endswith(":")),
                "quoted speech": float(before.text[:1] in opening and attribution), "similarity": similarity,
                "same names": float(bool(names) and not set(names).isdisjoint(
                    _OLD_CAPITALISED.findall(before.text))),
                "quotation after quotation": float(before.text[:1] in opening and after.text[:1] in opening)}

    texts = [t for t in _real_paragraphs() if len(t) > 600][:40]
    assert len(texts) >= 20
    for text in texts:
        sentences = reflow.segment(text)
        depths, similarities = _old_cohesion(sentences)
        assert reflow.cohesion(sentences) == (depths, similarities)
        for genre in reflow.GENRES.values():
            expected = [0.0] + [sum(genre.weights.get(name, 0.0) * value for name, value in old_features(
                sentences[i - 1], sentences[i], depths[i], similarities[i]).items()) for i in range(1, len(sentences))]
            assert reflow.boundary_logits(sentences, genre.weights) == expected


_STEM_PIECES = ["word", "Words", "WORDING", "the", "The", "before", "Before", "there", "a", "of", "ab", "abc", "x1y", "42",
                "_", "ab_cd", " ", "  ", ".", ",", "-", "\u2019", "\u201c", "\u00e9t\u00e9", "Stra\u00dfe", "\u00df\u00df",
                "\u0130stanbul", "\u212aelvin", "\u017ftop", "\u2160\u2161", "\u24b6\u24b7\u24b8", "\u4e2d\u6587",
                "\U0001d41b\U0001d428", "\U0001f600", "\u00a0", "\n"]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(joined(_STEM_PIECES, 14), max_size=9), st.sampled_from([0, 1, 2, 3]))
@example(["Words about words.", "The words again.", "Nothing here.", "Other things.", "Words return."], 2)
@example(["Cats purr here.", "Dogs bark loudly there.", "Birds sing songs."], 0)  # no window: cohesion still total
@example(["\u24b6\u24b7\u24b8 WORDS", "\u24d0\u24d1\u24d2 words"], 2)  # circled letters: no word either way
def test_cohesion_from_sentence_products_is_the_window_sums(texts: list[str], window: int) -> None:
    from exporter.normalise.reflow import Sentence, _stems, cohesion

    sentences = [Sentence(0, len(text), text, 0) for text in texts]
    for text in texts:
        assert _stems(text) == _old_stems(text)
    assert cohesion(sentences, window) == _old_cohesion(sentences, window)


def test_lower_case_makes_no_word_character_of_any_other() -> None:
    """reflow._stems lower-cases text without letters or digits outside ASCII at once: no other character
    becomes a word character (nor one of ``[a-z0-9]``) in lower case."""
    word = re.compile(r"\w")
    for code in range(0x110000):
        char = chr(code)
        if (char.isascii() and char.isalnum()) or (not char.isascii() and word.match(char)):
            continue
        lower = char.lower()
        assert not re.search(r"[a-z0-9]", lower) and (char.isascii() or not word.search(lower)), hex(code)


@settings(max_examples=EXAMPLES, deadline=None)
@given(joined(["It rained.", "It rained. ", "It", " ", "  ", "\n", "\u00a0", "(a)", "a.b", "*", "["], 12),
       st.lists(st.sampled_from(["It rained.", "It", "rained.", "(a)", "a.b", "*", "[", " ", "x", ""]), max_size=6))
def test_sentence_spans_found_by_find_are_pysbds_regex_spans(text: str, sentences: list[str]) -> None:
    """sentences.Segmenter places each sentence with str.find where pysbd compiles a regex per sentence."""
    import pysbd

    from exporter.normalise.sentences import Segmenter

    stock, cheap = pysbd.Segmenter(language="en", clean=False), Segmenter(language="en", clean=False)
    stock.original_text = cheap.original_text = text
    spans = [(s.sent, s.start, s.end) for s in stock.sentences_with_char_spans(sentences)]
    assert [(s.sent, s.start, s.end) for s in cheap.sentences_with_char_spans(sentences)] == spans


def test_cheap_segmenter_is_pysbds_own_under_another_pysbd(monkeypatch) -> None:
    """The abbreviation shortcut was proved against pysbd 0.3.4's code: under another version it is not taken."""
    import pysbd

    from exporter.normalise import sentences

    monkeypatch.setattr(pysbd, "__version__", "0.4.0")
    sentences._with_cheap_search.cache_clear()
    try:
        assert not any(sentences.has_cheap_search(code) for code in ("en", "fr", "it", "nl"))
    finally:
        sentences._with_cheap_search.cache_clear()


@settings(max_examples=EXAMPLES * 2, deadline=None)
@example("\u201cWe won,\u201d she said on Monday in the town of Hull near the river.")
@example("\u201cWe won,\u201d she said on Monday in the town of Hull near the river Humber today.")
@example("He left,SAID the clerk.")
@given(joined([" ", "  ", "\u00a0", "\n", "\u2003", "said", "Says", "TOLD", "according", "asks", "\u017fays", "x",
               "word", "he", ",", "\u201d", '"', ".", "!", "?", "\u201c", "_", "1", "-"], 40))
def test_attribution_found_near_the_end_is_the_whole_search(text: str) -> None:
    """reflow._attributes looks for a verb of attribution in the last nine runs of non-space first."""
    from exporter.normalise.reflow import _ATTRIBUTION_END, _attributes

    assert _attributes(text) == bool(_OLD_ATTRIBUTION_END.search(text)) == bool(_ATTRIBUTION_END.search(text))


def test_attribution_found_near_the_end_is_the_whole_search_on_real_sentences() -> None:
    from exporter.normalise.reflow import _attributes, segment

    found = set()
    for text in _real_paragraphs()[::3]:
        for sentence in segment(text):
            found.add(_attributes(sentence.text))
            assert _attributes(sentence.text) == bool(_OLD_ATTRIBUTION_END.search(sentence.text)), sentence.text
    assert found == {True, False}


@settings(max_examples=EXAMPLES * 2, deadline=None)
@given(joined(["A", "Ab", "Abc", "Word", "WOrd", "aWord", "_Word", "1Word", "\u00c9cole", "\u00e9Word", "Word\u00e9",
               "Wordx_", "said", "says", "told", "Said", "resaid", "saidx", "\u017fays", "\u212a", " ", "-", "\u2019",
               ".", ",", "\u201c", "\U0001d41b"], 30))
@example("Mr Smith and McDonald, O'Brien; aBcd Xyz_ 9Abc \u00e9Abc Ab\u00e9c")
@example("He said it; resaid, saidx and says told.")
def test_capitalised_words_and_speech_found_fast_are_the_word_boundary_patterns(text: str) -> None:
    from exporter.normalise.reflow import _CAPITALISED, _SPEECH, _speaks

    assert _CAPITALISED.findall(text) == _OLD_CAPITALISED.findall(text)
    assert _speaks(text) == bool(_SPEECH.search(text))


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(["said", "say", "s", "sai", "a", "according", "acc", "Adds", "\u017fays", "K", "x",
                                  " ", ".", "wrote", "WROTE", "replied"]), max_size=12).map("".join))
def test_verbs_grouped_by_first_letter_are_the_alternation(text: str) -> None:
    from exporter.normalise.reflow import _SAID

    for flags in (0, re.IGNORECASE):
        for pattern in (_SAID, r"\b" + _SAID, _SAID + r"\b"):
            old = pattern.replace(_SAID, _OLD_SAID)
            assert bool(re.search(pattern, text, flags)) == bool(re.search(old, text, flags))
            assert bool(re.fullmatch(pattern, text, flags)) == bool(re.fullmatch(old, text, flags))


def test_every_verb_of_the_old_alternation_is_in_the_grouped_one() -> None:
    """Each of the frozen alternation's words (and each cut short by a letter, or run on by one) matches the grouped
    pattern as it matched the old: a word dropped from, or added to, a group fails here."""
    from exporter.normalise.reflow import _SAID

    words = _OLD_SAID[3:-1].split("|")
    for word in words + [word[:-1] for word in words] + [word + "s" for word in words] + [word.upper() for word in words]:
        for flags in (0, re.IGNORECASE):
            assert bool(re.fullmatch(_SAID, word, flags)) == bool(re.fullmatch(_OLD_SAID, word, flags)), word


_LIST_PIECES = ["a", "b", "c", "i", "ii", "iv", "x", "z", "ab", "A", "1", "2", "3", "9", "10", "12", "123", ".", ")",
                "(", " ", "  ", "\r", "\n", "\u2003", "-", "\u2043", "word", "for", "\u2668", "\u261d", ",", "I"]


@settings(max_examples=EXAMPLES, deadline=None)
@given(joined(_LIST_PIECES, 40))
@example("a. one b. two")
@example("b. x")  # a list item at the very start: the hint looks behind to the start of the text
@example("1. a 2. b")
@example("see (a) and (b) then c) d")
@example("1) one 2) two")
@example("Steps: 1.) Mix the flour well. 2.) Bake it for an hour.")  # review-s9 M1: the ".)" alternatives
@example("1.) a 2.) b")
@example("-1. a -2. b")
@example("\u20431. a \u20432. b")
@example("\u20431.) a \u20432.) b")
@example("(a)(b)")
@example("a) x b) y")
@example("i. x ii. y")
@example("(i) x (ii) y")
@example("1) a 2) b")
def test_list_item_rules_skipped_by_their_hints_give_pysbds_text(text: str) -> None:
    """Each hint finds something wherever its pattern does: the rules it skips would have changed nothing."""
    from pysbd.lists_item_replacer import ListItemReplacer

    from exporter.normalise.sentences import _LIST_HINTS, _ListItems

    for pattern, hint in _LIST_HINTS.items():
        if re.search(pattern, text):
            assert hint.search(text), (pattern, text)
    text = text.replace("\n", "\r")
    assert _ListItems(text).add_line_break() == ListItemReplacer(text).add_line_break()


def test_list_item_rules_give_pysbds_text_on_real_paragraphs() -> None:
    from pysbd.lists_item_replacer import ListItemReplacer

    from exporter.normalise.sentences import _ListItems

    for text in _real_paragraphs():
        text = text.replace("\n", "\r")
        assert _ListItems(text).add_line_break() == ListItemReplacer(text).add_line_break(), text[:80]


@settings(max_examples=EXAMPLES, deadline=None)
@given(joined(list("()[]-\\.。．！!?？'\"a ∯&ᓴ") + ["\\(", "\\-", "\\\\", "a.b", "?!"], 40), st.booleans())
def test_punctuation_between_quotes_is_pysbds_replacement(text: str, single: bool) -> None:
    """Escaping ( ) [ ] -, eight substitutions and unescaping is one translation."""
    from pysbd.punctuation_replacer import replace_punctuation

    from exporter.normalise.sentences import _punctuation_replaced, _punctuation_replaced_in_single_quotes

    match = re.fullmatch(".*", text, re.DOTALL)
    if single:
        assert _punctuation_replaced_in_single_quotes(match) == replace_punctuation(match, match_type="single")
    else:
        assert _punctuation_replaced(match) == replace_punctuation(match)


def _pysbd_rules() -> list:
    """Every rule of the language classes the cheap processor serves."""
    from pysbd.utils import Rule

    from exporter.normalise.reflow import SEGMENTER_LANGUAGES

    rules, seen = [], set()

    def collect(holder, depth=0):
        for name in dir(holder):
            value = getattr(holder, name, None)
            if isinstance(value, Rule) and id(value) not in seen:
                seen.add(id(value))
                rules.append(value)
            elif isinstance(value, type) and depth < 2 and not name.startswith("__"):
                collect(value, depth + 1)

    for code in sorted(SEGMENTER_LANGUAGES):
        collect(_stock_language(code))
    return rules


@settings(max_examples=EXAMPLES, deadline=None)
@given(joined(list("ȸȹ∯♬♭&ᓰᓱᓳᓴᓷᓸ☉☇☈☄✂⌬⎋ƪ♟♝☏∮.!?'\" \n\r1aA") + ["&ᓴ&", "&⎋&", "ƪƪƪ", "☏☏", "...", "a.m"], 40))
def test_plain_text_rules_apply_as_pysbds_text(text: str) -> None:
    """A rule of plain text replaced with str.replace, every other one compiled: Text.apply's text."""
    from pysbd.utils import Text

    from exporter.normalise.sentences import _applied, _literal

    rules = _pysbd_rules()
    assert sum(_literal(r.pattern, r.replacement) is not None for r in rules) > 20  # the shortcut is taken
    for rule in rules:
        assert _applied(text, rule) == Text(text).apply(rule), rule


@settings(max_examples=EXAMPLES, deadline=None)
@given(joined(list("a.^$*+?{}[]|()\\-&ᓴ1 ") + ["\\.", "\\(", "\\n", "\\d", "\\\\", "{2}"], 6),
       joined(list("a.\\-&1 ") + ["\\1", "\\n"], 4), joined(list("a.^$*+?{}[]|()\\-&ᓴ1 \n") + ["aa"], 20))
@example("a.", "x", "a. ab")  # "." is any character to the regex
@example("\\d", "x", "1 d")
def test_a_plain_text_rule_is_what_its_regex_replaces(pattern: str, replacement: str, text: str) -> None:
    """Where _literal calls a rule plain text, re.sub and str.replace agree on any text."""
    from exporter.normalise.sentences import _literal

    literal = _literal(pattern, replacement)
    if literal is not None:
        assert text.replace(literal, replacement) == re.sub(pattern, replacement, text)


@settings(max_examples=EXAMPLES, deadline=None)
@given(joined(list("xab.∯P M KG Co|*") + ["(?<=x)", "(?<=Co)", "\\.", "(?=\\sKG)", "a*", "\\s", "[A-Z]", "(?<=^x)"], 6),
       joined(list("xab.∯P M KGCo ") + ["Co. KG", " P∯M∯ X", "xa"], 20))
@example("(?<=x)a*b", "xb")  # the quantified character is not needed
@example("(?<=x)a|b", "b")  # an alternative needs nothing
@example("(?<=x)a\\\\|b", "b")  # an alternative after an escaped backslash (review-s9)
@example("(?<=x)a\n|b", "b")  # an alternative after a line break
@example("(?<=x)*", "")  # a quantified look-behind may match no time (Hypothesis found it)
@example("(?<=x)a{0}", "")  # nor may quantified text
def test_text_a_rule_needs_stands_wherever_it_matches(pattern: str, text: str) -> None:
    from exporter.normalise.sentences import _needed

    try:
        compiled = re.compile(pattern)
    except re.error:
        return
    needed = _needed(pattern)
    if needed is not None and compiled.search(text):
        assert needed in text, (pattern, text)


@settings(max_examples=EXAMPLES, deadline=None)
@given(joined(list("A. ,\n\tzZ") + ["A.", " A. ", "A.,", "\u2003"], 30))
def test_faster_rule_patterns_replace_as_pysbds(text: str) -> None:
    from exporter.normalise.sentences import _FASTER

    for slow, fast in _FASTER.items():
        assert re.sub(fast, "∯", text) == re.sub(slow, "∯", text)


_PROCESSOR_PIECES = ["!", "?", "!!", "?!", ".", "∯", "[1]", "[12, 3]", "12", "3", " ", "A", "a", "x.", "\n", "∯["]


@settings(max_examples=EXAMPLES, deadline=None)
@given(joined(_PROCESSOR_PIECES, 30))
@example("Wow!!! Then")
@example("end.[3] The")
@example("end∯12 The")
def test_processor_rules_skipped_by_their_hints_give_pysbds_text(text: str) -> None:
    from pysbd.processor import Processor

    from exporter.normalise.sentences import _Processor

    lang = _stock_language("en")
    for step in ("replace_continuous_punctuation", "replace_periods_before_numeric_references"):
        cheap, stock = _Processor(text, lang), Processor(text, lang)
        getattr(cheap, step)()
        getattr(stock, step)()
        assert cheap.text == stock.text, (step, text)


_REPLACER_PIECES = ["a.m.", "A.M.", "p.m.", "P.M.", " P\u222fM\u222f", "a\u222fm\u222f", "Co. KG", "Co.", "KG", "U.S.", "U\u222fS\u222f",
                    "I\u222f", "e.g.", "i.e.", "A.", "x", " ", " The ", " A ", "Being", "It's.", ".'s ", "\n", "Mr.", "12",
                    "\u222f", "{", "J. K."]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.sampled_from(["en", "fr", "es", "it", "nl", "da", "pl", "kk"]), joined(_REPLACER_PIECES, 25))
@example("en", "At 5 p\u222fm\u222f The end")
@example("en", "U\u222fS\u222f The x")
@example("en", "a.b.c. and x.y.")
def test_cheap_replacer_replaces_as_pysbd(code: str, text: str) -> None:
    """The whole replacer (rules, abbreviations, multi-period and sentence-boundary steps) gives pysbd's text."""
    from exporter.normalise.sentences import _with_cheap_search

    stock = _stock_language(code)
    cheap = _with_cheap_search(stock)
    assert cheap.AbbreviationReplacer(text, cheap).replace() == stock.AbbreviationReplacer(text, stock).replace()


_OLD_NON_ASCII_LETTER = re.compile(r"[^\x00-\x7f\W]|[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")

_WORD_PIECES = ["a", "ab", "1", "é", "ß", "_", " ", "  ", "-", "\u2019", "\u201c", "\u2014", "\u4e2d", "\u3042", "\u30fb",
                "\u3099", "\uac00", "\uf900", "\u00b2", "\u0663", "x y", ".", "\u00a0"]


@settings(max_examples=EXAMPLES, deadline=None)
@given(joined(_WORD_PIECES, 40))
def test_non_ascii_letter_search_from_non_ascii_finds_what_the_alternatives_find(text: str) -> None:
    from exporter.normalise.reflow import _NON_ASCII_LETTER

    assert bool(_NON_ASCII_LETTER.search(text)) == bool(_OLD_NON_ASCII_LETTER.search(text))


def _old_may_run_on(p, text: str) -> bool:
    from exporter.normalise.reflow import MIN_WORDS, _is_run_on_candidate, count_words

    return len(text) > MIN_WORDS and _is_run_on_candidate(p, count_words(text), 0)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(_WORD_PIECES), min_size=60, max_size=320).map("".join), st.booleans())
@example("a " * 150, True)  # 150 words in 300 characters: one short of a run-on paragraph
@example("a " * 150 + "a", True)  # 151 words in 301 characters: the shortest run-on paragraph
@example("\u4e2d" * 299, True)  # Chinese characters: each its own word, counted 0.4
@example("a " * 148 + "\u00e9 \u00e9 \u00e9", True)  # 151 words, three outside ASCII: just past the bound, counted
@example("a\u2019" * 151, True)  # 151 words that an apostrophe parts: one word in ASCII alone, 151 more at most
@example("word " * 140 + "\u00e9t\u00e9 " * 5, True)  # 145 words: at most 140 + 2 x 10, counted
@example("word " * 130 + "\u00e9" * 10, True)  # 131 words: at most 130 + 2 x 10, never counted
@example("a " * 150 + "\u00e9", True)  # 151 words: at most 150 + 2 x 1, so counted
@example("a " * 151, False)  # long enough, but in a list
def test_run_on_check_skips_counting_only_what_cannot_run_on(text: str, in_article: bool) -> None:
    from lxml import etree

    from exporter.normalise.reflow import _may_run_on

    parent = etree.Element("article" if in_article else "li")
    p = etree.SubElement(parent, "p")
    assert _may_run_on(p, text) == _old_may_run_on(p, text)


def test_run_on_check_and_word_counts_on_real_paragraphs() -> None:
    from exporter.normalise.reflow import _NON_ASCII_LETTER, _may_run_on
    from exporter.tree import text_of

    seen = 0
    for state in _states_before("reflow", _real_markups(), language="en"):
        for p in state.tree.iter("p"):
            text = text_of(p)
            assert _may_run_on(p, text) == _old_may_run_on(p, text)
            assert bool(_NON_ASCII_LETTER.search(text)) == bool(_OLD_NON_ASCII_LETTER.search(text))
            seen += 1
    assert seen > 500




_OLD_MISSED_END = re.compile(
    r"(?:[.!?\u2026][\u201d\u00bb\"]|[.!?:](?:\[[^\]\n]{1,20}\])+|\u2026|(?<=\w):|(?<=\d)[.!?])\s+"
    r"(?=(?:\[[^\]\n]{1,20}\]\s+)?[\u201c\u00ab\"]?[A-Z\u00c0-\u00de])"
    r"|(?:(?<=[a-z][.!?])|(?<=\bI[.!?]))\s+(?=[\u201c\u00ab\"][A-Z\u00c0-\u00de])")


@settings(max_examples=EXAMPLES, deadline=None)
@given(joined([".", "!", "?", "\u2026", ":", "\u201d", "\u00bb", '"', "\u201c", "\u00ab", "[1]", "[12, a]", "[", "]", " ", "  ",
               "\n", "\u00a0", "A", "\u00c9", "a", "I", "x", "3", "_", "word", " I. "], 30))
@example('He said "no." "Then" x')
@example("1. The end\u2026 Next: Here [3] There")
@example("end.[1][2] Then; said I. \u201cWhy")
@example("xI. \u201cWhy and wI! \u201cA")  # "I" inside a word is no pronoun
@example("end.[1] \u201cA. \u201cB and x.  \u201cC")  # the last alternative, found from the stop, after another match
@example("wait.\u201cNo and I?\u201cYes")  # no space after the stop: no end
def test_missed_sentence_ends_are_the_old_patterns_ends(text: str) -> None:
    from exporter.normalise.reflow import _MISSED_END

    assert [m.end() for m in _MISSED_END.finditer(text)] == [m.end() for m in _OLD_MISSED_END.finditer(text)]


def test_missed_sentence_ends_on_real_paragraphs() -> None:
    from exporter.normalise.reflow import _MISSED_END

    texts = _real_paragraphs()
    found = 0
    for text in texts:
        ends = [m.end() for m in _MISSED_END.finditer(text)]
        assert ends == [m.end() for m in _OLD_MISSED_END.finditer(text)], text[:80]
        found += len(ends)
    assert found > 50


_OLD_SURE_END = re.compile(r"(?<![\w.])(?!(?:etc|approx|incl|viz|vol|vols|esp|ibid|resp|dept|est|misc|nos|figs|cca)\.)"
                           r"[a-z]{3,}[.!?]\s+(?=(?:\[[^\]\n]{1,20}\]\s+)?[A-Z])")


@settings(max_examples=EXAMPLES * 2, deadline=None)
@given(joined(["a", "b", "z", "abc", "word", "etc", "est", "vols", "e.g", "A", "Z", "\u00e9", "\u017f", "\u212a", "_", "1",
               ".", "!", "?", ",", " ", "  ", "\n", "\u00a0", "[1]", "[x y]", "[", "]", "\u201c", "-", "\U0001d41b"], 30))
@example("abc. Def")  # at the start of the text
@example("etc. The est! The vols. The esp? The")  # an abbreviation's full stop only
@example("Xabc. Y 2abc. Y _abc. Y e.g.abc. Y \u00e9abc. Y -abc. Y")  # the word must start at its first lower-case letter
@example("end. [1] Next end.  [toolong to be a mark at all] Next")
def test_sure_ends_read_back_from_the_stop_are_the_look_behind_patterns_ends(text: str) -> None:
    from exporter.normalise.reflow import sure_ends

    assert sure_ends(text) == [m.end() for m in _OLD_SURE_END.finditer(text)]


def test_sure_ends_on_real_paragraphs() -> None:
    from exporter.normalise.reflow import sure_ends

    found = 0
    for text in _real_paragraphs():
        ends = sure_ends(text)
        assert ends == [m.end() for m in _OLD_SURE_END.finditer(text)], text[:80]
        found += len(ends)
    assert found > 200


# --- reflow: more of pysbd's patterns opened at a literal, or skipped where a hint finds nothing --------------------
_RULE_PIECES = list("0123456789. \r\n\t'\u2018\u2019\u00b0aZx\"\u201d\u201c()_-\u2003") + [
    "jpg", " .pdf ", "...", ". . . ", ". . . .", "\\n", "a.b", "12.", "\r1.", "a\u00b0.", " 'x' ", " \u2018x\u2019 "]


@settings(max_examples=EXAMPLES * 2, deadline=None)
@given(joined(_RULE_PIECES, 30))
@example("a. . . .")  # four full stops after a letter at the end
@example("x .jpg y")  # a file extension after a space
@example("12. x")  # a number at the start
@example("x\r1. y")  # a number after a line break
@example("a\u00b0. 5")  # degrees
@example("x.... Y")  # an ellipsis and a full stop before a capital
@example(" 'it's' x")  # a quotation in single quotes with an apostrophe inside
@example(" 'x'Z' y")  # an apostrophe before a capital
@example(" \u2018x\u2019Z\u2019 y")
@example("a. . . .\\n")  # four full stops before a written "\n"
@example(" \u2018x\u2019 \u2018y\u2019")  # slanted single quotes
@example("\" (x) \"")  # parentheses between double quotes
@example("x . . . y")  # spaced dots
@example("a.b.c")  # full stops between letters
def test_pysbd_patterns_opened_at_a_literal_match_the_same_spans(text: str) -> None:
    """Each pattern of _FASTER matches the spans of pysbd's own; each hint of _HINTS finds something wherever its
    pattern does (the rule skipped would have changed nothing)."""
    from exporter.normalise.sentences import _FASTER, _HINTS

    for slow, fast in _FASTER.items():
        assert [m.span() for m in re.finditer(fast, text)] == [m.span() for m in re.finditer(slow, text)], slow
        assert re.sub(fast, "\u222f", text) == re.sub(slow, "\u222f", text)
    for pattern, hint in _HINTS.items():
        if re.search(pattern, text):
            assert hint.search(text), (pattern, text)


_ATTRIBUTION_PIECES = ["said", "SAID", "Says", "told", "according", "unsaid", "sayings", "he", "she", "the mayor",
                       "x", ",", "\u201d", '"', ".", "!", "?", ":", " ", "  ", "\u2003", "\n", "\u017f", "\u212a",
                       "\u0130", "\u0131", "aſked", "\u212aeep", "w", "1", "-", "\u201c"]


@settings(max_examples=EXAMPLES * 3, deadline=None)
@given(joined(_ATTRIBUTION_PIECES, 40))
@example("\u201cWe cannot,\u201d he said.")
@example("x, a b c d e said f g h i j k l m.")  # five words before the verb, eight runs after it: the bounds
@example("x, a b c d e f said g.")  # six words before: no match from the comma
@example("x , a b c d e said f g h i j k l m n.")  # nine runs after the verb: none
@example("the mayor \u017fAID.")  # "\u017f" is "s" when case is ignored
@example("he \u0130 told.")
def test_attribution_searched_at_the_end_is_the_whole_search(text: str) -> None:
    """_attributes (a lower-case hint, then the pattern searched from fifteen runs before the end) decides as
    the pattern searched over the whole text."""
    from exporter.normalise import reflow

    assert reflow._attributes(text) == bool(_OLD_ATTRIBUTION_END.search(text))


@settings(max_examples=EXAMPLES, deadline=None)
@given(joined(["a", "co", "no", "12", "x1", ".", " ", "  ", "\t", "\u2003", "\n", "A", "_", "-", "é", "e.g.", "u.s."], 30))
@example("co. x")  # a word at the very start
@example("x  co.")  # after two spaces
@example("a.b. c.")
@example("\x1cco. \u00a0no. _Co. .CO. co..No. \u017fo.")  # only re's white space (\\s) or the start before a word
def test_dotted_words_found_fast_are_the_look_behind_pattern(line: str) -> None:
    """The words at the line's start or after white space that a full stop follows: the same occurrences as
    ``(?:^|(?<=\\s))[a-z0-9]+(?=\\.)`` finds, for an abbreviation list holding every word."""
    from exporter.normalise import sentences

    lowered = line.lower()
    expected: dict[str, list[str]] = {}
    for match in re.finditer(r"(?:^|(?<=\s))[a-z0-9]+(?=\.)", lowered):
        keys = expected.setdefault(match.group(), [])
        if line[match.start():match.end()] not in keys:
            keys.append(line[match.start():match.end()])

    class Every(sentences._OnceEach):
        plain = frozenset(expected)

    assert Every()._dotted_words(line, lowered) == expected


_SENTENCE_PIECES = ["A", "a", "word", " ", "\n", "\r", ".", "!", "?", "!!", "?!", "!?", "??", ":", "3:4", ",",
                    "'", '"', "\u201c", "\u201d", "(iv) A", "(x)", "Yahoo!", "!Kung", "&\u14f4&", "\u2026",
                    "\u01aa\u01aa\u01aa", "\u265f" * 7, "\u2230", "\u222f", "\u2238", "1", "x! y", "? A", "\u3002",
                    "\uff01", "\u0138"]


@settings(max_examples=EXAMPLES, deadline=None)
@given(joined(_SENTENCE_PIECES, 25), st.sampled_from(["en", "fr", "es", "it", "nl", "da", "pl", "kk", "hy", "ar",
                                                       "zh", "ja", "hi", "el", "ru", "bg"]))
@example("Wow! Then (iv) Next.", "en")
@example("x&\u14f4&\n", "en")
@example("He said: \u201cGo!\u201d Then.", "en")
@example("Yahoo! is big. Right.", "en")
def test_processor_per_sentence_steps_are_pysbds(text: str, code: str) -> None:
    """process_text, sentence_boundary_punctuation and post_process_segments of the cheap processor: pysbd's own
    steps, with the rules applied by _applied and the patterns compiled once."""
    from pysbd.processor import Processor

    from exporter.normalise.sentences import _Processor

    lang = _stock_language(code)
    cheap, stock = _Processor("", lang), Processor("", lang)
    if text:
        assert cheap.process_text(text) == stock.process_text(text)
    assert cheap.sentence_boundary_punctuation(text) == stock.sentence_boundary_punctuation(text)
    assert cheap.post_process_segments(text) == stock.post_process_segments(text)


@settings(max_examples=EXAMPLES, deadline=None)
@given(joined(["a", " ", ".", "\u222f", "\u266c", "\u266d", "&", "\u14f0", "\u14f4", "\u2609", "\u2607", "\u2608",
               "\u2604", "\u2702", "\u232c", "\u0238", "\u0239", "\u01aa", "\u265f", "\u265d", "\u260f", "\u222e",
               "\u238b", "&\u14f4&", "&\u2702&"], 20), st.sampled_from(["en", "fr", "es", "zh", "ar", "hy", "ja"]))
def test_rules_of_plain_text_change_nothing_where_none_of_their_texts_stands(text: str, code: str) -> None:
    """_any_literal's pattern finds nothing only where pysbd's rules (applied in turn) leave the text as it is."""
    from pysbd.utils import Text

    from exporter.normalise.sentences import _any_literal

    lang = _stock_language(code)
    for rules in (lang.SubSymbolsRules.All, lang.ReinsertEllipsisRules.All, [lang.SubSingleQuoteRule]):
        hint = _any_literal(tuple(rules))
        if hint is not None and not hint.search(text):
            assert Text(text).apply(*rules) == text


def _old_best_cuts(sentences, logits, genre):
    """reflow.best_cuts computing the length prior at every step (frozen)."""
    import math

    from exporter.normalise.reflow import MAX_PARAGRAPH_WORDS, MAX_SENTENCES

    n = len(sentences)
    prefix, words = [0], [0]
    for length, s in zip(genre.lengths(sentences), sentences):
        prefix.append(prefix[-1] + length)
        words.append(words[-1] + s.words)
    scale = genre.length_weight * 0.5 / genre.sigma ** 2
    best = [0.0] + [math.inf] * n
    back = [0] * (n + 1)
    for j in range(1, n + 1):
        for i in range(j - 1, -1, -1):
            if (words[j] - words[i] > MAX_PARAGRAPH_WORDS or j - i > MAX_SENTENCES) and i < j - 1:
                break
            cost = best[i] + scale * (math.log(max(prefix[j] - prefix[i], 1)) - genre.mu) ** 2
            if i:
                cost += genre.threshold - logits[i]
            if cost < best[j] - 1e-12:
                best[j], back[j] = cost, i
    cuts = []
    j = n
    while j > 0:
        j = back[j]
        if j > 0:
            cuts.append(j)
    return sorted(cuts)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 700), st.floats(-6, 6)), min_size=1, max_size=90),
       st.sampled_from(["news", "other", "words"]))
def test_best_cuts_with_each_length_prior_found_once_are_the_old_cuts(rows, kind: str) -> None:
    from exporter.normalise.reflow import GENRES, Genre, Sentence, best_cuts

    genre = GENRES.get(kind) or Genre(weights={}, mu=3.2, sigma=0.6, unit="words", length_weight=1.3, threshold=0.2)
    sentences = [Sentence(0, 1, "x", words) for words, _ in rows]
    logits = [0.0] + [logit for _, logit in rows[1:]]
    assert best_cuts(sentences, logits, genre) == _old_best_cuts(sentences, logits, genre)
